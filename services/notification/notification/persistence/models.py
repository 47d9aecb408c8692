"""The notification service's tables."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from common.schema import UtcDateTime


def new_id() -> str:
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime(), dict: sa.JSON(none_as_null=True), list: sa.JSON(none_as_null=True)}


class Delivery(Base):
    """One message to one person through one channel: the delivery log (issue 9). ``dedup_key`` (event,
    recipient, channel) is unique, so an event handled again or a restart never makes a second one;
    ``id`` is the message id the portal sees (ZZD ``bizMsgId``, ZLB ``msgId``, SMS ``out_id``)."""

    __tablename__ = "delivery"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    dedup_key: Mapped[str] = mapped_column(sa.String(400), unique=True)
    event_key: Mapped[str] = mapped_column(sa.String(200), index=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    article: Mapped[str] = mapped_column(sa.String(64))
    project_id: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    recipient_user_id: Mapped[str] = mapped_column(sa.String(32), index=True)
    channel: Mapped[str] = mapped_column(sa.String(8))
    address: Mapped[str | None] = mapped_column(sa.String(64))  # portal account id; never a phone
    title: Mapped[str] = mapped_column(sa.String(200))
    text: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)
    digest_id: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class DeliveryAttempt(Base):
    """Each attempt of a delivery, with its outcome."""

    __tablename__ = "delivery_attempt"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    delivery_id: Mapped[str] = mapped_column(sa.ForeignKey("delivery.id"), index=True)
    at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(sa.String(16))  # sent | failed | resend
    error: Mapped[str | None] = mapped_column(sa.String(500))
