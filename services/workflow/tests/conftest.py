"""Fixtures of the workflow service's tests: a migrated database with the demo district, and a
deadline sweep that tells which rules' rungs it fired."""

from collections import Counter
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from common.database import engine_for, migrate
from common.principal import Principal
from workflow.bootstrap import seed_demo_district
from workflow.persistence.models import Deadline, DeadlineRungFired
from workflow.service import MIGRATIONS_DIR
from workflow.usecases import deadlines, registry

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def database_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'workflow.sqlite3'}"
    migrate(url, MIGRATIONS_DIR)
    return url


@pytest.fixture
def session(database_url):
    with Session(engine_for(database_url), expire_on_commit=False) as session:
        seed_demo_district(session, NOW)
        session.commit()
        yield session


@pytest.fixture
def as_user(session):
    """``as_user("demo-line-head")`` is a Call made by that seeded user on the ZZD face."""

    def make(user_id: str, portal: str = "zzd") -> registry.Call:
        return registry.Call(session, NOW, Principal(user_id=user_id, portal=portal))

    return make


@pytest.fixture
def sweep(session):
    """``sweep(when)`` runs the deadline sweep at ``when`` and returns how many rungs of each rule
    it fired, as a Counter by rule id: ``sweep(when)[rule_id] == 1``. A project runs several
    deadlines at once (the Art. 24 readiness watch from its registration, the Art. 46 log watch
    while it is built), so a test asserts the rungs of the rules it is about."""

    def fired_rungs() -> Counter:
        return Counter(session.execute(
            sa.select(Deadline.rule_id, DeadlineRungFired.deadline_id, DeadlineRungFired.rung)
            .join(Deadline, Deadline.id == DeadlineRungFired.deadline_id)).all())

    def run(when: datetime) -> Counter:
        before = fired_rungs()
        total = deadlines.sweep(session, when)
        fired = Counter(rule_id for rule_id, _, _ in fired_rungs() - before)
        assert fired.total() == total  # every rung the sweep reports is counted under its rule
        return fired

    return run
