"""The registry copy keeps when each level of a project's assignment chain and its status were set
(events come in any order: only a newer one replaces them), and whether it was rebuilt from the
workflow's snapshot (it is rebuilt until it was, not only while empty). A database made before
adds them here; one made by the first migration of this version has them already.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

from common.registry_copy import add_assignment_times, drop_assignment_times

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_assignment_times(op)


def downgrade() -> None:
    drop_assignment_times(op)
