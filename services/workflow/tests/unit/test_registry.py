"""The workflow use cases on a real (SQLite) database: each change is persisted with its
events in the outbox and its audit entry, or refused with nothing changed."""

import pytest
import sqlalchemy as sa

from common.contracts.types import MAX_OFFSET
from common.errors import IllegalStep, InvalidInput, NotFound, PermissionDenied
from common.principal import Principal
from common.schema import audit_entry, outbox_message
from workflow.bootstrap import DEMO_USERS, bootstrap_back_office, seed_demo_district
from workflow.persistence.models import new_id
from workflow.usecases import registry

PROJECT = dict(name="曹娥江堤防加固工程", industry="housing", kind="government", contract_amount="12500000.00",
               below_threshold=False, geofence={"center": [30.03, 120.87], "radius_m": 300},
               planned_start="2026-12-01", planned_end="2027-06-30")


def outbox(session):
    return [(row.event_type, row.payload) for row in session.execute(
        sa.select(outbox_message).order_by(outbox_message.c.id))]


def count(session, table):
    return session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_the_demo_district_is_seeded_once(session, now):
    assert not seed_demo_district(session, now)
    back_office = Principal(user_id="demo-leading-group-chief", portal="zzd")
    users = registry.list_users(registry.Call(session, now, back_office))
    assert len(users) == len(DEMO_USERS) + 1


def test_bootstrap_does_nothing_when_a_leading_group_exists(session, now):
    assert not bootstrap_back_office(session, now, group_name="x", chief_name="y", zzd_account_id="z")


def walk_chain(as_user):
    project = registry.register_project(as_user("demo-leading-group-chief"), PROJECT)
    pid = project["id"]
    registry.assign_project(as_user("demo-leading-group-chief"), pid,
                            {"level": "supervising_unit", "target_id": "demo-supervising"})
    registry.assign_project(as_user("demo-supervising-chief"), pid,
                            {"level": "line", "target_id": "demo-line-municipal"})
    registry.assign_project(as_user("demo-line-head"), pid, {"level": "owner", "target_id": "demo-owner"})
    return registry.assign_project(as_user("demo-owner-chief"), pid,
                                   {"level": "owner_project_lead", "target_id": "demo-owner-lead"})


def test_the_assignment_chain_with_events_and_audit(session, as_user):
    before = len(outbox(session))
    project = walk_chain(as_user)
    assert project["assignments"] == {"supervising_unit": "demo-supervising", "line": "demo-line-municipal",
                                      "owner": "demo-owner", "owner_project_lead": "demo-owner-lead"}
    assert project["acceptance_window_days"] == 20
    assert project["settlement_audit_window_days"] == 60
    assert project["registered_at"].endswith("+08:00")
    events = outbox(session)[before:]
    assert [event_type for event_type, _ in events] == ["project.registered"] + ["project.assigned"] * 4
    assert events[0][1]["contract_amount"] == "12500000.00"
    assert [payload["level"] for _, payload in events[1:]] == ["supervising_unit", "line", "owner",
                                                               "owner_project_lead"]
    trail = session.execute(sa.select(audit_entry.c.action, audit_entry.c.principal_id)
                            .where(audit_entry.c.entity_id == project["id"]).order_by(audit_entry.c.id)).all()
    assert trail[0] == ("project.registered", "demo-leading-group-chief")
    assert trail[-1] == ("project.assigned", "demo-owner-chief")


def test_a_refused_step_changes_nothing(session, as_user):
    project = registry.register_project(as_user("demo-leading-group-chief"), PROJECT)
    registry.assign_project(as_user("demo-leading-group-chief"), project["id"],
                            {"level": "supervising_unit", "target_id": "demo-supervising"})
    events, audits = len(outbox(session)), count(session, audit_entry)
    with pytest.raises(IllegalStep, match="line first"):
        registry.assign_project(as_user("demo-supervising-chief"), project["id"],
                                {"level": "owner", "target_id": "demo-owner"})
    with pytest.raises(InvalidInput) as invalid:
        registry.assign_project(as_user("demo-supervising-chief"), project["id"],
                                {"level": "line", "target_id": "demo-owner"})
    assert invalid.value.details[0]["field"] == "target_id"
    with pytest.raises(InvalidInput) as unknown_field:
        registry.assign_project(as_user("demo-supervising-chief"), project["id"],
                                {"level": "line", "target_id": "demo-line-municipal", "extra": 1})
    assert unknown_field.value.details[0]["field"] == "extra"
    assert (len(outbox(session)), count(session, audit_entry)) == (events, audits)


def test_a_project_outside_the_scope_is_not_found(session, as_user):
    pid = walk_chain(as_user)["id"]
    assert registry.get_project(as_user("demo-line-head"), pid)["id"] == pid
    with pytest.raises(NotFound):
        registry.get_project(as_user("demo-parks-line-head"), pid)
    with pytest.raises(NotFound):
        registry.assign_project(as_user("demo-parks-line-head"), pid, {"level": "owner", "target_id": "demo-owner"})
    assert registry.list_projects(as_user("demo-parks-line-head")) == []
    assert [p["id"] for p in registry.list_projects(as_user("demo-audit-staff"))] == [pid]
    assert registry.list_projects(as_user("demo-project-manager", "zlb")) == []


def test_participants_and_personnel(session, as_user):
    pid = walk_chain(as_user)["id"]
    lead = as_user("demo-owner-lead")
    contract = registry.record_file(lead, {"sha256": "a" * 64, "size": 10, "content_type": "application/pdf",
                                           "filename": "contract.pdf"})
    with pytest.raises(InvalidInput, match="contract_file_id"):
        registry.add_participant(lead, pid, {"unit_id": "demo-contractor", "role": "contractor",
                                             "contract_file_id": "missing"})
    someone_elses = registry.record_file(as_user("demo-project-manager", "zlb"), {
        "sha256": "e" * 64, "size": 10, "content_type": "application/pdf", "filename": "other.pdf"})
    with pytest.raises(InvalidInput, match="uploaded by the owner"):
        registry.add_participant(lead, pid, {"unit_id": "demo-contractor", "role": "contractor",
                                             "contract_file_id": someone_elses["id"]})
    registry.add_participant(lead, pid, {"unit_id": "demo-contractor", "role": "contractor",
                                         "contract_file_id": contract["id"]})
    with pytest.raises(IllegalStep):
        registry.add_participant(lead, pid, {"unit_id": "demo-contractor", "role": "contractor",
                                             "contract_file_id": contract["id"]})
    project = registry.assign_personnel(lead, pid, {"user_id": "demo-project-manager", "post": "project_manager"})
    assert project["personnel"][0]["unit_id"] == "demo-contractor"
    with pytest.raises(InvalidInput, match="holds no chief_engineer"):
        registry.assign_personnel(lead, pid, {"user_id": "demo-chief-engineer", "post": "chief_engineer"})
    # The firm now sees the project; the contract is visible to it through the project.
    manager = as_user("demo-project-manager", "zlb")
    assert [p["id"] for p in registry.list_projects(manager)] == [pid]
    assert registry.get_file(manager, contract["id"])["sha256"] == "a" * 64
    with pytest.raises(NotFound):
        registry.get_file(as_user("demo-chief-engineer", "zlb"), contract["id"])
    assert [event for event, _ in outbox(session)][-2:] == ["participant.added", "personnel.assigned"]


def test_files_shared_with_the_owner_open_to_it_and_not_to_the_projects_other_viewers(session, as_user):
    """A leave request's documents (Art. 26): the attendance service keeps the request and shares
    its files with the owner deciding it; the line, the firms and other owners do not open them."""
    pid = walk_chain(as_user)["id"]
    lead = as_user("demo-owner-lead")
    contract = registry.record_file(lead, {"sha256": "a" * 64, "size": 10, "content_type": "application/pdf",
                                           "filename": "contract.pdf"})
    for unit in ("demo-contractor", "demo-supervisor"):
        registry.add_participant(lead, pid, {"unit_id": unit, "role": unit.removeprefix("demo-"),
                                             "contract_file_id": contract["id"]})
    registry.assign_personnel(lead, pid, {"user_id": "demo-project-manager", "post": "project_manager"})
    manager = as_user("demo-project-manager", "zlb")
    certificate = registry.record_file(manager, {"sha256": "c" * 64, "size": 10, "content_type": "application/pdf",
                                                 "filename": "病历.pdf"})["id"]
    for outsider in ("demo-owner-chief", "demo-line-head"):
        with pytest.raises(NotFound):
            registry.get_file(as_user(outsider), certificate)
    assert registry.share_files(manager, pid, [certificate], ["role:owner"]) == {"missing": []}
    for decider in ("demo-owner-chief", "demo-owner-lead"):
        assert registry.get_file(as_user(decider), certificate)["id"] == certificate
    assert registry.get_file(manager, certificate)["id"] == certificate  # the uploader
    assert registry.get_file(as_user("demo-leading-group-chief"), certificate)["id"] == certificate
    # Those who see the project but do not decide for its owner do not open it.
    for viewer, portal in (("demo-line-head", "zzd"), ("demo-supervising-chief", "zzd"),
                           ("demo-housing-chief", "zzd"), ("demo-contractor-chief", "zlb"),
                           ("demo-chief-engineer", "zlb"), ("demo-parks-line-head", "zzd")):
        with pytest.raises(NotFound):
            registry.get_file(as_user(viewer, portal), certificate)
    # The owner's approval form, shared with the owner and the person on leave.
    form = registry.record_file(lead, {"sha256": "d" * 64, "size": 10, "content_type": "application/pdf",
                                       "filename": "请假审批单.pdf"})["id"]
    assert registry.share_files(lead, pid, [form], ["role:owner", "user:demo-project-manager"]) == {"missing": []}
    assert registry.get_file(manager, form)["id"] == form
    with pytest.raises(NotFound):
        registry.get_file(as_user("demo-safety-officer", "zlb"), form)
    # Only one's own unit's uploads are shared; nothing is shared when one is not.
    before = count(session, audit_entry)
    designers = registry.record_file(as_user("demo-designer-chief", "zlb"), {
        "sha256": "f" * 64, "size": 10, "content_type": "application/pdf", "filename": "other.pdf"})["id"]
    assert registry.share_files(manager, pid, [certificate, designers], ["role:owner"]) == {"missing": [designers]}
    with pytest.raises(NotFound):
        registry.get_file(as_user("demo-owner-chief"), designers)
    with pytest.raises(InvalidInput, match="audiences"):
        registry.share_files(manager, pid, [certificate], ["everyone"])
    with pytest.raises(NotFound):  # a project the caller does not see
        registry.share_files(as_user("demo-designer-chief", "zlb"), pid, [designers], ["role:owner"])
    assert count(session, audit_entry) == before + 1  # the designer's upload only


def test_units_users_and_posts(session, as_user):
    back_office = as_user("demo-leading-group-chief")
    unit = registry.register_unit(back_office, {"kind": "contractor", "name": "新施工单位",
                                                "credit_code": "913306049000000009"})
    with pytest.raises(IllegalStep, match="credit code"):
        registry.register_unit(back_office, {"kind": "contractor", "name": "重复", "credit_code": "913306049000000009"})
    with pytest.raises(PermissionDenied):
        registry.register_unit(as_user("demo-line-head"), {"kind": "contractor", "name": "x"})
    user = registry.register_user(back_office, {"name": "新经理", "portal": "zlb", "zlb_user_id": "zlb-new",
                                                "phone": "13812345678", "id_card": "330682199001011234"})
    assert user["phone"] == "13812345678"  # the back office sees it whole
    with pytest.raises(IllegalStep):
        registry.register_user(back_office, {"name": "重复", "portal": "zlb", "zlb_user_id": "zlb-new"})
    with pytest.raises(InvalidInput, match="zzd_account_id"):
        registry.register_user(back_office, {"name": "无账号", "portal": "zzd"})
    with pytest.raises(InvalidInput) as two_portals:
        registry.register_user(back_office, {"name": "两个门户", "portal": "zzd", "zzd_account_id": "zzd-two",
                                             "zlb_user_id": "zlb-two"})
    assert "other portal" in two_portals.value.details[0]["reason"]
    granted = registry.grant_post(back_office, user["id"], {"unit_id": unit["id"], "post": "project_manager"})
    assert granted["posts"] == [{"unit_id": unit["id"], "post": "project_manager"}]
    with pytest.raises(InvalidInput, match="ZLB user cannot hold"):
        registry.grant_post(back_office, user["id"], {"unit_id": "demo-owner", "post": "staff"})
    # The person sees their own numbers; a unit chief elsewhere cannot look them up at all.
    own = registry.get_user(as_user(user["id"], "zlb"), user["id"])
    assert own["id_card"] == "330682199001011234"
    with pytest.raises(NotFound):
        registry.get_user(as_user("demo-owner-chief"), user["id"])
    stored = session.execute(sa.text("SELECT phone_encrypted FROM user_account WHERE id = :id"),
                             {"id": user["id"]}).scalar()
    assert "13812345678" not in stored


def test_a_chief_registers_own_staff_and_sees_numbers_masked(session, as_user):
    chief = as_user("demo-owner-chief")
    user = registry.register_user(chief, {"name": "新负责人", "portal": "zzd", "zzd_account_id": "zzd-new",
                                          "phone": "13912345678"})
    assert user["phone"] == "139****5678"
    registry.grant_post(chief, user["id"], {"unit_id": "demo-owner", "post": "owner_project_lead"})
    with pytest.raises(PermissionDenied):
        registry.grant_post(chief, user["id"], {"unit_id": "demo-supervising", "post": "staff"})
    with pytest.raises(PermissionDenied):
        registry.register_user(chief, {"name": "企业人员", "portal": "zlb", "zlb_user_id": "zlb-x"})
    assert {u["id"] for u in registry.list_users(chief)} >= {"demo-owner-chief", "demo-owner-lead", user["id"]}
    assert "demo-line-head" not in {u["id"] for u in registry.list_users(chief)}
    # A supervising unit's chief manages the staff of its lines too (Art. 16-19).
    lines_staff = {u["id"] for u in registry.list_users(as_user("demo-supervising-chief"))}
    assert {"demo-line-head", "demo-parks-line-head"} <= lines_staff
    assert registry.get_user(as_user("demo-supervising-chief"), "demo-line-head")["name"] == "陈条线"


def pages_of(list_page, size: int) -> list[str]:
    """Every item's id, read page by page of ``size`` until a short page."""
    ids, offset = [], 0
    while True:
        page = [item["id"] for item in list_page(size, offset)]
        ids += page
        if len(page) < size:
            return ids
        offset += size


def test_units_and_users_page_in_a_stable_order(session, as_user):
    back_office = as_user("demo-leading-group-chief")
    twins = [registry.register_unit(back_office, {"kind": "tester", "name": "同名检测公司"})["id"] for _ in range(2)]
    for name in ("乙", "甲", "甲"):
        registry.register_user(back_office, {"name": name, "portal": "zzd", "zzd_account_id": f"zzd-{new_id()}"})
    units = [u["id"] for u in registry.list_units(back_office, None, 500, 0)]
    users = registry.list_users(back_office, None, 500, 0)
    # by kind and name, then the id: two units of one name keep one order on every page
    assert [u["id"] for u in registry.list_units(back_office, "tester")] == sorted(twins)
    named_jia = [u["id"] for u in users if u["name"] == "甲"]
    assert named_jia == sorted(named_jia) and [u["name"] for u in users] == sorted(u["name"] for u in users)
    assert pages_of(lambda limit, offset: registry.list_units(back_office, None, limit, offset), 2) == units
    assert pages_of(lambda limit, offset: registry.list_users(back_office, None, limit, offset), 3) == [
        u["id"] for u in users]
    assert [u["id"] for u in registry.list_units(back_office)] == units  # the first page of 100 holds them all
    assert registry.list_units(back_office, None, 10, len(units)) == []
    assert len(registry.list_users(back_office, None, 1, 0)) == 1


@pytest.mark.parametrize("limit, offset, field", [(0, 0, "limit"), (501, 0, "limit"), ("10", 0, "limit"),
                                                  (True, 0, "limit"), (10, -1, "offset"),
                                                  (10, MAX_OFFSET + 1, "offset")])
def test_a_page_out_of_bounds_is_invalid_input_naming_the_field(session, as_user, limit, offset, field):
    back_office = as_user("demo-leading-group-chief")
    for list_page in (registry.list_units, registry.list_users):
        with pytest.raises(InvalidInput) as refused:
            list_page(back_office, None, limit, offset)
        assert refused.value.details[0]["field"] == field


def test_direct_award_entered_by_the_owners_lead(session, as_user):
    project = registry.register_project(as_user("demo-owner-lead"), {**PROJECT, "intake": "direct_award"})
    assert project["assignments"]["owner"] == "demo-owner"
    assert project["assignments"]["owner_project_lead"] == "demo-owner-lead"
    events = [event for event, _ in outbox(session)][-3:]
    assert events == ["project.registered", "project.assigned", "project.assigned"]
    # The back office still dispatches it to a supervising unit, whose chief gives it to a line,
    # for oversight; the levels the owner filled stay as they are.
    registry.assign_project(as_user("demo-leading-group-chief"), project["id"],
                            {"level": "supervising_unit", "target_id": "demo-supervising"})
    assigned = registry.assign_project(as_user("demo-supervising-chief"), project["id"],
                                       {"level": "line", "target_id": "demo-line-municipal"})
    assert assigned["assignments"]["line"] == "demo-line-municipal"
    assert registry.get_project(as_user("demo-line-head"), project["id"])["id"] == project["id"]
    with pytest.raises(IllegalStep):
        registry.assign_project(as_user("demo-leading-group-chief"), project["id"],
                                {"level": "supervising_unit", "target_id": "demo-supervising"})


def test_public_project_finder_shows_no_people(session, as_user):
    walk_chain(as_user)
    found = registry.public_projects(session, "堤防")
    assert [p["name"] for p in found] == [PROJECT["name"]]
    assert "personnel" not in found[0] and "assignments" not in found[0]
    assert registry.public_projects(session, "100%") == []
    with pytest.raises(InvalidInput):
        registry.public_projects(session, "  ")


def test_identities_for_login(session):
    identity = registry.identity_by_portal(session, "zzd", "zzd-demo-line-head")
    assert identity == {"user_id": "demo-line-head", "name": "陈条线", "portal": "zzd", "roles": ["line"]}
    with pytest.raises(NotFound):
        registry.identity_by_portal(session, "zlb", "zzd-demo-line-head")


def test_snapshot_holds_the_registry_without_secrets(session, as_user):
    walk_chain(as_user)
    snapshot = registry.snapshot(session)
    assert len(snapshot["projects"]) == 1
    assert all("phone_encrypted" not in user for user in snapshot["users"])
    assert snapshot["projects"][0]["registered_at"].endswith("+08:00")
