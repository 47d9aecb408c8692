"""Fixtures of the workflow service's tests: a migrated database with the demo district."""

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from common.database import engine_for, migrate
from common.principal import Principal
from workflow import registry
from workflow.bootstrap import seed_demo_district
from workflow.service import MIGRATIONS_DIR

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
