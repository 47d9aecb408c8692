"""Who must check in, and on which days (Art. 14–15, 22–23, 26, 27, 35).

The contractor's project manager, technical lead and safety officer and the supervisor's
chief engineer, specialist engineer and inspector check in; the technical lead and the
specialist engineer only in the phases the owner sets. For small works below the tender
threshold only one licensed person of the contractor and one of the supervisor check in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from common.clock import local_date
from common.contracts.registry import Post, UnitKind

# In order of precedence: for works below the threshold the first one present checks in.
CHECKIN_POSTS: dict[UnitKind, tuple[Post, ...]] = {
    UnitKind.CONTRACTOR: (Post.PROJECT_MANAGER, Post.TECHNICAL_LEAD, Post.SAFETY_OFFICER),
    UnitKind.SUPERVISOR: (Post.CHIEF_ENGINEER, Post.SPECIALIST_ENGINEER, Post.INSPECTOR),
}
PHASED_POSTS = frozenset({Post.TECHNICAL_LEAD, Post.SPECIALIST_ENGINEER})
# Construction ends when the project moves on to its completion acceptance and what follows it
# (Art. 25), or is terminated (Art. 34): duties end that day, and the month it ends in has its
# month-end rate over the construction days it had (Art. 26, 42).
AFTER_CONSTRUCTION = frozenset({"completion_acceptance", "final_acceptance", "settlement_audit", "funds_paid",
                                "deposit_returned", "terminated"})
_FIRM_OF_POST = {post: firm for firm, posts in CHECKIN_POSTS.items() for post in posts}


@dataclass(frozen=True)
class RosterPost:
    person_id: str
    firm_id: str
    post: Post
    assigned_at: datetime
    released_at: datetime | None = None  # replaced (Art. 27): no duty from that day on


@dataclass(frozen=True)
class Phase:
    post: Post
    start: date
    end: date

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


def duty_roster(entries: Iterable[RosterPost], below_threshold: bool) -> list[RosterPost]:
    """Art. 14–15, 22–23, 26: the posts of a project whose holders must check in; for works
    below the tender threshold, one person of the contractor and one of the supervisor."""
    checking = [entry for entry in entries if entry.post in _FIRM_OF_POST]
    if not below_threshold:
        return checking
    chosen = []
    for firm_kind, posts in CHECKIN_POSTS.items():
        candidates = [entry for entry in checking if _FIRM_OF_POST[entry.post] == firm_kind]
        if candidates:
            chosen.append(min(candidates, key=lambda entry: (posts.index(entry.post), entry.assigned_at)))
    return chosen


def on_duty(person_id: str, day: date, roster: Iterable[RosterPost], phases: Iterable[Phase]) -> bool:
    """Art. 26: whether the person must check in on ``day``: from the day they took the post until
    they are replaced (Art. 27), and on a phased post only in the owner's phases."""
    phases = list(phases)
    for entry in roster:
        if entry.person_id != person_id or day < local_date(entry.assigned_at):
            continue
        if entry.released_at is not None and day >= local_date(entry.released_at):
            continue
        if entry.post not in PHASED_POSTS:
            return True
        if any(phase.post == entry.post and phase.covers(day) for phase in phases):
            return True
    return False


def suspended_days(intervals: Iterable[tuple[datetime, datetime | None]], first: date, last: date) -> set[date]:
    """Local days touched by a suspension (Art. 35): none of them counts for attendance."""
    days: set[date] = set()
    for since, until in intervals:
        day = max(local_date(since), first)
        end = min(local_date(until), last) if until is not None else last
        while day <= end:
            days.add(day)
            day += timedelta(days=1)
    return days


def leaves_construction(status: str) -> bool:
    """Art. 25, 34: whether the project has left construction (its completion acceptance and
    after, or its termination): no one checks in any more."""
    return status in AFTER_CONSTRUCTION


def construction_dates(started_on: date | None, first: date, last: date, suspended: set[date],
                       non_working: set[date], ended_on: date | None = None) -> set[date]:
    """Art. 26, 35: the project's construction days between ``first`` and ``last``: from the start of
    construction to the day before it left construction (``ended_on``: the day of the completion
    acceptance or the termination, when no one checks in any more), without suspension days and
    the owner's declared non-working days."""
    if started_on is None:
        return set()
    if ended_on is not None:
        last = min(last, ended_on - timedelta(days=1))
    days, day = set(), max(first, started_on)
    while day <= last:
        if day not in suspended and day not in non_working:
            days.add(day)
        day += timedelta(days=1)
    return days
