"""Files attached to a project's records, so that visibility follows the project.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "file_attachment",
        sa.Column("file_id", sa.String(32), sa.ForeignKey("stored_file.id"), primary_key=True),
        sa.Column("project_id", sa.String(32), sa.ForeignKey("project.id"), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("file_attachment")
