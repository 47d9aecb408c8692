"""Two instances sweeping the same deadlines at once on PostgreSQL: each rung fires once."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from common.database import engine_for, migrate
from common.schema import outbox_message
from workflow.persistence.models import Deadline, DeadlineRungFired, Project, new_id
from workflow.service import MIGRATIONS_DIR
from workflow.usecases import deadlines

pytestmark = pytest.mark.integration

NOW = datetime(2027, 6, 1, 2, 0, tzinfo=UTC)


def _due_deadlines(engine, due_count: int, later_count: int) -> None:
    with Session(engine) as session:
        project = Project(id=new_id(), name="并发", industry="housing", kind="government", contract_amount=1000000,
                          below_threshold=False, geofence={"center": [30, 120], "radius_m": 100},
                          planned_start=date(2027, 1, 1), planned_end=date(2027, 12, 31), intake="tender_award",
                          status="in_construction", registered_at=NOW, updated_at=NOW)
        session.add(project)
        session.flush()
        for number in range(due_count + later_count):
            due = number < due_count
            session.add(Deadline(id=new_id(), rule_id="art31.acceptance.government-small", project_id=project.id,
                                 subject_type="test", subject_id=str(number), extension_days=0, status="open",
                                 started_at=NOW - timedelta(days=30 if due else 1),
                                 next_due_at=NOW - timedelta(days=10) if due else NOW + timedelta(days=19)))
        session.commit()


def test_two_sweepers_fire_each_rung_exactly_once(postgres_database):
    url = postgres_database("sweep")
    migrate(url, MIGRATIONS_DIR)
    engine = engine_for(url)
    _due_deadlines(engine, 2000, 1000)

    fired = []
    start = threading.Barrier(2)

    def sweeper():
        with Session(engine) as session:
            start.wait()
            fired.append(deadlines.sweep(session, NOW))
            session.commit()

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    with Session(engine) as session:
        rungs = session.execute(sa.select(sa.func.count()).select_from(DeadlineRungFired)).scalar_one()
        warnings = session.execute(sa.select(sa.func.count()).select_from(outbox_message).where(
            outbox_message.c.event_type == "warning.raised")).scalar_one()
    assert sum(fired) == 2000
    assert (rungs, warnings) == (2000, 2000)
    engine.dispose()


def test_a_catch_up_sweeps_one_batch_a_step_until_nothing_is_due(postgres_database):
    """After the back office moves the clock far ahead, each step is one batch in its own
    transaction, and the service can tell when it has caught up."""
    url = postgres_database("sweep_steps")
    migrate(url, MIGRATIONS_DIR)
    engine = engine_for(url)
    _due_deadlines(engine, deadlines.SWEEP_BATCH + 500, 10)
    steps = []
    with Session(engine) as session:
        while deadlines.anything_due(session, NOW):
            steps.append(deadlines.sweep(session, NOW, max_batches=1))
            session.commit()
    assert steps == [deadlines.SWEEP_BATCH, 500]
    engine.dispose()
