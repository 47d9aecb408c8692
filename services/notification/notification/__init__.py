"""The notification service: who must be told of a warning, a case step or a reminder, and through
which channel (ZZD work notice, ZLB message, SMS), with daily digests and a delivery log with
retries (Art. 8, 29–30)."""
