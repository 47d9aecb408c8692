"""The registry copy keeps the box around each project's site, so that a point is matched to its
project by an indexed range before the fences are tested. A database made before adds it here, filled
from the geofences it holds; one made by the first migration of this version has it already.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

from common.registry_copy import add_site_bounds, drop_site_bounds

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_site_bounds(op)


def downgrade() -> None:
    drop_site_bounds(op)
