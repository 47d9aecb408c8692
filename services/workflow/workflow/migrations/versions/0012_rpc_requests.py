"""Commands carried out, by request id, so that a redelivered command is answered again and
never carried out twice.

Revision ID: 0012
Revises: 0011
"""

from alembic import op

from common.schema import create_rpc_request_table

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_rpc_request_table(op)


def downgrade() -> None:
    op.drop_table("rpc_request")
