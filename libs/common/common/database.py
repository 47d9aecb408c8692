"""Database access for a nameko service: engines, a session per worker, and migrations."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import eventlet.greenthread
import eventlet.semaphore
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from nameko.extensions import DependencyProvider
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from tenacity import before_sleep_log, retry, stop_after_delay, wait_exponential

from common.settings import database_url

logger = logging.getLogger(__name__)

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()
_psycopg_made_green = False


def _make_psycopg_green() -> None:
    """Under eventlet a blocking psycopg2 call would stall every worker of the service."""
    global _psycopg_made_green
    if _psycopg_made_green:
        return
    import eventlet.patcher

    if eventlet.patcher.is_monkey_patched("socket"):
        from psycogreen.eventlet import patch_psycopg

        patch_psycopg()
        _psycopg_made_green = True


def _enable_sqlite_concurrency(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # Only another process can hold the write lock now (see ProcessWriteLock), and rarely:
    # the demo seeding, a migration. sqlite3's busy handler stalls the whole eventlet hub,
    # so it waits briefly and the caller gets a clear error rather than a frozen service.
    cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


_SQLITE_BUSY_TIMEOUT_MS = 2000
_WRITE_STATEMENTS = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


class ProcessWriteLock:
    """One SQLite write transaction at a time in a process, queued as green threads (every
    service runs on eventlet).

    SQLite lets one connection write at a time and makes the others spin in its busy
    handler, C code that blocks the eventlet hub: two workers of one service writing at once
    froze the whole process for the busy timeout. Taking this (green) lock before the first
    write of a transaction and releasing it at commit or rollback turns that spin into an
    ordinary wait in line. Reads take no lock (WAL keeps them apart from the writer).
    """

    def __init__(self):
        self._lock = eventlet.semaphore.Semaphore()
        self._owner = None

    def install(self, engine: Engine) -> None:
        sa.event.listen(engine, "before_cursor_execute", self._before_execute)
        sa.event.listen(engine, "commit", self._end)
        sa.event.listen(engine, "rollback", self._end)
        sa.event.listen(engine.pool, "reset", self._end_on_reset)
        sa.event.listen(engine.pool, "checkin", self._end_on_checkin)

    def _before_execute(self, connection, _cursor, statement, *_args) -> None:
        info = connection.connection.info
        if info.get("holds_write_lock") or not statement.lstrip().upper().startswith(_WRITE_STATEMENTS):
            return
        me = _current_task()
        if self._owner is me:
            # The same green thread writing through a second connection would wait for
            # itself: say so at once instead of deadlocking.
            raise RuntimeError("a second write transaction was opened by the task that already holds one")
        self._lock.acquire()
        self._owner = me
        info["holds_write_lock"] = True

    def _end(self, connection) -> None:
        self._release(connection.connection.info)

    def _end_on_reset(self, _dbapi_connection, record, _reset_state) -> None:
        self._release(record.info)

    def _end_on_checkin(self, _dbapi_connection, record) -> None:
        if record is not None:
            self._release(record.info)

    def _release(self, info: dict) -> None:
        if info.pop("holds_write_lock", False):
            self._owner = None
            self._lock.release()


def _current_task():
    return eventlet.greenthread.getcurrent()


def normalise_url(url: str) -> str:
    """psycopg2 is the driver made green under eventlet; a plain ``postgresql://`` URL would
    pick another driver on SQLAlchemy 2.1."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg2://" + url.split("://", 1)[1]
    return url


def engine_for(url: str) -> Engine:
    """One engine (and pool) per database URL in a process."""
    url = normalise_url(url)
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            if url.startswith("postgresql"):
                _make_psycopg_green()
                engine = sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
            else:
                engine = sa.create_engine(url, connect_args={"check_same_thread": False,
                                                             "timeout": _SQLITE_BUSY_TIMEOUT_MS / 1000})
                sa.event.listen(engine, "connect", _enable_sqlite_concurrency)
                ProcessWriteLock().install(engine)
            _engines[url] = engine
        return engine


def dispose_engines() -> None:
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


@retry(
    wait=wait_exponential(multiplier=0.5, max=10),
    stop=stop_after_delay(120),
    before_sleep=before_sleep_log(logger, logging.WARNING),
    reraise=True,
)
def wait_for_database(url: str) -> None:
    with engine_for(url).connect() as connection:
        connection.execute(sa.text("SELECT 1"))


def migrate(url: str, migrations_dir: Path) -> None:
    """Bring a service's database to the newest revision of its Alembic migrations.

    On PostgreSQL an advisory lock keeps two instances starting together from migrating at
    the same time.
    """
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    engine = engine_for(url)
    with engine.connect() as connection:
        locked = connection.dialect.name == "postgresql"
        if locked:
            connection.execute(sa.text("SELECT pg_advisory_lock(hashtext(:key))"), {"key": str(migrations_dir)})
        try:
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")
            connection.commit()
        finally:
            if locked:
                connection.execute(sa.text("SELECT pg_advisory_unlock(hashtext(:key))"), {"key": str(migrations_dir)})
                connection.commit()


def run_migration_environment(service_metadata: sa.MetaData) -> None:
    """The body of every service's Alembic ``env.py``: migrate over the connection that
    :func:`migrate` hands in, or over ``sqlalchemy.url`` when Alembic is run by hand."""
    from alembic import context

    from common.schema import infrastructure_metadata

    def run(connection) -> None:
        context.configure(connection=connection, target_metadata=[service_metadata, infrastructure_metadata],
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()

    connection = context.config.attributes.get("connection")
    if connection is not None:
        run(connection)
    else:
        with sa.create_engine(normalise_url(context.config.get_main_option("sqlalchemy.url"))).begin() as own:
            run(own)


class UnitOfWork:
    """One worker's transaction. The service method calls :meth:`commit` itself before it
    returns, because nameko sends an RPC reply before dependency hooks run: a reply must never
    announce a change that could still fail to commit. Whatever is left uncommitted when the
    worker ends is rolled back."""

    def __init__(self, session: Session, on_events_committed):
        self.session = session
        self._on_events_committed = on_events_committed

    def commit(self) -> None:
        staged_events = self.session.info.pop("outbox_staged", False)
        self.session.commit()
        if staged_events:
            self._on_events_committed()

    def rollback(self) -> None:
        self.session.info.pop("outbox_staged", None)
        self.session.rollback()


class Database(DependencyProvider):
    """Gives each worker its own :class:`UnitOfWork`, closed at teardown, and owns the
    service's outbox relay, which it wakes after a commit that staged events."""

    def __init__(self, url: str | None = None):
        self._url = url
        self.engine: Engine | None = None
        self.units: dict = {}
        self.relay = None

    @property
    def url(self) -> str:
        return self._url or database_url(self.container.service_name)

    def setup(self) -> None:
        from common.outbox import OutboxRelay

        self.engine = engine_for(self.url)
        self._sessionmaker = sessionmaker(bind=self.engine, expire_on_commit=False)
        self.relay = OutboxRelay(self.engine, self.container.service_name, self.container.config)

    def start(self) -> None:
        self.container.spawn_managed_thread(self.relay.run_forever)

    def stop(self) -> None:
        self.relay.stop()

    def kill(self) -> None:
        self.relay.stop()

    def get_dependency(self, worker_ctx) -> UnitOfWork:
        unit = UnitOfWork(self._sessionmaker(), self.relay.wake)
        self.units[worker_ctx] = unit
        return unit

    def worker_teardown(self, worker_ctx) -> None:
        unit = self.units.pop(worker_ctx, None)
        if unit is not None:
            unit.rollback()
            unit.session.close()


def after_commit(session: Session, callback) -> None:
    """Run ``callback`` once the session's transaction commits, never if it rolls back: a metric of
    what was done counts only what was kept (a handler retried after a conflict counts once)."""
    session.info.setdefault("after_commit", []).append(callback)


@sa.event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    for callback in session.info.pop("after_commit", []):
        callback()


@sa.event.listens_for(Session, "after_soft_rollback")
def _forget_after_commit(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint within it
        session.info.pop("after_commit", None)


def dialect_insert(session: Session, table):
    """An INSERT of ``table`` in the session's dialect, for its ``on_conflict_do_nothing`` /
    ``on_conflict_do_update`` (PostgreSQL and SQLite spell them alike)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def execute_many(session: Session, statement, rows: list[dict]) -> None:
    """Run an INSERT (``ON CONFLICT …`` included) over ``rows`` as multi-row statements.

    SQLAlchemy batches an INSERT's rows into multi-row VALUES ("insertmanyvalues") only when it
    returns something or has no ``ON CONFLICT``; otherwise the driver sends it row by row, a round
    trip each (200 rows took 40 ms on PostgreSQL instead of 10). Returning the table's first key
    column makes every INSERT batch; what it returns is not needed. As one statement, ``ON CONFLICT
    DO UPDATE`` may not meet one key twice (PostgreSQL refuses): give each key once."""
    if rows:
        key = next(iter(statement.table.primary_key.columns))
        session.execute(statement.returning(key), rows).all()
