"""A roster entry ends when its person is replaced (Art. 27).

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
    with op.batch_alter_table("roster_entry") as roster:
        roster.add_column(sa.Column("released_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("roster_entry") as roster:
        roster.drop_column("released_at")
