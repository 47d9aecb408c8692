"""Construction start and suspensions (Art. 25, 35).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from common.schema import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("project") as project:
        project.add_column(sa.Column("construction_started_on", sa.Date, nullable=True))
    op.create_table(
        "project_suspension",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("project_id", sa.String(32), sa.ForeignKey("project.id"), nullable=False, index=True),
        sa.Column("since", UtcDateTime(), nullable=False),
        sa.Column("until", UtcDateTime(), nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("declared_by", sa.String(32)),
        sa.Column("resumed_by", sa.String(32)),
    )


def downgrade() -> None:
    op.drop_table("project_suspension")
    with op.batch_alter_table("project") as project:
        project.drop_column("construction_started_on")
