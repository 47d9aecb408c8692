"""The check-in table partitioned by month on PostgreSQL (issue 11, item 6), and the index of the
rows still holding a raw position (their purge). SQLite keeps one table and gets only the index.

On PostgreSQL the plain ``checkin`` becomes a table partitioned by range of ``local_day``: one
partition per month that has check-ins and for this month and the three after it (the service's
upkeep keeps them from then on, attendance.usecases.partitions), and a default partition for a
check-in whose month has none yet. The rows are copied, the old table dropped, the new one renamed
and its indexes made on the parent, which makes them on every partition. Its primary key is
(id, local_day), a partition's keys having to hold the partition key; the unique
(person_id, client_request_id) cannot span the partitions and is not made again. All in the
migration's one transaction: the copy is of the table as it is before partitioning.

The downgrade copies the rows back into one plain table with its keys of before (it fails, and
changes nothing, if two check-ins of a person then share a client_request_id).

Revision ID: 0006_checkin_partitions
Revises: 0005
"""

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from alembic import op

from common.clock import DISTRICT_TZ

revision = "0006_checkin_partitions"
down_revision = "0005"
branch_labels = None
depends_on = None

MONTHS_AHEAD = 3  # the default of the setting checkin_partitions_ahead_months
INDEXES = {
    "ix_checkin_day": ("project_id", "person_id", "local_day"),
    "ix_checkin_device": ("device_id", "recorded_at"),
    "ix_checkin_person_time": ("person_id", "recorded_at"),
}
POSITIONS_KEPT = "ix_checkin_positions_kept"
HOLDS_A_POSITION = sa.text("lat IS NOT NULL")


def _next_month(month: date) -> date:
    return (month.replace(day=1) + timedelta(days=32)).replace(day=1)


def _months_to_make(connection) -> list[date]:
    months = set(connection.execute(sa.text(
        "SELECT DISTINCT CAST(date_trunc('month', local_day) AS date) FROM checkin")).scalars())
    month = datetime.now(DISTRICT_TZ).date().replace(day=1)
    for _ in range(MONTHS_AHEAD + 1):
        months.add(month)
        month = _next_month(month)
    return sorted(months)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.create_index(POSITIONS_KEPT, "checkin", ["local_day"], sqlite_where=HOLDS_A_POSITION)
        return
    connection = op.get_bind()
    months = _months_to_make(connection)
    op.execute("CREATE TABLE checkin_partitioned (LIKE checkin INCLUDING DEFAULTS) PARTITION BY RANGE (local_day)")
    op.execute("CREATE TABLE checkin_default PARTITION OF checkin_partitioned DEFAULT")
    for month in months:
        op.execute(f"CREATE TABLE checkin_{month:%Y_%m} PARTITION OF checkin_partitioned "
                   f"FOR VALUES FROM ('{month.isoformat()}') TO ('{_next_month(month).isoformat()}')")
    op.execute("INSERT INTO checkin_partitioned SELECT * FROM checkin")  # LIKE kept the columns' order
    op.execute("DROP TABLE checkin")
    op.execute("ALTER TABLE checkin_partitioned RENAME TO checkin")
    op.create_primary_key("checkin_pkey", "checkin", ["id", "local_day"])
    for name, columns in INDEXES.items():
        op.create_index(name, "checkin", list(columns))
    op.create_index(POSITIONS_KEPT, "checkin", ["local_day"], postgresql_where=HOLDS_A_POSITION)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.drop_index(POSITIONS_KEPT, table_name="checkin")
        return
    op.execute("CREATE TABLE checkin_plain (LIKE checkin INCLUDING DEFAULTS)")
    op.execute("INSERT INTO checkin_plain SELECT * FROM checkin")
    op.execute("DROP TABLE checkin")  # and its partitions
    op.execute("ALTER TABLE checkin_plain RENAME TO checkin")
    op.create_primary_key("checkin_pkey", "checkin", ["id"])
    op.create_unique_constraint("checkin_person_id_client_request_id_key", "checkin",
                                ["person_id", "client_request_id"])
    for name, columns in INDEXES.items():
        op.create_index(name, "checkin", list(columns))
