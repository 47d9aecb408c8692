from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from common.schema import (
    UtcDateTime,
    audit_entry,
    create_infrastructure_tables,
    drop_infrastructure_tables,
    infrastructure_metadata,
)


class FakeOp:
    """What create_infrastructure_tables uses of alembic's ``op``."""

    def __init__(self, connection):
        self.connection = connection
        self.executed: list[str] = []

    def get_bind(self):
        return self.connection

    def execute(self, sql):
        self.executed.append(sql)
        self.connection.execute(sa.text(sql))


_moments = sa.Table(
    "moment",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UtcDateTime(), nullable=True),
)


@pytest.fixture
def moments_engine(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'moments.sqlite3'}")
    _moments.metadata.create_all(engine)
    yield engine
    engine.dispose()


def test_utc_datetime_round_trips_aware_times_as_utc(moments_engine):
    local = datetime(2026, 3, 2, 0, 30, 15, 123456, tzinfo=timezone(timedelta(hours=8)))
    with moments_engine.begin() as connection:
        connection.execute(sa.insert(_moments).values(id=1, at=local))
        connection.execute(sa.insert(_moments).values(id=2, at=None))
    with moments_engine.connect() as connection:
        rows = dict(connection.execute(sa.select(_moments.c.id, _moments.c.at)).all())
    assert rows[1] == datetime(2026, 3, 1, 16, 30, 15, 123456, tzinfo=UTC)
    assert rows[1].utcoffset() == timedelta(0)
    assert rows[2] is None


def test_utc_datetime_stores_utc_on_sqlite(moments_engine):
    with moments_engine.begin() as connection:
        local = datetime(2026, 3, 2, 0, 30, tzinfo=timezone(timedelta(hours=8)))
        connection.execute(sa.insert(_moments).values(id=1, at=local))
    with moments_engine.connect() as connection:
        raw = connection.exec_driver_sql("SELECT at FROM moment WHERE id = 1").scalar_one()
    assert raw.startswith("2026-03-01 16:30:00")


def test_utc_datetime_refuses_naive_on_bind(moments_engine):
    with moments_engine.begin() as connection, pytest.raises(sa.exc.StatementError, match="UTC offset"):
        connection.execute(sa.insert(_moments).values(id=1, at=datetime(2026, 3, 1, 16, 30)))
    with moments_engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(_moments)).scalar_one() == 0


def _add_audit_entry(connection) -> None:
    connection.execute(
        sa.insert(audit_entry).values(
            occurred_at=datetime(2026, 3, 1, tzinfo=UTC), principal_id="u1", portal="zzd",
            action="thing.changed", entity_type="thing", entity_id="t1", before={"a": 1}, after={"a": 2},
        )
    )


def _assert_audit_entry_is_append_only(engine) -> None:
    with engine.begin() as connection:
        _add_audit_entry(connection)
    with engine.begin() as connection, pytest.raises(sa.exc.DBAPIError, match="append-only"):
        connection.execute(sa.update(audit_entry).values(action="forged"))
    with engine.begin() as connection, pytest.raises(sa.exc.DBAPIError, match="append-only"):
        connection.execute(sa.delete(audit_entry))
    with engine.connect() as connection:
        rows = connection.execute(sa.select(audit_entry.c.action)).scalars().all()
    assert rows == ["thing.changed"]
    # Appending still works.
    with engine.begin() as connection:
        _add_audit_entry(connection)
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(audit_entry)).scalar_one() == 2


def test_create_infrastructure_tables_makes_the_audit_trail_append_only_on_sqlite(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'infra.sqlite3'}")
    try:
        with engine.begin() as connection:
            op = FakeOp(connection)
            create_infrastructure_tables(op)
        assert len(op.executed) == 2
        # the first revision's tables; the dead-letter table comes with its own migration
        later_tables = {"dead_letter", "rpc_request"}
        assert set(sa.inspect(engine).get_table_names()) == set(infrastructure_metadata.tables) - later_tables
        _assert_audit_entry_is_append_only(engine)
    finally:
        engine.dispose()


def test_drop_infrastructure_tables_removes_them_on_sqlite(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'infra.sqlite3'}")
    try:
        with engine.begin() as connection:
            create_infrastructure_tables(FakeOp(connection))
        with engine.begin() as connection:
            drop_infrastructure_tables(FakeOp(connection))
        assert sa.inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


@pytest.mark.integration
def test_create_infrastructure_tables_makes_the_audit_trail_append_only_on_postgresql(postgres_database):
    engine = sa.create_engine(postgres_database("schema"))
    try:
        with engine.begin() as connection:
            op = FakeOp(connection)
            create_infrastructure_tables(op)
        assert len(op.executed) == 1
        later_tables = {"dead_letter", "rpc_request"}
        assert set(infrastructure_metadata.tables) - later_tables <= set(sa.inspect(engine).get_table_names())
        _assert_audit_entry_is_append_only(engine)
        # UtcDateTime reads back aware UTC times on PostgreSQL too.
        with engine.connect() as connection:
            occurred_at = connection.execute(sa.select(audit_entry.c.occurred_at).limit(1)).scalar_one()
        assert occurred_at == datetime(2026, 3, 1, tzinfo=UTC)
        assert occurred_at.utcoffset() == timedelta(0)
        with engine.begin() as connection:
            drop_infrastructure_tables(FakeOp(connection))
        assert not set(infrastructure_metadata.tables) & set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
