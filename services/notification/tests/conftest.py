"""Fixtures of the notification tests: a small district in the registry copy, fed through the
workflow's own events — a project with its owner (chief and project lead), line, supervising unit
and contractor; government staff reached on ZZD, firm staff on ZLB, one person on neither."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from common import events, registry_copy
from common.database import engine_for, migrate
from common.principal import Principal
from notification.service import MIGRATIONS_DIR
from notification.usecases.common import Call

START = datetime(2027, 1, 4, 1, 0, tzinfo=UTC)  # 09:00 in Shangyu
PROJECT = "p-dike"
USERS = {  # user: (portal, zzd account, zlb user)
    "back-office": ("zzd", "zzd-100", None),
    "owner-chief": ("zzd", "zzd-200", None),
    "lead": ("zzd", "zzd-201", None),
    "line-head": ("zzd", "zzd-300", None),
    "su-chief": ("zzd", "zzd-400", None),
    "contractor-chief": ("zlb", None, "zlb-500"),
    "pm": ("zlb", None, "zlb-501"),
    "offline-chief": ("zlb", None, None),
}
POSTS = [("back-office", "lg", "chief"), ("owner-chief", "owner", "chief"), ("lead", "owner", "owner_project_lead"),
         ("line-head", "line", "line_head"), ("su-chief", "su", "chief"), ("contractor-chief", "contractor", "chief"),
         ("pm", "contractor", "project_manager"), ("offline-chief", "designer-firm", "chief")]


def feed_registry(session: Session) -> None:
    def apply(event_cls, **fields):
        registry_copy.apply_event(session, event_cls(occurred_at=START, **fields))

    for unit_id, kind, parent in [("lg", "leading_group", None), ("su", "supervising_unit", "lg"),
                                  ("line", "line", "su"), ("owner", "owner", None),
                                  ("contractor", "contractor", None), ("designer-firm", "designer", None)]:
        apply(events.UnitRegistered, unit_id=unit_id, kind=kind, name=unit_id, parent_id=parent)
    for user_id, (portal, zzd, zlb) in USERS.items():
        apply(events.UserRegistered, user_id=user_id, name=user_id, portal=portal, zzd_account_id=zzd,
              zlb_user_id=zlb)
    for user_id, unit_id, post in POSTS:
        apply(events.PostGranted, user_id=user_id, unit_id=unit_id, post=post)
    apply(events.ProjectRegistered, project_id=PROJECT, name="曹娥江堤防加固工程", industry="housing",
          kind="government", contract_amount=Decimal("12500000.00"), below_threshold=False,
          geofence=events.Geofence(center=(30.03, 120.87), radius_m=300), planned_start=date(2026, 12, 1),
          planned_end=date(2027, 6, 30), intake="tender_award", status="in_construction")
    for level, target in [("supervising_unit", "su"), ("line", "line"), ("owner", "owner"),
                          ("owner_project_lead", "lead")]:
        apply(events.ProjectAssigned, project_id=PROJECT, level=level, target_id=target, assigned_by="back-office")
    apply(events.ParticipantAdded, project_id=PROJECT, unit_id="contractor", role="contractor",
          contract_file_id="f-1")


@pytest.fixture
def database(tmp_path):
    url = f"sqlite:///{tmp_path / 'notification.sqlite3'}"
    migrate(url, MIGRATIONS_DIR)
    with Session(engine_for(url)) as session:
        feed_registry(session)
        session.commit()
    yield url
    engine_for(url).dispose()


@pytest.fixture
def session(database):
    with Session(engine_for(database)) as session:
        yield session


@pytest.fixture
def call_as():
    """``call_as(session, now, user_id, portal)``: a use case's Call for that caller."""
    def make(session: Session, now: datetime, user_id: str | None = None, portal: str = "system") -> Call:
        return Call(session, now, Principal(user_id=user_id, portal=portal))
    return make


@pytest.fixture
def feed():
    """``feed(session)``: the small district of this module, in a migrated database's registry copy."""
    return feed_registry
