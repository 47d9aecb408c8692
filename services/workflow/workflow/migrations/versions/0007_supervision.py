"""Supervision logs and stand-by records, supervision notices with their rectification rounds
(Art. 22–23, 45–46), and subcontracts (Art. 36).

Revision ID: 0007
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from common.schema import UtcDateTime

revision = "0007"
down_revision = "0004"
branch_labels = None
depends_on = None

ONE_LOG_A_DAY = "kind = 'log'"


def upgrade() -> None:
    op.create_table(
        "supervision_record",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("project_id", sa.String(32), sa.ForeignKey("project.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("log_date", sa.Date, nullable=False),
        sa.Column("weather", sa.String(100)),
        sa.Column("part", sa.String(200)),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("file_ids", sa.JSON, nullable=False),
        sa.Column("supervisor_unit_id", sa.String(32), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("recorded_by", sa.String(32), sa.ForeignKey("user_account.id"), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
    )
    op.create_index("uq_supervision_log_day", "supervision_record", ["project_id", "log_date"], unique=True,
                    sqlite_where=sa.text(ONE_LOG_A_DAY), postgresql_where=sa.text(ONE_LOG_A_DAY))
    op.create_table(
        "supervision_notice",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("project_id", sa.String(32), sa.ForeignKey("project.id"), nullable=False, index=True),
        sa.Column("supervisor_unit_id", sa.String(32), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("contractor_unit_id", sa.String(32), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("requirement", sa.Text, nullable=False),
        sa.Column("rectify_within_days", sa.Integer, nullable=False),
        sa.Column("file_ids", sa.JSON, nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("issued_by", sa.String(32), sa.ForeignKey("user_account.id"), nullable=False),
        sa.Column("issued_at", UtcDateTime(), nullable=False),
        sa.Column("closed_at", UtcDateTime()),
        sa.Column("escalated_by", sa.String(32), sa.ForeignKey("user_account.id")),
        sa.Column("escalated_at", UtcDateTime()),
        sa.Column("escalation_note", sa.Text),
    )
    op.create_table(
        "supervision_notice_rectification",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("notice_id", sa.String(32), sa.ForeignKey("supervision_notice.id"), nullable=False, index=True),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("file_ids", sa.JSON, nullable=False),
        sa.Column("submitted_by", sa.String(32), sa.ForeignKey("user_account.id"), nullable=False),
        sa.Column("submitted_at", UtcDateTime(), nullable=False),
        sa.Column("verdict", sa.String(16)),
        sa.Column("verdict_note", sa.Text),
        sa.Column("verified_by", sa.String(32), sa.ForeignKey("user_account.id")),
        sa.Column("verified_at", UtcDateTime()),
    )
    op.create_table(
        "subcontract",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("project_id", sa.String(32), sa.ForeignKey("project.id"), nullable=False, index=True),
        sa.Column("contractor_unit_id", sa.String(32), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("subcontractor_name", sa.String(200), nullable=False),
        sa.Column("subcontractor_credit_code", sa.String(18), nullable=False),
        sa.Column("scope", sa.Text, nullable=False),
        sa.Column("contract_file_id", sa.String(32), sa.ForeignKey("stored_file.id"), nullable=False),
        sa.Column("amount", sa.Numeric(16, 2)),
        sa.Column("registered_by", sa.String(32), sa.ForeignKey("user_account.id"), nullable=False),
        sa.Column("registered_at", UtcDateTime(), nullable=False),
        sa.UniqueConstraint("project_id", "contract_file_id"),
    )


def downgrade() -> None:
    op.drop_table("subcontract")
    op.drop_table("supervision_notice_rectification")
    op.drop_table("supervision_notice")
    op.drop_index("uq_supervision_log_day", "supervision_record")
    op.drop_table("supervision_record")
