"""Dead letters, and a resumption that arrives before its suspension (events come in any order).

Revision ID: 0002
Revises: 0001
"""

from alembic import op

from common.schema import UtcDateTime, create_dead_letter_table

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_dead_letter_table(op)
    with op.batch_alter_table("suspension_copy") as suspension:
        suspension.alter_column("since", existing_type=UtcDateTime(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("suspension_copy") as suspension:
        suspension.alter_column("since", existing_type=UtcDateTime(), nullable=False)
    op.drop_table("dead_letter")
