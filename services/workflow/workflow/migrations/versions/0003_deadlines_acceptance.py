"""Deadlines with their fired rungs, and completion acceptances (Art. 31, 32).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from common.schema import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deadline",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("rule_id", sa.String(60), nullable=False),
        sa.Column("project_id", sa.String(32), sa.ForeignKey("project.id"), nullable=False, index=True),
        sa.Column("subject_type", sa.String(40), nullable=False),
        sa.Column("subject_id", sa.String(32), nullable=False, index=True),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("extension_days", sa.Integer, nullable=False, server_default="0"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("next_due_at", UtcDateTime(), nullable=True),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
    )
    op.create_index("ix_deadline_due", "deadline", ["status", "next_due_at"])
    op.create_table(
        "deadline_rung_fired",
        sa.Column("deadline_id", sa.String(32), sa.ForeignKey("deadline.id"), primary_key=True),
        sa.Column("rung", sa.String(16), primary_key=True),
        sa.Column("fired_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "acceptance",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("project_id", sa.String(32), sa.ForeignKey("project.id"), nullable=False, index=True),
        sa.Column("variant", sa.String(24), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("started_by", sa.String(32)),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("checked_by", sa.String(32)),
        sa.Column("checked_at", UtcDateTime()),
        sa.Column("check_opinion", sa.Text),
        sa.Column("received_at", UtcDateTime()),
        sa.Column("decided_by", sa.String(32)),
        sa.Column("decided_at", UtcDateTime()),
        sa.Column("conclusion", sa.Text),
        sa.Column("rectification_opinions", sa.Text),
        sa.Column("return_reason", sa.Text),
        sa.Column("record_file_ids", sa.JSON, nullable=False),
        sa.Column("extension_days", sa.Integer),
        sa.Column("extension_reason", sa.Text),
        sa.Column("extension_approvals", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("acceptance")
    op.drop_table("deadline_rung_fired")
    op.drop_index("ix_deadline_due", "deadline")
    op.drop_table("deadline")
