"""The platform's deadline engine (common.deadline_engine) as a service without projects uses it
(cases escalated when a step's time limit passes): its tables made by the migration helper,
deadlines started once, held and released, extended, closed, swept in batches and in catch-up
steps, each rung fired once — also with two sweepers on PostgreSQL."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy.orm import DeclarativeBase, Session

from common.deadline_engine import (
    DeadlineColumns,
    DeadlineEngine,
    DeadlineHoldColumns,
    DeadlineRungFiredColumns,
    FiredRung,
    create_deadline_tables,
    drop_deadline_tables,
)
from common.deadlines import DeadlineRule, Rung, days

START = datetime(2027, 3, 1, 1, 0, tzinfo=UTC)
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)


class Base(DeclarativeBase):
    pass


class Deadline(DeadlineColumns, Base):
    pass


class DeadlineHold(DeadlineHoldColumns, Base):
    pass


class DeadlineRungFired(DeadlineRungFiredColumns, Base):
    pass


@dataclass(frozen=True)
class CaseRule(DeadlineRule):
    level: int  # the level of the four-level chain that must act


def case_rules(level_days: int = 3) -> dict[str, CaseRule]:
    rules = [CaseRule(f"case.accept.level{level}", "Art. 11", f"the case is not accepted at level {level}",
                      (Rung("reminder", days(level_days - 1)), Rung("escalation", days(level_days))), level=level)
             for level in (1, 2, 3, 4)]
    return {rule.rule_id: rule for rule in rules}


def make_tables(bind) -> None:
    """As a service's migration makes them."""
    with bind.begin() as connection:
        create_deadline_tables(Operations(MigrationContext.configure(connection)))


class Announced:
    """An ``on_rungs_fired`` that remembers what fired."""

    def __init__(self):
        self.fired: list[FiredRung] = []
        self.subjects: list[tuple[str, str]] = []  # (subject id, rung)
        self.lock = threading.Lock()

    def __call__(self, session: Session, fired: list[FiredRung]) -> None:
        with self.lock:
            self.fired.extend(fired)
            self.subjects.extend((one.deadline.subject_id, one.rung.name) for one in fired)

    def names(self) -> list[tuple[str, str]]:
        return list(self.subjects)


@pytest.fixture
def database(tmp_path):
    bind = sa.create_engine(f"sqlite:///{tmp_path / 'cases.sqlite3'}")
    make_tables(bind)
    yield bind
    bind.dispose()


@pytest.fixture
def session(database):
    with Session(database, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def engine():
    return DeadlineEngine(Deadline, DeadlineHold, DeadlineRungFired, catalogue=lambda session: case_rules())


def start_case(engine: DeadlineEngine, session: Session, case_id: str, level: int = 1, at: datetime = START,
               **options) -> Deadline:
    return engine.start(session, rule_id=f"case.accept.level{level}", subject_type="case", subject_id=case_id,
                        started_at=at, **options)


def test_the_migration_helper_makes_the_tables_the_mixins_declare(database):
    with database.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    with database.begin() as connection:
        drop_deadline_tables(Operations(MigrationContext.configure(connection)))
    assert sa.inspect(database).get_table_names() == []


def test_a_deadline_without_a_project_starts_once_fires_each_rung_once_and_hands_the_rule(engine, session):
    deadline = start_case(engine, session, "c1")
    assert deadline.project_id is None and deadline.next_due_at == START + 2 * DAY
    assert start_case(engine, session, "c1", at=START + DAY) is deadline  # once per rule and subject
    session.commit()
    announced = Announced()
    assert engine.sweep(session, START + 2 * DAY - SECOND, announced) == 0
    assert engine.sweep(session, START + 2 * DAY, announced) == 1
    assert engine.sweep(session, START + 2 * DAY + 5 * SECOND, announced) == 0
    assert deadline.next_due_at == START + 3 * DAY
    assert engine.sweep(session, START + 30 * DAY, announced) == 1
    assert engine.sweep(session, START + 31 * DAY, announced) == 0
    session.commit()
    assert announced.names() == [("c1", "reminder"), ("c1", "escalation")]
    escalation = announced.fired[1]
    assert isinstance(escalation.rule, CaseRule) and escalation.rule.level == 1
    assert (escalation.due_at, escalation.fired_at) == (START + 3 * DAY, START + 30 * DAY)
    assert engine.fired_rungs(session, [deadline.id])[deadline.id] == {"reminder", "escalation"}
    assert deadline.status == "open" and deadline.next_due_at is None  # every rung fired; the service closes it


def test_an_unknown_rule_starts_nothing(engine, session):
    with pytest.raises(KeyError, match=r"case\.unknown"):
        engine.start(session, rule_id="case.unknown", subject_type="case", subject_id="c1", started_at=START)


def test_a_hold_stops_the_clock_and_a_release_moves_the_due_times_by_the_hold(engine, session):
    deadline = start_case(engine, session, "c1")
    assert engine.hold(session, "case", "c1", "case.accept.level1", START + DAY) == 1
    assert engine.hold(session, "case", "c1", "case.accept.level1", START + DAY + SECOND) == 0  # already held
    assert deadline.next_due_at is None
    announced = Announced()
    assert engine.sweep(session, START + 60 * DAY, announced) == 0  # nothing runs while held
    assert engine.release(session, "case", "c1", "case.accept.level1", START + 5 * DAY) == 1
    assert deadline.next_due_at == START + 6 * DAY  # two days left of three, after four days held
    assert engine.holds(session, [deadline.id])[deadline.id] == [(START + DAY, START + 5 * DAY)]
    assert engine.sweep(session, START + 7 * DAY - SECOND, announced) == 1  # the reminder at day 6
    assert engine.sweep(session, START + 7 * DAY, announced) == 1
    assert announced.names() == [("c1", "reminder"), ("c1", "escalation")]


def test_an_extension_moves_every_rung_and_a_closed_deadline_never_fires(engine, session):
    extended = start_case(engine, session, "c1")
    closed = start_case(engine, session, "c2")
    other_rule = start_case(engine, session, "c2", level=2)
    engine.extend(session, "case", "c1", 4)
    assert extended.next_due_at == START + 6 * DAY
    assert engine.close(session, "case", "c2", START + DAY, rule_id="case.accept.level1") == 1
    assert engine.close(session, "case", "c2", START + DAY, rule_id="case.accept.level1") == 0
    assert (closed.status, closed.closed_at, closed.next_due_at) == ("satisfied", START + DAY, None)
    assert other_rule.status == "open"
    announced = Announced()
    assert engine.sweep(session, START + 6 * DAY - SECOND, announced) == 2
    assert announced.names() == [("c2", "reminder"), ("c2", "escalation")]
    assert [d.rule_id for d in engine.open_deadlines(session, "case", "c2")] == ["case.accept.level2"]


def test_the_service_pauses_and_a_reschedule_of_its_project(session):
    """A service's own pauses (the workflow: its project's suspensions) come beside the holds."""
    suspensions: dict[str, list] = {"p1": []}
    engine = DeadlineEngine(Deadline, DeadlineHold, DeadlineRungFired, catalogue=case_rules(),
                            pauses_for=lambda session, deadlines: {
                                d.id: suspensions.get(d.project_id, []) for d in deadlines})
    on_project = start_case(engine, session, "c1", project_id="p1")
    without = start_case(engine, session, "c2")
    suspensions["p1"].append((START + DAY, START + 3 * DAY))
    engine.reschedule(session, project_id="p1")
    assert (on_project.next_due_at, without.next_due_at) == (START + 4 * DAY, START + 2 * DAY)
    engine.hold(session, "case", "c1", "case.accept.level1", START + 2 * DAY)  # within the pause: counts once
    engine.release(session, "case", "c1", "case.accept.level1", START + 4 * DAY)
    assert on_project.next_due_at == START + 5 * DAY


def test_a_fired_rung_may_escalate_the_case_in_the_same_transaction(engine, session):
    def escalate(session: Session, fired: list[FiredRung]) -> None:
        for one in fired:
            if one.rung.name == "escalation" and one.rule.level < 4:
                subject = one.deadline.subject_id
                engine.close(session, "case", subject, one.fired_at, status="escalated", rule_id=one.rule.rule_id)
                start_case(engine, session, subject, level=one.rule.level + 1, at=one.due_at)

    first = start_case(engine, session, "c1")
    assert engine.sweep(session, START + 3 * DAY, escalate) == 2
    session.commit()
    assert first.status == "escalated"
    [second] = engine.open_deadlines(session, "case", "c1")
    assert (second.rule_id, second.started_at, second.next_due_at) == (
        "case.accept.level2", START + 3 * DAY, START + 5 * DAY)
    assert engine.sweep(session, START + 12 * DAY, escalate) == 6  # levels 2, 3, 4, one batch after another
    assert [d.rule_id for d in engine.open_deadlines(session, "case", "c1")] == ["case.accept.level4"]


def test_a_catch_up_works_one_batch_a_step_until_nothing_is_due(session):
    engine = DeadlineEngine(Deadline, DeadlineHold, DeadlineRungFired, catalogue=case_rules(), batch_size=3)
    for number in range(7):
        start_case(engine, session, f"c{number}")
    start_case(engine, session, "later", at=START + 9 * DAY)
    session.commit()
    announced = Announced()
    now = START + 2 * DAY
    steps = []
    while not engine.caught_up(session, now):
        steps.append(engine.catch_up_step(session, now, announced))
        session.commit()
    assert steps == [False, False, True]
    assert len(announced.fired) == 7 and engine.anything_due(session, START + 3 * DAY)


# --- PostgreSQL: two sweepers ---------------------------------------------------------------------


def _due_cases(bind, due: int, later: int) -> None:
    with Session(bind) as session:
        session.execute(sa.insert(Deadline), [
            {"id": f"d{number:05d}", "rule_id": "case.accept.level1", "project_id": None, "subject_type": "case",
             "subject_id": f"c{number}", "started_at": START, "extension_days": 0, "status": "open",
             "next_due_at": START + (3 * DAY if number < due else 30 * DAY)}
            for number in range(due + later)])
        session.commit()


@pytest.mark.integration
def test_two_sweepers_on_postgresql_fire_each_rung_once(postgres_database):
    bind = sa.create_engine(postgres_database("deadline_engine"))
    make_tables(bind)
    _due_cases(bind, 2500, 500)
    engine = DeadlineEngine(Deadline, DeadlineHold, DeadlineRungFired, catalogue=case_rules(), batch_size=500)
    announced = Announced()
    counts = []
    ready = threading.Barrier(2)

    def sweeper():
        with Session(bind) as session:
            ready.wait()
            counts.append(engine.sweep(session, START + 3 * DAY, announced))
            session.commit()

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    with Session(bind) as session:
        rows = session.execute(sa.select(sa.func.count()).select_from(DeadlineRungFired)).scalar_one()
    names = announced.names()
    assert len(counts) == 2  # neither sweeper failed (a rung fired twice is refused by the primary key)
    assert sum(counts) == rows == len(names) == len(set(names)) == 2 * 2500  # reminder and escalation, once each
    bind.dispose()


@pytest.mark.integration
def test_a_sweeper_skips_the_rows_another_holds_on_postgresql(postgres_database):
    """SKIP LOCKED: while one sweeper's transaction is open, another takes none of its rows and
    does not wait for it; after its commit nothing is left to fire."""
    bind = sa.create_engine(postgres_database("deadline_engine_locks"))
    make_tables(bind)
    _due_cases(bind, 20, 0)
    engine = DeadlineEngine(Deadline, DeadlineHold, DeadlineRungFired, catalogue=case_rules())
    first, second = Announced(), Announced()
    with Session(bind) as holding, Session(bind) as other:
        assert engine.sweep(holding, START + 3 * DAY, first) == 40
        other.execute(sa.text("SET lock_timeout = '3s'"))  # a sweeper that waited would fail, not hang
        began = time.monotonic()
        assert engine.sweep(other, START + 3 * DAY, second) == 0
        assert time.monotonic() - began < 5
        other.commit()
        holding.commit()
        assert engine.sweep(other, START + 3 * DAY, second) == 0
    assert second.fired == []
    bind.dispose()
