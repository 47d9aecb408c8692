"""The owner's project lead attends by patrol track (Art. 26): "每7天一次考勤，巡查时间必须
超过10分钟为有效巡查" — one patrol every 7 days, valid only if it lasts MORE than 10 minutes.

- A track is judged on its on-site points (inside the fence, give or take ``fence_tolerance_m``):
  the patrol lasts from the first to the last on-site point. Off-site points in between (a walk
  round the hoarding) neither add nor break anything.
- Exactly ``patrol_min_minutes`` is not valid; one second more is.
- The 7 days run from the end of the last valid patrol (or, before any, from the start of the
  lead's duty), and suspension time does not count (Art. 35). While the project is suspended
  no patrol is due.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from itertools import pairwise

from attendance.domain.rules import AttendanceRules
from common.geo import distance_outside_fence_m

SuspendedInterval = tuple[datetime, datetime | None]  # (start, end); end None: still suspended


class PatrolReason(StrEnum):
    """Why a patrol track is not a valid patrol (Art. 26), in the order :func:`assess_patrol`
    checks."""

    TOO_FEW_POINTS = "too_few_points"
    NOT_IN_TIME_ORDER = "not_in_time_order"
    OFF_SITE = "off_site"
    TOO_SHORT = "too_short"


@dataclass(frozen=True)
class PatrolPoint:
    time: datetime
    lat: float
    lng: float


@dataclass(frozen=True)
class PatrolDecision:
    valid: bool
    reason: str | None
    duration_minutes: float
    on_site_points: int
    started_at: datetime | None
    ended_at: datetime | None


def assess_patrol(points: Sequence[PatrolPoint], fence: dict, rules: AttendanceRules) -> PatrolDecision:
    """Art. 26: judge one patrol track. Reasons, in the order checked: ``too_few_points`` (under
    2 points), ``not_in_time_order`` (a point earlier than the one before; equal times are
    allowed), ``off_site`` (under 2 points on site), ``too_short`` (not more than the minimum)."""
    points = list(points)
    if len(points) < 2:
        return PatrolDecision(False, PatrolReason.TOO_FEW_POINTS, 0.0, 0, None, None)
    if any(later.time < earlier.time for earlier, later in pairwise(points)):
        return PatrolDecision(False, PatrolReason.NOT_IN_TIME_ORDER, 0.0, 0, None, None)
    on_site = [
        point for point in points
        if distance_outside_fence_m((point.lat, point.lng), fence) <= rules.fence_tolerance_m
    ]
    if len(on_site) < 2:
        started = on_site[0].time if on_site else None
        return PatrolDecision(False, PatrolReason.OFF_SITE, 0.0, len(on_site), started, started)
    started_at, ended_at = on_site[0].time, on_site[-1].time
    duration = ended_at - started_at
    valid = duration > timedelta(minutes=rules.patrol_min_minutes)
    return PatrolDecision(
        valid,
        None if valid else PatrolReason.TOO_SHORT,
        duration.total_seconds() / 60,
        len(on_site),
        started_at,
        ended_at,
    )


def _merged(intervals: Iterable[SuspendedInterval], start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The suspension intervals clipped to [start, end] and merged where they overlap."""
    clipped = sorted(
        (max(begin, start), min(finish if finish is not None else end, end))
        for begin, finish in intervals
    )
    merged: list[tuple[datetime, datetime]] = []
    for begin, finish in clipped:
        if finish <= begin:
            continue
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], finish))
        else:
            merged.append((begin, finish))
    return merged


def active_time(start: datetime, now: datetime, suspended_intervals: Iterable[SuspendedInterval]) -> timedelta:
    """Time from ``start`` to ``now`` not counting suspension (Art. 35)."""
    if now <= start:
        return timedelta(0)
    paused = sum((finish - begin for begin, finish in _merged(suspended_intervals, start, now)), timedelta(0))
    return now - start - paused


def is_suspended_at(instant: datetime, suspended_intervals: Iterable[SuspendedInterval]) -> bool:
    """Art. 35: whether ``instant`` falls in a suspension."""
    return any(begin <= instant and (finish is None or instant < finish) for begin, finish in suspended_intervals)


def patrol_due(
    last_valid_patrol_end: datetime | None,
    duty_start: datetime,
    now: datetime,
    rules: AttendanceRules,
    suspended_intervals: Iterable[SuspendedInterval] = (),
) -> bool:
    """Art. 26, 35: True when more than ``patrol_interval_days`` of unsuspended time have passed
    since the last valid patrol ended (or, before any, since the lead's duty started); exactly
    the interval is not yet overdue. Never due while the project is suspended at ``now``."""
    intervals = list(suspended_intervals)
    if is_suspended_at(now, intervals):
        return False
    anchor = last_valid_patrol_end if last_valid_patrol_end is not None else duty_start
    return active_time(anchor, now, intervals) > timedelta(days=rules.patrol_interval_days)
