"""Fixtures of the complaints service's unit tests: a migrated SQLite database whose registry copy
holds a small district — the leading group (with its complaint intake), the municipal industry
authority, a supervising unit with a line, two owners, a contractor and discipline inspection —
and one project on the chain; a Call as any of its people."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from common import events, registry_copy
from common.database import migrate
from common.principal import Principal
from common.schema import outbox_message
from complaints.service import MIGRATIONS_DIR
from complaints.usecases.common import Call

NOW = datetime(2027, 3, 1, 1, 0, tzinfo=UTC)
UNITS = [("lg", "leading_group", None, None), ("ia", "industry_authority", None, "municipal"),
         ("su", "supervising_unit", None, None), ("line", "line", "su", None), ("owner", "owner", None, None),
         ("owner2", "owner", None, None), ("firm", "contractor", None, None), ("jw", "discipline", None, None)]
PEOPLE = [("intake", "lg", "complaint_intake"), ("lg-chief", "lg", "chief"), ("lg-staff", "lg", "staff"),
          ("ia-chief", "ia", "chief"), ("su-chief", "su", "chief"), ("line-head", "line", "line_head"),
          ("owner-chief", "owner", "chief"), ("owner2-chief", "owner2", "chief"), ("pm", "firm", "project_manager"),
          ("jw-staff", "jw", "staff")]


def seed_district(session: Session) -> None:
    """The district of these tests in the registry copy, committed."""
    for unit_id, kind, parent, industry in UNITS:
        registry_copy.apply_event(session, events.UnitRegistered(
            occurred_at=NOW, unit_id=unit_id, kind=kind, name=unit_id.upper(), parent_id=parent,
            industry=industry))
    for user_id, unit_id, post in PEOPLE:
        registry_copy.apply_event(session, events.UserRegistered(occurred_at=NOW, user_id=user_id, name=user_id,
                                                                 portal="zlb" if unit_id == "firm" else "zzd"))
        registry_copy.apply_event(session, events.PostGranted(occurred_at=NOW, user_id=user_id, unit_id=unit_id,
                                                              post=post))
    registry_copy.apply_event(session, events.ProjectRegistered(
        occurred_at=NOW, project_id="p1", name="上虞大道改造", industry="municipal", kind="government",
        contract_amount=Decimal("25000000"), below_threshold=False,
        geofence=events.Geofence(center=(30.0, 120.8), radius_m=300), planned_start=date(2027, 3, 1),
        planned_end=date(2028, 3, 1), intake="tender_award", status="in_construction"))
    for level, target in (("supervising_unit", "su"), ("line", "line"), ("owner", "owner")):
        registry_copy.apply_event(session, events.ProjectAssigned(
            occurred_at=NOW, project_id="p1", level=level, target_id=target, assigned_by="lg-staff"))
    registry_copy.apply_event(session, events.ParticipantAdded(
        occurred_at=NOW, project_id="p1", unit_id="firm", role="contractor", contract_file_id="f"))
    session.commit()


@pytest.fixture
def session(tmp_path):
    url = f"sqlite:///{tmp_path / 'complaints.sqlite3'}"
    migrate(url, MIGRATIONS_DIR)
    engine = sa.create_engine(url)
    with Session(engine) as session:
        seed_district(session)
        yield session
    engine.dispose()


@pytest.fixture
def call_as(session):
    def make(user_id: str | None, at: datetime = NOW) -> Call:
        portal = "zlb" if user_id == "pm" else "zzd"
        roles = frozenset({"leading_group"}) if user_id in ("intake", "lg-chief", "lg-staff") else frozenset()
        return Call(session, at, Principal(user_id=user_id, portal=portal, roles=roles))

    return make


@pytest.fixture
def staged(session):
    """The events staged in the outbox so far, as (type, payload)."""
    def read(event_type: str | None = None) -> list[dict]:
        rows = session.execute(sa.select(outbox_message.c.event_type, outbox_message.c.payload)).all()
        return [payload for kind, payload in rows if event_type is None or kind == event_type]

    return read
