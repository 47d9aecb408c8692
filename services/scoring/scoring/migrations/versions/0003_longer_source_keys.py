"""Longer source keys: an upheld objection's entry (``objection:<id>``, 42 characters) and a firm's bid
ban (``<event id>:<firm id>``, 69) did not fit the 40 characters of ``source_event_id``; PostgreSQL
refused them.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = ("ledger_entry", "bid_ban")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column("source_event_id", type_=sa.String(80), existing_type=sa.String(40),
                               existing_nullable=False)


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column("source_event_id", type_=sa.String(40), existing_type=sa.String(80),
                               existing_nullable=False)
