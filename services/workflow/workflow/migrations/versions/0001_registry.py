"""The organisation tree, the project registry, files, and the shared infrastructure tables.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from common.schema import UtcDateTime, create_infrastructure_tables, drop_infrastructure_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = UtcDateTime()


def upgrade() -> None:
    create_infrastructure_tables(op)
    op.create_table(
        "unit",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False, index=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("parent_id", sa.String(32), sa.ForeignKey("unit.id"), index=True),
        sa.Column("industry", sa.String(32)),
        sa.Column("credit_code", sa.String(18), unique=True),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "user_account",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("portal", sa.String(8), nullable=False),
        sa.Column("phone_encrypted", sa.Text),
        sa.Column("id_card_encrypted", sa.Text),
        sa.Column("zzd_account_id", sa.String(64), unique=True),
        sa.Column("zlb_user_id", sa.String(64), unique=True),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "user_post",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.String(32), sa.ForeignKey("user_account.id"), nullable=False, index=True),
        sa.Column("unit_id", sa.String(32), sa.ForeignKey("unit.id"), nullable=False, index=True),
        sa.Column("post", sa.String(32), nullable=False),
        sa.Column("granted_at", TZ, nullable=False),
        sa.UniqueConstraint("user_id", "unit_id", "post"),
    )
    op.create_table(
        "stored_file",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("uploaded_by", sa.String(32)),
        sa.Column("portal", sa.String(8), nullable=False),
        sa.Column("uploaded_at", TZ, nullable=False),
    )
    op.create_table(
        "project",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("industry", sa.String(32), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("contract_amount", sa.Numeric(16, 2), nullable=False),
        sa.Column("below_threshold", sa.Boolean, nullable=False),
        sa.Column("geofence", sa.JSON, nullable=False),
        sa.Column("planned_start", sa.Date, nullable=False),
        sa.Column("planned_end", sa.Date, nullable=False),
        sa.Column("intake", sa.String(16), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("supervising_unit_id", sa.String(32), sa.ForeignKey("unit.id"), index=True),
        sa.Column("line_id", sa.String(32), sa.ForeignKey("unit.id"), index=True),
        sa.Column("owner_id", sa.String(32), sa.ForeignKey("unit.id"), index=True),
        sa.Column("owner_project_lead_id", sa.String(32), sa.ForeignKey("user_account.id")),
        sa.Column("registered_by", sa.String(32)),
        sa.Column("registered_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "project_participant",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("project_id", sa.String(32), sa.ForeignKey("project.id"), nullable=False, index=True),
        sa.Column("unit_id", sa.String(32), sa.ForeignKey("unit.id"), nullable=False, index=True),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("contract_file_id", sa.String(32), sa.ForeignKey("stored_file.id"), nullable=False),
        sa.Column("added_by", sa.String(32)),
        sa.Column("added_at", TZ, nullable=False),
        sa.UniqueConstraint("project_id", "unit_id", "role"),
    )
    op.create_table(
        "project_personnel",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("project_id", sa.String(32), sa.ForeignKey("project.id"), nullable=False, index=True),
        sa.Column("user_id", sa.String(32), sa.ForeignKey("user_account.id"), nullable=False, index=True),
        sa.Column("unit_id", sa.String(32), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("post", sa.String(32), nullable=False),
        sa.Column("assigned_by", sa.String(32)),
        sa.Column("assigned_at", TZ, nullable=False),
        sa.Column("released_at", TZ),
    )


def downgrade() -> None:
    for table in ("project_personnel", "project_participant", "project", "stored_file", "user_post",
                  "user_account", "unit"):
        op.drop_table(table)
    drop_infrastructure_tables(op)
