"""A deadline's own length, for deadlines whose case sets it (Art. 45 rectification).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deadline") as deadline:
        deadline.add_column(sa.Column("length_days", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deadline") as deadline:
        deadline.drop_column("length_days")
