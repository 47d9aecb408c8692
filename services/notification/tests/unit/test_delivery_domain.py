"""When a message goes out and what becomes of a failed one (Art. 8, 29–30)."""

from datetime import UTC, datetime, timedelta

from notification.domain.delivery import Status, after_failure, dedup_key, digest_key, next_digest_at, scrubbed
from notification.domain.rules import NotificationRules

RULES = NotificationRules(digest_hour=8, max_attempts=3, retry_initial_seconds=30, retry_max_seconds=45)


def test_the_digest_goes_at_the_hour_of_the_district_day():
    before = datetime(2027, 1, 3, 23, 0, tzinfo=UTC)  # 07:00 in Shangyu on the 4th
    assert next_digest_at(before, RULES) == datetime(2027, 1, 4, 0, 0, tzinfo=UTC)
    after = datetime(2027, 1, 4, 1, 0, tzinfo=UTC)  # 09:00: the next day's digest
    assert next_digest_at(after, RULES) == datetime(2027, 1, 5, 0, 0, tzinfo=UTC)


def test_one_key_per_event_recipient_and_channel():
    assert dedup_key("warning.raised:1", "u", "zzd") == dedup_key("warning.raised:1", "u", "zzd")
    assert len({dedup_key("e", "u", "zzd"), dedup_key("e", "u", "sms"), dedup_key("e", "v", "zzd"),
                dedup_key("f", "u", "zzd")}) == 4
    assert digest_key("u", "zzd", datetime(2027, 1, 4, 0, 0, tzinfo=UTC)) == "digest:2027-01-04|u|zzd"


def test_a_failed_attempt_waits_longer_each_time_then_is_parked():
    now = datetime(2027, 1, 4, tzinfo=UTC)
    first, second, third = (after_failure(attempt, now, RULES) for attempt in (1, 2, 3))
    assert first.status == second.status == Status.PENDING
    assert first.next_attempt_at == now + timedelta(seconds=30)
    assert second.next_attempt_at == now + timedelta(seconds=45)  # doubled, capped at the longest wait
    assert third.status == Status.PARKED and third.next_attempt_at is None


def test_a_failure_reason_is_kept_without_a_phone_number():
    assert scrubbed("invalid mobile 13912345678, out_id a1b2") == "invalid mobile ***, out_id a1b2"
    assert scrubbed("手机号+86 13912345678无效") == "手机号***无效"
    assert scrubbed("refused (code 15)") == "refused (code 15)"
    assert scrubbed("id 139123456789012") == "id 139123456789012"  # a longer number is no phone
