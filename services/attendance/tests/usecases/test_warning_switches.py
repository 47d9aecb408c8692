"""The back office switches each attendance warning rule off or on (Art. 8): a switched-off rule
raises no warning, the others still do; the check-in's risk signals still flag it."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from attendance.domain.evaluations import CONSECUTIVE_ABSENCE, PATROL_OVERDUE, SUSPECTED_SPOOFING, WARNING_RULES
from attendance.domain.rules import AttendanceRules
from attendance.persistence.models import RaisedWarning
from attendance.service import AttendanceService
from attendance.usecases.common import Call
from attendance.usecases.evaluations import evaluate_due
from common.errors import InvalidInput
from common.principal import SYSTEM, Principal
from common.rule_settings import update_rules
from common.schema import audit_entry, outbox_message

START = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 08:00 local on Dec 1
PROJECT = "p-dike"
BACK_OFFICE = Principal(user_id="back-office", portal="zzd", roles=frozenset({"leading_group"}))


def day(n: int, hour_local: int = 9) -> datetime:
    return START + timedelta(days=n, hours=hour_local - 8)


def switch_off(session, *rule_ids: str) -> None:
    update_rules(session, AttendanceRules, {"warnings_switched_off": list(rule_ids)}, principal=BACK_OFFICE,
                 at=START, choices=AttendanceService.setting_choices)  # as the service's update_rule_settings
    session.flush()


def warned_rules(session) -> set[str]:
    return {row.payload["rule_id"] for row in session.execute(
        sa.select(outbox_message).where(outbox_message.c.event_type == "warning.raised"))}


def test_every_warning_rule_of_the_service_may_be_switched_off():
    assert set(WARNING_RULES) == {CONSECUTIVE_ABSENCE, PATROL_OVERDUE, SUSPECTED_SPOOFING, "art42.monthly-rate"}
    assert AttendanceService.setting_choices == {"warnings_switched_off": WARNING_RULES}


def test_a_switched_off_rule_raises_no_warning_while_the_others_still_do(session):
    switch_off(session, CONSECUTIVE_ABSENCE)
    evaluate_due(Call(session, day(0), SYSTEM))  # the first run marks where evaluation starts
    evaluate_due(Call(session, day(11), SYSTEM))  # nobody checked in; the patrol is overdue too
    session.flush()

    assert warned_rules(session) == {PATROL_OVERDUE}
    assert session.execute(sa.select(RaisedWarning.rule_id).where(
        RaisedWarning.rule_id == CONSECUTIVE_ABSENCE)).first() is None  # nothing remembered either
    [entry] = session.execute(sa.select(audit_entry)).all()
    assert (entry.action, entry.principal_id) == ("rule_settings.changed", "back-office")
    assert entry.after == {"warnings_switched_off": [CONSECUTIVE_ABSENCE]}


def test_without_the_switch_the_same_days_raise_the_absence_warning(session):
    evaluate_due(Call(session, day(0), SYSTEM))
    evaluate_due(Call(session, day(11), SYSTEM))
    session.flush()
    assert warned_rules(session) == {CONSECUTIVE_ABSENCE, PATROL_OVERDUE}


def test_a_check_in_with_risk_signals_is_still_flagged_when_its_warning_is_switched_off(session, call_as):
    switch_off(session, SUSPECTED_SPOOFING)
    answer = call_as("pm", day(0)).check_in({
        "project_id": PROJECT, "lat": 30.03, "lng": 120.87, "accuracy_m": 8, "client_time": day(0).isoformat(),
        "client_request_id": uuid.uuid4().hex,
        "device": {"id": "phone-pm", "platform": "android", "mock_location": True}})
    session.flush()
    assert answer["flags"] == ["mock_location"]  # the signal (a check-in flag) is its own switch
    assert warned_rules(session) == set()


def test_an_unknown_warning_rule_is_refused_naming_it(session):
    with pytest.raises(InvalidInput) as caught:
        switch_off(session, PATROL_OVERDUE, "art28.photo-evidence-suspect")  # a workflow rule, not ours
    [detail] = caught.value.details
    assert detail["field"] == "warnings_switched_off"
    assert "art28.photo-evidence-suspect" in detail["reason"]
    assert session.execute(sa.select(audit_entry)).first() is None
