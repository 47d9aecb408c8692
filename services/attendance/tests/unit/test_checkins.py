"""One check-in (Art. 26, 35, 47): the order of the checks, every threshold at its edge, each
risk signal on and off, and the owner's flag/block policy."""

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from attendance.domain.checkins import (
    CheckinAttempt,
    CheckinContext,
    CheckinDecision,
    Outcome,
    PreviousCheckin,
    assess_checkin,
)
from attendance.domain.rules import AttendanceRules
from common.errors import InvalidInput
from common.geo import EARTH_RADIUS_M

M_PER_DEG_LAT = EARTH_RADIUS_M * math.pi / 180
RULES = AttendanceRules()
NOW = datetime(2026, 6, 10, 1, 0, tzinfo=UTC)  # 09:00 local

LAT0, LNG0 = 30.0, 120.87
HALF = 0.001
SQUARE = {"polygon": [[LAT0 - HALF, LNG0 - HALF], [LAT0 - HALF, LNG0 + HALF],
                      [LAT0 + HALF, LNG0 + HALF], [LAT0 + HALF, LNG0 - HALF]]}
CIRCLE = {"center": [LAT0, LNG0], "radius_m": 100}


def north_of(lat: float, metres: float) -> float:
    return lat + metres / M_PER_DEG_LAT


def attempt(**changes) -> CheckinAttempt:
    base = CheckinAttempt(
        person_id="p1", project_id="prj", lat=LAT0, lng=LNG0, accuracy_m=15.0, client_time=NOW,
        device_id="dev-1", device_platform="android", mock_location=False,
    )
    return replace(base, **changes)


def context(**changes) -> CheckinContext:
    base = CheckinContext(
        on_roster=True, project_status="in_construction", is_non_working_day=False, fence=SQUARE,
        spoofing_policy="flag", bound_device_id="dev-1",
    )
    return replace(base, **changes)


def decide(rules=RULES, now=NOW, **changes) -> CheckinDecision:
    attempt_changes = {k: v for k, v in changes.items() if k in CheckinAttempt.__dataclass_fields__}
    context_changes = {k: v for k, v in changes.items() if k in CheckinContext.__dataclass_fields__}
    assert len(attempt_changes) + len(context_changes) == len(changes), "unknown field in the test"
    return assess_checkin(attempt(**attempt_changes), context(**context_changes), rules, now)


def previous(minutes_ago: float = 300, lat: float = LAT0 + 0.0001, lng: float = LNG0, project_id=None):
    return PreviousCheckin(NOW - timedelta(minutes=minutes_ago), lat, lng, project_id)


# --- a clean check-in ---------------------------------------------------------------------


def test_a_clean_check_in_on_site_is_accepted():
    decision = decide()
    assert decision == CheckinDecision(Outcome.ACCEPTED, None, (), False, 0.0)
    assert decision.accepted


def test_the_first_device_binds_with_the_first_accepted_check_in():
    decision = decide(bound_device_id=None)
    assert decision.outcome == Outcome.ACCEPTED
    assert decision.binds_device is True


def test_a_check_in_on_a_non_working_day_is_accepted():
    assert decide(is_non_working_day=True).outcome == Outcome.ACCEPTED


# --- the order of the checks --------------------------------------------------------------


def test_not_on_the_roster_is_rejected_before_anything_else():
    decision = decide(on_roster=False, project_status="suspended", accuracy_m=500, lat=LAT0 + 1)
    assert (decision.outcome, decision.reason) == (Outcome.REJECTED, "not_on_roster")
    assert decision.binds_device is False


def test_a_suspended_project_takes_no_check_in():
    decision = decide(project_status="suspended", accuracy_m=500, lat=LAT0 + 1)
    assert (decision.outcome, decision.reason) == (Outcome.REJECTED, "project_suspended")


@pytest.mark.parametrize("status", ["awarded", "completion_acceptance", "terminated", "settlement_audit"])
def test_a_project_not_in_construction_takes_no_check_in(status):
    decision = decide(project_status=status, accuracy_m=500)
    assert (decision.outcome, decision.reason) == (Outcome.REJECTED, "project_not_in_construction")


def test_accuracy_is_checked_before_the_fence():
    decision = decide(accuracy_m=101, lat=LAT0 + 1)
    assert decision.reason == "accuracy_too_low"


def test_the_fence_is_checked_before_the_duplicate():
    decision = decide(lat=LAT0 + 1, previous_accepted_today_on_project=[NOW - timedelta(seconds=10)])
    assert decision.reason == "outside_site"


def test_the_duplicate_is_checked_before_the_risk_signals():
    decision = decide(
        mock_location=True, spoofing_policy="block", previous_accepted_today_on_project=[NOW - timedelta(seconds=10)]
    )
    assert (decision.reason, decision.flags) == ("too_soon", ())


# --- accuracy -----------------------------------------------------------------------------


@pytest.mark.parametrize(("accuracy", "outcome"), [(0, Outcome.ACCEPTED), (100, Outcome.ACCEPTED),
                                                   (100.1, Outcome.REJECTED)])
def test_accuracy_at_the_limit(accuracy, outcome):
    assert decide(accuracy_m=accuracy).outcome == outcome


def test_accuracy_limit_follows_the_setting():
    assert decide(rules=AttendanceRules(max_position_accuracy_m=20), accuracy_m=25).reason == "accuracy_too_low"


# --- fence --------------------------------------------------------------------------------


@pytest.mark.parametrize(("fence", "edge_lat"), [(SQUARE, LAT0 + HALF), (CIRCLE, north_of(LAT0, 100))])
def test_just_inside_the_tolerance_is_on_site(fence, edge_lat):
    decision = decide(fence=fence, lat=north_of(edge_lat, 29.9))
    assert decision.outcome == Outcome.ACCEPTED
    assert decision.distance_outside_m == pytest.approx(29.9, abs=0.05)


@pytest.mark.parametrize(("fence", "edge_lat"), [(SQUARE, LAT0 + HALF), (CIRCLE, north_of(LAT0, 100))])
def test_just_beyond_the_tolerance_is_outside_the_site(fence, edge_lat):
    decision = decide(fence=fence, lat=north_of(edge_lat, 30.1))
    assert (decision.outcome, decision.reason) == (Outcome.REJECTED, "outside_site")
    assert decision.distance_outside_m == pytest.approx(30.1, abs=0.05)


def test_tolerance_follows_the_setting():
    lat = north_of(LAT0 + HALF, 20)
    assert decide(lat=lat).outcome == Outcome.ACCEPTED
    assert decide(rules=AttendanceRules(fence_tolerance_m=10), lat=lat).reason == "outside_site"


# --- duplicate ----------------------------------------------------------------------------


@pytest.mark.parametrize(("seconds", "reason"), [(1, "too_soon"), (59, "too_soon"), (60, None), (3600, None)])
def test_a_second_check_in_within_60_seconds_is_a_duplicate(seconds, reason):
    decision = decide(previous_accepted_today_on_project=[NOW - timedelta(hours=5), NOW - timedelta(seconds=seconds)])
    assert decision.reason == reason


def test_the_server_time_decides_the_duplicate_not_the_device():
    earlier = NOW - timedelta(seconds=61)
    # The device claims only 30 s passed; the server saw 61 s.
    ok = decide(client_time=earlier + timedelta(seconds=30), previous_accepted_today_on_project=[earlier])
    assert ok.outcome == Outcome.ACCEPTED
    earlier = NOW - timedelta(seconds=59)
    # The device claims 2 minutes passed; the server saw 59 s.
    dup = decide(client_time=earlier + timedelta(minutes=2), previous_accepted_today_on_project=[earlier])
    assert dup.reason == "too_soon"


def test_a_duplicate_across_local_midnight_is_caught_through_the_previous_check_in():
    # 23:59:40 local yesterday on the same project; now is 00:00:10 local.
    now = datetime(2026, 6, 10, 16, 0, 10, tzinfo=UTC)
    last = PreviousCheckin(now - timedelta(seconds=30), LAT0 + 0.0001, LNG0, "prj")
    decision = decide(now=now, client_time=now, previous_accepted=last, previous_accepted_today_on_project=[])
    assert decision.reason == "too_soon"


def test_a_check_in_on_another_project_just_before_is_not_a_duplicate():
    last = previous(minutes_ago=0.5, project_id="other")
    decision = decide(previous_accepted=last)
    assert decision.reason != "too_soon"
    assert decision.outcome == Outcome.ACCEPTED


def test_the_duplicate_interval_follows_the_setting():
    times = [NOW - timedelta(seconds=100)]
    assert decide(previous_accepted_today_on_project=times).outcome == Outcome.ACCEPTED
    rules = AttendanceRules(min_checkin_interval_seconds=120)
    assert decide(rules=rules, previous_accepted_today_on_project=times).reason == "too_soon"


# --- risk signals, one by one -------------------------------------------------------------


def test_mock_location_is_flagged():
    decision = decide(mock_location=True)
    assert (decision.outcome, decision.reason, decision.flags) == (Outcome.FLAGGED, None, ("mock_location",))
    assert decision.accepted


def test_mock_location_is_ignored_when_the_signal_is_off():
    assert decide(rules=AttendanceRules(signal_mock_location=False), mock_location=True).outcome == Outcome.ACCEPTED


def test_a_device_other_than_the_bound_one_is_flagged():
    decision = decide(device_id="dev-2")
    assert decision.flags == ("unbound_device",)
    assert decision.binds_device is False


def test_no_binding_yet_raises_no_unbound_device_signal():
    decision = decide(device_id="dev-2", bound_device_id=None)
    assert (decision.outcome, decision.binds_device) == (Outcome.ACCEPTED, True)


def test_unbound_device_is_ignored_when_the_signal_is_off():
    assert decide(rules=AttendanceRules(signal_unbound_device=False), device_id="dev-2").outcome == Outcome.ACCEPTED


@pytest.mark.parametrize(
    ("hours_ago", "flagged"),
    [(0, True), (11.99, True), (12, True), (12.01, False), (48, False)],
)
def test_a_device_used_by_another_person_within_12_hours_is_shared(hours_ago, flagged):
    decision = decide(device_last_person_id="p2", device_last_used_at=NOW - timedelta(hours=hours_ago))
    assert (decision.flags == ("shared_device",)) is flagged


def test_the_same_person_on_the_device_is_not_sharing():
    assert decide(device_last_person_id="p1", device_last_used_at=NOW - timedelta(hours=1)).flags == ()


def test_another_person_without_a_time_is_not_sharing():
    assert decide(device_last_person_id="p2", device_last_used_at=None).flags == ()


def test_shared_device_window_and_switch_follow_the_settings():
    last = {"device_last_person_id": "p2", "device_last_used_at": NOW - timedelta(hours=20)}
    assert decide(rules=AttendanceRules(shared_device_window_hours=24), **last).flags == ("shared_device",)
    last = {"device_last_person_id": "p2", "device_last_used_at": NOW - timedelta(hours=1)}
    assert decide(rules=AttendanceRules(signal_shared_device=False), **last).flags == ()


def far_previous(km: float, minutes_ago: float) -> PreviousCheckin:
    """A previous accepted check-in ``km`` due south of the site centre."""
    return previous(minutes_ago=minutes_ago, lat=LAT0 - km * 1000 / M_PER_DEG_LAT)


@pytest.mark.parametrize(("km", "flagged"), [(1, False), (149.9, False), (150.1, True), (400, True)])
def test_impossible_travel_at_the_speed_limit(km, flagged):
    # ``km`` kilometres in one hour: km/h.
    decision = decide(previous_accepted=far_previous(km, 60))
    assert (decision.flags == ("impossible_travel",)) is flagged


def test_impossible_travel_with_no_time_elapsed_depends_on_the_distance():
    same_instant_far = previous(minutes_ago=0, lat=north_of(LAT0, -31))
    assert decide(previous_accepted=same_instant_far).flags == ("impossible_travel",)
    same_instant_near = previous(minutes_ago=0, lat=north_of(LAT0, -29))
    assert decide(previous_accepted=same_instant_near).flags == ()


def test_a_previous_check_in_recorded_after_now_counts_as_no_time_elapsed():
    ahead = previous(minutes_ago=-5, lat=north_of(LAT0, -500))
    assert decide(previous_accepted=ahead).flags == ("impossible_travel",)


def test_impossible_travel_speed_and_switch_follow_the_settings():
    assert decide(rules=AttendanceRules(max_travel_speed_kmh=100), previous_accepted=far_previous(120, 60)).flags == (
        "impossible_travel",
    )
    rules = AttendanceRules(signal_impossible_travel=False)
    assert decide(rules=rules, previous_accepted=far_previous(500, 60)).flags == ()


@pytest.mark.parametrize(
    ("offset", "flagged"),
    [
        (timedelta(minutes=9, seconds=59), False),
        (timedelta(minutes=10), False),
        (timedelta(minutes=10, seconds=1), True),
        (-timedelta(minutes=10), False),
        (-timedelta(minutes=10, seconds=1), True),
        (timedelta(hours=8), True),
    ],
)
def test_clock_skew_either_way(offset, flagged):
    decision = decide(client_time=NOW + offset)
    assert (decision.flags == ("clock_skew",)) is flagged


def test_a_client_time_in_another_offset_is_compared_as_an_instant():
    from common.clock import DISTRICT_TZ

    assert decide(client_time=NOW.astimezone(DISTRICT_TZ)).flags == ()


def test_clock_skew_limit_and_switch_follow_the_settings():
    skewed = NOW + timedelta(minutes=5)
    assert decide(rules=AttendanceRules(max_client_clock_skew_minutes=4), client_time=skewed).flags == ("clock_skew",)
    far = NOW + timedelta(hours=1)
    assert decide(rules=AttendanceRules(signal_clock_skew=False), client_time=far).flags == ()


def test_exactly_the_previous_coordinates_are_flagged():
    last = previous(minutes_ago=300, lat=30.0001234, lng=120.8701234)
    decision = decide(lat=30.0001234, lng=120.8701234, previous_accepted=last)
    assert decision.flags == ("repeated_coordinates",)


@pytest.mark.parametrize(("lat", "lng"), [(30.0001235, 120.8701234), (30.0001234, 120.8701235)])
def test_coordinates_differing_in_the_last_decimal_are_not_repeated(lat, lng):
    last = previous(minutes_ago=300, lat=30.0001234, lng=120.8701234)
    assert decide(lat=lat, lng=lng, previous_accepted=last).flags == ()


def test_repeated_coordinates_is_ignored_when_the_signal_is_off():
    last = previous(minutes_ago=300, lat=LAT0, lng=LNG0)
    assert decide(rules=AttendanceRules(signal_repeated_coordinates=False), previous_accepted=last).flags == ()


# --- several signals, the policy, and the binding -----------------------------------------


EVERY_SIGNAL = {
    "mock_location": True,
    "device_id": "dev-9",
    "device_last_person_id": "p2",
    "device_last_used_at": NOW - timedelta(hours=1),
    "previous_accepted": PreviousCheckin(NOW - timedelta(seconds=90), LAT0, LNG0),
    "client_time": NOW - timedelta(hours=1),
}
ALL_FLAGS = ("mock_location", "unbound_device", "shared_device", "impossible_travel", "clock_skew",
             "repeated_coordinates")


def test_every_signal_is_reported_in_a_fixed_order():
    # The previous check-in 90 s ago at the very same position is both repeated and (with no
    # movement) not impossible travel; move it far away for the travel signal.
    signals = dict(EVERY_SIGNAL)
    decision = decide(**signals)
    assert decision.flags == ("mock_location", "unbound_device", "shared_device", "clock_skew",
                              "repeated_coordinates")
    signals["previous_accepted"] = PreviousCheckin(NOW - timedelta(seconds=90), LAT0 - 1, LNG0)
    signals["lat"], signals["lng"] = LAT0, LNG0
    assert decide(**signals).flags == ("mock_location", "unbound_device", "shared_device", "impossible_travel",
                                       "clock_skew")


def test_the_block_policy_rejects_a_suspect_check_in_with_its_flags():
    decision = decide(spoofing_policy="block", mock_location=True, device_id="dev-2")
    assert decision.outcome == Outcome.REJECTED
    assert decision.reason == "suspected_spoofing"
    assert decision.flags == ("mock_location", "unbound_device")
    assert not decision.accepted


def test_the_flag_policy_accepts_a_suspect_check_in_with_its_flags():
    decision = decide(spoofing_policy="flag", mock_location=True, device_id="dev-2")
    assert (decision.outcome, decision.reason) == (Outcome.FLAGGED, None)
    assert decision.flags == ("mock_location", "unbound_device")
    assert decision.accepted


def test_the_block_policy_accepts_a_clean_check_in():
    assert decide(spoofing_policy="block").outcome == Outcome.ACCEPTED


def test_a_blocked_check_in_binds_no_device_and_a_flagged_one_does():
    assert decide(spoofing_policy="block", mock_location=True, bound_device_id=None).binds_device is False
    assert decide(spoofing_policy="flag", mock_location=True, bound_device_id=None).binds_device is True


def test_every_signal_switched_off_accepts_the_check_in():
    off = AttendanceRules(**{f"signal_{flag}": False for flag in ALL_FLAGS})
    decision = decide(rules=off, spoofing_policy="block", **EVERY_SIGNAL)
    assert decision.outcome == Outcome.ACCEPTED
    assert decision.flags == ()


def test_a_rejection_binds_no_device():
    assert decide(bound_device_id=None, lat=LAT0 + 1).binds_device is False


# --- malformed input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"client_time": datetime(2026, 6, 10, 9, 0)},
        {"lat": 91.0},
        {"lng": -181.0},
        {"lat": math.nan},
        {"accuracy_m": -1.0},
        {"accuracy_m": math.inf},
        {"spoofing_policy": "ignore"},
    ],
)
def test_malformed_attempts_are_refused(changes):
    with pytest.raises(InvalidInput):
        decide(**changes)


def test_now_must_be_aware():
    with pytest.raises(InvalidInput):
        decide(now=datetime(2026, 6, 10, 9, 0))
