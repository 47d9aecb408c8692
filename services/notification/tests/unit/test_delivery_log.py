"""The back office's delivery log as the gateway passes it on (common.contracts.notifications):
the same fields and statuses as the service answers, the channel's recipient id but never a
phone number nor the message's text."""

from datetime import UTC, datetime
from typing import get_args

from common import events
from common.contracts.notifications import DeliveryDetailView, DeliveryStatus, DeliveryView
from notification.channels import ChannelFault
from notification.domain.delivery import Status
from notification.usecases import delivery, intake

START = datetime(2027, 1, 4, 1, 0, tzinfo=UTC)


class Refusing:
    def send(self, message, phone_of):
        raise ChannelFault(f"the SMS gateway refused the text: mobile {phone_of(message.recipient_user_id)} unknown")


def test_the_contract_knows_every_status_of_a_delivery():
    assert set(get_args(DeliveryStatus)) == {str(status) for status in Status}


def test_an_answer_is_what_the_contract_describes_without_text_or_phone(session, call_as):
    warning = events.AttendanceWarningRaised(occurred_at=START, warning_id="w-1", rule_id="attendance.absent",
                                             article="Art. 26", project_id="p-dike", must_act="designer-firm",
                                             summary="设计代表连续缺勤")
    (made,) = intake.warning_raised(call_as(session, START), warning)  # the designer's chief: SMS only
    delivery.catch_up_step(session, START, Refusing(), lambda user_id: "13912345678")
    session.commit()
    back_office = call_as(session, START, "back-office", "zzd")

    (listed,) = delivery.list_deliveries(back_office, recipient_user_id="offline-chief")
    detail = delivery.get_delivery(back_office, made)

    assert set(listed) == set(DeliveryView.model_fields)
    assert set(detail) == set(DeliveryDetailView.model_fields)
    assert (listed["channel"], listed["address"], listed["status"]) == ("sms", None, "pending")
    assert "13912345678" not in repr(detail) and "设计代表连续缺勤" not in repr(detail)
    assert detail["attempt_log"][0]["error"] == "the SMS gateway refused the text: mobile *** unknown"
