"""The check-in table partitioned by month on the real PostgreSQL (issue 11, item 6): the migration
keeps the rows of the plain table; today's check-ins of a person and a project's month each read one
partition; the upkeep makes the months ahead (moving in a check-in that waited in the default
partition) and drops the months past retention whole, the other months kept; the downgrade gives
one plain table back with every row."""

from datetime import date, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from prometheus_client import REGISTRY
from sqlalchemy.orm import Session

from attendance.domain.rules import AttendanceRules
from attendance.persistence import partitions
from attendance.service import MIGRATIONS_DIR
from attendance.usecases import partitions as upkeep
from attendance.usecases.common import Call, checkin_times_by_person
from common.clock import DISTRICT_TZ
from common.database import engine_for, migrate
from common.principal import SYSTEM
from common.rule_settings import update_rules

pytestmark = pytest.mark.integration

NOW = datetime(2030, 3, 10, 9, 0, tzinfo=DISTRICT_TZ)
# Kept a year after their month ended: at NOW, March 2029 is the oldest month kept.
RETENTION_MONTHS = 12
BEFORE_PARTITIONING = {"old": "2028-12-05", "oldest-kept": "2029-03-31", "autumn": "2029-11-02",
                       "today-pm": "2030-03-10", "early-pm": "2030-03-02", "today-other": "2030-03-10"}


def insert_checkin(connection, checkin_id: str, day: str, person_id: str = "pm") -> None:
    connection.execute(sa.text(
        "INSERT INTO checkin (id, project_id, person_id, client_request_id, recorded_at, local_day, outcome, flags, "
        "lat, lng, accuracy_m, device_id, client_time) VALUES (:id, 'p1', :person, :id, :at, :day, 'accepted', '[]', "
        "30.0, 120.8, 5, 'phone', :at)"), {"id": checkin_id, "person": person_id, "day": day, "at": f"{day}T01:00:00Z"})


def rows_by_partition(engine) -> dict[str, str]:
    with engine.connect() as connection:
        return dict(connection.execute(sa.text("SELECT id, CAST(tableoid::regclass AS text) FROM checkin")).all())


@pytest.fixture(scope="module")
def database(postgres_database):
    url = postgres_database("attendance_partitions")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, "0005")  # the plain table, as a platform of before has it
    engine = engine_for(url)
    with engine.begin() as connection:
        for checkin_id, day in BEFORE_PARTITIONING.items():
            insert_checkin(connection, checkin_id, day, "other" if checkin_id == "today-other" else "pm")
    migrate(url, MIGRATIONS_DIR)
    yield config, engine
    engine.dispose()


def test_the_migration_partitions_the_table_by_month_and_keeps_every_row(database):
    _, engine = database
    with engine.connect() as connection:
        assert partitions.is_partitioned(connection)
        found = partitions.partitions(connection)
        primary_key = sa.inspect(connection).get_pk_constraint("checkin")["constrained_columns"]
    assert found.has_default
    assert {date(2028, 12, 1), date(2029, 3, 1), date(2029, 11, 1), date(2030, 3, 1)} <= set(found.months)
    assert primary_key == ["id", "local_day"]
    assert rows_by_partition(engine) == {
        "old": "checkin_2028_12", "oldest-kept": "checkin_2029_03", "autumn": "checkin_2029_11",
        "today-pm": "checkin_2030_03", "early-pm": "checkin_2030_03", "today-other": "checkin_2030_03"}


def scanned_tables(plan: dict) -> set[str]:
    found = {plan["Relation Name"]} if "Relation Name" in plan else set()
    for child in plan.get("Plans", []):
        found |= scanned_tables(child)
    return found


def explained(engine, read) -> set[str]:
    """The tables the statements of ``read(session)`` scan, by PostgreSQL's own plan of each."""
    statements = []

    def capture(_connection, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        with Session(engine) as session:
            read(session)
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    assert len(statements) == 1
    with engine.connect() as connection:
        statement, parameters = statements[0]
        plan = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters).scalar_one()
    return scanned_tables(plan[0]["Plan"])


def test_todays_checkins_of_a_person_and_a_projects_month_each_read_one_partition(database):
    _, engine = database
    today = NOW.date()
    assert explained(engine, lambda session: checkin_times_by_person(session, "p1", today, today, "pm")) \
        == {"checkin_2030_03"}
    assert explained(engine, lambda session: checkin_times_by_person(
        session, "p1", date(2030, 3, 1), date(2030, 3, 31))) == {"checkin_2030_03"}
    with Session(engine) as session:
        assert len(checkin_times_by_person(session, "p1", today, today, "pm")["pm"]) == 1
        assert {person: len(times) for person, times in checkin_times_by_person(
            session, "p1", date(2030, 3, 1), date(2030, 3, 31)).items()} == {"pm": 2, "other": 1}


def test_the_upkeep_makes_the_months_ahead_and_drops_the_months_past_retention(database):
    _, engine = database
    with engine.begin() as connection:
        insert_checkin(connection, "in-may", "2030-05-04")  # no partition for May yet: the default takes it
    assert rows_by_partition(engine)["in-may"] == partitions.DEFAULT_PARTITION
    with Session(engine) as session:
        update_rules(session, AttendanceRules, {"checkin_retention_months": RETENTION_MONTHS}, principal=SYSTEM,
                     at=NOW)
        session.commit()
        state = upkeep.keep_checkin_partitions(Call(session, NOW, SYSTEM))
    with engine.connect() as connection:
        months = set(partitions.partitions(connection).months)
        dropped_table = connection.execute(sa.text("SELECT to_regclass('checkin_2028_12')")).scalar()
    assert {date(2030, 3, 1), date(2030, 4, 1), date(2030, 5, 1), date(2030, 6, 1)} <= months
    assert min(months) == date(2029, 3, 1) and dropped_table is None
    assert rows_by_partition(engine) == {
        "oldest-kept": "checkin_2029_03", "autumn": "checkin_2029_11", "today-pm": "checkin_2030_03",
        "early-pm": "checkin_2030_03", "today-other": "checkin_2030_03", "in-may": "checkin_2030_05"}
    assert (state.count, state.oldest, state.newest, state.waiting_rows) == (
        len(months), date(2029, 3, 1), date(2030, 6, 1), 0)
    assert REGISTRY.get_sample_value("supervision_checkin_partitions", {"table": "checkin"}) == len(months)
    assert REGISTRY.get_sample_value("supervision_checkin_default_partition_rows", {"table": "checkin"}) == 0
    # A second upkeep on the same day finds nothing to do.
    with Session(engine) as session:
        assert upkeep.keep_checkin_partitions(Call(session, NOW, SYSTEM)) == state


def test_the_downgrade_gives_one_plain_table_with_every_row(database):
    config, engine = database
    kept = rows_by_partition(engine)
    command.downgrade(config, "0005")
    with engine.connect() as connection:
        assert not partitions.is_partitioned(connection)
        unique = sa.inspect(connection).get_unique_constraints("checkin")
    assert rows_by_partition(engine) == {checkin_id: "checkin" for checkin_id in kept}
    assert [constraint["column_names"] for constraint in unique] == [["person_id", "client_request_id"]]
