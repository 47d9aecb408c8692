"""The owner's project lead's patrol (Art. 26, 35): more than 10 minutes on site, every 7 days
of unsuspended time."""

import math
from datetime import UTC, datetime, timedelta

import pytest

from attendance.domain.patrols import PatrolDecision, PatrolPoint, active_time, assess_patrol, patrol_due
from attendance.domain.rules import AttendanceRules
from common.geo import EARTH_RADIUS_M

M_PER_DEG_LAT = EARTH_RADIUS_M * math.pi / 180
RULES = AttendanceRules()
T0 = datetime(2026, 6, 10, 1, 0, tzinfo=UTC)
LAT0, LNG0 = 30.0, 120.87
HALF = 0.001
SQUARE = {"polygon": [[LAT0 - HALF, LNG0 - HALF], [LAT0 - HALF, LNG0 + HALF],
                      [LAT0 + HALF, LNG0 + HALF], [LAT0 + HALF, LNG0 - HALF]]}
CIRCLE = {"center": [LAT0, LNG0], "radius_m": 100}
FAR = LAT0 + 0.05  # ≈ 5.5 km north


def at(seconds: float, lat: float = LAT0, lng: float = LNG0) -> PatrolPoint:
    return PatrolPoint(T0 + timedelta(seconds=seconds), lat, lng)


def track(*seconds: float) -> list[PatrolPoint]:
    return [at(s) for s in seconds]


# --- assessing a track --------------------------------------------------------------------


def test_exactly_ten_minutes_is_not_a_valid_patrol():
    decision = assess_patrol(track(0, 300, 600), SQUARE, RULES)
    assert decision == PatrolDecision(False, "too_short", 10.0, 3, T0, T0 + timedelta(minutes=10))


def test_ten_minutes_and_one_second_is_valid():
    decision = assess_patrol(track(0, 300, 601), SQUARE, RULES)
    assert decision.valid
    assert decision.reason is None
    assert decision.duration_minutes == pytest.approx(10 + 1 / 60)
    assert decision.started_at == T0
    assert decision.ended_at == T0 + timedelta(seconds=601)


@pytest.mark.parametrize("points", [[], [at(0)]])
def test_fewer_than_two_points(points):
    decision = assess_patrol(points, SQUARE, RULES)
    assert (decision.valid, decision.reason) == (False, "too_few_points")


def test_points_out_of_time_order():
    decision = assess_patrol(track(0, 700, 300), SQUARE, RULES)
    assert (decision.valid, decision.reason) == (False, "not_in_time_order")


def test_equal_times_are_in_order():
    assert assess_patrol(track(0, 0, 700, 700), SQUARE, RULES).valid


def test_a_track_off_site():
    decision = assess_patrol([at(0, FAR), at(900, FAR)], SQUARE, RULES)
    assert (decision.valid, decision.reason, decision.on_site_points) == (False, "off_site", 0)


def test_a_single_on_site_point_is_off_site():
    decision = assess_patrol([at(0, FAR), at(300), at(900, FAR)], SQUARE, RULES)
    assert (decision.valid, decision.reason, decision.on_site_points) == (False, "off_site", 1)


def test_only_the_on_site_part_of_a_track_counts():
    # 15 minutes of track, but on site only from minute 3 to minute 12: 9 minutes.
    points = [at(0, FAR), at(180), at(400, FAR), at(720), at(900, FAR)]
    decision = assess_patrol(points, SQUARE, RULES)
    assert (decision.valid, decision.reason, decision.on_site_points) == (False, "too_short", 2)
    assert decision.duration_minutes == pytest.approx(9)
    assert (decision.started_at, decision.ended_at) == (T0 + timedelta(seconds=180), T0 + timedelta(seconds=720))


def test_a_walk_off_site_in_between_does_not_break_the_patrol():
    points = [at(0), at(300, FAR), at(660)]
    assert assess_patrol(points, SQUARE, RULES).valid


@pytest.mark.parametrize(("metres", "valid"), [(29.5, True), (30.5, False)])
def test_points_within_the_tolerance_are_on_site(metres, valid):
    lat = LAT0 + HALF + metres / M_PER_DEG_LAT
    assert assess_patrol([at(0, lat), at(700, lat)], SQUARE, RULES).valid is valid


def test_a_circular_fence():
    inside, outside = LAT0 + 120 / M_PER_DEG_LAT, LAT0 + 140 / M_PER_DEG_LAT
    assert assess_patrol([at(0, inside), at(700, inside)], CIRCLE, RULES).valid
    assert assess_patrol([at(0, outside), at(700, outside)], CIRCLE, RULES).reason == "off_site"


def test_the_minimum_follows_the_setting():
    points = track(0, 700)
    assert assess_patrol(points, SQUARE, RULES).valid
    assert assess_patrol(points, SQUARE, AttendanceRules(patrol_min_minutes=15)).reason == "too_short"


# --- when a patrol is due -----------------------------------------------------------------


def test_exactly_seven_days_after_the_last_patrol_is_not_yet_due():
    assert not patrol_due(T0, T0 - timedelta(days=30), T0 + timedelta(days=7), RULES, [])


def test_more_than_seven_days_after_the_last_patrol_is_due():
    assert patrol_due(T0, T0 - timedelta(days=30), T0 + timedelta(days=7, seconds=1), RULES, [])


def test_before_any_patrol_the_days_run_from_the_start_of_duty():
    assert not patrol_due(None, T0, T0 + timedelta(days=7), RULES, [])
    assert patrol_due(None, T0, T0 + timedelta(days=7, seconds=1), RULES, [])


def test_suspension_time_does_not_count():
    suspension = [(T0 + timedelta(days=2), T0 + timedelta(days=4))]
    assert not patrol_due(T0, T0, T0 + timedelta(days=9), RULES, suspension)
    assert patrol_due(T0, T0, T0 + timedelta(days=9, seconds=1), RULES, suspension)


def test_nothing_is_due_while_the_project_is_suspended():
    still_suspended = [(T0 + timedelta(days=8), None)]
    assert not patrol_due(T0, T0, T0 + timedelta(days=20), RULES, still_suspended)


def test_after_resumption_the_open_days_before_and_after_add_up():
    suspension = [(T0 + timedelta(days=5), T0 + timedelta(days=15))]
    assert not patrol_due(T0, T0, T0 + timedelta(days=17), RULES, suspension)
    assert patrol_due(T0, T0, T0 + timedelta(days=17, seconds=1), RULES, suspension)


def test_overlapping_suspensions_are_not_counted_twice():
    overlapping = [(T0 + timedelta(days=1), T0 + timedelta(days=3)), (T0 + timedelta(days=2), T0 + timedelta(days=4))]
    assert active_time(T0, T0 + timedelta(days=10), overlapping) == timedelta(days=7)
    assert not patrol_due(T0, T0, T0 + timedelta(days=10), RULES, overlapping)
    assert patrol_due(T0, T0, T0 + timedelta(days=10, seconds=1), RULES, overlapping)


def test_a_suspension_before_the_last_patrol_is_ignored():
    before = [(T0 - timedelta(days=5), T0 - timedelta(days=1))]
    assert active_time(T0, T0 + timedelta(days=8), before) == timedelta(days=8)
    assert patrol_due(T0, T0 - timedelta(days=30), T0 + timedelta(days=8), RULES, before)


def test_a_suspension_straddling_the_last_patrol_counts_only_after_it():
    straddling = [(T0 - timedelta(days=1), T0 + timedelta(days=1))]
    assert active_time(T0, T0 + timedelta(days=8), straddling) == timedelta(days=7)


def test_the_interval_follows_the_setting():
    now = T0 + timedelta(days=4)
    assert not patrol_due(T0, T0, now, RULES, [])
    assert patrol_due(T0, T0, now, AttendanceRules(patrol_interval_days=3), [])


def test_no_time_passes_before_the_anchor():
    assert active_time(T0, T0 - timedelta(days=1), []) == timedelta(0)
