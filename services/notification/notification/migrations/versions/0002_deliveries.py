"""The registry copy (who holds which post where) and the delivery log.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from common.registry_copy import create_registry_copy_tables, drop_registry_copy_tables
from common.schema import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_registry_copy_tables(op)
    op.create_table(
        "delivery",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("dedup_key", sa.String(400), nullable=False, unique=True),
        sa.Column("event_key", sa.String(200), nullable=False, index=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("article", sa.String(64), nullable=False),
        sa.Column("project_id", sa.String(32), index=True),
        sa.Column("recipient_user_id", sa.String(32), nullable=False, index=True),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("address", sa.String(64)),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", UtcDateTime(), index=True),
        sa.Column("digest_id", sa.String(32), index=True),
        sa.Column("last_error", sa.String(500)),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("sent_at", UtcDateTime()),
    )
    op.create_table(
        "delivery_attempt",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("delivery_id", sa.String(32), sa.ForeignKey("delivery.id"), nullable=False, index=True),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("error", sa.String(500)),
    )


def downgrade() -> None:
    op.drop_table("delivery_attempt")
    op.drop_table("delivery")
    drop_registry_copy_tables(op)
