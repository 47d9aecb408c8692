"""Construction start (Art. 24–25), suspension and resumption (Art. 35)."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from common.errors import IllegalStep, InvalidInput, PermissionDenied
from common.principal import Principal
from common.schema import outbox_message
from workflow.domain.lifecycle import missing_before_construction
from workflow.usecases import registry

PROJECT = dict(name="曹娥江堤防加固工程", industry="housing", kind="government", contract_amount="12500000.00",
               below_threshold=False, geofence={"center": [30.03, 120.87], "radius_m": 300},
               planned_start="2026-12-01", planned_end="2027-06-30")


def test_what_must_be_registered_before_construction():
    assert missing_before_construction(False, [], []) == [
        "participant:contractor", "participant:supervisor", "personnel:project_manager",
        "personnel:safety_officer", "personnel:chief_engineer", "personnel:inspector"]
    assert missing_before_construction(
        False, ["contractor", "supervisor"], ["project_manager", "safety_officer", "chief_engineer", "inspector"]) == []
    # Below the tender threshold one person of each firm is enough (Art. 26).
    assert missing_before_construction(True, ["contractor", "supervisor"], ["technical_lead", "inspector"]) == []
    assert missing_before_construction(True, ["contractor", "supervisor"], ["technical_lead"]) == [
        "personnel:supervisor"]


@pytest.fixture
def staffed_project(session, as_user):
    back_office = as_user("demo-leading-group-chief")
    pid = registry.register_project(back_office, PROJECT)["id"]
    registry.assign_project(back_office, pid, {"level": "supervising_unit", "target_id": "demo-supervising"})
    registry.assign_project(as_user("demo-supervising-chief"), pid,
                            {"level": "line", "target_id": "demo-line-municipal"})
    registry.assign_project(as_user("demo-line-head"), pid, {"level": "owner", "target_id": "demo-owner"})
    registry.assign_project(as_user("demo-owner-chief"), pid, {"level": "owner_project_lead",
                                                                "target_id": "demo-owner-lead"})
    lead = as_user("demo-owner-lead")
    contract = registry.record_file(lead, {"sha256": "b" * 64, "size": 9, "content_type": "application/pdf",
                                           "filename": "c.pdf"})
    for unit, role in (("demo-contractor", "contractor"), ("demo-supervisor", "supervisor")):
        registry.add_participant(lead, pid, {"unit_id": unit, "role": role, "contract_file_id": contract["id"]})
    return pid


def staff(as_user, pid):
    lead = as_user("demo-owner-lead")
    for user, post in (("demo-project-manager", "project_manager"), ("demo-safety-officer", "safety_officer"),
                       ("demo-chief-engineer", "chief_engineer"), ("demo-inspector", "inspector")):
        registry.assign_personnel(lead, pid, {"user_id": user, "post": post})


def test_construction_starts_only_when_the_people_are_there(session, as_user, staffed_project):
    lead = as_user("demo-owner-lead")
    with pytest.raises(IllegalStep) as refused:
        registry.start_construction(lead, staffed_project)
    assert {item["field"] for item in refused.value.details} == {
        "personnel:project_manager", "personnel:safety_officer", "personnel:chief_engineer", "personnel:inspector"}
    staff(as_user, staffed_project)
    with pytest.raises(PermissionDenied):
        registry.start_construction(as_user("demo-line-head"), staffed_project)
    project = registry.start_construction(lead, staffed_project)
    assert project["status"] == "in_construction"
    assert project["construction_started_on"] == "2026-12-01"  # 01:00 UTC is 09:00 in Shangyu
    with pytest.raises(IllegalStep):
        registry.start_construction(lead, staffed_project)


def test_suspension_is_declared_on_the_day_and_resumed_by_the_lead(session, as_user, staffed_project, now):
    staff(as_user, staffed_project)
    registry.start_construction(as_user("demo-owner-lead"), staffed_project)
    chief = as_user("demo-owner-chief")
    yesterday = (now - timedelta(days=1)).isoformat()
    with pytest.raises(InvalidInput, match="since"):
        registry.suspend_project(chief, staffed_project, {"since": yesterday, "reason": "暴雨停工"})
    with pytest.raises(InvalidInput, match="since"):
        registry.suspend_project(chief, staffed_project,
                                 {"since": (now + timedelta(hours=1)).isoformat(), "reason": "暴雨停工"})
    with pytest.raises(InvalidInput) as naive:
        registry.suspend_project(chief, staffed_project, {"since": "2026-12-01T08:00:00", "reason": "暴雨停工"})
    assert naive.value.details[0]["field"] == "since"
    since = datetime(2026, 12, 1, 0, 30, tzinfo=UTC).isoformat()  # 08:30 local, same day
    project = registry.suspend_project(chief, staffed_project, {"since": since, "reason": "暴雨停工"})
    assert project["status"] == "suspended"
    assert project["suspensions"] == [{"since": "2026-12-01T08:30:00+08:00", "until": None, "reason": "暴雨停工"}]
    with pytest.raises(IllegalStep):
        registry.suspend_project(chief, staffed_project, {"since": since, "reason": "again"})
    with pytest.raises(PermissionDenied, match="project lead"):
        registry.resume_project(chief, staffed_project)
    later = registry.Call(session, now + timedelta(days=3), Principal(user_id="demo-owner-lead", portal="zzd"))
    resumed = registry.resume_project(later, staffed_project)
    assert resumed["status"] == "in_construction"
    assert resumed["suspensions"][0]["until"] == "2026-12-04T09:00:00+08:00"
    events = session.execute(sa.select(outbox_message.c.event_type, outbox_message.c.payload)
                             .order_by(outbox_message.c.id)).all()[-6:]
    assert [event for event, _ in events] == [
        "project.status_changed", "project.construction_started", "project.status_changed", "project.suspended",
        "project.status_changed", "project.resumed"]
    assert [payload["status"] for event, payload in events if event == "project.status_changed"] == [
        "in_construction", "suspended", "in_construction"]
    assert events[3][1]["since"] == "2026-12-01T00:30:00Z"
