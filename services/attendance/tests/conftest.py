"""Fixtures of the attendance tests: a migrated database whose copy of the registry holds one
project in construction with its key people, fed through the workflow's own events."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from attendance.service import MIGRATIONS_DIR
from attendance.usecases import registry_copy
from attendance.usecases.checkins import decide_checkins
from attendance.usecases.common import Call
from common import events, usecase
from common.contracts.attendance import CheckinCommand, CheckinRequest, checkin_id_of
from common.database import engine_for, migrate
from common.principal import Principal

START = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 08:00 in Shangyu
SITE = (30.03, 120.87)
PROJECT = "p-dike"
PEOPLE = {  # person: (firm, post)
    "pm": ("contractor", "project_manager"),
    "tech": ("contractor", "technical_lead"),
    "safety": ("contractor", "safety_officer"),
    "chief-eng": ("supervisor", "chief_engineer"),
}


def feed_registry(session: Session, *, below_threshold: bool = False, started_on: date = date(2026, 12, 1)) -> None:
    def at(event_cls, **fields):
        return event_cls(occurred_at=START, **fields)

    units = [("lg", "leading_group", None), ("ia", "industry_authority", "lg"), ("su", "supervising_unit", "ia"),
             ("line", "line", "su"), ("owner", "owner", None), ("contractor", "contractor", None),
             ("supervisor", "supervisor", None), ("other-owner", "owner", None)]
    for unit_id, kind, parent in units:
        registry_copy.apply_unit(session, at(events.UnitRegistered, unit_id=unit_id, kind=kind, name=unit_id,
                                             parent_id=parent, industry="housing" if kind != "owner" else None))
    posts = [("back-office", "lg", "chief"), ("owner-chief", "owner", "chief"), ("lead", "owner", "owner_project_lead"),
             ("stranger", "other-owner", "chief"), ("line-head", "line", "line_head")]
    posts += [(person, firm, post) for person, (firm, post) in PEOPLE.items()]
    for user, unit, post in posts:
        registry_copy.apply_post(session, at(events.PostGranted, user_id=user, unit_id=unit, post=post))
    registry_copy.apply_project(session, at(
        events.ProjectRegistered, project_id=PROJECT, name="堤防加固", industry="housing", kind="government",
        contract_amount="12000000", below_threshold=below_threshold,
        geofence={"center": SITE, "radius_m": 200}, planned_start=started_on, planned_end=date(2027, 6, 30),
        intake="tender_award", status="awarded"))
    for level, target in (("supervising_unit", "su"), ("line", "line"), ("owner", "owner"),
                          ("owner_project_lead", "lead")):
        registry_copy.apply_assignment(session, at(events.ProjectAssigned, project_id=PROJECT, level=level,
                                                   target_id=target, assigned_by="x"))
    for firm in ("contractor", "supervisor"):
        registry_copy.apply_participant(session, at(events.ParticipantAdded, project_id=PROJECT, unit_id=firm,
                                                    role=firm, contract_file_id="f"))
    for person, (firm, post) in PEOPLE.items():
        registry_copy.apply_personnel(session, at(events.PersonnelAssigned, project_id=PROJECT, user_id=person,
                                                  unit_id=firm, post=post))
    registry_copy.apply_construction_started(session, at(events.ConstructionStarted, project_id=PROJECT,
                                                         started_on=started_on))
    session.flush()


@pytest.fixture(scope="session")
def registry_feeder():
    """:func:`feed_registry`, for tests that seed a database of their own (interface tests)."""
    return feed_registry


@pytest.fixture
def session(tmp_path):
    url = f"sqlite:///{tmp_path / 'attendance.sqlite3'}"
    migrate(url, MIGRATIONS_DIR)
    with Session(engine_for(url), expire_on_commit=False) as session:
        feed_registry(session)
        session.commit()
        yield session


class IntakeCall(Call):
    def check_in(self, data: dict) -> dict:
        """Decide one check-in the way the intake queue brings it: received from this caller at
        this call's time, decided alone; the answer the person gets."""
        request = usecase.parse(CheckinRequest, data)
        command = CheckinCommand(checkin_id=checkin_id_of(self.principal.user_id, request.client_request_id),
                                 person_id=self.principal.user_id, received_at=self.now, request=request)
        [decided] = decide_checkins(self.session, [command], self.rules(), platform_time=None,
                                     wall_clock=lambda: self.now)
        self.session.commit()  # as the intake's consumer does, before the answer goes out
        return decided.view


@pytest.fixture
def call_as(session):
    """``call_as("pm", at)`` is a Call by that person at that time (ZLB for firms, ZZD otherwise);
    its ``check_in(data)`` decides a check-in as the intake queue would bring it."""

    def make(user_id: str | None, at: datetime, portal: str | None = None) -> IntakeCall:
        portal = portal or ("zlb" if user_id in PEOPLE else "zzd")
        return IntakeCall(session, at, Principal(user_id=user_id, portal=portal))

    return make
