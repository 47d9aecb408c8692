"""The check-in table's monthly partitions on PostgreSQL: which there are, making a month's (the
check-ins of that month waiting in the default partition moved into it), detaching and dropping a
month's, and what the metrics show of them. SQLite keeps one plain table: nothing here runs on it.

Migration ``0006_checkin_partitions`` made ``checkin`` a table partitioned by range of
``local_day``, one partition per calendar month (``checkin_2027_05``) and a default partition
(``checkin_default``) that takes a check-in whose month has no partition yet, so that a batch of
check-ins never fails for want of one; the upkeep moves such check-ins into their month's
partition when it makes it.

Each change is meant for a short transaction of its own (the caller commits it) that waits at most
``LOCK_TIMEOUT`` for its locks and gives up rather than stall the check-ins queued behind it (the
next upkeep tries again). A month is made as
a table of its own, then attached: attaching locks the parent only against other schema changes
(SHARE UPDATE EXCLUSIVE) and the default partition while it checks it, where ``CREATE TABLE …
PARTITION OF`` would lock out every check-in. Detaching cannot be CONCURRENTLY while a default
partition exists (PostgreSQL refuses it), so it locks the parent for the moment it takes — once a
month, under the lock timeout.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

TABLE = "checkin"
DEFAULT_PARTITION = "checkin_default"
LOCK_TIMEOUT = "2s"
# The advisory lock that lets one attendance instance keep the partitions at a time (an arbitrary,
# fixed key): two would make or drop the same month at once.
UPKEEP_LOCK = 0x0C4E_C1A0_0006
_BOUNDS = re.compile(r"FOR VALUES FROM \('(\d{4}-\d{2}-\d{2})'\) TO \('(\d{4}-\d{2}-\d{2})'\)")


def partition_name(month: date) -> str:
    return f"{TABLE}_{month:%Y_%m}"


def next_month(month: date) -> date:
    return (month.replace(day=1) + timedelta(days=32)).replace(day=1)


def is_partitioned(connection: Connection) -> bool:
    """True on PostgreSQL once the migration made ``checkin`` a partitioned table."""
    if connection.dialect.name != "postgresql":
        return False
    return bool(connection.execute(sa.text("SELECT relkind = 'p' FROM pg_class WHERE oid = to_regclass(:table)"),
                                   {"table": TABLE}).scalar())


@dataclass(frozen=True)
class Partitions:
    months: dict[date, str]  # a month's first day → its partition; a partition of other bounds is not listed
    has_default: bool


def partitions(connection: Connection) -> Partitions:
    rows = connection.execute(sa.text(
        "SELECT child.relname, pg_get_expr(child.relpartbound, child.oid) FROM pg_inherits "
        "JOIN pg_class AS child ON child.oid = pg_inherits.inhrelid "
        "WHERE pg_inherits.inhparent = CAST(:table AS regclass)"), {"table": TABLE}).all()
    months, has_default = {}, False
    for name, bound in rows:
        if bound == "DEFAULT":
            has_default = True
            continue
        match = _BOUNDS.fullmatch(bound)
        if match is None:
            continue
        start, end = date.fromisoformat(match[1]), date.fromisoformat(match[2])
        if start.day == 1 and end == next_month(start):
            months[start] = name
    return Partitions(months, has_default)


def waiting_months(connection: Connection) -> list[date]:
    """The months of the check-ins waiting in the default partition."""
    if not partitions(connection).has_default:
        return []
    return list(connection.execute(sa.text(
        f"SELECT DISTINCT CAST(date_trunc('month', local_day) AS date) FROM {DEFAULT_PARTITION}")).scalars())  # noqa: S608 - a constant name


def _columns(connection: Connection) -> str:
    names = connection.execute(sa.text(
        "SELECT attname FROM pg_attribute WHERE attrelid = CAST(:table AS regclass) AND attnum > 0 "
        "AND NOT attisdropped ORDER BY attnum"), {"table": TABLE}).scalars()
    return ", ".join(f'"{name}"' for name in names)


def _wait_briefly_for_locks(connection: Connection) -> None:
    connection.execute(sa.text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))


def create_month(connection: Connection, month: date) -> int:
    """Make ``month``'s partition, with the month's check-ins that waited in the default partition
    moved into it; answers how many moved. The names and bounds written into the statements are
    made of dates, never of input."""
    name, end = partition_name(month), next_month(month)
    _wait_briefly_for_locks(connection)
    connection.execute(sa.text(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"))
    moved = 0
    if partitions(connection).has_default:
        columns = _columns(connection)
        moved = connection.execute(sa.text(
            f"WITH moved AS (DELETE FROM {DEFAULT_PARTITION} WHERE local_day >= :start AND local_day < :end "  # noqa: S608
            f"RETURNING {columns}) INSERT INTO {name} ({columns}) SELECT {columns} FROM moved"),
            {"start": month, "end": end}).rowcount
    connection.execute(sa.text(
        f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES FROM ('{month.isoformat()}') TO "
        f"('{end.isoformat()}')"))
    return moved


def estimated_rows(connection: Connection, name: str) -> int:
    """PostgreSQL's estimate of a table's rows (counting a month of a province would read it all)."""
    return max(0, int(connection.execute(sa.text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:name)"),
                                         {"name": name}).scalar() or 0))


def drop_month(connection: Connection, month: date) -> None:
    """Detach ``month``'s partition and drop it: its check-ins go at once."""
    name = partition_name(month)
    _wait_briefly_for_locks(connection)
    connection.execute(sa.text(f"ALTER TABLE {TABLE} DETACH PARTITION {name}"))
    connection.execute(sa.text(f"DROP TABLE {name}"))


def drop_waiting_before(connection: Connection, month: date) -> int:
    """Delete the check-ins waiting in the default partition from before ``month`` (past retention,
    and no partition will take them): a few rows of a clock moved back, never a month's."""
    if not partitions(connection).has_default:
        return 0
    return connection.execute(sa.text(f"DELETE FROM {DEFAULT_PARTITION} WHERE local_day < :month"),  # noqa: S608
                              {"month": month}).rowcount


def is_lock_timeout(error: sa.exc.DBAPIError) -> bool:
    return getattr(error.orig, "pgcode", None) == "55P03"  # lock_not_available


@contextmanager
def upkeep_lock(connection: Connection) -> Iterator[bool]:
    """Whether this instance keeps the partitions now (a session advisory lock, held for the block)."""
    taken = bool(connection.execute(sa.select(sa.func.pg_try_advisory_lock(UPKEEP_LOCK))).scalar())
    connection.commit()
    try:
        yield taken
    finally:
        if taken:
            connection.execute(sa.select(sa.func.pg_advisory_unlock(UPKEEP_LOCK)))
            connection.commit()


@dataclass(frozen=True)
class PartitionState:
    count: int
    oldest: date | None
    newest: date | None
    waiting_rows: int  # check-ins in the default partition


def measure(connection: Connection) -> PartitionState:
    found = partitions(connection)
    waiting = 0
    if found.has_default:
        waiting = connection.execute(sa.text(f"SELECT count(*) FROM {DEFAULT_PARTITION}")).scalar_one()  # noqa: S608
    return PartitionState(len(found.months), min(found.months, default=None), max(found.months, default=None),
                          waiting)
