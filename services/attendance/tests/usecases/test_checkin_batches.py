"""Check-ins decided a batch at a time, as the intake queue brings them (Art. 26, 47): the rules
see each check-in at its receipt, in arrival order, and a batch delivered again stores nothing twice."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from attendance.domain.rules import AttendanceRules
from attendance.persistence.models import Checkin, CheckinPerson, DeviceBinding, DeviceUse
from attendance.usecases.checkins import checkin_status, decide_checkins
from attendance.usecases.common import Call
from attendance.usecases.evaluations import purge_positions
from common.contracts.attendance import CheckinCommand, CheckinRequest, checkin_id_of
from common.errors import NotFound
from common.principal import SYSTEM, Principal
from common.schema import outbox_message

START = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 08:00 in Shangyu
RULES = AttendanceRules()


def command(person: str, received_at: datetime, *, lat=30.03, device=None, project="p-dike", request_id=None):
    request = CheckinRequest.model_validate({
        "project_id": project, "lat": lat, "lng": 120.87, "accuracy_m": 8, "client_time": received_at.isoformat(),
        "client_request_id": request_id or uuid.uuid4().hex,
        "device": {"id": device or f"phone-{person}", "platform": "android", "mock_location": False}})
    return CheckinCommand(checkin_id=checkin_id_of(person, request.client_request_id), person_id=person,
                          received_at=received_at, request=request)


def decide(session, commands, *, decided_at=None, platform_time=None):
    answers = decide_checkins(session, commands, RULES, platform_time=platform_time,
                              wall_clock=lambda: decided_at or commands[-1].received_at + timedelta(milliseconds=40))
    session.commit()
    return [answer.view for answer in answers]


def stored(session) -> int:
    return session.execute(sa.select(sa.func.count()).select_from(Checkin)).scalar_one()


def events_staged(session) -> int:
    return session.execute(sa.select(sa.func.count()).select_from(outbox_message)).scalar_one()


def test_a_batch_is_decided_in_arrival_order_each_check_in_seeing_the_ones_before(session):
    answers = decide(session, [
        command("pm", START),
        command("pm", START + timedelta(seconds=1), lat=30.0301),  # a double tap: within the minute
        command("safety", START + timedelta(seconds=2), device="phone-pm"),  # the manager's phone, just used
        command("safety", START + timedelta(seconds=3), lat=30.05, device="phone-safety"),  # off the site
    ])
    assert [(a["outcome"], a["reason"], a["flags"]) for a in answers] == [
        ("accepted", None, []), ("rejected", "too_soon", []), ("flagged", None, ["shared_device"]),
        ("rejected", "outside_site", [])]
    assert answers[3]["distance_outside_m"] > 1500
    assert stored(session) == 4
    assert {row.person_id: row.device_id for row in session.execute(sa.select(DeviceBinding)).scalars()} == {
        "pm": "phone-pm", "safety": "phone-pm"}  # the first accepted check-in binds the phone it came from
    last = session.get(CheckinPerson, "pm")
    assert (last.last_accepted_at, last.last_accepted_lat) == (START, 30.03)
    assert {(use.device_id, use.person_id) for use in session.execute(sa.select(DeviceUse)).scalars()} == {
        ("phone-pm", "pm"), ("phone-pm", "safety"), ("phone-safety", "safety")}


def test_a_batch_delivered_again_stores_nothing_twice_and_answers_the_same(session):
    batch = [command("pm", START), command("safety", START + timedelta(seconds=1))]
    first = decide(session, batch)
    events = events_staged(session)
    again = decide(session, batch, decided_at=START + timedelta(minutes=5))
    assert again == first
    assert stored(session) == 2 and events_staged(session) == events
    # One check-in of the batch stored, the other not (a crash between them cannot happen in one
    # transaction, but a retry may come with new check-ins): only the new one is decided.
    later = command("chief-eng", START + timedelta(seconds=3))
    mixed = decide(session, [batch[0], later])
    assert mixed[0] == first[0] and mixed[1]["outcome"] == "accepted" and stored(session) == 3


def test_a_retry_by_the_phone_is_the_same_check_in_within_the_retry_window(session):
    first = decide(session, [command("pm", START, request_id="retry-0001")])[0]
    retried = decide(session, [command("pm", START + timedelta(hours=5), request_id="retry-0001")])[0]
    assert retried == first and stored(session) == 1
    assert first["id"] == checkin_id_of("pm", "retry-0001")
    # The same request id of another person is another check-in.
    assert decide(session, [command("safety", START, request_id="retry-0001")])[0]["id"] != first["id"]


def test_the_rules_judge_the_moment_of_receipt_not_of_decision(session):
    before_midnight = datetime(2026, 12, 1, 15, 59, 59, tzinfo=UTC)  # 23:59:59 local on Dec 1
    answer = decide(session, [command("pm", before_midnight)], decided_at=before_midnight + timedelta(seconds=30))[0]
    assert answer["local_day"] == "2026-12-01" and answer["recorded_at"].startswith("2026-12-01T23:59:59")
    row = session.execute(sa.select(Checkin)).scalar_one()
    assert row.received_at == before_midnight and row.decided_at == before_midnight + timedelta(seconds=30)


def test_on_a_demo_the_set_platform_time_is_the_time_of_every_check_in(session):
    demo_time = START + timedelta(days=3)
    answer = decide(session, [command("pm", START)], platform_time=demo_time)[0]
    assert answer["local_day"] == "2026-12-04"


def test_ones_own_check_in_is_pending_then_decided_and_nobody_elses(session):
    pending = command("pm", START)
    mine = Call(session, START, Principal(user_id="pm", portal="zlb"))
    assert checkin_status(mine, pending.checkin_id) == {
        "id": pending.checkin_id, "status": "pending", "status_url": f"/zlb/v1/checkins/{pending.checkin_id}"}
    decide(session, [pending])
    assert checkin_status(mine, pending.checkin_id)["status"] == "accepted"
    other = Call(session, START, Principal(user_id="safety", portal="zlb"))
    with pytest.raises(NotFound):
        checkin_status(other, pending.checkin_id)


def test_the_last_position_kept_for_the_checks_is_purged_with_the_raw_positions(session):
    decide(session, [command("pm", START)])
    purge_positions(Call(session, START + timedelta(days=RULES.raw_position_retention_days + 1), SYSTEM), RULES)
    session.commit()
    last = session.get(CheckinPerson, "pm")
    assert (last.last_accepted_at, last.last_accepted_lat, last.last_accepted_lng) == (START, None, None)
    # Without a position to compare with, the next check-in is judged without the travel checks.
    assert decide(session, [command("pm", START + timedelta(days=200))])[0]["outcome"] == "accepted"


def test_a_retry_however_late_is_the_same_check_in(session):
    first = decide(session, [command("pm", START, request_id="retry-late-1")])[0]
    month_later = decide(session, [command("pm", START + timedelta(days=40), request_id="retry-late-1")])[0]
    assert month_later == first and stored(session) == 1


def test_check_ins_decided_out_of_their_order_keep_the_latest_as_the_last_accepted(session):
    morning, noon = START, START + timedelta(hours=4, minutes=5)
    decide(session, [command("pm", noon, lat=30.031)])  # a later check-in decided first (another instance)
    late = decide(session, [command("pm", morning)])[0]
    assert (late["outcome"], late["flags"]) == ("accepted", [])  # not compared with the later one
    assert session.get(CheckinPerson, "pm").last_accepted_at == noon


def test_a_batch_keeps_the_order_of_receipt_and_answers_every_gateway_waiting(session):
    first = command("pm", START, request_id="order-0001")
    other = command("safety", START + timedelta(seconds=1))
    retry = command("pm", START + timedelta(seconds=2), request_id="order-0001").model_copy(
        update={"reply_to": "gateway-b"})
    first = first.model_copy(update={"reply_to": "gateway-a"})
    answers = decide_checkins(session, [first, other, retry], RULES, platform_time=None,
                              wall_clock=lambda: START + timedelta(seconds=3))
    session.commit()
    assert [answer.view["id"] for answer in answers] == [first.checkin_id, other.checkin_id]
    assert answers[0].reply_to == ("gateway-a", "gateway-b")
    assert stored(session) == 2


def test_an_attempt_off_the_roster_leaves_no_trace_on_the_phone(session):
    stray = command("owner-chief", START, device="phone-pm")  # the owner's chief tries the manager's phone
    assert decide(session, [stray])[0]["reason"] == "not_on_roster"
    assert decide(session, [command("pm", START + timedelta(minutes=1))])[0]["flags"] == []
