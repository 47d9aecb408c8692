"""The intake and the delivery at the platform time: one delivery per event, recipient and channel
(also when the event comes again), reminders in one digest at the hour, retries then parking, and
the back office's resend."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from common import events
from common.errors import IllegalStep, PermissionDenied
from notification.channels import ChannelFault
from notification.persistence.models import Delivery
from notification.usecases import delivery, intake

START = datetime(2027, 1, 4, 1, 0, tzinfo=UTC)  # 09:00 in Shangyu
PROJECT = "p-dike"  # placed in the registry copy by the conftest


class Recording:
    def __init__(self, failures: int = 0):
        self.sent, self.failures = [], failures

    def send(self, message, phone_of):
        if self.failures:
            self.failures -= 1
            raise ChannelFault("portal busy")
        self.sent.append(message)


def warning(**fields):
    fields = {"must_act": "owner", **fields}
    return events.AttendanceWarningRaised(occurred_at=START, warning_id="w-1", rule_id="attendance.absent",
                                          article="Art. 26", project_id=PROJECT, summary="项目经理连续缺勤", **fields)


def reminder(deadline_id):
    return events.ReminderDue(occurred_at=START, deadline_id=deadline_id, rule_id="acceptance", article="Art. 43",
                              project_id=PROJECT, must_act="owner", summary=f"deadline {deadline_id} near")


def run(session, now, channels):
    while not delivery.catch_up_step(session, now, channels, lambda user_id: None):
        pass
    session.commit()


def test_a_warning_reaches_the_acting_posts_once_at_once(session, call_as):
    event = warning()
    intake.warning_raised(call_as(session, START), event)
    intake.warning_raised(call_as(session, START), event)  # the same event again writes nothing
    channels = Recording()
    run(session, START, channels)
    assert sorted((m.recipient_user_id, m.channel, m.address) for m in channels.sent) == [
        ("lead", "zzd", "zzd-201"), ("owner-chief", "zzd", "zzd-200")]
    run(session, START + timedelta(hours=1), channels)
    assert len(channels.sent) == 2
    assert delivery.caught_up(session, START)


def test_a_firm_is_told_on_zlb_and_a_person_no_portal_reaches_by_sms(session, call_as):
    intake.warning_raised(call_as(session, START), warning(must_act="contractor", person_id="pm"))
    intake.warning_raised(call_as(session, START), warning(must_act="designer-firm"))
    channels = Recording()
    run(session, START, channels)
    assert sorted((m.recipient_user_id, m.channel) for m in channels.sent) == [
        ("contractor-chief", "zlb"), ("offline-chief", "sms"), ("pm", "zlb")]


def test_reminders_of_a_day_come_as_one_digest_at_the_hour(session, call_as):
    for deadline_id in ("d-1", "d-2"):
        intake.reminder_due(call_as(session, START), reminder(deadline_id))
    channels = Recording()
    run(session, START + timedelta(hours=22), channels)  # 07:00 the next day: not yet
    assert channels.sent == []
    assert delivery.caught_up(session, START + timedelta(hours=22))
    assert not delivery.caught_up(session, START + timedelta(hours=23))
    run(session, START + timedelta(hours=23), channels)  # 08:00
    assert sorted(m.recipient_user_id for m in channels.sent) == ["lead", "owner-chief"]
    assert all("d-1" in m.text and "d-2" in m.text for m in channels.sent)


def test_a_failing_delivery_is_retried_with_backoff_then_parked_and_the_back_office_resends_it(session, call_as):
    intake.warning_raised(call_as(session, START), warning(must_act="line"))
    failing = Recording(failures=10)
    now = START
    for _ in range(5):  # the default rules: five attempts
        run(session, now, failing)
        now += timedelta(hours=1)
    parked = session.execute(sa.select(Delivery)).scalar_one()
    assert (parked.status, parked.attempts) == ("parked", 5)
    run(session, now + timedelta(days=1), failing)
    assert parked.attempts == 5  # a parked delivery waits for the back office

    listed = delivery.list_deliveries(call_as(session, now, "back-office", "zzd"), status="parked")
    assert [item["id"] for item in listed] == [parked.id]
    with pytest.raises(PermissionDenied):
        delivery.resend(call_as(session, now, "owner-chief", "zzd"), parked.id)
    delivery.resend(call_as(session, now, "back-office", "zzd"), parked.id)
    session.commit()
    with pytest.raises(IllegalStep):
        delivery.resend(call_as(session, now, "back-office", "zzd"), parked.id)
    working = Recording()
    run(session, now, working)
    assert [m.id for m in working.sent] == [parked.id]  # the same message id: the portal delivers it once
    log = delivery.get_delivery(call_as(session, now, "back-office", "zzd"), parked.id)["attempt_log"]
    assert [entry["outcome"] for entry in log] == ["failed"] * 5 + ["resend", "sent"]


def test_a_flagged_check_in_reaches_the_owners_project_lead(session, call_as):
    flagged = events.CheckinFlagged(occurred_at=START, checkin_id="c-flagged", project_id=PROJECT, person_id="pm",
                                    recorded_at=START, flags=["mock_location"])
    intake.checkins_flagged(call_as(session, START), [flagged])
    channels = Recording()
    run(session, START, channels)
    assert [(m.recipient_user_id, m.channel) for m in channels.sent] == [("lead", "zzd")]
    assert "mock_location" in channels.sent[0].text
