"""End-of-day and end-of-month evaluations (Art. 26, 35, 42) and the privacy purge."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from attendance.persistence.models import Checkin, EvaluationMark
from attendance.usecases import registry_copy
from attendance.usecases.common import Call, require_project
from attendance.usecases.evaluations import days_left_to_evaluate, evaluate_due
from attendance.usecases.patrols import record_patrol
from attendance.usecases.views import project_attendance
from common import events
from common.clock import local_date
from common.errors import InvalidInput
from common.principal import SYSTEM
from common.schema import outbox_message

START = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 08:00 local on Dec 1
PROJECT = "p-dike"


def day(n: int, hour_local: int = 9) -> datetime:
    return START + timedelta(days=n, hours=hour_local - 8)


def evaluate(session, at):
    raised, _done = evaluate_due(Call(session, at, SYSTEM))
    session.flush()
    return raised


def warnings(session):
    return [(row.payload["rule_id"], row.payload["person_id"]) for row in session.execute(
        sa.select(outbox_message).where(outbox_message.c.event_type == "warning.raised")
        .order_by(outbox_message.c.id))]


def valid_day(call_as, n, person="pm"):
    for hour in (8, 13):
        jitter = (n * 24 + hour) * 1e-6  # a real phone never reports the same position twice
        call_as(person, day(n, hour)).check_in({
            "project_id": PROJECT, "lat": 30.03 + jitter, "lng": 120.87 - jitter, "accuracy_m": 5,
            "client_time": day(n, hour).isoformat(), "client_request_id": uuid.uuid4().hex,
            "device": {"id": f"phone-{person}", "platform": "android", "mock_location": False}})


def test_two_missed_days_raise_one_warning_per_person_once(session, call_as):
    evaluate(session, day(0))  # the first run only marks where evaluation starts
    for n in range(4):
        valid_day(call_as, n, "pm")
    valid_day(call_as, 0, "safety")
    valid_day(call_as, 0, "chief-eng")
    valid_day(call_as, 1, "chief-eng")
    assert evaluate(session, day(1)) == 0  # Dec 1 ended: nobody has two missed days yet
    evaluate(session, day(2))  # Dec 2 ended: the safety officer missed Dec 2 only
    assert warnings(session) == []
    evaluate(session, day(3))  # Dec 3 ended: safety officer missed 2-3, chief engineer missed 3 only
    assert warnings(session) == [("art42.consecutive-absence", "safety")]
    evaluate(session, day(4))  # the streak goes on: still one warning for it; the chief engineer's begins
    assert warnings(session) == [("art42.consecutive-absence", "safety"), ("art42.consecutive-absence", "chief-eng")]
    evaluate(session, day(4, 20))  # evaluating again changes nothing
    assert len(warnings(session)) == 2


def test_a_suspended_project_raises_nothing(session, call_as):
    evaluate(session, day(0))
    registry_copy.apply_suspension(session, events.ProjectSuspended(occurred_at=day(0), project_id=PROJECT,
                                                                    since=day(0), reason="停工"))
    evaluate(session, day(5))
    assert warnings(session) == []


def test_month_end_rate_under_80_percent(session, call_as):
    evaluate(session, day(0))
    for person in ("pm", "safety", "chief-eng"):
        for n in range(31):
            if person == "pm" or n % 10 != 0 or (person == "chief-eng" and n < 25):
                valid_day(call_as, n, person)
    evaluate(session, day(31))  # Jan 1: December has ended
    monthly = [person for rule, person in warnings(session) if rule == "art42.monthly-rate"]
    # pm: 31/31; safety: 27/31 = 87 %; chief engineer: 25 + ... see the mask: misses 0,10,20 → 28/31
    assert monthly == []
    session.execute(sa.delete(Checkin).where(Checkin.person_id == "safety", Checkin.local_day >= day(20).date()))
    session.execute(sa.text("DELETE FROM raised_warning"))
    session.execute(sa.text("DELETE FROM evaluation_mark"))
    evaluate(session, day(30))
    evaluate(session, day(31))
    monthly = [person for rule, person in warnings(session) if rule == "art42.monthly-rate"]
    assert monthly == ["safety"]


def test_an_overdue_patrol_warns_the_owner(session, call_as):
    evaluate(session, day(0))
    lead = call_as("lead", day(3))
    track = {"project_id": PROJECT, "points": [
        {"time": (day(3) - timedelta(minutes=20)).isoformat(), "lat": 30.03, "lng": 120.87},
        {"time": (day(3) - timedelta(minutes=5)).isoformat(), "lat": 30.0302, "lng": 120.8701}]}
    assert record_patrol(lead, track)["valid"] is True
    evaluate(session, day(9))
    assert ("art26.patrol-overdue", "lead") not in warnings(session)
    evaluate(session, day(11))
    assert ("art26.patrol-overdue", "lead") in warnings(session)
    start = day(11) - timedelta(minutes=30)
    short = {"project_id": PROJECT, "points": [
        {"time": start.isoformat(), "lat": 30.03, "lng": 120.87},
        {"time": (start + timedelta(minutes=10)).isoformat(), "lat": 30.0301, "lng": 120.87}]}
    answer = record_patrol(call_as("lead", day(11)), short)
    assert (answer["valid"], answer["reason"]) == (False, "too_short")


def test_raw_positions_are_cleared_after_the_retention(session, call_as):
    evaluate(session, day(0))
    valid_day(call_as, 0)
    evaluate(session, day(100))
    assert session.execute(sa.select(Checkin.lat).where(Checkin.lat.is_not(None))).first() is not None
    evaluate(session, day(181))
    assert session.execute(sa.select(Checkin.lat).where(Checkin.lat.is_not(None))).first() is None
    assert session.execute(sa.select(sa.func.count()).select_from(Checkin)).scalar_one() == 2  # outcomes stay


def test_a_patrol_track_must_be_fresh_and_follow_the_last_one(session, call_as):
    lead = call_as("lead", day(5))
    stale = {"project_id": PROJECT, "points": [
        {"time": (day(3)).isoformat(), "lat": 30.03, "lng": 120.87},
        {"time": (day(3) + timedelta(minutes=15)).isoformat(), "lat": 30.03, "lng": 120.8701}]}
    with pytest.raises(InvalidInput, match="24 hours"):
        record_patrol(lead, stale)
    fresh = {"project_id": PROJECT, "points": [
        {"time": (day(5) - timedelta(minutes=30)).isoformat(), "lat": 30.03, "lng": 120.87},
        {"time": (day(5) - timedelta(minutes=15)).isoformat(), "lat": 30.03, "lng": 120.8701}]}
    assert record_patrol(lead, fresh)["valid"] is True
    overlapping = {"project_id": PROJECT, "points": [
        {"time": (day(5) - timedelta(minutes=20)).isoformat(), "lat": 30.03, "lng": 120.87},
        {"time": (day(5) - timedelta(minutes=1)).isoformat(), "lat": 30.03, "lng": 120.8701}]}
    with pytest.raises(InvalidInput, match="after the last patrol"):
        record_patrol(call_as("lead", day(5)), overlapping)


def test_a_streak_older_than_the_window_is_not_warned_again_every_day(session, call_as):
    evaluate(session, day(0))
    evaluate(session, day(80))  # nobody checked in for 80 days
    per_person = [person for rule, person in warnings(session) if rule == "art42.consecutive-absence"]
    # One warning per person's streak, the one that began on the first day of construction.
    assert sorted(per_person) == ["chief-eng", "pm", "safety"]


def test_the_month_ends_are_evaluated_even_when_the_project_is_suspended_at_that_moment(session, call_as):
    evaluate(session, day(0))
    registry_copy.apply_suspension(session, events.ProjectSuspended(occurred_at=day(30), project_id=PROJECT,
                                                                    since=day(30), reason="停工"))
    evaluate(session, day(31))
    assert {"pm", "safety", "chief-eng"} <= {person for rule, person in warnings(session)
                                              if rule == "art42.monthly-rate"}


def left_construction(session, at, status):
    registry_copy.apply_status(session, events.ProjectStatusChanged(occurred_at=at, project_id=PROJECT, status=status,
                                                                    previous_status="in_construction"))
    session.flush()


@pytest.mark.parametrize("status", ["completion_acceptance", "terminated"])
def test_the_month_a_project_leaves_construction_has_its_month_end_rate(session, call_as, status):
    evaluate(session, day(0))
    for n in range(10):  # built Dec 1-10; the project manager attends every other day
        for person in ("safety", "chief-eng"):
            valid_day(call_as, n, person)
        if n % 2 == 0:
            valid_day(call_as, n, "pm")
    left_construction(session, day(10, 10), status)  # on Dec 11, 10:00
    evaluate(session, day(30))  # through Dec 30: no duty after Dec 10, no streak of the pm
    assert warnings(session) == []
    evaluate(session, day(31))  # Jan 1: December has ended
    assert warnings(session) == [("art42.monthly-rate", "pm")]
    [detail] = [row.payload["detail"] for row in session.execute(sa.select(outbox_message).where(
        outbox_message.c.event_type == "warning.raised"))]
    assert (detail["month"], detail["construction_days"], detail["valid_days"], detail["rate"]) == (
        "2026-12", 10, 5, 0.5)
    month = project_attendance(call_as("owner-chief", day(31)), PROJECT, "2026-12")
    assert {row["person_id"]: row["construction_days"] for row in month["people"]}["safety"] == 10
    evaluate(session, day(62))  # the months after it raise nothing
    assert len(warnings(session)) == 1


def test_days_evaluated_late_still_count_the_days_built_before_the_project_left(session, call_as):
    evaluate(session, day(0))
    # Nobody checked in on Dec 1-2; the project left construction on Dec 3, before the platform
    # evaluated those days (the service was down): the two-day streak is still warned.
    left_construction(session, day(2, 10), "completion_acceptance")
    evaluate(session, day(3))
    assert sorted(person for rule, person in warnings(session) if rule == "art42.consecutive-absence") == [
        "chief-eng", "pm", "safety"]
    evaluate(session, day(31))
    assert sorted(person for rule, person in warnings(session) if rule == "art42.monthly-rate") == [
        "chief-eng", "pm", "safety"]


def test_a_late_construction_event_does_not_bring_a_project_back_into_construction(session, call_as):
    left_construction(session, day(5), "terminated")
    registry_copy.apply_suspension(session, events.ProjectSuspended(occurred_at=day(3), project_id=PROJECT,
                                                                    since=day(3), reason="停工"))
    registry_copy.apply_resumption(session, events.ProjectResumed(occurred_at=day(4), project_id=PROJECT,
                                                                  resumed_at=day(4)))
    assert require_project(session, PROJECT).status == "terminated"
    # The earliest move out of construction is when it ended, whatever arrives first.
    left_construction(session, day(4, 12), "completion_acceptance")
    left_construction(session, day(6), "final_acceptance")
    assert require_project(session, PROJECT).construction_ended_at == day(4, 12)


def test_a_long_jump_is_evaluated_in_steps_of_a_day_with_the_same_result(session):
    """The back office moving the clock weeks ahead: each step evaluates one day and says
    whether days are left, so a service can commit between steps."""
    evaluate(session, day(0))
    call = Call(session, day(10), SYSTEM)
    steps = []
    while True:
        _raised, done = evaluate_due(call, max_days=1)
        steps.append(done)
        if done:
            break
    assert steps == [False] * 9 + [True]
    assert not days_left_to_evaluate(call)
    assert session.get(EvaluationMark, "days").through == local_date(day(10)) - timedelta(days=1)


def test_before_the_first_evaluation_the_service_is_not_caught_up(session):
    """The first evaluation marks where the evaluated days begin: a new platform time must reach
    it, or the days from there on would never be evaluated."""
    call = Call(session, day(0), SYSTEM)
    assert days_left_to_evaluate(call)
    assert evaluate_due(call, max_days=1) == (0, True)
    assert not days_left_to_evaluate(call)
