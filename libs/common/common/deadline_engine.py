"""The deadline engine of the platform: running deadlines in a service's own database, and the
sweep that fires each of their rungs once. The rules it runs are :mod:`common.deadlines`.

How a service uses it
=====================

**1. The tables.** Each service keeps its deadlines in its own database, in three tables
(``deadline``, ``deadline_hold``, ``deadline_rung_fired``). Its models declare them with the
mixins of this module on its own declarative base, in ``persistence/models.py``::

    from common.deadline_engine import DeadlineColumns, DeadlineHoldColumns, DeadlineRungFiredColumns

    class Deadline(DeadlineColumns, Base):
        pass

    class DeadlineHold(DeadlineHoldColumns, Base):
        pass

    class DeadlineRungFired(DeadlineRungFiredColumns, Base):
        pass

``Deadline.project_id`` is optional (a complaint may concern no project) and has no foreign key;
a service that keeps projects may redeclare it with one, as the workflow service does
(``project_id: Mapped[str] = mapped_column(sa.ForeignKey("project.id"), index=True)``), and so
``responsible_unit_id``. Its migration creates them with :func:`create_deadline_tables`, like
:func:`common.schema.create_platform_tables` for the shared tables::

    from common.deadline_engine import create_deadline_tables, drop_deadline_tables

    def upgrade() -> None:
        create_deadline_tables(op)

    def downgrade() -> None:
        drop_deadline_tables(op)

(the tables of the mixins as they are now; a later change to them comes with its own migration
in every service, and ``tests/test_migrations_match_models.py`` fails on a difference).

**2. The engine.** One :class:`DeadlineEngine` per service, in a use-case module every process
may import (``usecases/deadline_engine.py``, see docs/architecture.md): the three models, the
rule catalogue (a mapping rule id -> :class:`common.deadlines.DeadlineRule`, or a function of the
session that builds it from the service's settings) and, optionally, the pauses of its
deadlines beside their own holds (the workflow: its projects' suspensions)::

    ENGINE = DeadlineEngine(Deadline, DeadlineHold, DeadlineRungFired,
                            catalogue=lambda session: case_deadlines(load_rules(session, CaseRules)))

**3. Start, hold, release, extend, close.** In the same transaction as the change that starts
or ends the time limit::

    ENGINE.start(session, rule_id=ACCEPT, subject_type="case", subject_id=case.id, started_at=now)
    ENGINE.hold(session, "case", case.id, ACCEPT, now)       # the clock stands still…
    ENGINE.release(session, "case", case.id, ACCEPT, now)    # …and runs again: due times move
    ENGINE.extend(session, "case", case.id, 5)               # every rung 5 days later
    ENGINE.close(session, "case", case.id, now)              # done in time: satisfied

A deadline starts once per rule and subject: starting it again while it is open returns it.

**4. The sweep.** A timer of the service calls :meth:`DeadlineEngine.sweep` with what a fired rung
does there; it is called once per batch with the rungs fired, in the sweep's transaction (stage
the events with :func:`common.outbox.stage_events`, escalate the case, start the next deadline…)::

    def escalate(session, fired: list[FiredRung]) -> None:
        for one in fired:
            ...  # one.deadline (the row), one.rule, one.rung, one.due_at, one.fired_at

    ENGINE.sweep(session, now, escalate)                     # then commit

Each rung fires once, even with two instances sweeping at once: due rows are taken in batches
locked with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (another sweeper skips them), and a fired
rung is a row whose primary key refuses a second one (the loser's transaction rolls back with its
events). A batch's rows and events are written with one statement per kind. When the manual
clock jumps, :meth:`DeadlineEngine.catch_up_step` works through what fell due one batch per
transaction, and :meth:`DeadlineEngine.caught_up` tells when nothing is left.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column

from common.deadlines import DeadlineRule, Pause, Rung, due_at, effective_rule, next_due_at, rungs_due
from common.schema import UtcDateTime

SWEEP_BATCH = 1000


def new_id() -> str:
    return uuid.uuid4().hex


# --- the tables ------------------------------------------------------------------------------------


class DeadlineColumns:
    """A running deadline: its rule, its subject (what it waits for), its start, the next rung's
    due time (None while a pause is open or when every rung fired), its status (``open``, then
    ``satisfied`` or ``cancelled``, or another word of the service)."""

    __tablename__ = "deadline"

    @declared_attr.directive
    def __table_args__(cls):
        return (sa.Index("ix_deadline_due", "status", "next_due_at"),)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    rule_id: Mapped[str] = mapped_column(sa.String(60))
    # The project it concerns, if any: the engine reschedules a project's deadlines together.
    project_id: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    subject_type: Mapped[str] = mapped_column(sa.String(40))
    subject_id: Mapped[str] = mapped_column(sa.String(32), index=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # A length set by the case itself (every rung falls due then), e.g. a notice's rectification period.
    length_days: Mapped[int | None] = mapped_column(sa.Integer)
    extension_days: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    status: Mapped[str] = mapped_column(sa.String(16))
    next_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The unit that must act, where the case names it (the engine only carries it).
    responsible_unit_id: Mapped[str | None] = mapped_column(sa.String(32))


class DeadlineHoldColumns:
    """A deadline's own pause, open while ``until`` is empty."""

    __tablename__ = "deadline_hold"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    deadline_id: Mapped[str] = mapped_column(sa.String(32), sa.ForeignKey("deadline.id"), index=True)
    since: Mapped[datetime] = mapped_column(UtcDateTime())
    until: Mapped[datetime | None] = mapped_column(UtcDateTime())


class DeadlineRungFiredColumns:
    """A rung that fired: the primary key makes each rung fire once, whoever sweeps."""

    __tablename__ = "deadline_rung_fired"

    deadline_id: Mapped[str] = mapped_column(sa.String(32), sa.ForeignKey("deadline.id"), primary_key=True)
    rung: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    fired_at: Mapped[datetime] = mapped_column(UtcDateTime())


# The tables as create_deadline_tables makes them: the mixins' columns at their first revision.
_first_revision = sa.MetaData()
_deadline = sa.Table(
    "deadline", _first_revision,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("rule_id", sa.String(60), nullable=False),
    sa.Column("project_id", sa.String(32), nullable=True, index=True),
    sa.Column("subject_type", sa.String(40), nullable=False),
    sa.Column("subject_id", sa.String(32), nullable=False, index=True),
    sa.Column("started_at", UtcDateTime(), nullable=False),
    sa.Column("length_days", sa.Integer, nullable=True),
    sa.Column("extension_days", sa.Integer, nullable=False, server_default="0"),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("next_due_at", UtcDateTime(), nullable=True),
    sa.Column("closed_at", UtcDateTime(), nullable=True),
    sa.Column("responsible_unit_id", sa.String(32), nullable=True),
    sa.Index("ix_deadline_due", "status", "next_due_at"),
)
_deadline_hold = sa.Table(
    "deadline_hold", _first_revision,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("deadline_id", sa.String(32), sa.ForeignKey("deadline.id"), nullable=False, index=True),
    sa.Column("since", UtcDateTime(), nullable=False),
    sa.Column("until", UtcDateTime(), nullable=True),
)
_deadline_rung_fired = sa.Table(
    "deadline_rung_fired", _first_revision,
    sa.Column("deadline_id", sa.String(32), sa.ForeignKey("deadline.id"), primary_key=True),
    sa.Column("rung", sa.String(16), primary_key=True),
    sa.Column("fired_at", UtcDateTime(), nullable=False),
)


def create_deadline_tables(op) -> None:
    """Create the deadline tables inside a new service's Alembic migration."""
    _first_revision.create_all(bind=op.get_bind(), tables=[_deadline, _deadline_hold, _deadline_rung_fired])


def drop_deadline_tables(op) -> None:
    _first_revision.drop_all(bind=op.get_bind(), tables=[_deadline, _deadline_hold, _deadline_rung_fired])


# --- the engine ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FiredRung:
    """A rung the sweep fired: the deadline's row, its rule as it runs (the service's subclass,
    with the deadline's length and extension), the rung, when it fell due, when it fired."""

    deadline: Any
    rule: DeadlineRule
    rung: Rung
    due_at: datetime | None
    fired_at: datetime


Catalogue = Mapping[str, DeadlineRule] | Callable[[Session], Mapping[str, DeadlineRule]]
# The pauses of some deadlines beside their holds, by deadline id (a missing id: none).
PausesFor = Callable[[Session, Sequence[Any]], Mapping[str, Iterable[Pause]]]
OnRungsFired = Callable[[Session, list[FiredRung]], None]


class DeadlineEngine:
    """The deadlines of one service: its three models (declared with the mixins above), its rule
    catalogue, and the pauses it adds to every deadline's own holds (see the module's guide)."""

    def __init__(self, deadline: type, hold: type, rung_fired: type, *, catalogue: Catalogue,
                 pauses_for: PausesFor | None = None, batch_size: int = SWEEP_BATCH):
        self.Deadline = deadline
        self.DeadlineHold = hold
        self.DeadlineRungFired = rung_fired
        self.catalogue = catalogue
        self.pauses_for = pauses_for
        self.batch_size = batch_size

    # --- the rules and the pauses of running deadlines --------------------------------------------

    def rules(self, session: Session) -> Mapping[str, DeadlineRule]:
        return self.catalogue(session) if callable(self.catalogue) else self.catalogue

    @staticmethod
    def rule_of(deadline, catalogue: Mapping[str, DeadlineRule]) -> DeadlineRule:
        """The deadline's rule as it runs: with the length its case set and its extension."""
        return effective_rule(catalogue[deadline.rule_id], deadline.length_days, deadline.extension_days)

    def holds(self, session: Session, deadline_ids: Iterable[str]) -> dict[str, list[Pause]]:
        """Each deadline's own holds, in the order they were made."""
        Hold = self.DeadlineHold
        holds: dict[str, list[Pause]] = defaultdict(list)
        for row in session.execute(sa.select(Hold.deadline_id, Hold.since, Hold.until)
                                   .where(Hold.deadline_id.in_(list(deadline_ids))).order_by(Hold.id)):
            holds[row.deadline_id].append((row.since, row.until))
        return holds

    def fired_rungs(self, session: Session, deadline_ids: Iterable[str]) -> dict[str, set[str]]:
        Fired = self.DeadlineRungFired
        fired: dict[str, set[str]] = defaultdict(set)
        for row in session.execute(sa.select(Fired.deadline_id, Fired.rung)
                                   .where(Fired.deadline_id.in_(list(deadline_ids)))):
            fired[row.deadline_id].add(row.rung)
        return fired

    def service_pauses(self, session: Session, deadlines: Sequence[Any]) -> Mapping[str, Iterable[Pause]]:
        return {} if self.pauses_for is None or not deadlines else self.pauses_for(session, deadlines)

    def pauses(self, session: Session, deadlines: Sequence[Any]) -> dict[str, list[Pause]]:
        """Every pause of each deadline: the service's (its project's suspensions) and its holds."""
        service = self.service_pauses(session, deadlines)
        holds = self.holds(session, [d.id for d in deadlines])
        return {d.id: [*service.get(d.id, ()), *holds[d.id]] for d in deadlines}

    # --- start, close, hold, release, extend -------------------------------------------------------

    def open_deadlines(self, session: Session, subject_type: str, subject_id: str,
                       rule_id: str | None = None) -> list[Any]:
        D = self.Deadline
        statement = sa.select(D).where(D.subject_type == subject_type, D.subject_id == subject_id,
                                       D.status == "open")
        if rule_id is not None:
            statement = statement.where(D.rule_id == rule_id)
        return list(session.execute(statement).scalars())

    def start(self, session: Session, *, rule_id: str, subject_type: str, subject_id: str, started_at: datetime,
              project_id: str | None = None, length_days: int | None = None,
              responsible_unit_id: str | None = None):
        """Start a deadline of ``rule_id`` on a subject, once: an open one of the same rule and
        subject is returned as it is. ``length_days`` sets its length where the case does (every
        rung falls due then); ``responsible_unit_id`` is carried for the service."""
        running = self.open_deadlines(session, subject_type, subject_id, rule_id)
        if running:
            return running[0]
        catalogue = self.rules(session)
        if rule_id not in catalogue:
            raise KeyError(f"no deadline rule {rule_id!r} in the catalogue")
        deadline = self.Deadline(id=new_id(), rule_id=rule_id, project_id=project_id, subject_type=subject_type,
                                 subject_id=subject_id, started_at=started_at, length_days=length_days,
                                 extension_days=0, status="open", closed_at=None,
                                 responsible_unit_id=responsible_unit_id)
        pauses = self.service_pauses(session, [deadline]).get(deadline.id, ())
        deadline.next_due_at = next_due_at(self.rule_of(deadline, catalogue), started_at, pauses, set())
        session.add(deadline)
        return deadline

    def close(self, session: Session, subject_type: str, subject_id: str, at: datetime, status: str = "satisfied",
              *, rule_id: str | None = None) -> int:
        """Close the open deadlines of a subject (of one rule only, if given); returns how many."""
        D = self.Deadline
        statement = sa.update(D).where(D.subject_type == subject_type, D.subject_id == subject_id,
                                       D.status == "open")
        if rule_id is not None:
            statement = statement.where(D.rule_id == rule_id)
        return session.execute(statement.values(status=status, closed_at=at, next_due_at=None)).rowcount

    def hold(self, session: Session, subject_type: str, subject_id: str, rule_id: str, at: datetime) -> int:
        """Stop the clock of a subject's open deadline of ``rule_id`` from ``at``, until released
        (a deadline's own pause, beside the service's). Holding a held deadline changes nothing.
        Returns how many deadlines were held."""
        Hold = self.DeadlineHold
        held = 0
        for deadline in self.open_deadlines(session, subject_type, subject_id, rule_id):
            already = session.execute(sa.select(sa.exists().where(
                Hold.deadline_id == deadline.id, Hold.until.is_(None)))).scalar()
            if not already:
                session.add(Hold(deadline_id=deadline.id, since=at))
                held += 1
        session.flush()
        self.reschedule(session, subject_id=subject_id)
        return held

    def release(self, session: Session, subject_type: str, subject_id: str, rule_id: str, at: datetime) -> int:
        """Let the clock of a held deadline run again from ``at``: its due times move by the hold."""
        Hold = self.DeadlineHold
        released = 0
        for deadline in self.open_deadlines(session, subject_type, subject_id, rule_id):
            released += session.execute(sa.update(Hold).where(
                Hold.deadline_id == deadline.id, Hold.until.is_(None)).values(until=at)).rowcount
        session.flush()
        self.reschedule(session, subject_id=subject_id)
        return released

    def extend(self, session: Session, subject_type: str, subject_id: str, extra_days: int, *,
               rule_id: str | None = None) -> None:
        """Move every rung of a subject's open deadlines (of one rule only, if given) by ``extra_days``."""
        for deadline in self.open_deadlines(session, subject_type, subject_id, rule_id):
            deadline.extension_days += extra_days
        self.reschedule(session, subject_id=subject_id)

    def reschedule(self, session: Session, *, project_id: str | None = None, subject_id: str | None = None) -> None:
        """Recompute the next due time of open deadlines (of a project, of a subject) after their
        pauses changed: a pause of the service begun or ended, a hold, a release, an extension."""
        D = self.Deadline
        statement = sa.select(D).where(D.status == "open")
        if project_id is not None:
            statement = statement.where(D.project_id == project_id)
        if subject_id is not None:
            statement = statement.where(D.subject_id == subject_id)
        open_deadlines = list(session.execute(statement).scalars())
        if not open_deadlines:
            return
        catalogue = self.rules(session)
        pauses = self.pauses(session, open_deadlines)
        fired = self.fired_rungs(session, [d.id for d in open_deadlines])
        for deadline in open_deadlines:
            deadline.next_due_at = next_due_at(self.rule_of(deadline, catalogue), deadline.started_at,
                                               pauses[deadline.id], fired[deadline.id])

    # --- the sweep -----------------------------------------------------------------------------------

    def anything_due(self, session: Session, now: datetime) -> bool:
        D = self.Deadline
        return session.execute(sa.select(sa.exists().where(D.status == "open", D.next_due_at <= now))).scalar()

    def sweep(self, session: Session, now: datetime, on_rungs_fired: OnRungsFired, *,
              max_batches: int | None = None, batch_size: int | None = None) -> int:
        """Fire every rung that is due by ``now`` (or those of the first ``max_batches`` batches of
        deadlines, for a catch-up in steps); return how many fired. ``on_rungs_fired`` gets each
        batch's fired rungs, in the same transaction. Rows are locked (and skipped by another
        sweeper on PostgreSQL), and a fired rung is a row with a primary key, so each rung fires
        once even when two instances sweep at the same time. The caller commits."""
        D = self.Deadline
        size = batch_size or self.batch_size
        catalogue = self.rules(session)
        total = 0
        batches = 0
        while max_batches is None or batches < max_batches:
            batches += 1
            batch = list(session.execute(
                sa.select(D).where(D.status == "open", D.next_due_at <= now)
                .order_by(D.next_due_at).limit(size).with_for_update(skip_locked=True)).scalars())
            if not batch:
                return total
            pauses = self.pauses(session, batch)
            fired = self.fired_rungs(session, [d.id for d in batch])
            fired_now: list[FiredRung] = []
            # The batch's rows are written together at the end: one statement per kind, not one per
            # rung (a sweep must handle thousands of due rungs in seconds).
            with session.no_autoflush:
                for deadline in batch:
                    rule = self.rule_of(deadline, catalogue)
                    paused = pauses[deadline.id]
                    for rung in rungs_due(rule, deadline.started_at, paused, now, fired[deadline.id]):
                        fired[deadline.id].add(rung.name)
                        fired_now.append(FiredRung(deadline, rule, rung, due_at(deadline.started_at, rung.after,
                                                                                 paused), now))
                    deadline.next_due_at = next_due_at(rule, deadline.started_at, paused, fired[deadline.id])
            if fired_now:
                session.execute(sa.insert(self.DeadlineRungFired), [
                    {"deadline_id": one.deadline.id, "rung": one.rung.name, "fired_at": now} for one in fired_now])
                on_rungs_fired(session, fired_now)
            total += len(fired_now)
            session.flush()
        return total

    def catch_up_step(self, session: Session, now: datetime, on_rungs_fired: OnRungsFired) -> bool:
        """One step of the catch-up with a clock that jumped: one batch of due rungs fired (the
        caller commits each step); True once nothing is due by ``now``."""
        self.sweep(session, now, on_rungs_fired, max_batches=1)
        return not self.anything_due(session, now)

    def caught_up(self, session: Session, now: datetime) -> bool:
        return not self.anything_due(session, now)
