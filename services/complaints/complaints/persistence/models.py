"""The complaints service's tables: cases and their steps, the units each case went through (who
may see it), the complaints of the public window with their photos and their complainants kept apart and
encrypted, the deadlines of the steps (common.deadline_engine), and its copy of the registry
(common.registry_copy, Core tables in the same database)."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from common.deadline_engine import DeadlineColumns, DeadlineHoldColumns, DeadlineRungFiredColumns
from common.schema import UtcDateTime


def new_id() -> str:
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime(), dict: sa.JSON(none_as_null=True), list: sa.JSON(none_as_null=True)}


class Case(Base):
    """A warning, a complaint or a clue on its way through the four-level chain (Art. 8, 29–30)."""

    __tablename__ = "case_file"
    __table_args__ = (
        sa.Index("ix_case_status_opened", "status", "opened_at"),
        sa.Index("ix_case_project_category", "project_id", "category", "opened_at"),
    )

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(sa.String(16), index=True)
    category: Mapped[str] = mapped_column(sa.String(40), index=True)
    status: Mapped[str] = mapped_column(sa.String(16))
    discipline: Mapped[bool] = mapped_column(default=False)  # 涉纪: discipline inspection only (Art. 30)
    summary: Mapped[str] = mapped_column(sa.String(200))
    text: Mapped[str] = mapped_column(sa.Text)
    project_id: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    industry: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    lat: Mapped[float | None] = mapped_column(sa.Double)
    lng: Mapped[float | None] = mapped_column(sa.Double)
    # A warning's origin (one case per warning, however often its event is delivered).
    warning_id: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    warning_source: Mapped[str | None] = mapped_column(sa.String(16))
    rule_id: Mapped[str | None] = mapped_column(sa.String(80), index=True)
    article: Mapped[str | None] = mapped_column(sa.String(40))
    subject_unit_id: Mapped[str | None] = mapped_column(sa.String(32), index=True)  # the firm or unit concerned
    subject_person_id: Mapped[str | None] = mapped_column(sa.String(32))
    holder_unit_id: Mapped[str | None] = mapped_column(sa.String(32), index=True)  # must act now
    dispatcher_unit_id: Mapped[str | None] = mapped_column(sa.String(32))  # sent it to the holder
    due_at: Mapped[datetime | None] = mapped_column(index=True)  # the current step's time limit
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    finding: Mapped[str | None] = mapped_column(sa.String(16))
    responsible_unit_id: Mapped[str | None] = mapped_column(sa.String(32))
    responsible_person_id: Mapped[str | None] = mapped_column(sa.String(32))
    complaint_count: Mapped[int] = mapped_column(default=0)
    opened_by: Mapped[str | None] = mapped_column(sa.String(32))


class CaseStep(Base):
    """One step of a case's history: who, for which unit, when, with what text and files."""

    __tablename__ = "case_step"
    __table_args__ = (sa.Index("ix_case_step_unit_at", "acting_unit_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    step: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[str] = mapped_column(sa.String(16))  # the case's status after the step
    at: Mapped[datetime]
    by_user_id: Mapped[str | None] = mapped_column(sa.String(32))  # None: the platform
    acting_unit_id: Mapped[str | None] = mapped_column(sa.String(32))
    to_unit_id: Mapped[str | None] = mapped_column(sa.String(32))
    text: Mapped[str | None] = mapped_column(sa.Text)
    file_ids: Mapped[list] = mapped_column(default=list)
    # A text for the complainant (shown on the public tracking page), separate from the inside one.
    public_reply: Mapped[str | None] = mapped_column(sa.Text)
    on_time: Mapped[bool | None]
    seconds_taken: Mapped[int | None]  # since the step the unit answered (for the median per step)


class CaseUnit(Base):
    """A unit the case went through or is overseen by (the levels above on its chain): who may see
    it (Art. 10–13: a unit sees the cases dispatched to it or below it in its own line)."""

    __tablename__ = "case_unit"

    case_id: Mapped[str] = mapped_column(sa.ForeignKey("case_file.id"), primary_key=True)
    unit_id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, index=True)


class Complaint(Base):
    """What one member of the public filed (Art. 30). Complaints that look alike share a case; each
    keeps its own tracking code and complainant."""

    __tablename__ = "complaint"
    __table_args__ = (sa.Index("ix_complaint_client_at", "client_key", "filed_at"),)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    # The SHA-256 of the tracking code (also the GeoReport service_request_id): the code itself is
    # shown once, to the complainant, and cannot be guessed.
    tracking_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    category: Mapped[str] = mapped_column(sa.String(40))
    text: Mapped[str] = mapped_column(sa.Text)
    media_url: Mapped[str | None] = mapped_column(sa.String(500))  # Open311's photo elsewhere on the web
    project_id: Mapped[str | None] = mapped_column(sa.String(32))
    lat: Mapped[float | None] = mapped_column(sa.Double)
    lng: Mapped[float | None] = mapped_column(sa.Double)
    address: Mapped[str | None] = mapped_column(sa.String(200))
    anonymous: Mapped[bool]
    channel: Mapped[str] = mapped_column(sa.String(16))  # "window" or "open311"
    client_key: Mapped[str] = mapped_column(sa.String(64))  # a hash of the client's address: for the rate limit
    filed_at: Mapped[datetime]


class ComplaintPhoto(Base):
    """A photo the public uploaded to the complaint window (Art. 30), before filing the complaint it
    goes with. The bytes are in the gateway's file store under their SHA-256, never served to the
    public; the record is the complaints service's own (the workflow's files are registered users').
    It goes with one complaint only, filed by the same client (the keyed hash of its address)."""

    __tablename__ = "complaint_photo"
    __table_args__ = (sa.Index("ix_complaint_photo_client_at", "client_key", "received_at"),)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    content_type: Mapped[str] = mapped_column(sa.String(100))
    client_key: Mapped[str] = mapped_column(sa.String(64))
    received_at: Mapped[datetime]
    complaint_id: Mapped[str | None] = mapped_column(sa.ForeignKey("complaint.id"), index=True)  # None: not filed yet


class Complainant(Base):
    """Who complained, kept apart from the case and encrypted (Art. 30; architecture "Data"): read
    only by the back office's complaint intake and discipline inspection, each reading audited."""

    __tablename__ = "complainant"

    complaint_id: Mapped[str] = mapped_column(sa.ForeignKey("complaint.id"), primary_key=True)
    name_encrypted: Mapped[str | None] = mapped_column(sa.Text)
    phone_encrypted: Mapped[str | None] = mapped_column(sa.Text)
    zlb_user_id: Mapped[str | None] = mapped_column(sa.String(64))


class Deadline(DeadlineColumns, Base):
    pass


class DeadlineHold(DeadlineHoldColumns, Base):
    pass


class DeadlineRungFired(DeadlineRungFiredColumns, Base):
    pass
