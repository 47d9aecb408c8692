"""Tables of the supervision records (Art. 22–23, 45–46) and of subcontracts (Art. 36)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from workflow.persistence.models import Base, new_id

# Art. 22, 46: one supervision log per project and day; stand-by records are as many as the
# key works stood by.
ONE_LOG_A_DAY = "kind = 'log'"


class SupervisionRecord(Base):
    """A supervision log (监理日志) or a stand-by record (旁站记录) uploaded by the supervisor."""

    __tablename__ = "supervision_record"
    __table_args__ = (
        sa.Index("uq_supervision_log_day", "project_id", "log_date", unique=True,
                 sqlite_where=sa.text(ONE_LOG_A_DAY), postgresql_where=sa.text(ONE_LOG_A_DAY)),
    )

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(sa.ForeignKey("project.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # log, standby
    log_date: Mapped[date]
    weather: Mapped[str | None] = mapped_column(sa.String(100))
    part: Mapped[str | None] = mapped_column(sa.String(200))  # the key part or process stood by
    content: Mapped[str] = mapped_column(sa.Text)
    file_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    supervisor_unit_id: Mapped[str] = mapped_column(sa.ForeignKey("unit.id"))
    recorded_by: Mapped[str] = mapped_column(sa.ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime]


class SupervisionNotice(Base):
    """A supervision notice (监理通知单, Art. 45) requiring a contractor to rectify in time."""

    __tablename__ = "supervision_notice"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(sa.ForeignKey("project.id"), index=True)
    supervisor_unit_id: Mapped[str] = mapped_column(sa.ForeignKey("unit.id"))
    contractor_unit_id: Mapped[str] = mapped_column(sa.ForeignKey("unit.id"))
    subject: Mapped[str] = mapped_column(sa.String(200))
    requirement: Mapped[str] = mapped_column(sa.Text)
    rectify_within_days: Mapped[int]
    file_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(sa.String(24))
    issued_by: Mapped[str] = mapped_column(sa.ForeignKey("user_account.id"))
    issued_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    escalated_by: Mapped[str | None] = mapped_column(sa.ForeignKey("user_account.id"))
    escalated_at: Mapped[datetime | None]
    escalation_note: Mapped[str | None] = mapped_column(sa.Text)


class NoticeRectification(Base):
    """One round of a notice: the contractor's online answer and the supervisor's verdict."""

    __tablename__ = "supervision_notice_rectification"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    notice_id: Mapped[str] = mapped_column(sa.ForeignKey("supervision_notice.id"), index=True)
    description: Mapped[str] = mapped_column(sa.Text)
    file_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    submitted_by: Mapped[str] = mapped_column(sa.ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime]
    verdict: Mapped[str | None] = mapped_column(sa.String(16))  # accepted, rejected
    verdict_note: Mapped[str | None] = mapped_column(sa.Text)
    verified_by: Mapped[str | None] = mapped_column(sa.ForeignKey("user_account.id"))
    verified_at: Mapped[datetime | None]


class Subcontract(Base):
    """A subcontract the main contract allows (Art. 36), with its scope and subcontractor."""

    __tablename__ = "subcontract"
    __table_args__ = (sa.UniqueConstraint("project_id", "contract_file_id"),)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(sa.ForeignKey("project.id"), index=True)
    contractor_unit_id: Mapped[str] = mapped_column(sa.ForeignKey("unit.id"))
    subcontractor_name: Mapped[str] = mapped_column(sa.String(200))
    subcontractor_credit_code: Mapped[str] = mapped_column(sa.String(18))
    scope: Mapped[str] = mapped_column(sa.Text)
    contract_file_id: Mapped[str] = mapped_column(sa.ForeignKey("stored_file.id"))
    amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(16, 2))
    registered_by: Mapped[str] = mapped_column(sa.ForeignKey("user_account.id"))
    registered_at: Mapped[datetime]
