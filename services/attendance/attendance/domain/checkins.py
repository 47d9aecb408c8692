"""One on-site check-in (Art. 26, 35, 47): accepted, accepted but suspect (flagged), or rejected.

The server time ``now`` decides; the device's clock is only compared with it (clock skew).
The checks run in a fixed order and the first failing one gives the rejection reason:

1. roster — the person must check in on this project today (key post; the technical lead and
   the specialist engineer only in the phases the owner set; Art. 26);
2. suspension — no attendance duty while the project is suspended (Art. 35);
3. construction — attendance is taken only while the project is in construction (Art. 25–26);
4. accuracy — a position fix worse than ``max_position_accuracy_m`` cannot show presence;
5. fence — the position must be inside the site boundary, give or take ``fence_tolerance_m``;
6. duplicate — not within ``min_checkin_interval_seconds`` of the previous accepted check-in;
7. risk signals of simulated positions or cracked software (Art. 26, 47): with any signal the
   owner's per-project policy decides: ``"block"`` rejects (``suspected_spoofing``), ``"flag"``
   accepts the check-in as FLAGGED so that the owner can look into it (Art. 47).

A non-working day declared by the owner does not reject a check-in: it is accepted, and the
day simply does not count as a construction day (see :mod:`attendance.domain.days`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from attendance.domain.rules import AttendanceRules
from common.errors import InvalidInput
from common.geo import distance_outside_fence_m, haversine_m

SpoofingPolicy = Literal["flag", "block"]

IN_CONSTRUCTION = "in_construction"
SUSPENDED = "suspended"


class Outcome(StrEnum):
    """What becomes of a check-in (Art. 26, 47): accepted, accepted but flagged, or rejected."""

    ACCEPTED = "accepted"
    FLAGGED = "flagged"  # accepted, but a risk signal was raised (Art. 47)
    REJECTED = "rejected"


class Reason(StrEnum):
    """Stable codes of a check-in's rejection (Art. 25, 26, 35, 47), one per check of
    :func:`assess_checkin`."""

    NOT_ON_ROSTER = "not_on_roster"  # Art. 26
    PROJECT_SUSPENDED = "project_suspended"  # Art. 35
    PROJECT_NOT_IN_CONSTRUCTION = "project_not_in_construction"  # Art. 25, 26
    ACCURACY_TOO_LOW = "accuracy_too_low"  # Art. 26
    OUTSIDE_SITE = "outside_site"  # Art. 26
    TOO_SOON = "too_soon"  # Art. 26 (duplicate)
    SUSPECTED_SPOOFING = "suspected_spoofing"  # Art. 26, 47


class RiskSignal(StrEnum):
    """Signals of simulated positions or cracked software (Art. 26, 47), in the order reported.
    Each is switched on or off by ``AttendanceRules.signal_<code>``."""

    MOCK_LOCATION = "mock_location"
    UNBOUND_DEVICE = "unbound_device"
    SHARED_DEVICE = "shared_device"
    IMPOSSIBLE_TRAVEL = "impossible_travel"
    CLOCK_SKEW = "clock_skew"
    REPEATED_COORDINATES = "repeated_coordinates"


@dataclass(frozen=True)
class CheckinAttempt:
    person_id: str
    project_id: str
    lat: float
    lng: float
    accuracy_m: float
    client_time: datetime
    device_id: str
    device_platform: str
    mock_location: bool = False


@dataclass(frozen=True)
class PreviousCheckin:
    """The person's last accepted check-in on any project. ``project_id`` (when known) lets the
    duplicate check see a check-in of the same project just before local midnight."""

    time: datetime
    lat: float
    lng: float
    project_id: str | None = None


@dataclass(frozen=True)
class CheckinContext:
    """What the service knows when the attempt arrives."""

    on_roster: bool
    project_status: str
    is_non_working_day: bool
    fence: dict
    spoofing_policy: SpoofingPolicy = "flag"
    bound_device_id: str | None = None
    device_last_person_id: str | None = None
    device_last_used_at: datetime | None = None
    previous_accepted: PreviousCheckin | None = None
    previous_accepted_today_on_project: list[datetime] = field(default_factory=list)


@dataclass(frozen=True)
class CheckinDecision:
    outcome: Outcome
    reason: str | None = None
    flags: tuple[str, ...] = ()
    binds_device: bool = False
    distance_outside_m: float = 0.0

    @property
    def accepted(self) -> bool:
        """Accepted and flagged check-ins both count towards the day (Art. 26)."""
        return self.outcome != Outcome.REJECTED


def _require_aware(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput.field(name, "a time must carry its UTC offset")
    return value


def _validate(attempt: CheckinAttempt, context: CheckinContext, now: datetime) -> None:
    _require_aware(now, "now")
    if context.spoofing_policy not in ("flag", "block"):
        raise InvalidInput.field("spoofing_policy", "the owner's policy is either 'flag' or 'block'")
    _require_aware(attempt.client_time, "client_time")
    if not (math.isfinite(attempt.lat) and -90 <= attempt.lat <= 90):
        raise InvalidInput.field("lat", "latitude must lie in [-90, 90]")
    if not (math.isfinite(attempt.lng) and -180 <= attempt.lng <= 180):
        raise InvalidInput.field("lng", "longitude must lie in [-180, 180]")
    if not (math.isfinite(attempt.accuracy_m) and attempt.accuracy_m >= 0):
        raise InvalidInput.field("accuracy_m", "accuracy must be a non-negative number of metres")


def _rejected(reason: Reason, distance: float = 0.0, flags: tuple[str, ...] = ()) -> CheckinDecision:
    return CheckinDecision(Outcome.REJECTED, str(reason), flags, False, distance)


def is_duplicate(attempt: CheckinAttempt, context: CheckinContext, rules: AttendanceRules, now: datetime) -> bool:
    """Art. 26: a check-in within ``min_checkin_interval_seconds`` (strictly less) of an accepted
    one of the same project is a duplicate; exactly the interval apart is not."""
    window = timedelta(seconds=rules.min_checkin_interval_seconds)
    times = list(context.previous_accepted_today_on_project)
    previous = context.previous_accepted
    if previous is not None and previous.project_id == attempt.project_id:
        times.append(previous.time)
    return any(abs(now - time) < window for time in times)


def travel_speed_kmh(previous: PreviousCheckin, attempt: CheckinAttempt, now: datetime) -> tuple[float, float]:
    """(metres travelled, km/h) from the previous accepted position to this one, timed by the
    server; the speed is ``inf`` when no time has passed."""
    distance = haversine_m((previous.lat, previous.lng), (attempt.lat, attempt.lng))
    elapsed = (now - previous.time).total_seconds()
    if elapsed <= 0:
        return distance, math.inf if distance > 0 else 0.0
    return distance, distance / elapsed * 3.6


def risk_signals(
    attempt: CheckinAttempt, context: CheckinContext, rules: AttendanceRules, now: datetime
) -> tuple[str, ...]:
    """The enabled signals of simulated positions or cracked software (Art. 26, 47) this attempt
    raises, in :class:`RiskSignal` order."""
    raised: list[RiskSignal] = []
    if rules.signal_mock_location and attempt.mock_location:
        raised.append(RiskSignal.MOCK_LOCATION)
    if (
        rules.signal_unbound_device
        and context.bound_device_id is not None
        and context.bound_device_id != attempt.device_id
    ):
        raised.append(RiskSignal.UNBOUND_DEVICE)
    if (
        rules.signal_shared_device
        and context.device_last_person_id is not None
        and context.device_last_person_id != attempt.person_id
        and context.device_last_used_at is not None
        and now - context.device_last_used_at <= timedelta(hours=rules.shared_device_window_hours)
    ):
        raised.append(RiskSignal.SHARED_DEVICE)
    previous = context.previous_accepted
    if rules.signal_impossible_travel and previous is not None:
        distance, speed = travel_speed_kmh(previous, attempt, now)
        if now <= previous.time:
            # No time has passed (or the record lies ahead): any move beyond GPS error is impossible.
            impossible = distance > rules.fence_tolerance_m
        else:
            impossible = speed > rules.max_travel_speed_kmh
        if impossible:
            raised.append(RiskSignal.IMPOSSIBLE_TRAVEL)
    if rules.signal_clock_skew and abs(attempt.client_time - now) > timedelta(
        minutes=rules.max_client_clock_skew_minutes
    ):
        raised.append(RiskSignal.CLOCK_SKEW)
    if (
        rules.signal_repeated_coordinates
        and previous is not None
        and attempt.lat == previous.lat
        and attempt.lng == previous.lng
    ):
        raised.append(RiskSignal.REPEATED_COORDINATES)
    return tuple(str(signal) for signal in raised)


def assess_checkin(
    attempt: CheckinAttempt, context: CheckinContext, rules: AttendanceRules, now: datetime
) -> CheckinDecision:
    """Art. 26, 35, 47: decide one check-in at server time ``now`` (see the module docstring for
    the order)."""
    _validate(attempt, context, now)
    if not context.on_roster:
        return _rejected(Reason.NOT_ON_ROSTER)
    if context.project_status == SUSPENDED:
        return _rejected(Reason.PROJECT_SUSPENDED)
    if context.project_status != IN_CONSTRUCTION:
        return _rejected(Reason.PROJECT_NOT_IN_CONSTRUCTION)
    if attempt.accuracy_m > rules.max_position_accuracy_m:
        return _rejected(Reason.ACCURACY_TOO_LOW)
    distance = distance_outside_fence_m((attempt.lat, attempt.lng), context.fence)
    if distance > rules.fence_tolerance_m:
        return _rejected(Reason.OUTSIDE_SITE, distance)
    if is_duplicate(attempt, context, rules, now):
        return _rejected(Reason.TOO_SOON, distance)
    flags = risk_signals(attempt, context, rules, now)
    if flags and context.spoofing_policy == "block":
        return _rejected(Reason.SUSPECTED_SPOOFING, distance, flags)
    # Accepted (a non-working day included: the day just does not count). The person's first
    # device binds with the first check-in that is accepted, flagged or not.
    binds = context.bound_device_id is None
    outcome = Outcome.FLAGGED if flags else Outcome.ACCEPTED
    return CheckinDecision(outcome, None, flags, binds, distance)
