"""Case steps (Art. 10, 29–30): every step word of the case contract is told at once, in the day's
digest or to no one, and the unit that must act next is told through its acting posts."""

from datetime import UTC, datetime, timedelta
from typing import get_args

import pytest
from pydantic import ValidationError

from common import events
from notification.domain.notices import CASE_STEPS, of_case_step
from notification.domain.recipients import NoticeKind
from notification.usecases import delivery, intake

START = datetime(2027, 1, 4, 1, 0, tzinfo=UTC)  # 09:00 in Shangyu
PROJECT = "p-dike"  # placed in the registry copy by the conftest
AT_ONCE = {"dispatched", "not_ours", "returned", "escalated", "triaged", "reported"}


def step(word, next_unit_id="owner", **fields):
    fields.setdefault("acting_unit_id", "line")
    return events.CaseStepRecorded(occurred_at=START, case_id="c-1", kind="warning", step=word, status="dispatched",
                                   project_id=PROJECT, next_unit_id=next_unit_id, summary="项目经理连续缺勤", **fields)


class Recording:
    def __init__(self):
        self.sent = []

    def send(self, message, phone_of):
        self.sent.append(message)


def run(session, now, channels):
    while not delivery.catch_up_step(session, now, channels, lambda user_id: None):
        pass
    session.commit()


def test_every_step_word_of_the_contract_is_decided_and_no_other():
    assert set(CASE_STEPS) == set(get_args(events.CaseStep))
    told_at_once = {word for word, (kind, _) in CASE_STEPS.items() if kind == NoticeKind.CASE_STEP}
    assert told_at_once == AT_ONCE
    assert {word for word, (kind, _) in CASE_STEPS.items() if kind == NoticeKind.REMINDER} == {"reminded"}


def test_passed_down_is_not_a_step_word():
    with pytest.raises(ValidationError):
        step("passed_down")
    assert "passed_down" not in CASE_STEPS


@pytest.mark.parametrize("word", sorted(AT_ONCE))
def test_a_handing_step_is_a_notice_to_the_next_unit(word):
    notice = of_case_step(step(word, next_unit_id="line", due_at=START + timedelta(days=3)))
    assert (notice.kind, notice.must_act, notice.project_id) == (NoticeKind.CASE_STEP, "line", PROJECT)
    assert notice.event_key.startswith("case.step_recorded:")
    assert "2027-01-07 09:00" in notice.text  # the limit, in the district's time


@pytest.mark.parametrize("word", ["received", "accepted", "handled", "verified", "closed"])
def test_a_step_the_unit_took_itself_tells_no_one(word):
    assert of_case_step(step(word)) is None


def test_a_step_without_a_next_unit_tells_no_one():
    assert of_case_step(step("dispatched", next_unit_id=None)) is None


def test_the_opening_of_a_warnings_case_is_not_told_twice():
    """The complaints service dispatches a warning's case to the unit that must act as it opens;
    that unit was told of the warning itself."""
    assert of_case_step(step("dispatched", acting_unit_id=None)) is None
    complaint = step("dispatched", acting_unit_id=None).model_copy(update={"kind": "complaint"})
    assert of_case_step(complaint) is not None


def test_a_dispatch_to_the_owner_reaches_its_chief_and_the_projects_lead_at_once(session, call_as):
    event = step("dispatched")
    intake.case_step_recorded(call_as(session, START), event)
    intake.case_step_recorded(call_as(session, START), event)  # delivered twice: told once
    channels = Recording()
    run(session, START, channels)
    assert sorted((m.recipient_user_id, m.channel, m.address) for m in channels.sent) == [
        ("lead", "zzd", "zzd-201"), ("owner-chief", "zzd", "zzd-200")]
    assert all(m.title == "案件 c-1: 已派发给你单位，请受理" for m in channels.sent)


def test_an_escalation_reaches_the_unit_above_that_now_holds_it(session, call_as):
    intake.case_step_recorded(call_as(session, START), step("escalated", next_unit_id="line",
                                                            acting_unit_id="owner", on_time=False))
    intake.case_step_recorded(call_as(session, START), step("not_ours", next_unit_id="su", acting_unit_id="line"))
    channels = Recording()
    run(session, START, channels)
    assert sorted((m.recipient_user_id, m.title) for m in channels.sent) == [
        ("line-head", "案件 c-1: 下级单位超过办理时限，已升级由你单位办理"),
        ("su-chief", "案件 c-1: 下级单位称非本单位职责，已退回你单位")]


def test_a_reminder_of_a_step_waits_for_the_days_digest(session, call_as):
    intake.case_step_recorded(call_as(session, START), step("reminded", next_unit_id="line"))
    intake.case_step_recorded(call_as(session, START), step("accepted", next_unit_id="line"))  # told no one
    channels = Recording()
    run(session, START + timedelta(hours=22), channels)  # 07:00 the next day: not yet
    assert channels.sent == []
    run(session, START + timedelta(hours=23), channels)  # 08:00: the digest
    assert [(m.recipient_user_id, m.title) for m in channels.sent] == [("line-head", "今日期限提醒 (1)")]
    assert "案件 c-1: 办理时限已过半，请及时办理" in channels.sent[0].text
