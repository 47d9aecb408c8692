"""The upkeep of the check-in table's monthly partitions on PostgreSQL (Art. 5, 26): at start and
daily, the current month's and the months ahead are made (check-ins that waited in the default
partition moved into theirs), the months past ``checkin_retention_months`` detached and dropped,
and what is left measured for the metrics. One instance at a time; each change commits on its own,
and one whose locks stay busy is left to the next upkeep. SQLite keeps one table: nothing to do."""

from __future__ import annotations

import logging
from datetime import date, datetime

import sqlalchemy as sa
from prometheus_client import Gauge
from sqlalchemy.engine import Connection

from attendance.domain.partitions import partition_plan
from attendance.domain.rules import AttendanceRules
from attendance.persistence import partitions
from attendance.usecases.common import Call
from common.clock import DISTRICT_TZ

logger = logging.getLogger(__name__)

# Labelled by table so that a service on SQLite (no partitions) exports no value, only the metric.
PARTITIONS = Gauge("supervision_checkin_partitions", "Monthly partitions of the check-in table (PostgreSQL)",
                   ["table"])
OLDEST_MONTH = Gauge("supervision_checkin_partition_oldest_month_timestamp_seconds",
                     "Start of the oldest month of check-ins kept (its partition), Unix time", ["table"])
COVERED_UNTIL = Gauge("supervision_checkin_partitions_covered_until_timestamp_seconds",
                      "End of the newest monthly partition, Unix time: later check-ins would wait in the default "
                      "partition; the upkeep keeps it months ahead", ["table"])
WAITING_ROWS = Gauge("supervision_checkin_default_partition_rows",
                     "Check-ins left in the default partition after the upkeep: their month has no partition "
                     "(moved into it when it is made)", ["table"])


def keep_checkin_partitions(call: Call) -> partitions.PartitionState | None:
    """Art. 5, 26: make the months due, drop the months past retention, measure; None on SQLite."""
    rules = call.rules()
    with call.session.get_bind().connect() as connection:
        if not partitions.is_partitioned(connection):
            return None
        connection.rollback()
        with partitions.upkeep_lock(connection) as ours:
            if ours:
                _keep(connection, call.now, rules)
        state = partitions.measure(connection)
        connection.rollback()
    _export(state)
    return state


def _keep(connection: Connection, now: datetime, rules: AttendanceRules) -> None:
    plan = partition_plan(now, partitions.partitions(connection).months, partitions.waiting_months(connection), rules)
    connection.rollback()
    for month in plan.create:
        try:
            moved = partitions.create_month(connection, month)
            connection.commit()
        except sa.exc.DBAPIError as error:
            _give_up_if_busy(connection, error, "made", month)
            continue
        logger.info("check-in partition made", extra={"partition": partitions.partition_name(month),
                                                      "month": f"{month:%Y-%m}", "moved_from_default": moved})
    for month in plan.drop:
        rows = partitions.estimated_rows(connection, partitions.partition_name(month))
        try:
            partitions.drop_month(connection, month)
            connection.commit()
        except sa.exc.DBAPIError as error:
            _give_up_if_busy(connection, error, "dropped", month)
            continue
        logger.info("check-in partition dropped: past retention",
                    extra={"partition": partitions.partition_name(month), "month": f"{month:%Y-%m}",
                           "rows_estimate": rows, "retention_months": rules.checkin_retention_months})
    deleted = partitions.drop_waiting_before(connection, plan.oldest_kept)
    connection.commit()
    if deleted:
        logger.info("check-ins past retention deleted from the default partition",
                    extra={"rows": deleted, "before": plan.oldest_kept.isoformat()})


def _give_up_if_busy(connection: Connection, error: sa.exc.DBAPIError, what: str, month: date) -> None:
    """A change whose locks stayed busy is rolled back and left to the next upkeep; any other
    error is raised."""
    connection.rollback()
    if not partitions.is_lock_timeout(error):
        raise error
    logger.warning(f"check-in partition not {what}: its locks stayed busy; the next upkeep tries again",
                   extra={"partition": partitions.partition_name(month), "lock_timeout": partitions.LOCK_TIMEOUT})


def _midnight(day: date) -> float:
    return datetime.combine(day, datetime.min.time(), DISTRICT_TZ).timestamp()


def _export(state: partitions.PartitionState) -> None:
    table = partitions.TABLE
    PARTITIONS.labels(table).set(state.count)
    WAITING_ROWS.labels(table).set(state.waiting_rows)
    if state.oldest is not None:
        OLDEST_MONTH.labels(table).set(_midnight(state.oldest))
        COVERED_UNTIL.labels(table).set(_midnight(partitions.next_month(state.newest)))
