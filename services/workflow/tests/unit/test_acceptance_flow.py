"""Completion acceptance (Art. 31) and settlement audit (Art. 32) with their deadlines, on a
real (SQLite) database: each warning exactly when due, once."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from common.errors import IllegalStep, InvalidInput, PermissionDenied
from common.principal import Principal
from common.schema import outbox_message
from workflow.domain.deadlines import (
    ACCEPTANCE_LARGE,
    ACCEPTANCE_SMALL,
    SETTLEMENT_LARGE,
    SUPERVISION_LOG,
)
from workflow.usecases import deadline_engine, processes, registry
from workflow.usecases import deadlines as deadline_usecases

DAY = timedelta(days=1)


def project_body(amount: str, kind: str = "government") -> dict:
    return dict(name=f"工程{amount}", industry="housing", kind=kind, contract_amount=amount, below_threshold=False,
                geofence={"center": [30.03, 120.87], "radius_m": 300}, planned_start="2026-12-01",
                planned_end="2027-06-30")


@pytest.fixture
def in_construction(session, as_user):
    """A project of the demo district, staffed and in construction."""

    def make(amount: str = "12500000", kind: str = "government") -> str:
        back_office = as_user("demo-leading-group-chief")
        pid = registry.register_project(back_office, project_body(amount, kind))["id"]
        registry.assign_project(back_office, pid, {"level": "supervising_unit", "target_id": "demo-supervising"})
        registry.assign_project(as_user("demo-supervising-chief"), pid,
                                {"level": "line", "target_id": "demo-line-municipal"})
        registry.assign_project(as_user("demo-line-head"), pid, {"level": "owner", "target_id": "demo-owner"})
        registry.assign_project(as_user("demo-owner-chief"), pid,
                                {"level": "owner_project_lead", "target_id": "demo-owner-lead"})
        lead = as_user("demo-owner-lead")
        contract = registry.record_file(lead, {"sha256": "c" * 64, "size": 9, "content_type": "application/pdf",
                                               "filename": "c.pdf"})
        for unit, role in (("demo-contractor", "contractor"), ("demo-supervisor", "supervisor")):
            registry.add_participant(lead, pid, {"unit_id": unit, "role": role, "contract_file_id": contract["id"]})
        for user, post in (("demo-project-manager", "project_manager"), ("demo-safety-officer", "safety_officer"),
                           ("demo-chief-engineer", "chief_engineer"), ("demo-inspector", "inspector")):
            registry.assign_personnel(lead, pid, {"user_id": user, "post": post})
        registry.start_construction(lead, pid)
        return pid

    return make


def at(session, user, now, portal="zzd"):
    return registry.Call(session, now, Principal(user_id=user, portal=portal))


def warnings(session):
    return [(row.payload["rule_id"], row.payload["article"]) for row in session.execute(
        sa.select(outbox_message).where(outbox_message.c.event_type == "warning.raised").order_by(outbox_message.c.id))]


def reminders(session):
    return [row.payload["rule_id"] for row in session.execute(
        sa.select(outbox_message).where(outbox_message.c.event_type == "deadline.reminder_reached"))]


def record_file(session, user, now):
    return registry.record_file(at(session, user, now), {"sha256": "d" * 64, "size": 3,
                                                         "content_type": "application/pdf", "filename": "r.pdf"})["id"]


def test_government_under_20_million_from_completion_to_deposit(session, in_construction, now):
    pid = in_construction("12500000")
    started = processes.start_acceptance(at(session, "demo-project-manager", now, "zlb"),
                                         {"project_id": pid, "variant": "government"})
    assert started["status"] == "awaiting_check"
    with pytest.raises(PermissionDenied):
        processes.check_acceptance(at(session, "demo-project-manager", now, "zlb"), started["id"],
                                   {"passed": True, "opinion": "合格"})
    checked = processes.check_acceptance(at(session, "demo-chief-engineer", now, "zlb"), started["id"],
                                         {"passed": True, "opinion": "符合验收条件"})
    assert checked["status"] == "with_owner"
    assert deadline_usecases.sweep(session, now + 20 * DAY - timedelta(minutes=1)) == 0  # day 19: nothing
    assert deadline_usecases.sweep(session, now + 20 * DAY) == 1  # day 20: the warning
    assert deadline_usecases.sweep(session, now + 25 * DAY) == 0  # once
    assert warnings(session) == [("art31.acceptance.government-small", "Art. 31")]
    later = now + 26 * DAY
    with pytest.raises(InvalidInput):
        processes.accept(at(session, "demo-owner-chief", later), started["id"], {"conclusion": "合格"})
    record = record_file(session, "demo-owner-chief", later)
    accepted = processes.accept(at(session, "demo-owner-chief", later), started["id"],
                                {"conclusion": "验收合格", "record_file_ids": [record]})
    assert accepted["status"] == "accepted"
    # Art. 32: 60 days from completion to submit the records for settlement audit.
    assert deadline_usecases.sweep(session, later + 60 * DAY - timedelta(minutes=1)) == 0
    assert deadline_usecases.sweep(session, later + 60 * DAY) == 1
    assert warnings(session)[-1] == ("art32.settlement-audit.small", "Art. 32")
    audited = processes.submit_settlement_audit(at(session, "demo-owner-lead", later + 61 * DAY), pid,
                                                {"record_file_ids": [record]})
    assert audited["status"] == "settlement_audit"
    with pytest.raises(IllegalStep):
        processes.advance_after_audit(at(session, "demo-owner-lead", later + 62 * DAY), pid, "deposit_returned")
    processes.advance_after_audit(at(session, "demo-owner-lead", later + 62 * DAY), pid, "funds_paid")
    done = processes.advance_after_audit(at(session, "demo-owner-lead", later + 400 * DAY), pid, "deposit_returned")
    assert done["status"] == "deposit_returned"


def test_large_works_have_60_days_and_the_settlement_window_opens_at_acceptance(session, in_construction, now,
                                                                                 sweep):
    pid = in_construction("25000000")
    started = processes.start_acceptance(at(session, "demo-project-manager", now, "zlb"),
                                         {"project_id": pid, "variant": "government"})
    processes.check_acceptance(at(session, "demo-chief-engineer", now, "zlb"), started["id"],
                               {"passed": True, "opinion": "合格"})
    assert sweep(now + 59 * DAY)[ACCEPTANCE_LARGE] == 0  # 60 days for 20 million and more
    record = record_file(session, "demo-owner-chief", now)
    processes.accept(at(session, "demo-owner-chief", now + 59 * DAY), started["id"],
                     {"conclusion": "合格", "record_file_ids": [record]})
    assert warnings(session) == []
    deadlines = deadline_usecases.project_deadlines(at(session, "demo-owner-chief", now + 59 * DAY), pid)
    assert [(d["rule_id"], d["status"]) for d in deadlines if d["rule_id"] in (ACCEPTANCE_LARGE, SETTLEMENT_LARGE)] == [
        ("art31.acceptance.government-large", "satisfied"), ("art32.settlement-audit.large", "open")]


def test_the_owner_returns_works_within_3_days_only(session, in_construction, now, sweep):
    pid = in_construction()
    first = processes.start_acceptance(at(session, "demo-project-manager", now, "zlb"),
                                       {"project_id": pid, "variant": "government"})
    processes.check_acceptance(at(session, "demo-chief-engineer", now, "zlb"), first["id"],
                               {"passed": True, "opinion": "合格"})
    with pytest.raises(IllegalStep, match="within 3 days"):
        processes.return_acceptance(at(session, "demo-owner-chief", now + 3 * DAY + timedelta(minutes=1)),
                                    first["id"], {"reason": "资料不全"})
    returned = processes.return_acceptance(at(session, "demo-owner-chief", now + 2 * DAY), first["id"],
                                           {"reason": "资料不全"})
    assert returned["status"] == "returned"
    fired = sweep(now + 30 * DAY)
    assert fired[ACCEPTANCE_SMALL] == 0  # the returned acceptance's deadline is gone
    # The works are back in construction: logs are due again, and none came.
    assert fired[SUPERVISION_LOG] == 1
    assert warnings(session) == [("art46.supervision-log", "Art. 22, 46")]
    again = processes.start_acceptance(at(session, "demo-project-manager", now + 5 * DAY, "zlb"),
                                       {"project_id": pid, "variant": "government"})
    assert again["status"] == "awaiting_check"
    with pytest.raises(IllegalStep, match="already under way"):
        processes.start_acceptance(at(session, "demo-project-manager", now + 5 * DAY, "zlb"),
                                   {"project_id": pid, "variant": "government"})


def pages_of(list_page, size: int) -> list[str]:
    """Every item's id, read page by page of ``size`` until a short page."""
    ids, offset = [], 0
    while True:
        page = [item["id"] for item in list_page(size, offset)]
        ids += page
        if len(page) < size:
            return ids
        offset += size


def returned_twice_then_started(session, pid, now) -> list[str]:
    """Three acceptances of one project: two returned, the third under way; their ids in order."""
    ids = []
    for round_ in range(3):
        when = now + 5 * round_ * DAY
        started = processes.start_acceptance(at(session, "demo-project-manager", when, "zlb"),
                                             {"project_id": pid, "variant": "government"})
        ids.append(started["id"])
        if round_ < 2:
            processes.check_acceptance(at(session, "demo-chief-engineer", when, "zlb"), started["id"],
                                       {"passed": True, "opinion": "合格"})
            processes.return_acceptance(at(session, "demo-owner-chief", when + DAY), started["id"],
                                        {"reason": "资料不全"})
    return ids


def test_a_projects_acceptances_and_deadlines_page_oldest_first(session, in_construction, now):
    pid = in_construction()
    started = returned_twice_then_started(session, pid, now)
    owner = at(session, "demo-owner-chief", now + 20 * DAY)
    assert [a["id"] for a in processes.list_acceptances(owner, pid)] == started
    assert [a["id"] for a in processes.list_acceptances(owner, pid, 2, 1)] == started[1:]
    assert pages_of(lambda limit, offset: processes.list_acceptances(owner, pid, limit, offset), 2) == started
    assert processes.list_acceptances(owner, pid, 100, 3) == []

    every = deadline_usecases.project_deadlines(owner, pid, 500, 0)
    assert len(every) >= 5  # the readiness watch, the log watches, an acceptance's deadline each time
    assert [(d["started_at"], d["id"]) for d in every] == sorted((d["started_at"], d["id"]) for d in every)
    assert pages_of(lambda limit, offset: deadline_usecases.project_deadlines(owner, pid, limit, offset), 2) == [
        d["id"] for d in every]
    assert deadline_usecases.project_deadlines(owner, pid, 1, len(every) - 1) == every[-1:]


@pytest.mark.parametrize("limit, offset, field", [(0, 0, "limit"), ("2", 0, "limit"), (2, -1, "offset"),
                                                  (2, 10**7, "offset")])
def test_a_page_of_acceptances_or_deadlines_out_of_bounds_is_invalid_input(session, in_construction, now, limit,
                                                                           offset, field):
    pid = in_construction()
    owner = at(session, "demo-owner-chief", now)
    for list_page, too_many in ((processes.list_acceptances, 101), (deadline_usecases.project_deadlines, 501)):
        for bad_limit, bad_offset, named in ((limit, offset, field), (too_many, 0, "limit")):
            with pytest.raises(InvalidInput) as refused:
                list_page(owner, pid, bad_limit, bad_offset)
            assert refused.value.details[0]["field"] == named
        list_page(owner, pid, too_many - 1, 0)  # the maximum itself is a page


def test_a_large_works_extension_needs_three_approvals_in_order(session, in_construction, now):
    pid = in_construction("30000000")
    started = processes.start_acceptance(at(session, "demo-project-manager", now, "zlb"),
                                         {"project_id": pid, "variant": "government"})
    processes.check_acceptance(at(session, "demo-chief-engineer", now, "zlb"), started["id"],
                               {"passed": True, "opinion": "合格"})
    processes.request_extension(at(session, "demo-owner-chief", now + 10 * DAY), started["id"],
                                {"days": 30, "reason": "工程规模大"})
    with pytest.raises(PermissionDenied, match="supervising unit"):
        processes.approve_extension(at(session, "demo-leading-group-chief", now + 11 * DAY), started["id"])
    for approver in ("demo-supervising-chief", "demo-housing-chief", "demo-leading-group-chief"):
        processes.approve_extension(at(session, approver, now + 11 * DAY), started["id"])
    assert deadline_usecases.sweep(session, now + 89 * DAY) == 0
    assert deadline_usecases.sweep(session, now + 90 * DAY) == 1


def test_village_self_acceptance_then_township_re_acceptance(session, in_construction, now):
    pid = in_construction("800000", kind="village")
    with pytest.raises(InvalidInput, match="village_self"):
        processes.start_acceptance(at(session, "demo-project-manager", now, "zlb"),
                                   {"project_id": pid, "variant": "government"})
    own = processes.start_acceptance(at(session, "demo-project-manager", now, "zlb"),
                                     {"project_id": pid, "variant": "village_self"})
    assert own["status"] == "with_owner"  # no supervisor check for a village's own acceptance
    assert deadline_usecases.sweep(session, now + 15 * DAY) == 1
    record = record_file(session, "demo-owner-chief", now)
    processes.accept(at(session, "demo-owner-chief", now + 16 * DAY), own["id"],
                     {"conclusion": "自验合格", "record_file_ids": [record]})
    township = processes.start_acceptance(at(session, "demo-owner-chief", now + 16 * DAY),
                                          {"project_id": pid, "variant": "village_township"})
    start = now + 16 * DAY
    assert deadline_usecases.sweep(session, start + 7 * DAY - timedelta(minutes=1)) == 0
    assert deadline_usecases.sweep(session, start + 7 * DAY) == 1
    assert reminders(session) == ["art31.acceptance.village-township"]
    assert deadline_usecases.sweep(session, start + 15 * DAY) == 1
    assert warnings(session)[-1] == ("art31.acceptance.village-township", "Art. 31")
    with pytest.raises(PermissionDenied):
        processes.accept(at(session, "demo-owner-chief", start + 16 * DAY), township["id"],
                         {"conclusion": "复验合格", "record_file_ids": [record]})
    processes.accept(at(session, "demo-supervising-chief", start + 16 * DAY), township["id"],
                     {"conclusion": "复验合格", "record_file_ids": [record]})
    deadlines = deadline_usecases.project_deadlines(at(session, "demo-owner-chief", start + 16 * DAY), pid)
    assert deadlines[-1]["rule_id"] == "art32.settlement-audit.small"


def test_a_5_day_suspension_moves_a_running_deadline_from_day_20_to_day_25(session, in_construction, now, sweep):
    pid = in_construction()
    deadline_engine.start(session, rule_id="art31.acceptance.government-small", project_id=pid,
                          subject_type="test", subject_id=pid, started_at=now)
    chief, lead = "demo-owner-chief", "demo-owner-lead"
    registry.suspend_project(at(session, chief, now + 3 * DAY), pid,
                             {"since": (now + 3 * DAY).isoformat(), "reason": "停工待图"})
    assert sweep(now + 30 * DAY)[ACCEPTANCE_SMALL] == 0  # paused: nothing falls due
    registry.resume_project(at(session, lead, now + 8 * DAY), pid)
    assert sweep(now + 25 * DAY - timedelta(minutes=1))[ACCEPTANCE_SMALL] == 0
    assert sweep(now + 25 * DAY)[ACCEPTANCE_SMALL] == 1
    assert sweep(now + 40 * DAY)[ACCEPTANCE_SMALL] == 0


def test_a_file_named_in_a_record_opens_to_those_who_see_the_project(session, in_construction, now):
    from common.errors import NotFound

    pid = in_construction()
    started = processes.start_acceptance(at(session, "demo-project-manager", now, "zlb"),
                                         {"project_id": pid, "variant": "government"})
    photo = registry.record_file(at(session, "demo-chief-engineer", now, "zlb"), {
        "sha256": "f" * 64, "size": 5, "content_type": "image/jpeg", "filename": "check.jpg"})
    with pytest.raises(NotFound):
        registry.get_file(at(session, "demo-owner-chief", now), photo["id"])
    processes.check_acceptance(at(session, "demo-chief-engineer", now, "zlb"), started["id"],
                               {"passed": True, "opinion": "合格", "file_ids": [photo["id"]]})
    assert registry.get_file(at(session, "demo-owner-chief", now), photo["id"])["filename"] == "check.jpg"
    with pytest.raises(NotFound):
        registry.get_file(at(session, "demo-parks-line-head", now), photo["id"])


def test_a_village_goes_to_settlement_audit_after_the_township_only_once(session, in_construction, now):
    pid = in_construction("800000", kind="village")
    own = processes.start_acceptance(at(session, "demo-project-manager", now, "zlb"),
                                     {"project_id": pid, "variant": "village_self"})
    record = record_file(session, "demo-owner-chief", now)
    processes.accept(at(session, "demo-owner-chief", now + DAY), own["id"],
                     {"conclusion": "自验合格", "record_file_ids": [record]})
    with pytest.raises(IllegalStep, match="township"):
        processes.submit_settlement_audit(at(session, "demo-owner-lead", now + 2 * DAY), pid,
                                          {"record_file_ids": [record]})
    township = processes.start_acceptance(at(session, "demo-owner-chief", now + 2 * DAY),
                                          {"project_id": pid, "variant": "village_township"})
    processes.accept(at(session, "demo-supervising-chief", now + 3 * DAY), township["id"],
                     {"conclusion": "复验合格", "record_file_ids": [record]})
    with pytest.raises(IllegalStep, match="already"):
        processes.start_acceptance(at(session, "demo-owner-chief", now + 4 * DAY),
                                   {"project_id": pid, "variant": "village_township"})
    processes.submit_settlement_audit(at(session, "demo-owner-lead", now + 4 * DAY), pid,
                                      {"record_file_ids": [record]})
    settlement = [d for d in deadline_usecases.project_deadlines(at(session, "demo-owner-chief", now + 4 * DAY), pid)
                  if d["rule_id"].startswith("art32")]
    assert [d["status"] for d in settlement] == ["satisfied"]


def test_an_extension_is_approved_only_while_the_acceptance_is_with_the_owner(session, in_construction, now):
    pid = in_construction("30000000")
    started = processes.start_acceptance(at(session, "demo-project-manager", now, "zlb"),
                                         {"project_id": pid, "variant": "government"})
    processes.check_acceptance(at(session, "demo-chief-engineer", now, "zlb"), started["id"],
                               {"passed": True, "opinion": "合格"})
    processes.request_extension(at(session, "demo-owner-chief", now + DAY), started["id"],
                                {"days": 30, "reason": "工程规模大"})
    processes.accept(at(session, "demo-owner-chief", now + 2 * DAY), started["id"],
                     {"conclusion": "合格", "record_file_ids": [record_file(session, "demo-owner-chief", now)]})
    with pytest.raises(IllegalStep, match="with the owner"):
        processes.approve_extension(at(session, "demo-supervising-chief", now + 3 * DAY), started["id"])


def test_a_deadline_starts_once_per_rule_and_subject_and_never_for_a_terminated_project(session, in_construction,
                                                                                        now):
    pid = in_construction()
    first = deadline_engine.start(session, rule_id="art31.acceptance.government-small", project_id=pid,
                                  subject_type="test", subject_id="s1", started_at=now)
    again = deadline_engine.start(session, rule_id="art31.acceptance.government-small", project_id=pid,
                                  subject_type="test", subject_id="s1", started_at=now + DAY)
    assert again.id == first.id
    session.execute(sa.text("UPDATE project SET status = 'terminated' WHERE id = :id"), {"id": pid})
    assert deadline_engine.start(session, rule_id="art31.acceptance.government-small", project_id=pid,
                                 subject_type="test", subject_id="s2", started_at=now) is None


def test_a_record_cannot_name_an_outsiders_file(session, in_construction, now):
    pid = in_construction()
    started = processes.start_acceptance(at(session, "demo-project-manager", now, "zlb"),
                                         {"project_id": pid, "variant": "government"})
    outsider = registry.record_file(at(session, "demo-designer-chief", now, "zlb"), {
        "sha256": "9" * 64, "size": 5, "content_type": "application/pdf", "filename": "secret.pdf"})
    with pytest.raises(InvalidInput) as refused:
        processes.check_acceptance(at(session, "demo-chief-engineer", now, "zlb"), started["id"],
                                   {"passed": True, "opinion": "合格", "file_ids": [outsider["id"]]})
    assert refused.value.details == [{"field": "file_ids", "reason": f"no such file: {outsider['id']}"}]
