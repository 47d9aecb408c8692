"""The complaints service's first tables: the platform's shared ones (outbox, inbox, audit trail,
settings, clock, dead letters, commands carried out).

Revision ID: 0001
Revises:
"""

from alembic import op

from common.schema import create_platform_tables, drop_infrastructure_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables(op)


def downgrade() -> None:
    drop_infrastructure_tables(op)
