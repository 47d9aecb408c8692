"""Dead letters: events kept aside because they break their contract.

Revision ID: 0008
Revises: 0004
"""

from alembic import op

from common.schema import create_dead_letter_table

revision = "0008"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_dead_letter_table(op)


def downgrade() -> None:
    op.drop_table("dead_letter")
