"""The asynchronous check-in intake: the wall-clock times of each check-in's receipt and decision,
its distance outside the site, and the per-person and per-device state that deciding a batch of
check-ins reads instead of the check-in history (filled here from the history already stored). The
indexes that served those searches of the history (by device, by person and time) go: every
check-in paid for them.

Revision ID: 0007
Revises: 0006_checkin_partitions
"""

import sqlalchemy as sa
from alembic import op

from common.schema import UtcDateTime

revision = "0007"
down_revision = "0006_checkin_partitions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("checkin", sa.Column("distance_outside_m", sa.Double(), nullable=True))
    op.add_column("checkin", sa.Column("received_at", UtcDateTime(), nullable=True))
    op.add_column("checkin", sa.Column("decided_at", UtcDateTime(), nullable=True))
    op.create_table(
        "checkin_person",
        sa.Column("person_id", sa.String(32), primary_key=True),
        sa.Column("last_accepted_at", UtcDateTime(), nullable=True),
        sa.Column("last_accepted_lat", sa.Double(), nullable=True),
        sa.Column("last_accepted_lng", sa.Double(), nullable=True),
        sa.Column("last_accepted_project_id", sa.String(32), nullable=True),
    )
    op.create_table(
        "device_use",
        sa.Column("device_id", sa.String(128), primary_key=True),
        sa.Column("person_id", sa.String(32), primary_key=True),
        sa.Column("last_used_at", UtcDateTime(), nullable=False),
    )
    op.execute("""
        INSERT INTO checkin_person (person_id, last_accepted_at, last_accepted_lat, last_accepted_lng,
                                    last_accepted_project_id)
        SELECT person_id, recorded_at, lat, lng, project_id FROM (
            SELECT person_id, recorded_at, lat, lng, project_id,
                   row_number() OVER (PARTITION BY person_id ORDER BY recorded_at DESC, id DESC) AS latest
            FROM checkin WHERE outcome <> 'rejected') AS ranked
        WHERE latest = 1""")
    op.execute("""
        INSERT INTO device_use (device_id, person_id, last_used_at)
        SELECT device_id, person_id, max(recorded_at) FROM checkin GROUP BY device_id, person_id""")
    op.drop_index("ix_checkin_device", table_name="checkin")
    op.drop_index("ix_checkin_person_time", table_name="checkin")


def downgrade() -> None:
    op.create_index("ix_checkin_person_time", "checkin", ["person_id", "recorded_at"])
    op.create_index("ix_checkin_device", "checkin", ["device_id", "recorded_at"])
    op.drop_table("device_use")
    op.drop_table("checkin_person")
    with op.batch_alter_table("checkin") as batch:
        batch.drop_column("decided_at")
        batch.drop_column("received_at")
        batch.drop_column("distance_outside_m")
