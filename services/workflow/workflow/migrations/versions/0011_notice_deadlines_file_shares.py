"""A deadline names the unit that must act and may be held on its own; files shared with a named
audience of a project.

- ``deadline.responsible_unit_id``: a supervision notice's deadline warns the contractor the
  notice is addressed to, not the first contractor of the project (Art. 45); existing notice
  deadlines take it from their notice.
- ``deadline_hold``: a notice's rectification days stand still while the contractor's answer
  awaits verification (Art. 45). Notices awaiting verification now are held from their last
  answer, and get the supervisor's verification deadline from then (Art. 23, 45).
- ``file_share``: a leave request's documents open to the owner deciding it (Art. 26).

Revision ID: 0011
Revises: 0010
"""

import uuid
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

from common.schema import UtcDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

NOTICE_SUBJECT = "supervision_notice"
NOTICE_RECTIFICATION = "art45.notice-rectification"
NOTICE_VERIFICATION = "art45.notice-verification"
VERIFICATION_DAYS_DEFAULT = 3  # WorkflowRules.notice_verification_days: a new setting, at its default

_meta = sa.MetaData()
deadline = sa.Table(
    "deadline", _meta,
    sa.Column("id", sa.String(32), primary_key=True), sa.Column("rule_id", sa.String(60)),
    sa.Column("project_id", sa.String(32)), sa.Column("subject_type", sa.String(40)),
    sa.Column("subject_id", sa.String(32)), sa.Column("started_at", UtcDateTime()),
    sa.Column("length_days", sa.Integer), sa.Column("extension_days", sa.Integer),
    sa.Column("status", sa.String(16)), sa.Column("next_due_at", UtcDateTime()),
    sa.Column("closed_at", UtcDateTime()), sa.Column("responsible_unit_id", sa.String(32)),
)
deadline_hold = sa.Table(
    "deadline_hold", _meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True), sa.Column("deadline_id", sa.String(32)),
    sa.Column("since", UtcDateTime()), sa.Column("until", UtcDateTime()),
)
notice = sa.Table(
    "supervision_notice", _meta,
    sa.Column("id", sa.String(32), primary_key=True), sa.Column("project_id", sa.String(32)),
    sa.Column("supervisor_unit_id", sa.String(32)), sa.Column("contractor_unit_id", sa.String(32)),
    sa.Column("status", sa.String(24)),
)
rectification = sa.Table(
    "supervision_notice_rectification", _meta,
    sa.Column("id", sa.Integer, primary_key=True), sa.Column("notice_id", sa.String(32)),
    sa.Column("submitted_at", UtcDateTime()), sa.Column("verdict", sa.String(16)),
)


def upgrade() -> None:
    with op.batch_alter_table("deadline") as table:
        table.add_column(sa.Column("responsible_unit_id", sa.String(32), sa.ForeignKey(
            "unit.id", name="fk_deadline_responsible_unit_id_unit"), nullable=True))
    op.create_table(
        "deadline_hold",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("deadline_id", sa.String(32), sa.ForeignKey("deadline.id"), nullable=False, index=True),
        sa.Column("since", UtcDateTime(), nullable=False),
        sa.Column("until", UtcDateTime(), nullable=True),
    )
    op.create_table(
        "file_share",
        sa.Column("file_id", sa.String(32), sa.ForeignKey("stored_file.id"), primary_key=True),
        sa.Column("project_id", sa.String(32), sa.ForeignKey("project.id"), primary_key=True),
        sa.Column("audience", sa.String(48), primary_key=True),
        sa.Column("shared_by", sa.String(32), nullable=True),
        sa.Column("shared_at", UtcDateTime(), nullable=False),
    )
    connection = op.get_bind()
    connection.execute(deadline.update().where(
        deadline.c.rule_id == NOTICE_RECTIFICATION, deadline.c.subject_type == NOTICE_SUBJECT)
        .values(responsible_unit_id=sa.select(notice.c.contractor_unit_id)
                .where(notice.c.id == deadline.c.subject_id).scalar_subquery()))
    awaiting = connection.execute(
        sa.select(notice.c.id, notice.c.project_id, notice.c.supervisor_unit_id,
                  sa.func.max(rectification.c.submitted_at).label("answered_at"))
        .join(rectification, rectification.c.notice_id == notice.c.id)
        .where(notice.c.status == "awaiting_verification", rectification.c.verdict.is_(None))
        .group_by(notice.c.id, notice.c.project_id, notice.c.supervisor_unit_id)).all()
    for row in awaiting:
        for (deadline_id,) in connection.execute(sa.select(deadline.c.id).where(
                deadline.c.rule_id == NOTICE_RECTIFICATION, deadline.c.subject_id == row.id,
                deadline.c.status == "open")):
            connection.execute(deadline_hold.insert().values(deadline_id=deadline_id, since=row.answered_at))
            connection.execute(deadline.update().where(deadline.c.id == deadline_id).values(next_due_at=None))
        # Not later than the true due time: the sweep moves it on over any suspension.
        connection.execute(deadline.insert().values(
            id=uuid.uuid4().hex, rule_id=NOTICE_VERIFICATION, project_id=row.project_id,
            subject_type=NOTICE_SUBJECT, subject_id=row.id, started_at=row.answered_at, length_days=None,
            extension_days=0, status="open",
            next_due_at=row.answered_at + timedelta(days=VERIFICATION_DAYS_DEFAULT),
            responsible_unit_id=row.supervisor_unit_id))


def downgrade() -> None:
    """Lossy: the supervisor's verification deadlines go, with the rungs they fired; a held
    rectification deadline is due again from the next suspension or resumption of its project."""
    connection = op.get_bind()
    verification = sa.select(deadline.c.id).where(deadline.c.rule_id == NOTICE_VERIFICATION)
    connection.execute(sa.table("deadline_rung_fired", sa.column("deadline_id")).delete()
                       .where(sa.column("deadline_id").in_(verification)))
    connection.execute(deadline.delete().where(deadline.c.rule_id == NOTICE_VERIFICATION))
    op.drop_table("deadline_hold")
    op.drop_table("file_share")
    with op.batch_alter_table("deadline") as table:
        table.drop_constraint("fk_deadline_responsible_unit_id_unit", type_="foreignkey")
        table.drop_column("responsible_unit_id")
