"""End-of-day and end-of-month evaluations (Art. 26, 35, 42) and the privacy purge."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from attendance import copies, usecases
from attendance.persistence.models import Checkin
from common import events
from common.errors import InvalidInput
from common.principal import SYSTEM
from common.schema import outbox_message

START = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 08:00 local on Dec 1
PROJECT = "p-dike"


def day(n: int, hour_local: int = 9) -> datetime:
    return START + timedelta(days=n, hours=hour_local - 8)


def evaluate(session, at):
    raised = usecases.evaluate_due(usecases.Call(session, at, SYSTEM))
    session.flush()
    return raised


def warnings(session):
    return [(row.payload["rule_id"], row.payload["person_id"]) for row in session.execute(
        sa.select(outbox_message).where(outbox_message.c.event_type == "warning.raised")
        .order_by(outbox_message.c.id))]


def valid_day(call_as, n, person="pm"):
    for hour in (8, 13):
        jitter = (n * 24 + hour) * 1e-6  # a real phone never reports the same position twice
        usecases.record_checkin(call_as(person, day(n, hour)), {
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
    copies.apply_suspension(session, events.ProjectSuspended(occurred_at=day(0), project_id=PROJECT,
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
    assert usecases.record_patrol(lead, track)["valid"] is True
    evaluate(session, day(9))
    assert ("art26.patrol-overdue", "lead") not in warnings(session)
    evaluate(session, day(11))
    assert ("art26.patrol-overdue", "lead") in warnings(session)
    start = day(11) - timedelta(minutes=30)
    short = {"project_id": PROJECT, "points": [
        {"time": start.isoformat(), "lat": 30.03, "lng": 120.87},
        {"time": (start + timedelta(minutes=10)).isoformat(), "lat": 30.0301, "lng": 120.87}]}
    answer = usecases.record_patrol(call_as("lead", day(11)), short)
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
        usecases.record_patrol(lead, stale)
    fresh = {"project_id": PROJECT, "points": [
        {"time": (day(5) - timedelta(minutes=30)).isoformat(), "lat": 30.03, "lng": 120.87},
        {"time": (day(5) - timedelta(minutes=15)).isoformat(), "lat": 30.03, "lng": 120.8701}]}
    assert usecases.record_patrol(lead, fresh)["valid"] is True
    overlapping = {"project_id": PROJECT, "points": [
        {"time": (day(5) - timedelta(minutes=20)).isoformat(), "lat": 30.03, "lng": 120.87},
        {"time": (day(5) - timedelta(minutes=1)).isoformat(), "lat": 30.03, "lng": 120.8701}]}
    with pytest.raises(InvalidInput, match="after the last patrol"):
        usecases.record_patrol(call_as("lead", day(5)), overlapping)


def test_a_streak_older_than_the_window_is_not_warned_again_every_day(session, call_as):
    evaluate(session, day(0))
    evaluate(session, day(80))  # nobody checked in for 80 days
    per_person = [person for rule, person in warnings(session) if rule == "art42.consecutive-absence"]
    assert sorted(per_person) == sorted(set(per_person))  # one warning per person's streak


def test_the_month_ends_are_evaluated_even_when_the_project_is_suspended_at_that_moment(session, call_as):
    evaluate(session, day(0))
    copies.apply_suspension(session, events.ProjectSuspended(occurred_at=day(30), project_id=PROJECT,
                                                             since=day(30), reason="停工"))
    evaluate(session, day(31))
    assert {"pm", "safety", "chief-eng"} <= {person for rule, person in warnings(session)
                                              if rule == "art42.monthly-rate"}
