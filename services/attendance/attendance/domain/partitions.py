"""Which months of check-ins the database keeps (Art. 5, 26).

On PostgreSQL the check-ins (Art. 26) are kept in one partition per calendar month of the
district's date (``local_day``). Every month from the current one to
``checkin_partitions_ahead_months`` ahead has its partition before its first check-in arrives,
and so has any month whose check-ins wait in the default partition (a platform clock moved past
the months made ahead).

A month's check-ins are kept until ``checkin_retention_months`` whole months have passed since
that month ended, then its partition goes at once (detached and dropped, never deleted row by
row). The regulation names no period for keeping attendance records: the figure is the
platform's choice, long enough that a project's attendance stays on record and traceable
(Art. 5, "全程记录…可查可溯") through its construction and its settlement audit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from attendance.domain.rules import AttendanceRules
from common.clock import local_date


def month_of(day: date) -> date:
    """The month of a day, as its first day."""
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    """The first day of the month ``count`` months after (before, when negative) ``month``."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class PartitionPlan:
    """What the upkeep does, months given by their first day, oldest first."""

    create: tuple[date, ...]
    drop: tuple[date, ...]
    # Check-ins before this month are past retention: its partition and every older one go, and
    # so do the few such rows waiting in the default partition.
    oldest_kept: date


def partition_plan(now: datetime, existing: Iterable[date], waiting: Iterable[date],
                   rules: AttendanceRules) -> PartitionPlan:
    """Art. 5, 26: the months whose partitions must be made (``now``'s month in the district and
    ``checkin_partitions_ahead_months`` after it, and the months of the check-ins ``waiting`` in
    the default partition that are still kept) and the months of ``existing`` partitions past
    ``checkin_retention_months``. A month ahead of the window that already exists stays (a clock
    moved back)."""
    this_month = month_of(local_date(now))
    oldest_kept = add_months(this_month, -rules.checkin_retention_months)
    have = set(existing)
    wanted = {add_months(this_month, ahead) for ahead in range(rules.checkin_partitions_ahead_months + 1)}
    wanted |= {month_of(month) for month in waiting if month_of(month) >= oldest_kept}
    return PartitionPlan(create=tuple(sorted(wanted - have)),
                         drop=tuple(sorted(month for month in have if month < oldest_kept)),
                         oldest_kept=oldest_kept)
