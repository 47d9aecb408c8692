"""One delivery of a batch that fails — whatever the error, also the SMS channel's phone lookup —
is a failed attempt of that delivery alone: what went out before it is not sent again, the ones after
it go, and it is retried then parked like any failed delivery. Each attempt is claimed and committed
before it is sent: a crash while it is sent leaves a trace, and the later attempt uses the same id."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from common import events
from common.database import engine_for
from notification.channels import PortalChannels
from notification.persistence.models import Delivery, DeliveryAttempt
from notification.settings import NotificationSettings
from notification.usecases import delivery, intake

START = datetime(2027, 1, 4, 1, 0, tzinfo=UTC)  # 09:00 in Shangyu


class Portals:
    """The three portal clients, recording what they were asked to send."""

    def __init__(self):
        self.calls = []

    def send_work_notice(self, **fields):
        self.calls.append(("zzd", fields["biz_msg_id"]))

    def send_message(self, **fields):
        self.calls.append(("zlb", fields["msg_id"]))

    def send(self, **fields):
        self.calls.append(("sms", fields["out_id"]))


def portal_channels(portals):
    channels = PortalChannels(NotificationSettings(), http=None)
    channels.zzd = channels.zlb = channels.sms = portals
    return channels


def warning(warning_id, must_act):
    return events.AttendanceWarningRaised(occurred_at=START, warning_id=warning_id, rule_id="attendance.absent",
                                          article="Art. 26", project_id="p-dike", summary="缺勤", must_act=must_act)


def tick(session, now, channels, phone_of):
    """One run of the timer: an error out of the step would mean nothing of it is committed."""
    try:
        delivery.catch_up_step(session, now, channels, phone_of)
        session.commit()
    except Exception:
        session.rollback()
        raise


def test_a_failed_phone_lookup_is_a_failed_attempt_of_its_delivery_alone(session, call_as):
    # The SMS delivery comes first in the batch, the two ZZD notices after it.
    intake.warning_raised(call_as(session, START), warning("w-2", "designer-firm"))
    intake.warning_raised(call_as(session, START + timedelta(seconds=1)), warning("w-1", "owner"))
    session.commit()
    portals = Portals()

    def phone_of(user_id):
        raise TimeoutError("workflow did not answer user_phone for 13812345678")

    now = START + timedelta(minutes=1)
    for _ in range(3):
        tick(session, now, portal_channels(portals), phone_of)
    assert sorted(channel for channel, _ in portals.calls) == ["zzd", "zzd"]  # each once

    sms = session.execute(sa.select(Delivery).where(Delivery.channel == "sms")).scalar_one()
    assert (sms.status, sms.attempts) == ("pending", 1)
    assert sms.next_attempt_at > now
    assert "TimeoutError" in sms.last_error and "13812345678" not in sms.last_error
    log = session.execute(sa.select(DeliveryAttempt.outcome, DeliveryAttempt.error)
                          .where(DeliveryAttempt.delivery_id == sms.id)).all()
    assert [outcome for outcome, _ in log] == ["failed"]
    assert "***" in log[0].error and "13812345678" not in log[0].error

    for _ in range(6):  # the default rules: five attempts, then parked
        now += timedelta(hours=1)
        tick(session, now, portal_channels(portals), phone_of)
    session.refresh(sms)
    assert (sms.status, sms.attempts) == ("parked", 5)
    assert len(portals.calls) == 2

    delivery.resend(call_as(session, now, "back-office", "zzd"), sms.id)
    session.commit()
    tick(session, now, portal_channels(portals), lambda user_id: "13812345678")
    assert portals.calls[-1] == ("sms", sms.id)


class Crash(BaseException):
    """The process stopping while a message is sent (nothing catches it)."""


def test_a_crash_while_sending_leaves_the_attempt_counted_and_the_resend_has_the_same_id(database, call_as):
    with Session(engine_for(database)) as session:
        intake.warning_raised(call_as(session, START), warning("w-1", "line"))
        session.commit()
    portals = Portals()
    channels = portal_channels(portals)
    real_send = channels.send

    def send_then_crash(message, phone_of):
        real_send(message, phone_of)
        raise Crash

    channels.send = send_then_crash
    with Session(engine_for(database)) as session, pytest.raises(Crash):
        delivery.catch_up_step(session, START, channels, lambda user_id: None)
    with Session(engine_for(database)) as session:
        claimed = session.execute(sa.select(Delivery)).scalar_one()
        assert (claimed.status, claimed.attempts) == ("pending", 1)
        assert "not recorded" in claimed.last_error
        assert claimed.next_attempt_at > START
        # Not due again at once: the same tick, or another worker, does not send it again.
        tick(session, START, portal_channels(portals), lambda user_id: None)
        assert len(portals.calls) == 1
        tick(session, START + timedelta(hours=1), portal_channels(portals), lambda user_id: None)
        assert [message_id for _, message_id in portals.calls] == [claimed.id, claimed.id]
        session.refresh(claimed)
        assert (claimed.status, claimed.attempts, claimed.last_error) == ("sent", 2, None)
