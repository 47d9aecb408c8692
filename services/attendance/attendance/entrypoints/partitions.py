"""The timer that keeps the check-in table's monthly partitions on PostgreSQL (Art. 5, 26)."""

from __future__ import annotations

from attendance.usecases import partitions
from common.timer import timer

DAY_SECONDS = 24 * 3600


class CheckinPartitionEntrypoints:
    @timer(interval=DAY_SECONDS, eager=True)
    def keep_checkin_partitions(self):
        """At start and daily: the months ahead made, the months past retention dropped."""
        partitions.keep_checkin_partitions(self._call())
