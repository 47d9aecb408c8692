"""The approvals of a ZZD user's task list (Art. 27): the pending changes waiting for the caller's
decision now — the owner's on an engineering change, each stage's deciders on a personnel change
in turn — and none that waits for someone else or was decided."""

from datetime import timedelta

import pytest

from common.errors import InvalidInput
from common.principal import Principal
from workflow.usecases import changes, registry

MONTHS = ["2026-09", "2026-10", "2026-11"]  # the three full months before December 2026


def at(session, user, when, portal="zzd"):
    return registry.Call(session, when, Principal(user_id=user, portal=portal))


def upload(session, user, when) -> str:
    return registry.record_file(at(session, user, when, "zlb" if user.startswith("demo-contractor") else "zzd"), {
        "sha256": "e" * 64, "size": 5, "content_type": "application/pdf", "filename": "f.pdf"})["id"]


@pytest.fixture
def project(session, now) -> str:
    """A project of the demo district, staffed and in construction."""
    back_office = at(session, "demo-leading-group-chief", now)
    pid = registry.register_project(back_office, dict(
        name="曹娥江堤防加固工程", industry="housing", kind="government", contract_amount="12500000",
        below_threshold=False, geofence={"center": [30.03, 120.87], "radius_m": 300}, planned_start="2026-12-01",
        planned_end="2027-06-30"))["id"]
    registry.assign_project(back_office, pid, {"level": "supervising_unit", "target_id": "demo-supervising"})
    registry.assign_project(at(session, "demo-supervising-chief", now), pid,
                            {"level": "line", "target_id": "demo-line-municipal"})
    registry.assign_project(at(session, "demo-line-head", now), pid, {"level": "owner", "target_id": "demo-owner"})
    registry.assign_project(at(session, "demo-owner-chief", now), pid,
                            {"level": "owner_project_lead", "target_id": "demo-owner-lead"})
    lead = at(session, "demo-owner-lead", now)
    contract = upload(session, "demo-owner-lead", now)
    for unit, role in (("demo-contractor", "contractor"), ("demo-supervisor", "supervisor")):
        registry.add_participant(lead, pid, {"unit_id": unit, "role": role, "contract_file_id": contract})
    for user, post in (("demo-project-manager", "project_manager"), ("demo-safety-officer", "safety_officer"),
                       ("demo-chief-engineer", "chief_engineer"), ("demo-inspector", "inspector")):
        registry.assign_personnel(lead, pid, {"user_id": user, "post": post})
    registry.start_construction(lead, pid)
    return pid


def waiting_for(session, user, when) -> list[tuple[str, str]]:
    return [(change["kind"], change["id"]) for change in changes.changes_to_decide(at(session, user, when))]


def test_each_decider_sees_the_changes_at_its_step_oldest_first(session, project, now):
    pm = at(session, "demo-project-manager", now, "zlb")
    engineering = changes.raise_change(pm, dict(
        kind="engineering", project_id=project, description="路基加宽0.5米", reason="现场地质条件与设计不符",
        affected_part="K1+200 路基", touches_concealed_works=False, planned_on="2026-12-05"))["id"]
    back_office = at(session, "demo-leading-group-chief", now)
    registry.register_user(back_office, {"name": "pm-2", "portal": "zlb", "zlb_user_id": "zlb-pm-2"}, user_id="pm-2")
    registry.grant_post(back_office, "pm-2", {"unit_id": "demo-contractor", "post": "project_manager"})
    later = now + timedelta(minutes=5)
    personnel = changes.raise_change(at(session, "demo-contractor-chief", later, "zlb"), dict(
        kind="personnel", project_id=project, post="project_manager", replaced_user_id="demo-project-manager",
        replacement_user_id="pm-2", reason="原项目负责人调离",
        qualification_file_ids=[upload(session, "demo-contractor-chief", later)],
        social_insurance_records=[{"month": month, "file_id": upload(session, "demo-contractor-chief", later)}
                                  for month in MONTHS]))["id"]

    # The owner agrees first: both changes wait for its chief and the project's lead, in order.
    for owner_staff in ("demo-owner-chief", "demo-owner-lead"):
        assert waiting_for(session, owner_staff, later) == [("engineering", engineering), ("personnel", personnel)]
    assert [c["id"] for c in changes.changes_to_decide(at(session, "demo-owner-lead", later), 1, 1)] == [personnel]
    # The industry authority reviews a project manager only after the owner agreed; the
    # supervising unit, the line and the firms have no step on it.
    for others in ("demo-housing-chief", "demo-supervising-chief", "demo-line-head", "demo-leading-group-chief"):
        assert waiting_for(session, others, later) == []
    assert waiting_for(session, "demo-contractor-chief", later) == []

    changes.decide_change(at(session, "demo-owner-chief", later), personnel, {"decision": "approve"})
    changes.decide_change(at(session, "demo-owner-lead", later), engineering, {"decision": "refuse", "note": "不同意"})
    assert waiting_for(session, "demo-owner-chief", later) == []
    assert waiting_for(session, "demo-housing-chief", later) == [("personnel", personnel)]
    changes.decide_change(at(session, "demo-housing-chief", later), personnel, {"decision": "approve"})
    assert waiting_for(session, "demo-housing-chief", later) == []


def test_the_page_is_bounded(session, now):
    with pytest.raises(InvalidInput, match="limit"):
        changes.changes_to_decide(at(session, "demo-owner-chief", now), 101, 0)


def test_only_the_changes_of_projects_in_the_callers_scope_are_read(session, project, now, monkeypatch):
    pm = at(session, "demo-project-manager", now, "zlb")
    changes.raise_change(pm, dict(
        kind="engineering", project_id=project, description="路基加宽0.5米", reason="现场地质条件与设计不符",
        affected_part="K1+200 路基", touches_concealed_works=False, planned_on="2026-12-05"))
    facts_read = []
    project_facts = changes.repo.project_facts
    monkeypatch.setattr(changes.repo, "project_facts",
                        lambda session, read: facts_read.append(read.id) or project_facts(session, read))

    # The parks line's head has no project on the municipal line: its pending change is never read.
    assert waiting_for(session, "demo-parks-line-head", now) == []
    assert facts_read == []
    assert waiting_for(session, "demo-owner-chief", now) != [] and facts_read == [project]
