"""Valid attendance days and the monthly rate (Art. 26, 35, 42).

- A valid day (Art. 26, "每天两次且间隔不小于4小时"): two accepted check-ins on the same
  district-local day (UTC+08:00) at least ``min_hours_between_checkins`` apart; exactly that
  many hours is valid. Flagged check-ins are accepted and count; the caller passes the
  accepted ones.
- Construction days of a person (Art. 26, 35): the project's actual construction days (its
  calendar minus suspension days and owner-declared non-working days — the service computes
  them), limited to the days the person was on duty (phased posts), minus approved leave.
  A leave day that is also a suspension day is simply not a construction day: it is removed
  once, never twice.
- Monthly rate (Art. 26, 42) = valid construction days / construction days; it meets the
  threshold when rate ≥ ``monthly_rate_threshold``, compared exactly (16/20 meets 0.8). A
  month without construction days has no rate (``None``) and meets the threshold.
- Missing streaks (Art. 42, "连续2天以上未考勤"): runs of construction days without a valid
  day, consecutive in the list of CONSTRUCTION days. Days that are not construction days for
  the person (suspension, non-working days, leave, off-duty phases) are skipped: they neither
  extend nor break a streak. So "missed Friday, weekend off, missed Monday" is a streak of 2,
  and so is "missed Monday, on leave Tuesday, missed Wednesday".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import NamedTuple, Protocol

from attendance.domain.rules import AttendanceRules
from common.clock import local_date


class AttendanceFacts(Protocol):
    """What the day and month rules read; :class:`MonthFacts` and :class:`PeriodFacts` provide it."""

    person_id: str
    project_id: str
    construction_dates: set[date]
    leave_dates: set[date]
    checkins: list[datetime]
    duty_dates: set[date] | None

    def covers(self, day: date) -> bool: ...


@dataclass
class MonthFacts:
    """One person on one project in one calendar month (district-local dates)."""

    year: int
    month: int
    person_id: str
    project_id: str
    construction_dates: set[date]
    leave_dates: set[date] = field(default_factory=set)
    checkins: list[datetime] = field(default_factory=list)
    duty_dates: set[date] | None = None  # None: on duty every construction day

    def covers(self, day: date) -> bool:
        return day.year == self.year and day.month == self.month


@dataclass
class PeriodFacts:
    """The same facts over any run of days, e.g. the last weeks for an end-of-day absence check
    whose streak may cross the turn of a month."""

    person_id: str
    project_id: str
    construction_dates: set[date]
    leave_dates: set[date] = field(default_factory=set)
    checkins: list[datetime] = field(default_factory=list)
    duty_dates: set[date] | None = None

    def covers(self, day: date) -> bool:
        return True


class MissingStreak(NamedTuple):
    start: date
    end: date
    length: int  # construction days, not calendar days


@dataclass(frozen=True)
class MonthlyAttendance:
    year: int
    month: int
    person_id: str
    project_id: str
    construction_dates: frozenset[date]
    valid_days: frozenset[date]
    construction_days: int
    rate: float | None
    meets_threshold: bool
    missing_streaks: tuple[MissingStreak, ...]


def valid_dates(accepted_times: Iterable[datetime], rules: AttendanceRules) -> set[date]:
    """Art. 26: the local days on which two accepted check-ins lie at least the minimum apart."""
    by_day: dict[date, list[datetime]] = defaultdict(list)
    for time in accepted_times:
        by_day[local_date(time)].append(time)
    least = timedelta(hours=rules.min_hours_between_checkins)
    return {day for day, times in by_day.items() if max(times) - min(times) >= least}


def valid_day(accepted_times: list[datetime], rules: AttendanceRules) -> bool:
    """Art. 26: whether the accepted check-ins make a valid attendance day. The caller passes one
    day's check-ins; check-ins of different local days never pair up (23:00 and 03:30 the next
    morning are two days with one check-in each)."""
    return bool(valid_dates(accepted_times, rules))


def construction_days(facts: AttendanceFacts) -> set[date]:
    """Art. 26, 35: construction dates ∩ duty dates − leave, within the facts' period."""
    days = {day for day in facts.construction_dates if facts.covers(day)}
    if facts.duty_dates is not None:
        days &= facts.duty_dates
    return days - facts.leave_dates


def missing_streaks(days: Iterable[date], valid: set[date]) -> list[MissingStreak]:
    """Art. 42: runs of ``days`` (construction days, in order) without a valid day; other dates
    are skipped, so they do not break a run."""
    streaks: list[MissingStreak] = []
    start: date | None = None
    end: date | None = None
    length = 0
    for day in sorted(days):
        if day in valid:
            if start is not None:
                streaks.append(MissingStreak(start, end, length))
            start, end, length = None, None, 0
        else:
            start = day if start is None else start
            end, length = day, length + 1
    if start is not None:
        streaks.append(MissingStreak(start, end, length))
    return streaks


def rate_meets(valid_days: int, construction_day_count: int, threshold: float) -> bool:
    """Art. 26, 42: "月考勤率不得低于80%" — the rate meets the threshold when it is at least the
    threshold, compared as exact fractions (so 16/20 meets 0.8 and 799/1000 does not)."""
    if construction_day_count == 0:
        return True
    return Fraction(valid_days, construction_day_count) >= Fraction(repr(threshold))


def _evaluate(facts: AttendanceFacts, rules: AttendanceRules, up_to: date | None):
    days = construction_days(facts)
    if up_to is not None:
        days = {day for day in days if day <= up_to}
    valid = valid_dates(facts.checkins, rules) & days
    return days, valid, missing_streaks(days, valid)


def monthly_attendance(facts: MonthFacts, rules: AttendanceRules, up_to: date | None = None) -> MonthlyAttendance:
    """The month's attendance (Art. 26, 42). ``up_to`` limits it to the days up to and including
    that date, for a view in the middle of the month: the caller passes yesterday when today is
    not over yet."""
    days, valid, streaks = _evaluate(facts, rules, up_to)
    count = len(days)
    return MonthlyAttendance(
        year=facts.year,
        month=facts.month,
        person_id=facts.person_id,
        project_id=facts.project_id,
        construction_dates=frozenset(days),
        valid_days=frozenset(valid),
        construction_days=count,
        rate=len(valid) / count if count else None,
        meets_threshold=rate_meets(len(valid), count, rules.monthly_rate_threshold),
        missing_streaks=tuple(streaks),
    )


def streak_ending_on(facts: AttendanceFacts, day: date, rules: AttendanceRules) -> MissingStreak | None:
    """Art. 42: the run of missed construction days that ends on ``day`` (None when ``day`` is
    not a construction day or is valid)."""
    days, _valid, streaks = _evaluate(facts, rules, day)
    if day not in days or not streaks or streaks[-1].end != day:
        return None
    return streaks[-1]
