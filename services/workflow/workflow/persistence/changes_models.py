"""The tables of engineering and personnel changes (Art. 27), terminations (Art. 34) and
supplementary registrations (Art. 33)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from workflow.persistence.models import Base, new_id


class EngineeringChange(Base):
    """An engineering change (Art. 27(1)) from the contractor's request to the owner's decision."""

    __tablename__ = "engineering_change"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(sa.ForeignKey("project.id"), index=True)
    contractor_id: Mapped[str] = mapped_column(sa.ForeignKey("unit.id"))
    raised_by: Mapped[str] = mapped_column(sa.ForeignKey("user_account.id"))
    raised_at: Mapped[datetime]
    description: Mapped[str] = mapped_column(sa.Text)
    reason: Mapped[str] = mapped_column(sa.Text)
    affected_part: Mapped[str] = mapped_column(sa.String(500))
    touches_concealed_works: Mapped[bool]
    planned_on: Mapped[date | None]
    executed_on: Mapped[date | None]
    file_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    # Recorded after the work it changes (Art. 27: 遏止工程事后变更): audit watches these.
    after_the_fact: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(sa.String(16))
    closed_at: Mapped[datetime | None]


class PersonnelChange(Base):
    """The replacement of a key person (Art. 27(2)), from the firm's request through the
    agreements and the approval form to the owner's penalty record."""

    __tablename__ = "personnel_change"
    __table_args__ = (sa.Index("ix_personnel_change_replaced", "replaced_user_id", "post", "status"),)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(sa.ForeignKey("project.id"), index=True)
    firm_id: Mapped[str] = mapped_column(sa.ForeignKey("unit.id"))
    post: Mapped[str] = mapped_column(sa.String(32))
    replaced_user_id: Mapped[str] = mapped_column(sa.ForeignKey("user_account.id"))
    replacement_user_id: Mapped[str] = mapped_column(sa.ForeignKey("user_account.id"))
    raised_by: Mapped[str] = mapped_column(sa.ForeignKey("user_account.id"))
    raised_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(sa.Text)
    for_illness: Mapped[bool]
    illness_certificate_file_id: Mapped[str | None] = mapped_column(sa.ForeignKey("stored_file.id"))
    recovery_until: Mapped[date | None]
    qualification_file_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    social_insurance_records: Mapped[list] = mapped_column(sa.JSON, default=list)  # [{"month", "file_id"}]
    status: Mapped[str] = mapped_column(sa.String(16))
    approval_form_file_id: Mapped[str | None] = mapped_column(sa.ForeignKey("stored_file.id"))
    replaced_by: Mapped[str | None] = mapped_column(sa.String(32))  # the owner's project lead who uploaded it
    replaced_at: Mapped[datetime | None]
    penalty_yuan: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    penalty_note: Mapped[str | None] = mapped_column(sa.Text)
    penalty_recorded_by: Mapped[str | None] = mapped_column(sa.String(32))
    penalty_recorded_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class ChangeStep(Base):
    """One decision on a change: the owner's on an engineering change, or one step of a
    personnel change's approval path. The unique key makes each step a single decision."""

    __tablename__ = "change_step"
    __table_args__ = (sa.UniqueConstraint("change_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    change_id: Mapped[str] = mapped_column(sa.String(32), index=True)
    step: Mapped[str] = mapped_column(sa.String(40))
    decision: Mapped[str] = mapped_column(sa.String(16))  # approve or refuse
    unit_id: Mapped[str | None] = mapped_column(sa.String(32))  # None: refused by the platform's rule
    decided_by: Mapped[str | None] = mapped_column(sa.String(32))
    decided_at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(sa.Text)
    file_ids: Mapped[list] = mapped_column(sa.JSON, default=list)


class ProjectTermination(Base):
    """Art. 34: a project terminated with the owner's written report of the reason."""

    __tablename__ = "project_termination"

    project_id: Mapped[str] = mapped_column(sa.ForeignKey("project.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    report_file_id: Mapped[str] = mapped_column(sa.ForeignKey("stored_file.id"))
    status_before: Mapped[str] = mapped_column(sa.String(32))
    terminated_by: Mapped[str] = mapped_column(sa.String(32))
    terminated_at: Mapped[datetime]


class SupplementaryRegistration(Base):
    """Art. 33: an owner's request to put works never registered on the platform, and the
    supervising unit's decision; the project exists once it is approved."""

    __tablename__ = "supplementary_registration"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    status: Mapped[str] = mapped_column(sa.String(16), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    project_fields: Mapped[dict] = mapped_column(sa.JSON)  # a SupplementaryProject, as JSON
    owner_id: Mapped[str] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    supervising_unit_id: Mapped[str] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    requested_by: Mapped[str] = mapped_column(sa.ForeignKey("user_account.id"))
    requested_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(sa.Text)
    record_file_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    decided_by: Mapped[str | None] = mapped_column(sa.String(32))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(sa.Text)
    decision_file_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    project_id: Mapped[str | None] = mapped_column(sa.ForeignKey("project.id"))
