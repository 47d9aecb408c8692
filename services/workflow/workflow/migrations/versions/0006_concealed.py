"""Concealed works (Art. 28) and the EXIF of uploaded photos (issue item 10).

Revision ID: 0006
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from common.schema import UtcDateTime

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "concealed_work",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("project_id", sa.String(32), sa.ForeignKey("project.id"), nullable=False, index=True),
        sa.Column("part", sa.Text, nullable=False),
        sa.Column("planned_date", sa.Date, nullable=False),
        sa.Column("important", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("contractor_id", sa.String(32), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("applied_by", sa.String(32), nullable=False),
        sa.Column("applied_at", UtcDateTime(), nullable=False),
        sa.Column("file_ids", sa.JSON, nullable=False),
        sa.Column("supervisor_id", sa.String(32), sa.ForeignKey("unit.id")),
        sa.Column("inspected_by", sa.String(32)),
        sa.Column("inspected_at", UtcDateTime()),
        sa.Column("inspection_result", sa.String(16)),
        sa.Column("inspection_note", sa.Text),
        sa.Column("photos", sa.JSON),
        sa.Column("photo_flags", sa.JSON),
        sa.Column("reviewed_by", sa.String(32)),
        sa.Column("reviewed_at", UtcDateTime()),
        sa.Column("review_verdict", sa.String(16)),
        sa.Column("review_note", sa.Text),
        sa.Column("owner_present", sa.Boolean),
        sa.Column("presence_photo_ids", sa.JSON),
    )
    op.create_table(
        "photo_metadata",
        sa.Column("file_id", sa.String(32), sa.ForeignKey("stored_file.id"), primary_key=True),
        sa.Column("taken_at", UtcDateTime()),
        sa.Column("lat", sa.Float),
        sa.Column("lng", sa.Float),
    )


def downgrade() -> None:
    op.drop_table("photo_metadata")
    op.drop_table("concealed_work")
