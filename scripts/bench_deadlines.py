"""Benchmark of the deadline sweep (issue 4, "Speed"): 200,000 open deadlines of which 10,000
are due, swept by the platform's deadline engine (``common.deadline_engine``) as the workflow
runs it (``workflow.usecases.deadlines.sweep``: its rules, its projects' suspensions, its
warnings) and committed; each warning staged once.

    .venv/bin/python scripts/bench_deadlines.py

Creates its own PostgreSQL database through the admin URL, migrates it with the workflow
service's migrations, loads a few projects and the deadlines (rule
art31.acceptance.government-small, 20 days) with COPY, times one sweep + commit, checks that
exactly the due deadlines staged a ``warning.raised`` each and that a second sweep stages
none, and drops the database at the end, whatever happened.

Prints ``BENCH <name> <value> <unit>`` lines on stdout; everything else (the goal, progress,
the profile) goes to stderr as ``#`` comments. Exits non-zero when a check fails.

Knobs (environment): BENCH_PG_ADMIN_URL (postgresql+psycopg2://postgres@127.0.0.1:5432/test),
BENCH_DEADLINES (200000), BENCH_DUE (10000), BENCH_PROJECTS (50), BENCH_PROFILE (0; 1 runs the
timed sweep under cProfile and prints its top functions: the time then includes the
profiler's overhead).
"""

from __future__ import annotations

import cProfile
import csv
import io
import os
import pstats
import sys
import time
import uuid
import warnings
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
DEADLINES = int(os.environ.get("BENCH_DEADLINES") or 200_000)
DUE = int(os.environ.get("BENCH_DUE") or 10_000)
PROJECTS = int(os.environ.get("BENCH_PROJECTS") or 50)
PROFILE = os.environ.get("BENCH_PROFILE", "0") == "1"
GOAL_SECONDS = 10.0
RULE_ID = "art31.acceptance.government-small"
WINDOW = timedelta(days=20)  # the rule's warning rung with the default settings (Art. 31)
OWNER_ID = "bench-owner"


def note(message: str) -> None:
    for line in message.splitlines() or [""]:
        print(f"# {line}", file=sys.stderr, flush=True)


def figure(name: str, value: float, unit: str) -> None:
    text = f"{value:.3f}" if unit == "s" else (str(int(value)) if unit == "1" else f"{value:.1f}")
    print(f"BENCH {name} {text} {unit}", flush=True)


class BenchDatabase:
    """A database of this run only, dropped by :meth:`drop`."""

    def __init__(self):
        self.name = f"bench_deadlines_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{self.name}"'))
        admin.dispose()
        self.url = (sa.engine.make_url(PG_ADMIN_URL).set(drivername="postgresql+psycopg2", database=self.name)
                    .render_as_string(hide_password=False))

    def drop(self) -> None:
        from common.database import dispose_engines

        dispose_engines()
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        admin.dispose()


def seed(engine: sa.Engine, now: datetime) -> None:
    """A few projects in construction with their owner, and the open deadlines: the first
    ``DUE`` fell due between a second and ten days ago, the others fall due in the next 20 days."""
    from workflow.persistence.models import Project, Unit

    with Session(engine) as session:
        session.add(Unit(id=OWNER_ID, kind="owner", name="基准建设单位", created_at=now))
        session.flush()
        session.execute(sa.insert(Project), [
            dict(id=f"bench-project-{number:04d}", name=f"基准工程{number}", industry="housing", kind="government",
                 contract_amount=12_500_000, below_threshold=False, geofence={"center": [30.03, 120.87],
                                                                               "radius_m": 300},
                 planned_start=date(2026, 1, 1), planned_end=date(2027, 12, 31), intake="tender_award",
                 status="in_construction", owner_id=OWNER_ID, registered_at=now, updated_at=now)
            for number in range(PROJECTS)])
        session.commit()

    rows = io.StringIO()
    writer = csv.writer(rows)
    for index in range(DEADLINES):
        if index < DUE:
            overdue = timedelta(seconds=1) + timedelta(days=10) * index / DUE
            started = now - WINDOW - overdue
        else:
            started = now - WINDOW * (index - DUE + 1) / (DEADLINES - DUE + 1)
        deadline_id = uuid.uuid4().hex
        # id, rule_id, project_id, subject_type, subject_id, started_at, length_days, extension_days,
        # status, next_due_at, closed_at (an empty field is NULL)
        writer.writerow([deadline_id, RULE_ID, f"bench-project-{index % PROJECTS:04d}", "acceptance", deadline_id,
                         started.isoformat(), "", 0, "open", (started + WINDOW).isoformat(), ""])
    rows.seek(0)
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            cursor.copy_expert("COPY deadline (id, rule_id, project_id, subject_type, subject_id, started_at, "
                               "length_days, extension_days, status, next_due_at, closed_at) "
                               "FROM STDIN WITH (FORMAT csv)", rows)
            cursor.execute("ANALYZE deadline")
        raw.commit()
    finally:
        raw.close()


def staged_warnings(engine: sa.Engine) -> int:
    from common.schema import outbox_message

    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(outbox_message)
                                  .where(outbox_message.c.event_type == "warning.raised")).scalar()


def sweep_once(engine: sa.Engine, now: datetime, profiler: cProfile.Profile | None = None) -> tuple[int, float]:
    from workflow.usecases import deadlines

    with Session(engine) as session:
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        fired = deadlines.sweep(session, now)
        session.commit()
        if profiler is not None:
            profiler.disable()
        return fired, time.perf_counter() - started


def main() -> int:
    warnings.filterwarnings("ignore")
    from common.database import engine_for, migrate
    from workflow.service import MIGRATIONS_DIR

    try:
        database = BenchDatabase()
    except sa.exc.OperationalError as error:
        note(f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {str(error.orig).strip().splitlines()[0]}")
        return 2
    try:
        migrate(database.url, MIGRATIONS_DIR)
        engine = engine_for(database.url)
        now = datetime.now(UTC).replace(microsecond=0)
        loading = time.perf_counter()
        seed(engine, now)
        note(f"loaded {DEADLINES} open deadlines ({DUE} due) on {PROJECTS} projects in "
             f"{time.perf_counter() - loading:.1f} s")

        profiler = cProfile.Profile() if PROFILE else None
        fired, seconds = sweep_once(engine, now, profiler)
        figure("deadline_sweep_seconds", seconds, "s")
        figure("deadline_sweep_fired", fired, "1")
        figure("deadline_sweep_per_s", fired / seconds if seconds else 0.0, "1/s")
        note(f"goal: {DUE} due of {DEADLINES} swept in at most {GOAL_SECONDS:.0f} s: "
             + ("met" if seconds <= GOAL_SECONDS else "missed"))
        if profiler is not None:
            report = io.StringIO()
            pstats.Stats(profiler, stream=report).sort_stats("cumulative").print_stats(25)
            note(report.getvalue())

        failures = []
        warnings_staged = staged_warnings(engine)
        if fired != DUE or warnings_staged != DUE:
            failures.append(f"the sweep fired {fired} rungs and staged {warnings_staged} warnings; {DUE} were due")
        fired_again, _ = sweep_once(engine, now)
        if fired_again or staged_warnings(engine) != warnings_staged:
            failures.append(f"a second sweep fired {fired_again} rungs again")
        for failure in failures:
            note(f"FAILED: {failure}")
        return 1 if failures else 0
    finally:
        database.drop()


if __name__ == "__main__":
    sys.exit(main())
