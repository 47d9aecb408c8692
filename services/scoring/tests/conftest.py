"""Fixtures of the scoring tests: a migrated database whose copy of the registry holds one housing
project with an owner, a contractor and a supervisor, fed through the workflow's own events."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from common import events
from common.database import engine_for, migrate
from common.principal import Principal
from common.registry_copy import apply_event
from scoring.service import MIGRATIONS_DIR
from scoring.usecases.common import Call

START = datetime(2027, 3, 1, 1, 0, tzinfo=UTC)
PROJECT = "p-dike"


def feed_registry(session: Session, project_id: str = PROJECT, amount: str = "12000000") -> None:
    def at(event_cls, **fields):
        apply_event(session, event_cls(occurred_at=START, **fields))

    units = [("lg", "leading_group", None, None), ("ia", "industry_authority", "lg", "housing"),
             ("ia-water", "industry_authority", "lg", "water"), ("su", "supervising_unit", "ia", None),
             ("owner", "owner", None, None), ("contractor", "contractor", None, None),
             ("supervisor", "supervisor", None, None), ("other-firm", "contractor", None, None)]
    for unit_id, kind, parent, industry in units:
        at(events.UnitRegistered, unit_id=unit_id, kind=kind, name=unit_id, parent_id=parent, industry=industry)
    for user, unit, post in [("back-office", "lg", "chief"), ("ia-chief", "ia", "chief"),
                             ("water-chief", "ia-water", "chief"), ("pm", "contractor", "project_manager"),
                             ("contractor-chief", "contractor", "chief"), ("stranger", "other-firm", "chief"),
                             ("owner-chief", "owner", "chief")]:
        at(events.PostGranted, user_id=user, unit_id=unit, post=post)
    at(events.ProjectRegistered, project_id=project_id, name="堤防加固", industry="housing", kind="government",
       contract_amount=amount, below_threshold=False, geofence={"center": (30.03, 120.87), "radius_m": 200},
       planned_start=date(2027, 1, 1), planned_end=date(2027, 12, 31), intake="tender_award", status="awarded")
    for level, target in (("supervising_unit", "su"), ("owner", "owner")):
        at(events.ProjectAssigned, project_id=project_id, level=level, target_id=target, assigned_by="x")
    for firm in ("contractor", "supervisor"):
        at(events.ParticipantAdded, project_id=project_id, unit_id=firm, role=firm, contract_file_id="f")
    session.flush()


@pytest.fixture
def session(tmp_path):
    url = f"sqlite:///{tmp_path / 'scoring.sqlite3'}"
    migrate(url, MIGRATIONS_DIR)
    engine = engine_for(url)
    with Session(engine) as session:
        feed_registry(session)
        session.commit()
        yield session
    engine.dispose()


@pytest.fixture
def call_as(session):
    def make(user_id=None, portal="system", at=START, roles=()):
        return Call(session, at, Principal(user_id=user_id, portal=portal, roles=frozenset(roles)))
    return make
