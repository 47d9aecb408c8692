"""When a project left construction (completion acceptance, termination; Art. 25, 34), so that
the month it leaves in has its month-end rate over the days it was built (Art. 26, 42).

Projects that left before this revision keep no time: it was not recorded (their months ended
without a month-end rate, as they did then).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from common.schema import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("project_copy") as project:
        project.add_column(sa.Column("construction_ended_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("project_copy") as project:
        project.drop_column("construction_ended_at")
