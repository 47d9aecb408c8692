"""The workflow service's tables."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from common.deadline_engine import DeadlineColumns, DeadlineHoldColumns, DeadlineRungFiredColumns
from common.schema import UtcDateTime


def new_id() -> str:
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime()}


class Unit(Base):
    __tablename__ = "unit"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(sa.String(32), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    parent_id: Mapped[str | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    industry: Mapped[str | None] = mapped_column(sa.String(32))
    credit_code: Mapped[str | None] = mapped_column(sa.String(18), unique=True)
    created_at: Mapped[datetime]


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(100))
    portal: Mapped[str] = mapped_column(sa.String(8))
    phone_encrypted: Mapped[str | None] = mapped_column(sa.Text)
    id_card_encrypted: Mapped[str | None] = mapped_column(sa.Text)
    zzd_account_id: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    zlb_user_id: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime]


class UserPost(Base):
    __tablename__ = "user_post"
    __table_args__ = (sa.UniqueConstraint("user_id", "unit_id", "post"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    unit_id: Mapped[str] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    post: Mapped[str] = mapped_column(sa.String(32))
    granted_at: Mapped[datetime]


class Project(Base):
    __tablename__ = "project"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(200))
    industry: Mapped[str] = mapped_column(sa.String(32), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    contract_amount: Mapped[Decimal] = mapped_column(sa.Numeric(16, 2))
    below_threshold: Mapped[bool]
    geofence: Mapped[dict] = mapped_column(sa.JSON)
    planned_start: Mapped[date]
    planned_end: Mapped[date]
    intake: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[str] = mapped_column(sa.String(32))
    supervising_unit_id: Mapped[str | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    line_id: Mapped[str | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    owner_id: Mapped[str | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    owner_project_lead_id: Mapped[str | None] = mapped_column(sa.ForeignKey("user_account.id"))
    construction_started_on: Mapped[date | None]
    registered_by: Mapped[str | None] = mapped_column(sa.String(32))
    registered_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Participant(Base):
    __tablename__ = "project_participant"
    __table_args__ = (sa.UniqueConstraint("project_id", "unit_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(sa.ForeignKey("project.id"), index=True)
    unit_id: Mapped[str] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(32))
    contract_file_id: Mapped[str] = mapped_column(sa.ForeignKey("stored_file.id"))
    added_by: Mapped[str | None] = mapped_column(sa.String(32))
    added_at: Mapped[datetime]


class Personnel(Base):
    __tablename__ = "project_personnel"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(sa.ForeignKey("project.id"), index=True)
    user_id: Mapped[str] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    unit_id: Mapped[str] = mapped_column(sa.ForeignKey("unit.id"))
    post: Mapped[str] = mapped_column(sa.String(32))
    assigned_by: Mapped[str | None] = mapped_column(sa.String(32))
    assigned_at: Mapped[datetime]
    released_at: Mapped[datetime | None]


class StoredFile(Base):
    """A document or photo kept by content address; the bytes live in the file store."""

    __tablename__ = "stored_file"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    size: Mapped[int]
    content_type: Mapped[str] = mapped_column(sa.String(100))
    filename: Mapped[str] = mapped_column(sa.String(255))
    uploaded_by: Mapped[str | None] = mapped_column(sa.String(32))
    portal: Mapped[str] = mapped_column(sa.String(8))
    uploaded_at: Mapped[datetime]


class FileAttachment(Base):
    """A file named in a record of a project (a change, an inspection, a notice…): whoever sees
    the project may open it, so that those who decide can read what they decide on."""

    __tablename__ = "file_attachment"

    file_id: Mapped[str] = mapped_column(sa.ForeignKey("stored_file.id"), primary_key=True)
    project_id: Mapped[str] = mapped_column(sa.ForeignKey("project.id"), primary_key=True)


class FileShare(Base):
    """A file of a project's record kept by another service (a leave request's documents, Art. 26)
    that opens to a named audience of the project only, not to everyone who sees the project:
    ``audience`` is ``role:owner`` (whoever decides for the project's owner) or ``user:<id>``."""

    __tablename__ = "file_share"

    file_id: Mapped[str] = mapped_column(sa.ForeignKey("stored_file.id"), primary_key=True)
    project_id: Mapped[str] = mapped_column(sa.ForeignKey("project.id"), primary_key=True)
    audience: Mapped[str] = mapped_column(sa.String(48), primary_key=True)
    shared_by: Mapped[str | None] = mapped_column(sa.String(32))
    shared_at: Mapped[datetime]


class Suspension(Base):
    """A confirmed suspension (Art. 35); open while ``until`` is empty. Deadlines pause over it."""

    __tablename__ = "project_suspension"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(sa.ForeignKey("project.id"), index=True)
    since: Mapped[datetime]
    until: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(sa.Text)
    declared_by: Mapped[str | None] = mapped_column(sa.String(32))
    resumed_by: Mapped[str | None] = mapped_column(sa.String(32))


class Deadline(DeadlineColumns, Base):
    """A running deadline of the regulation (Art. 24, 28, 31, 32, 45), in the platform's deadline
    engine (:mod:`common.deadline_engine`): its rule, its start, the next rung's due time (None
    while the project is suspended, while the deadline is held, or when all rungs fired)."""

    # Every deadline of the workflow concerns a project; its suspensions pause it (Art. 35).
    project_id: Mapped[str] = mapped_column(sa.ForeignKey("project.id"), index=True)
    # The unit that must act, where the case names it (a notice's contractor or supervisor);
    # otherwise the project's unit of the rule's role is warned.
    responsible_unit_id: Mapped[str | None] = mapped_column(sa.ForeignKey("unit.id"))


class DeadlineHold(DeadlineHoldColumns, Base):
    """A deadline's own pause, beside the project's suspensions: open while ``until`` is empty
    (a notice's rectification while the contractor's answer awaits verification, Art. 45)."""


class DeadlineRungFired(DeadlineRungFiredColumns, Base):
    """A rung that fired: the primary key makes each rung fire once, whoever sweeps."""


class Acceptance(Base):
    """A completion acceptance (Art. 31), from the contractor's start to the owner's decision."""

    __tablename__ = "acceptance"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(sa.ForeignKey("project.id"), index=True)
    variant: Mapped[str] = mapped_column(sa.String(24))
    status: Mapped[str] = mapped_column(sa.String(24))
    started_by: Mapped[str | None] = mapped_column(sa.String(32))
    started_at: Mapped[datetime]
    checked_by: Mapped[str | None] = mapped_column(sa.String(32))
    checked_at: Mapped[datetime | None]
    check_opinion: Mapped[str | None] = mapped_column(sa.Text)
    received_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(sa.String(32))
    decided_at: Mapped[datetime | None]
    conclusion: Mapped[str | None] = mapped_column(sa.Text)
    rectification_opinions: Mapped[str | None] = mapped_column(sa.Text)
    return_reason: Mapped[str | None] = mapped_column(sa.Text)
    record_file_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    extension_days: Mapped[int | None]
    extension_reason: Mapped[str | None] = mapped_column(sa.Text)
    extension_approvals: Mapped[list] = mapped_column(sa.JSON, default=list)
