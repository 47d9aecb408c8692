"""Answers of the notification service to the back office (Art. 8, 29–30): the delivery log — one
message to one person through one channel — with each attempt, and a parked delivery resent.

Nothing about a person beyond ids and the channel's recipient id (the ZZD account id or ZLB user
id the message went to); never a phone number, and not the message's text."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from common.contracts.types import Timestamp, View

# The statuses of a delivery (notification.domain.delivery.Status; a test of the service holds them equal).
DeliveryStatus = Literal["held", "digested", "pending", "sent", "parked"]
DeliveryChannel = Literal["zzd", "zlb", "sms"]


class DeliveryView(View):
    id: str = Field(description="The delivery's id, also the message id the provider sees (ZZD bizMsgId, "
                                "ZLB msgId, SMS out_id).")
    event_key: str = Field(description="The event told (a delivery is made once per event, recipient and channel).")
    kind: Literal["warning", "reminder", "case_step", "attendance_flag", "digest"]
    article: str
    project_id: str | None
    recipient_user_id: str
    channel: DeliveryChannel
    address: str | None = Field(description="The channel's recipient id: the ZZD account id or ZLB user id; "
                                            "none for SMS (the phone is asked at send time, never kept).")
    title: str
    status: DeliveryStatus = Field(description="held: a reminder waiting for the day's digest; digested: sent in "
                                               "one; pending: due (again) at next_attempt_at; sent; parked: "
                                               "failed its last attempt, the back office may resend it.")
    attempts: int
    next_attempt_at: Timestamp | None
    digest_id: str | None = Field(description="The digest a reminder went out in.")
    last_error: str | None = Field(description="Why the last attempt failed.")
    created_at: Timestamp
    sent_at: Timestamp | None


class DeliveryAttemptView(View):
    at: Timestamp
    outcome: Literal["sent", "failed", "resend"]
    error: str | None


class DeliveryDetailView(DeliveryView):
    attempt_log: list[DeliveryAttemptView] = Field(description="Every attempt in order, and each resend.")
