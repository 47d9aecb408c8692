from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from common.database import UnitOfWork, engine_for
from common.events import UnitRegistered
from common.outbox import stage_event
from common.schema import outbox_message, platform_clock

T0 = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)


def _event() -> UnitRegistered:
    return UnitRegistered(occurred_at=T0, unit_id="u1", kind="construction", name="Build Co.")


def _count(engine, table) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_commit_with_staged_events_commits_and_calls_back(engine):
    calls = []
    with Session(engine) as session:
        unit = UnitOfWork(session, lambda: calls.append(_count(engine, outbox_message)))
        stage_event(unit.session, _event())
        unit.commit()
        assert "outbox_staged" not in session.info
    # The callback ran after the commit: it already saw the row.
    assert calls == [1]
    assert _count(engine, outbox_message) == 1


def test_commit_without_events_commits_without_calling_back(engine):
    calls = []
    with Session(engine) as session:
        unit = UnitOfWork(session, lambda: calls.append("woken"))
        session.execute(sa.insert(platform_clock).values(id=1, now=T0))
        unit.commit()
    assert calls == []
    assert _count(engine, platform_clock) == 1


def test_the_callback_is_called_once_per_commit_that_staged(engine):
    calls = []
    with Session(engine) as session:
        unit = UnitOfWork(session, lambda: calls.append("woken"))
        stage_event(session, _event())
        unit.commit()
        unit.commit()
        stage_event(session, _event())
        unit.commit()
    assert calls == ["woken", "woken"]
    assert _count(engine, outbox_message) == 2


def test_rollback_clears_the_flag_and_the_rows(engine):
    calls = []
    with Session(engine) as session:
        unit = UnitOfWork(session, lambda: calls.append("woken"))
        stage_event(session, _event())
        unit.rollback()
        assert "outbox_staged" not in session.info
        unit.commit()
    assert calls == []
    assert _count(engine, outbox_message) == 0


def test_engine_for_returns_one_engine_per_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'one.sqlite3'}"
    other_url = f"sqlite:///{tmp_path / 'two.sqlite3'}"
    engine = engine_for(url)
    try:
        assert engine_for(url) is engine
        assert engine_for(other_url) is not engine
        assert str(engine.url) == url
    finally:
        engine.dispose()
        engine_for(other_url).dispose()


def test_engine_for_sqlite_enables_wal_and_foreign_keys(tmp_path):
    engine = engine_for(f"sqlite:///{tmp_path / 'pragmas.sqlite3'}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 2000
    finally:
        engine.dispose()


def test_after_commit_runs_once_kept_and_never_after_a_rollback(session):
    from common.database import after_commit

    ran = []
    session.execute(sa.text("SELECT 1"))  # as in a use case: registered inside a transaction
    after_commit(session, lambda: ran.append("first"))
    session.rollback()
    session.commit()
    assert ran == []
    after_commit(session, lambda: ran.append("second"))
    session.commit()
    session.commit()
    assert ran == ["second"]


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_execute_many_sends_an_upsert_of_many_rows_as_one_statement(dialect, tmp_path, postgres_database):
    from common.database import dialect_insert, execute_many

    url = f"sqlite:///{tmp_path}/many.db" if dialect == "sqlite" else postgres_database("execute_many")
    engine = engine_for(url)
    metadata = sa.MetaData()
    table = sa.Table("latest", metadata, sa.Column("key", sa.String(10), primary_key=True),
                     sa.Column("value", sa.Integer, nullable=False))
    metadata.create_all(engine)
    statements = []
    sa.event.listen(engine, "before_cursor_execute",
                    lambda connection, cursor, statement, *rest: statements.append(statement))
    with Session(engine) as session:
        execute_many(session, dialect_insert(session, table).on_conflict_do_nothing(),
                     [{"key": f"k{index}", "value": index} for index in range(300)])
        upsert = dialect_insert(session, table)
        execute_many(session, upsert.on_conflict_do_update(
            index_elements=["key"], set_={"value": upsert.excluded.value}, where=table.c.value < upsert.excluded.value),
            [{"key": f"k{index}", "value": index + (index % 2)} for index in range(300)])
        execute_many(session, upsert.on_conflict_do_nothing(), [])
        session.commit()
        # One statement each, with every row in it (not the driver's row-by-row executemany, which
        # the event sees once too), nothing for no rows.
        assert len(statements) == 2 and all(statement.count("), (") == 299 for statement in statements)
        assert session.execute(sa.select(sa.func.count(), sa.func.sum(table.c.value))).one() == (300, 44850 + 150)
    engine.dispose()
