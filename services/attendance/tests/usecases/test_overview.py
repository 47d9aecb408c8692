"""The console's figure of attendance: today's people on site out of those expected, within the
caller's scope."""

from datetime import timedelta

import sqlalchemy as sa

from attendance.persistence.models import Checkin
from attendance.usecases import overview, registry_copy
from attendance.usecases.common import Call
from common import events
from common.principal import Principal

from ..conftest import PEOPLE, PROJECT, SITE, START

NOON = START + timedelta(hours=4)  # 12:00 in Shangyu on the first day of construction


def checked_in(session, person_id: str, outcome: str, at=NOON, project_id=PROJECT) -> None:
    session.add(Checkin(project_id=project_id, person_id=person_id,
                        client_request_id=f"{person_id}-{project_id}-{at.isoformat()}",
                        recorded_at=at, local_day=(at + timedelta(hours=8)).date(), outcome=outcome,
                        reason=None if outcome != "rejected" else "outside_geofence", flags=[], lat=SITE[0],
                        lng=SITE[1], accuracy_m=10, device_id=f"phone-{person_id}", client_time=at,
                        distance_outside_m=None))
    session.flush()


def as_user(session, user_id: str, at=NOON) -> Call:
    return Call(session, at, Principal(user_id=user_id, portal="zzd"))


def test_today_counts_who_checked_in_out_of_who_is_on_duty(session):
    checked_in(session, "pm", "accepted")
    checked_in(session, "safety", "flagged")
    checked_in(session, "chief-eng", "rejected")
    checked_in(session, "pm", "accepted", at=NOON - timedelta(days=1, hours=1))  # yesterday: not today's

    figure = overview.attendance_today(as_user(session, "line-head"))

    # The technical lead checks in only in the owner's phases (none declared): three are expected.
    assert figure == {"day": "2026-12-01", "expected": 3, "on_site": 2,
                      "projects": [{"project_id": PROJECT, "name": "堤防加固", "expected": 3, "on_site": 2}]}


def test_a_project_outside_the_callers_scope_is_not_counted(session):
    checked_in(session, "pm", "accepted")

    assert overview.attendance_today(as_user(session, "stranger")) == {
        "day": "2026-12-01", "expected": 0, "on_site": 0, "projects": []}


def another_project_on_the_line(session, project_id: str) -> None:
    def at(event_cls, **fields):
        return event_cls(occurred_at=START, project_id=project_id, **fields)

    registry_copy.apply_project(session, at(
        events.ProjectRegistered, name=f"道路{project_id}", industry="housing", kind="government",
        contract_amount="1000000", below_threshold=False, geofence={"center": SITE, "radius_m": 200},
        planned_start=START.date(), planned_end=START.date().replace(year=2027), intake="tender_award",
        status="awarded"))
    registry_copy.apply_assignment(session, at(events.ProjectAssigned, level="line", target_id="line",
                                               assigned_by="x"))
    registry_copy.apply_participant(session, at(events.ParticipantAdded, unit_id="contractor", role="contractor",
                                                contract_file_id="f"))
    for person, (firm, post) in PEOPLE.items():
        registry_copy.apply_personnel(session, at(events.PersonnelAssigned, user_id=person, unit_id=firm, post=post))
    registry_copy.apply_construction_started(session, at(events.ConstructionStarted, started_on=START.date()))
    session.flush()


def test_only_the_expected_people_who_checked_in_are_on_site(session):
    checked_in(session, "pm", "accepted")
    checked_in(session, "tech", "accepted")  # not expected: no owner's phase of the technical lead today

    figure = overview.attendance_today(as_user(session, "line-head"))

    assert (figure["expected"], figure["on_site"]) == (3, 1)


def test_the_figure_reads_each_kind_of_fact_once_however_many_projects(session):
    def queries_for_the_figure() -> tuple[int, dict]:
        statements = []
        engine = session.get_bind()
        listener = lambda *args: statements.append(args[2])  # noqa: E731 - the statement of each query
        sa.event.listen(engine, "before_cursor_execute", listener)
        try:
            figure = overview.attendance_today(as_user(session, "line-head"))
        finally:
            sa.event.remove(engine, "before_cursor_execute", listener)
        return len(statements), figure

    one_project, _ = queries_for_the_figure()
    for project_id in ("p-road-1", "p-road-2", "p-road-3"):
        another_project_on_the_line(session, project_id)
        checked_in(session, "pm", "accepted", project_id=project_id)
    four_projects, figure = queries_for_the_figure()

    assert four_projects == one_project
    assert len(figure["projects"]) == 4 and figure["on_site"] == 3
    first_two = overview.attendance_today(as_user(session, "line-head"), 2)
    assert [row["project_id"] for row in first_two["projects"]] == ["p-dike", "p-road-1"]
    assert (first_two["expected"], first_two["on_site"]) == (figure["expected"], 3)  # totals over all four
