"""Every service's database is made by its own migrations, and what they make matches its models:
a model changed without a migration fails here, not in production at start."""

import importlib

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from common.database import engine_for, migrate
from common.registry_copy import registry_copy_metadata
from common.schema import infrastructure_metadata

SERVICES = ["workflow", "attendance", "complaints", "notification", "scoring"]


def _differences(connection, name: str, opts: dict | None = None) -> list:
    """What the service's migrated database and its models disagree on."""
    models = importlib.import_module(f"{name}.persistence.models")
    # The service's own models and the platform's shared tables (common.schema, and the
    # registry copy of common.registry_copy where the service keeps one) together.
    shared = [infrastructure_metadata]
    if "copy_unit" in sa.inspect(connection).get_table_names():
        shared.append(registry_copy_metadata)
    return compare_metadata(MigrationContext.configure(connection, opts=opts or {}), [models.Base.metadata, *shared])


@pytest.mark.parametrize("name", SERVICES)
def test_migrations_make_the_tables_of_the_models(tmp_path, name):
    service = importlib.import_module(f"{name}.service")
    url = f"sqlite:///{tmp_path / f'{name}.sqlite3'}"
    migrate(url, service.MIGRATIONS_DIR)
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        differences = _differences(connection, name)
    engine.dispose()
    assert [d for d in differences if not _same_floating_point(d)] == []


@pytest.mark.integration
def test_attendance_on_postgresql_differs_from_its_models_only_by_the_checkin_partitions(postgres_database):
    """On PostgreSQL the check-in table is partitioned by month (attendance 0006_checkin_partitions):
    its partitions are tables the models do not name, and the model's unique (person_id,
    client_request_id) is SQLite's only, since it cannot span the partitions (the primary key,
    which alembic does not compare, is (id, local_day) there). Exactly these two are let through;
    any other difference fails as on SQLite."""
    from attendance.persistence import partitions
    from attendance.service import MIGRATIONS_DIR

    url = postgres_database("attendance_models")
    migrate(url, MIGRATIONS_DIR)
    engine = engine_for(url)
    with engine.connect() as connection:
        found = partitions.partitions(connection)
        partition_tables = {*found.months.values(), partitions.DEFAULT_PARTITION}
        differences = _differences(connection, "attendance", opts={
            "include_name": lambda name, kind, _parents: not (kind == "table" and name in partition_tables)})
        primary_key = sa.inspect(connection).get_pk_constraint(partitions.TABLE)["constrained_columns"]
    engine.dispose()
    assert found.has_default and found.months
    assert primary_key == ["id", "local_day"]
    assert [d for d in differences if not _same_floating_point(d) and not _checkin_unique_key_of_sqlite(d)] == []
    assert [d for d in differences if _checkin_unique_key_of_sqlite(d)] != []  # indeed not made on PostgreSQL


def _checkin_unique_key_of_sqlite(difference) -> bool:
    if not (isinstance(difference, tuple) and difference[0] == "add_constraint"):
        return False
    constraint = difference[1]
    return isinstance(constraint, sa.UniqueConstraint) and constraint.table.name == "checkin" \
        and [column.name for column in constraint.columns] == ["person_id", "client_request_id"]


def _same_floating_point(difference) -> bool:
    """FLOAT and DOUBLE are the same column on SQLite and PostgreSQL (double precision both): the
    workflow's first photo columns were written with one and modelled with the other."""
    changes = difference if isinstance(difference, list) else [difference]
    return all(change[0] == "modify_type" and isinstance(change[-2], sa.Float) and isinstance(change[-1], sa.Float)
               for change in changes)
