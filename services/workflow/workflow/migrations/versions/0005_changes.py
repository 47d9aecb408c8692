"""Engineering and personnel changes (Art. 27), terminations (Art. 34), supplementary
registrations (Art. 33).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from common.schema import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "engineering_change",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("project_id", sa.String(32), sa.ForeignKey("project.id"), nullable=False, index=True),
        sa.Column("contractor_id", sa.String(32), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("raised_by", sa.String(32), sa.ForeignKey("user_account.id"), nullable=False),
        sa.Column("raised_at", UtcDateTime(), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("affected_part", sa.String(500), nullable=False),
        sa.Column("touches_concealed_works", sa.Boolean, nullable=False),
        sa.Column("planned_on", sa.Date, nullable=True),
        sa.Column("executed_on", sa.Date, nullable=True),
        sa.Column("file_ids", sa.JSON, nullable=False),
        sa.Column("after_the_fact", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
    )
    op.create_table(
        "personnel_change",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("project_id", sa.String(32), sa.ForeignKey("project.id"), nullable=False, index=True),
        sa.Column("firm_id", sa.String(32), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("post", sa.String(32), nullable=False),
        sa.Column("replaced_user_id", sa.String(32), sa.ForeignKey("user_account.id"), nullable=False),
        sa.Column("replacement_user_id", sa.String(32), sa.ForeignKey("user_account.id"), nullable=False),
        sa.Column("raised_by", sa.String(32), sa.ForeignKey("user_account.id"), nullable=False),
        sa.Column("raised_at", UtcDateTime(), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("for_illness", sa.Boolean, nullable=False),
        sa.Column("illness_certificate_file_id", sa.String(32), sa.ForeignKey("stored_file.id"), nullable=True),
        sa.Column("recovery_until", sa.Date, nullable=True),
        sa.Column("qualification_file_ids", sa.JSON, nullable=False),
        sa.Column("social_insurance_records", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("approval_form_file_id", sa.String(32), sa.ForeignKey("stored_file.id"), nullable=True),
        sa.Column("replaced_by", sa.String(32), nullable=True),
        sa.Column("replaced_at", UtcDateTime(), nullable=True),
        sa.Column("penalty_yuan", sa.Numeric(14, 2), nullable=True),
        sa.Column("penalty_note", sa.Text, nullable=True),
        sa.Column("penalty_recorded_by", sa.String(32), nullable=True),
        sa.Column("penalty_recorded_at", UtcDateTime(), nullable=True),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
    )
    op.create_index("ix_personnel_change_replaced", "personnel_change", ["replaced_user_id", "post", "status"])
    op.create_table(
        "change_step",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("change_id", sa.String(32), nullable=False, index=True),
        sa.Column("step", sa.String(40), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("unit_id", sa.String(32), nullable=True),
        sa.Column("decided_by", sa.String(32), nullable=True),
        sa.Column("decided_at", UtcDateTime(), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("file_ids", sa.JSON, nullable=False),
        sa.UniqueConstraint("change_id", "step"),
    )
    op.create_table(
        "project_termination",
        sa.Column("project_id", sa.String(32), sa.ForeignKey("project.id"), primary_key=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("report_file_id", sa.String(32), sa.ForeignKey("stored_file.id"), nullable=False),
        sa.Column("status_before", sa.String(32), nullable=False),
        sa.Column("terminated_by", sa.String(32), nullable=False),
        sa.Column("terminated_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "supplementary_registration",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("project_fields", sa.JSON, nullable=False),
        sa.Column("owner_id", sa.String(32), sa.ForeignKey("unit.id"), nullable=False, index=True),
        sa.Column("supervising_unit_id", sa.String(32), sa.ForeignKey("unit.id"), nullable=False, index=True),
        sa.Column("requested_by", sa.String(32), sa.ForeignKey("user_account.id"), nullable=False),
        sa.Column("requested_at", UtcDateTime(), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("record_file_ids", sa.JSON, nullable=False),
        sa.Column("decided_by", sa.String(32), nullable=True),
        sa.Column("decided_at", UtcDateTime(), nullable=True),
        sa.Column("decision_note", sa.Text, nullable=True),
        sa.Column("decision_file_ids", sa.JSON, nullable=False),
        sa.Column("project_id", sa.String(32), sa.ForeignKey("project.id"), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("supplementary_registration")
    op.drop_table("project_termination")
    op.drop_table("change_step")
    op.drop_index("ix_personnel_change_replaced", "personnel_change")
    op.drop_table("personnel_change")
    op.drop_table("engineering_change")
