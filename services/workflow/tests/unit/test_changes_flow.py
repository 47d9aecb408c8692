"""Engineering and personnel changes (Art. 27), termination (Art. 34) and supplementary
registration (Art. 33) on a real (SQLite) database: each step by its unit, once, with its
events in the outbox and its audit entry; a refused step changes nothing."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from common.errors import IllegalStep, InvalidInput, NotFound, PermissionDenied
from common.principal import Principal
from common.rule_settings import update_rules
from common.schema import audit_entry, outbox_message
from workflow.domain.deadlines import ACCEPTANCE_SMALL, READINESS, SUPERVISION_LOG
from workflow.domain.rules import WorkflowRules
from workflow.persistence.models import Personnel
from workflow.usecases import changes, deadline_engine, deadlines, processes, registry

DAY = timedelta(days=1)
MONTHS = ["2026-09", "2026-10", "2026-11"]  # the three full months before December 2026


def at(session, user, when, portal="zzd"):
    return registry.Call(session, when, Principal(user_id=user, portal=portal))


def firm(session, user, when):
    return at(session, user, when, "zlb")


def project_body(name="曹娥江堤防加固工程", amount="12500000"):
    return dict(name=name, industry="housing", kind="government", contract_amount=amount, below_threshold=False,
                geofence={"center": [30.03, 120.87], "radius_m": 300}, planned_start="2026-12-01",
                planned_end="2027-06-30")


def upload(session, user, when) -> str:
    return registry.record_file(at(session, user, when), {"sha256": "e" * 64, "size": 5,
                                                          "content_type": "application/pdf",
                                                          "filename": "f.pdf"})["id"]


def add_firm_user(session, now, user_id, unit_id, post):
    back_office = at(session, "demo-leading-group-chief", now)
    registry.register_user(back_office, {"name": user_id, "portal": "zlb", "zlb_user_id": f"zlb-{user_id}"},
                           user_id=user_id)
    registry.grant_post(back_office, user_id, {"unit_id": unit_id, "post": post})


@pytest.fixture
def in_construction(session, now):
    """A project of the demo district, staffed and in construction."""

    def make(name="曹娥江堤防加固工程", project_manager="demo-project-manager") -> str:
        back_office = at(session, "demo-leading-group-chief", now)
        pid = registry.register_project(back_office, project_body(name))["id"]
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
        for user, post in ((project_manager, "project_manager"), ("demo-safety-officer", "safety_officer"),
                           ("demo-chief-engineer", "chief_engineer"), ("demo-inspector", "inspector")):
            registry.assign_personnel(lead, pid, {"user_id": user, "post": post})
        registry.start_construction(lead, pid)
        return pid

    return make


def outbox(session, event_type):
    return [row.payload for row in session.execute(
        sa.select(outbox_message).where(outbox_message.c.event_type == event_type).order_by(outbox_message.c.id))]


def named(error) -> str:
    """The fields and reasons a 422 names."""
    return "; ".join(f"{item['field']}: {item['reason']}" for item in error.value.details)


def audit_actions(session, entity_id):
    return [row.action for row in session.execute(
        sa.select(audit_entry.c.action).where(audit_entry.c.entity_id == entity_id).order_by(audit_entry.c.id))]


def engineering_body(pid, **changes):
    body = dict(kind="engineering", project_id=pid, description="路基加宽0.5米", reason="现场地质条件与设计不符",
                affected_part="K1+200 路基", touches_concealed_works=False, planned_on="2026-12-05")
    body.update(changes)
    return body


# --- engineering change (Art. 27(1)) ----------------------------------------------------------------


def test_an_engineering_change_is_approved_by_the_owner_before_it_is_carried_out(session, in_construction, now):
    pid = in_construction()
    drawing = upload(session, "demo-project-manager", now)
    raised = changes.raise_change(firm(session, "demo-project-manager", now),
                                  engineering_body(pid, file_ids=[drawing]))
    assert (raised["status"], raised["after_the_fact"], raised["steps"]) == ("pending", False, [])
    assert (raised["contractor_id"], raised["file_ids"]) == ("demo-contractor", [drawing])
    approved = changes.decide_change(at(session, "demo-owner-chief", now + DAY), raised["id"],
                                     {"decision": "approve", "note": "同意"})
    assert approved["status"] == "approved"
    assert [(s["step"], s["decision"], s["unit_id"], s["decided_by"]) for s in approved["steps"]] == [
        ("owner_decision", "approve", "demo-owner", "demo-owner-chief")]
    with pytest.raises(IllegalStep, match="decided already"):
        changes.decide_change(at(session, "demo-owner-lead", now + DAY), raised["id"],
                              {"decision": "refuse", "note": "不同意"})
    assert outbox(session, "warning.raised") == []
    assert audit_actions(session, raised["id"]) == ["engineering_change.raised", "engineering_change.decided"]
    listed = changes.list_changes(at(session, "demo-supervising-chief", now + DAY), pid)
    assert [(c["kind"], c["status"]) for c in listed] == [("engineering", "approved")]


def test_only_the_contractor_raises_and_only_the_owner_decides(session, in_construction, now):
    pid = in_construction()
    with pytest.raises(PermissionDenied):
        changes.raise_change(firm(session, "demo-chief-engineer", now), engineering_body(pid))
    with pytest.raises(NotFound):  # a firm not on the project does not see it
        changes.raise_change(firm(session, "demo-designer-chief", now), engineering_body(pid))
    with pytest.raises(InvalidInput, match="kind"):
        changes.raise_change(firm(session, "demo-project-manager", now), {"kind": "budget"})
    with pytest.raises(InvalidInput, match="file_ids"):
        changes.raise_change(firm(session, "demo-project-manager", now), engineering_body(pid, file_ids=["nope"]))
    raised = changes.raise_change(firm(session, "demo-contractor-chief", now), engineering_body(pid))
    for outsider in ("demo-project-manager", "demo-chief-engineer"):
        with pytest.raises(PermissionDenied):
            changes.decide_change(firm(session, outsider, now), raised["id"], {"decision": "approve"})
    with pytest.raises(PermissionDenied):
        changes.decide_change(at(session, "demo-supervising-chief", now), raised["id"], {"decision": "approve"})
    with pytest.raises(InvalidInput) as no_reason:
        changes.decide_change(at(session, "demo-owner-chief", now), raised["id"], {"decision": "refuse"})
    assert "a refusal gives its reason" in named(no_reason)
    with pytest.raises(NotFound):
        changes.decide_change(at(session, "demo-owner-chief", now), "no-such-change", {"decision": "approve"})
    assert changes.get_change(at(session, "demo-owner-chief", now), raised["id"])["status"] == "pending"
    with pytest.raises(NotFound):
        changes.get_change(firm(session, "demo-designer-chief", now), raised["id"])
    with pytest.raises(NotFound):
        changes.list_changes(firm(session, "demo-designer-chief", now), pid)
    assert audit_actions(session, raised["id"]) == ["engineering_change.raised"]


def test_a_change_carried_out_before_it_was_raised_is_flagged_and_warned(session, in_construction, now):
    pid = in_construction()
    pm = firm(session, "demo-project-manager", now)
    planned = changes.raise_change(pm, engineering_body(pid, planned_on="2026-12-03", executed_on=None))
    assert planned["after_the_fact"] is False
    assert outbox(session, "warning.raised") == []
    late = changes.raise_change(pm, engineering_body(pid, planned_on=None, executed_on="2026-12-01"))
    assert (late["status"], late["after_the_fact"]) == ("pending", True)  # done today, before approval
    [warning] = outbox(session, "warning.raised")
    assert (warning["rule_id"], warning["article"], warning["project_id"]) == (
        "art27.after-the-fact-change", "Art. 27", pid)
    assert (warning["firm_id"], warning["must_act"]) == ("demo-contractor", "demo-owner")
    assert warning["detail"]["change_id"] == late["id"]
    assert warning["detail"]["cause"] == "carried_out_before_it_was_raised"
    # Approving it afterwards does not warn a second time.
    changes.decide_change(at(session, "demo-owner-chief", now + 10 * DAY), late["id"], {"decision": "approve"})
    assert len(outbox(session, "warning.raised")) == 1
    with pytest.raises(InvalidInput, match="executed_on"):
        changes.raise_change(pm, engineering_body(pid, planned_on=None, executed_on="2026-12-02"))
    with pytest.raises(InvalidInput, match="planned_on"):
        changes.raise_change(pm, engineering_body(pid, planned_on="2026-11-30"))


def test_an_approval_after_the_planned_day_flags_the_change(session, in_construction, now):
    pid = in_construction()
    pm = firm(session, "demo-project-manager", now)
    in_time, too_late, refused = (changes.raise_change(pm, engineering_body(pid, planned_on="2026-12-03"))["id"]
                                  for _ in range(3))
    on_the_day = changes.decide_change(at(session, "demo-owner-chief", now + 2 * DAY), in_time,
                                       {"decision": "approve"})
    assert on_the_day["after_the_fact"] is False
    assert outbox(session, "warning.raised") == []
    changes.decide_change(at(session, "demo-owner-chief", now + 3 * DAY), refused,
                          {"decision": "refuse", "note": "不必要"})
    assert outbox(session, "warning.raised") == []  # a refused change is not carried out
    flagged = changes.decide_change(at(session, "demo-owner-chief", now + 3 * DAY), too_late,
                                    {"decision": "approve"})
    assert flagged["after_the_fact"] is True
    [warning] = outbox(session, "warning.raised")
    assert (warning["rule_id"], warning["must_act"], warning["detail"]["cause"]) == (
        "art27.after-the-fact-change", "demo-owner", "approved_after_the_planned_day")


def test_a_change_on_concealed_works_is_refused_unless_the_setting_allows_it(session, in_construction, now):
    pid = in_construction()
    pm = firm(session, "demo-project-manager", now)
    refused = changes.raise_change(pm, engineering_body(pid, touches_concealed_works=True))
    assert refused["status"] == "refused"
    assert [(s["step"], s["decision"], s["decided_by"]) for s in refused["steps"]] == [
        ("concealed_works_rule", "refuse", None)]
    assert "concealed works" in refused["steps"][0]["note"]
    with pytest.raises(IllegalStep):
        changes.decide_change(at(session, "demo-owner-chief", now), refused["id"], {"decision": "approve"})
    update_rules(session, WorkflowRules, {"changes_on_concealed_works_allowed": True},
                 principal=Principal(user_id="demo-leading-group-chief", portal="zzd"), at=now)
    allowed = changes.raise_change(pm, engineering_body(pid, touches_concealed_works=True))
    assert allowed["status"] == "pending"


# --- personnel change (Art. 27(2)) ------------------------------------------------------------------


def materials(session, user, when, months=tuple(MONTHS)):
    return {"qualification_file_ids": [upload(session, user, when)],
            "social_insurance_records": [{"month": month, "file_id": upload(session, user, when)}
                                         for month in months]}


def personnel_body(session, pid, post, replaced, replacement, by, when, **changes):
    body = dict(kind="personnel", project_id=pid, post=post, replaced_user_id=replaced,
                replacement_user_id=replacement, reason="原项目负责人调离", **materials(session, by, when))
    body.update(changes)
    return body


def holders(session, pid, post):
    return sorted((row.user_id, row.released_at is None) for row in session.execute(
        sa.select(Personnel).where(Personnel.project_id == pid, Personnel.post == post)).scalars())


def test_a_project_manager_is_replaced_after_the_owner_agrees_and_the_industry_authority_reviews(
        session, in_construction, now):
    pid = in_construction()
    add_firm_user(session, now, "pm-2", "demo-contractor", "project_manager")
    raised = changes.raise_change(firm(session, "demo-contractor-chief", now), personnel_body(
        session, pid, "project_manager", "demo-project-manager", "pm-2", "demo-contractor-chief", now))
    change_id = raised["id"]
    assert raised["status"] == "pending"
    assert raised["approval_path"] == [["owner_agreement"], ["industry_review"]]
    assert raised["open_steps"] == ["owner_agreement"]
    with pytest.raises(IllegalStep, match="waiting for the owner"):
        changes.decide_change(at(session, "demo-housing-chief", now), change_id, {"decision": "approve"})
    with pytest.raises(PermissionDenied):  # the supervising unit has no say on a project manager
        changes.decide_change(at(session, "demo-supervising-chief", now), change_id, {"decision": "approve"})
    changes.decide_change(at(session, "demo-owner-chief", now), change_id, {"decision": "approve", "note": "同意"})
    with pytest.raises(IllegalStep, match="already decided"):
        changes.decide_change(at(session, "demo-owner-lead", now), change_id, {"decision": "approve"})
    with pytest.raises(IllegalStep, match="pending"):  # no approval form before the review
        changes.upload_approval_form(at(session, "demo-owner-lead", now), change_id,
                                     {"file_id": upload(session, "demo-owner-lead", now)})
    reviewed = changes.decide_change(at(session, "demo-housing-chief", now + DAY), change_id, {"decision": "approve"})
    assert reviewed["status"] == "approved"
    assert [(s["step"], s["unit_id"]) for s in reviewed["steps"]] == [
        ("owner_agreement", "demo-owner"), ("industry_review", "demo-housing")]
    assert holders(session, pid, "project_manager") == [("demo-project-manager", True)]  # not replaced yet

    form = upload(session, "demo-owner-lead", now + 2 * DAY)
    with pytest.raises(PermissionDenied):
        changes.upload_approval_form(at(session, "demo-owner-chief", now + 2 * DAY), change_id, {"file_id": form})
    with pytest.raises(InvalidInput, match="file_id"):
        changes.upload_approval_form(at(session, "demo-owner-lead", now + 2 * DAY), change_id, {"file_id": "nope"})
    done = changes.upload_approval_form(at(session, "demo-owner-lead", now + 2 * DAY), change_id, {"file_id": form})
    assert (done["status"], done["approval_form_file_id"], done["replaced_by"]) == (
        "replaced", form, "demo-owner-lead")
    assert holders(session, pid, "project_manager") == [("demo-project-manager", False), ("pm-2", True)]
    project = registry.get_project(at(session, "demo-owner-chief", now + 2 * DAY), pid)
    assert [p["user_id"] for p in project["personnel"] if p["post"] == "project_manager"] == ["pm-2"]
    [replaced] = outbox(session, "personnel.replaced")
    assert (replaced["replaced_user_id"], replaced["replacement_user_id"], replaced["firm_id"]) == (
        "demo-project-manager", "pm-2", "demo-contractor")
    assert (replaced["for_illness"], replaced["bid_bar_until"], replaced["post_locked_until_project_completed"]) == (
        False, None, True)
    assert outbox(session, "personnel.assigned")[-1]["user_id"] == "pm-2"
    with pytest.raises(IllegalStep):
        changes.upload_approval_form(at(session, "demo-owner-lead", now + 2 * DAY), change_id, {"file_id": form})

    # The owner records the contractual penalty, once, after the replacement.
    with pytest.raises(PermissionDenied):
        changes.record_penalty(firm(session, "demo-contractor-chief", now + 3 * DAY), change_id,
                               {"amount_yuan": "0", "note": "无违约"})
    with pytest.raises(InvalidInput) as negative:
        changes.record_penalty(at(session, "demo-owner-chief", now + 3 * DAY), change_id,
                               {"amount_yuan": "-1", "note": "违约"})
    assert named(negative).startswith("amount_yuan")
    penalised = changes.record_penalty(at(session, "demo-owner-chief", now + 3 * DAY), change_id,
                                       {"amount_yuan": "50000", "note": "按合同第12条扣违约金"})
    assert penalised["penalty"]["amount_yuan"] == "50000.00"
    with pytest.raises(IllegalStep, match="already recorded"):
        changes.record_penalty(at(session, "demo-owner-chief", now + 3 * DAY), change_id,
                               {"amount_yuan": "1", "note": "再扣"})
    assert audit_actions(session, change_id) == [
        "personnel_change.raised", "personnel_change.decided", "personnel_change.decided", "personnel.replaced",
        "personnel_change.penalty_recorded"]


def test_other_posts_need_the_owner_and_the_supervising_unit_then_a_filing(session, in_construction, now):
    pid = in_construction()
    add_firm_user(session, now, "inspector-2", "demo-supervisor", "inspector")
    certificate = upload(session, "demo-chief-engineer", now)
    raised = changes.raise_change(firm(session, "demo-chief-engineer", now), personnel_body(
        session, pid, "inspector", "demo-inspector", "inspector-2", "demo-chief-engineer", now,
        reason="因病无法履职", for_illness=True, illness_certificate_file_id=certificate,
        recovery_until="2027-03-31"))
    change_id = raised["id"]
    assert raised["approval_path"] == [["owner_agreement", "supervising_unit_agreement"], ["industry_filing"]]
    # The hospital certificate is for the deciders and the firm, not for the other firms.
    assert raised["illness_certificate_file_id"] == certificate
    seen_by_contractor = changes.get_change(firm(session, "demo-project-manager", now), change_id)
    assert seen_by_contractor["illness_certificate_file_id"] is None
    assert changes.get_change(at(session, "demo-owner-chief", now), change_id)[
        "illness_certificate_file_id"] == certificate

    changes.decide_change(at(session, "demo-supervising-chief", now), change_id, {"decision": "approve"})
    with pytest.raises(IllegalStep, match="waiting for the owner"):
        changes.decide_change(at(session, "demo-housing-chief", now), change_id, {"decision": "approve"})
    with pytest.raises(IllegalStep, match="already decided"):
        changes.decide_change(at(session, "demo-supervising-chief", now), change_id, {"decision": "approve"})
    changes.decide_change(at(session, "demo-owner-lead", now), change_id, {"decision": "approve"})
    filed = changes.decide_change(at(session, "demo-housing-chief", now), change_id, {"decision": "approve"})
    assert filed["status"] == "approved"
    assert [s["step"] for s in filed["steps"]] == ["supervising_unit_agreement", "owner_agreement", "industry_filing"]
    changes.upload_approval_form(at(session, "demo-owner-lead", now + DAY), change_id,
                                 {"file_id": upload(session, "demo-owner-lead", now)})
    [replaced] = outbox(session, "personnel.replaced")
    assert (replaced["for_illness"], replaced["bid_bar_until"]) == (True, "2027-03-31")


def test_a_refusal_at_any_step_ends_the_change(session, in_construction, now):
    pid = in_construction()
    add_firm_user(session, now, "inspector-2", "demo-supervisor", "inspector")
    body = personnel_body(session, pid, "inspector", "demo-inspector", "inspector-2", "demo-supervisor-chief", now)
    change_id = changes.raise_change(firm(session, "demo-supervisor-chief", now), body)["id"]
    changes.decide_change(at(session, "demo-owner-chief", now), change_id, {"decision": "approve"})
    refused = changes.decide_change(at(session, "demo-supervising-chief", now), change_id,
                                    {"decision": "refuse", "note": "替换人员资历不足"})
    assert (refused["status"], refused["open_steps"]) == ("refused", [])
    with pytest.raises(IllegalStep, match="refused"):
        changes.decide_change(at(session, "demo-housing-chief", now), change_id, {"decision": "approve"})
    with pytest.raises(IllegalStep):
        changes.upload_approval_form(at(session, "demo-owner-lead", now), change_id,
                                     {"file_id": upload(session, "demo-owner-lead", now)})
    with pytest.raises(IllegalStep):
        changes.record_penalty(at(session, "demo-owner-chief", now), change_id, {"amount_yuan": "1", "note": "违约"})
    assert holders(session, pid, "inspector") == [("demo-inspector", True)]
    # With the change closed, a new one for the post may be raised.
    again = changes.raise_change(firm(session, "demo-supervisor-chief", now), body)
    assert again["status"] == "pending"


def test_missing_materials_are_named(session, in_construction, now):
    pid = in_construction()
    add_firm_user(session, now, "pm-2", "demo-contractor", "project_manager")
    chief = firm(session, "demo-contractor-chief", now)
    bare = dict(kind="personnel", project_id=pid, post="project_manager", replaced_user_id="demo-project-manager",
                replacement_user_id="pm-2", reason="因病", for_illness=True)
    with pytest.raises(InvalidInput) as missing:
        changes.raise_change(chief, bare)
    assert [item["field"] for item in missing.value.details] == [
        "illness_certificate_file_id", "recovery_until", "qualification_file_ids", "social_insurance_records"]
    two_months = materials(session, "demo-contractor-chief", now, months=("2026-10", "2026-11"))
    with pytest.raises(InvalidInput) as one_month_short:
        changes.raise_change(chief, {**bare, "for_illness": False, **two_months})
    assert one_month_short.value.details == [{"field": "social_insurance_records", "reason":
                                              "the replacement's social-insurance record is missing for 2026-09"}]
    with pytest.raises(InvalidInput, match="qualification_file_ids"):
        changes.raise_change(chief, {**bare, "for_illness": False, **materials(session, "demo-contractor-chief", now),
                                     "qualification_file_ids": ["no-such-file"]})
    assert outbox(session, "personnel.replaced") == []
    assert changes.list_changes(at(session, "demo-owner-chief", now), pid) == []


def test_who_raises_a_personnel_change_and_for_whom(session, in_construction, now):
    pid = in_construction()
    add_firm_user(session, now, "inspector-2", "demo-supervisor", "inspector")
    add_firm_user(session, now, "pm-2", "demo-contractor", "project_manager")

    def body(replaced="demo-inspector", replacement="inspector-2", post="inspector"):
        return personnel_body(session, pid, post, replaced, replacement, "demo-supervisor-chief", now)

    with pytest.raises(PermissionDenied):  # the contractor does not change the supervisor's people
        changes.raise_change(firm(session, "demo-project-manager", now), body())
    with pytest.raises(PermissionDenied):  # nor does the owner, on their behalf
        changes.raise_change(at(session, "demo-owner-lead", now), body())
    with pytest.raises(InvalidInput, match="same firm"):
        changes.raise_change(firm(session, "demo-supervisor-chief", now), body(replacement="pm-2"))
    with pytest.raises(InvalidInput, match="replaced_user_id"):
        changes.raise_change(firm(session, "demo-supervisor-chief", now), body(replaced="demo-specialist-engineer"))
    with pytest.raises(InvalidInput, match="replacement_user_id"):
        changes.raise_change(firm(session, "demo-supervisor-chief", now), body(replacement="nobody"))
    add_firm_user(session, now, "safety-2", "demo-contractor", "safety_officer")
    registry.assign_personnel(at(session, "demo-owner-lead", now), pid, {"user_id": "safety-2",
                                                                          "post": "safety_officer"})
    with pytest.raises(IllegalStep, match="already holds"):  # on the post already: not a replacement
        changes.raise_change(firm(session, "demo-contractor-chief", now), personnel_body(
            session, pid, "safety_officer", "demo-safety-officer", "safety-2", "demo-contractor-chief", now))
    first = changes.raise_change(firm(session, "demo-chief-engineer", now), body())
    assert first["firm_id"] == "demo-supervisor"
    with pytest.raises(IllegalStep, match="already under way"):
        changes.raise_change(firm(session, "demo-supervisor-chief", now), body())
    for step_taker in ("demo-owner-chief", "demo-supervising-chief", "demo-housing-chief"):
        changes.decide_change(at(session, step_taker, now), first["id"], {"decision": "approve"})
    with pytest.raises(IllegalStep, match="already under way"):  # agreed, but the form is not in yet
        changes.raise_change(firm(session, "demo-supervisor-chief", now), body())


def test_a_replaced_person_may_not_take_the_same_post_elsewhere_until_completion(session, in_construction, now):
    add_firm_user(session, now, "pm-2", "demo-contractor", "project_manager")
    add_firm_user(session, now, "pm-3", "demo-contractor", "project_manager")
    first = in_construction("堤防一期")
    second = in_construction("堤防二期", project_manager="pm-3")
    change_id = changes.raise_change(firm(session, "demo-contractor-chief", now), personnel_body(
        session, first, "project_manager", "demo-project-manager", "pm-2", "demo-contractor-chief", now))["id"]
    for step_taker in ("demo-owner-chief", "demo-housing-chief"):
        changes.decide_change(at(session, step_taker, now), change_id, {"decision": "approve"})
    assert changes.post_lock_reason(session, "demo-project-manager", "project_manager", second) is None
    changes.upload_approval_form(at(session, "demo-owner-lead", now), change_id,
                                 {"file_id": upload(session, "demo-owner-lead", now)})

    reason = changes.post_lock_reason(session, "demo-project-manager", "project_manager", second)
    assert "堤防一期" in reason and "Art. 27" in reason
    assert changes.post_lock_reason(session, "demo-project-manager", "technical_lead", second) is None
    assert changes.post_lock_reason(session, "demo-project-manager", "project_manager", first) is None
    with pytest.raises(IllegalStep, match="堤防一期"):  # nor through a replacement on the other project
        changes.raise_change(firm(session, "demo-contractor-chief", now), personnel_body(
            session, second, "project_manager", "pm-3", "demo-project-manager", "demo-contractor-chief", now))

    # The lock ends when the first project is completed, or ends otherwise.
    changes.terminate_project(at(session, "demo-owner-chief", now), first,
                              {"reason": "规划调整", "report_file_id": upload(session, "demo-owner-chief", now)})
    assert changes.post_lock_reason(session, "demo-project-manager", "project_manager", second) is None


# --- termination (Art. 34) --------------------------------------------------------------------------


def test_the_owner_terminates_with_a_written_report_and_the_deadlines_stop(session, in_construction, now, sweep):
    pid = in_construction("堤防一期")
    other = in_construction("堤防二期")
    for project_id in (pid, other):
        deadline_engine.start(session, rule_id=ACCEPTANCE_SMALL, project_id=project_id, subject_type="test",
                              subject_id=project_id, started_at=now)
    pending = changes.raise_change(firm(session, "demo-project-manager", now), engineering_body(pid))
    report = upload(session, "demo-owner-chief", now)
    body = {"reason": "规划调整，项目终止建设", "report_file_id": report}
    with pytest.raises(PermissionDenied):
        changes.terminate_project(firm(session, "demo-contractor-chief", now + 10 * DAY), pid, body)
    with pytest.raises(InvalidInput) as no_report:
        changes.terminate_project(at(session, "demo-owner-chief", now + 10 * DAY), pid, {"reason": "规划调整"})
    assert named(no_report).startswith("report_file_id")
    with pytest.raises(InvalidInput, match="report_file_id"):
        changes.terminate_project(at(session, "demo-owner-chief", now + 10 * DAY), pid,
                                  {**body, "report_file_id": "no-such-file"})
    terminated = changes.terminate_project(at(session, "demo-owner-chief", now + 10 * DAY), pid, body)
    assert terminated["status"] == "terminated"
    with pytest.raises(IllegalStep, match="already terminated"):
        changes.terminate_project(at(session, "demo-owner-chief", now + 11 * DAY), pid, body)

    # Day 20: the terminated project's deadline is gone; the other project's fires, once.
    assert sweep(now + 20 * DAY - timedelta(minutes=1))[ACCEPTANCE_SMALL] == 0
    assert sweep(now + 20 * DAY)[ACCEPTANCE_SMALL] == 1
    assert sweep(now + 40 * DAY)[ACCEPTANCE_SMALL] == 0
    warned = [(w["rule_id"], w["project_id"]) for w in outbox(session, "warning.raised")]
    assert [project_id for rule_id, project_id in warned if rule_id == ACCEPTANCE_SMALL] == [other]
    # The terminated project's log watch stopped with it too: only the other still missing its logs warns.
    assert [project_id for rule_id, project_id in warned if rule_id == SUPERVISION_LOG] == [other]
    owner = at(session, "demo-owner-chief", now + 40 * DAY)
    assert sorted((d["rule_id"], d["status"], d["fired"]) for d in deadlines.project_deadlines(owner, pid)) == [
        (READINESS, "satisfied", []), (ACCEPTANCE_SMALL, "cancelled", []), (SUPERVISION_LOG, "cancelled", [])]
    assert sorted((d["rule_id"], d["status"], d["fired"]) for d in deadlines.project_deadlines(owner, other)) == [
        (READINESS, "satisfied", []), (ACCEPTANCE_SMALL, "open", ["warning"]), (SUPERVISION_LOG, "open", ["warning"])]
    assert changes.get_change(at(session, "demo-owner-chief", now), pending["id"])["status"] == "cancelled"
    with pytest.raises(IllegalStep):
        changes.raise_change(firm(session, "demo-project-manager", now + 11 * DAY), engineering_body(
            pid, planned_on="2026-12-20"))
    [event] = outbox(session, "project.terminated")
    assert (event["project_id"], event["report_file_id"], event["reason"]) == (pid, report, body["reason"])
    assert changes.get_termination(at(session, "demo-line-head", now), pid)["status_before"] == "in_construction"
    with pytest.raises(NotFound):
        changes.get_termination(at(session, "demo-line-head", now), other)
    trail = session.execute(sa.select(audit_entry.c.before, audit_entry.c.after).where(
        audit_entry.c.entity_id == pid, audit_entry.c.action == "project.terminated")).one()
    assert trail.before == {"status": "in_construction"}
    # the acceptance deadline and the supervision-log watch; the readiness watch was already satisfied
    assert (trail.after["cancelled_deadlines"], trail.after["cancelled_changes"]) == (2, 1)


# --- supplementary registration (Art. 33) ------------------------------------------------------------


def supplementary_body(session, when, **changes_):
    body = {**project_body("老旧小区改造（补录）", "8600000"), "supervising_unit_id": "demo-supervising",
            "reason": "项目于平台上线前完工，未纳入平台监管",
            "record_file_ids": [upload(session, "demo-owner-lead", when)]}
    body.update(changes_)
    return body


def test_supplementary_registration_puts_completed_works_on_the_platform_for_audit(session, now):
    lead = at(session, "demo-owner-lead", now)
    with pytest.raises(PermissionDenied):
        changes.request_supplementary_registration(at(session, "demo-owner-chief", now),
                                                   supplementary_body(session, now))
    with pytest.raises(InvalidInput) as no_records:
        changes.request_supplementary_registration(lead, supplementary_body(session, now, record_file_ids=[]))
    assert named(no_records).startswith("record_file_ids")
    with pytest.raises(InvalidInput, match="supervising_unit_id"):
        changes.request_supplementary_registration(lead, supplementary_body(
            session, now, supervising_unit_id="demo-line-municipal"))
    requested = changes.request_supplementary_registration(lead, supplementary_body(session, now))
    assert (requested["status"], requested["owner_id"], requested["project_id"]) == ("pending", "demo-owner", None)
    with pytest.raises(IllegalStep, match="awaiting"):
        changes.request_supplementary_registration(lead, supplementary_body(session, now))
    before = len(outbox(session, "project.registered"))

    with pytest.raises(PermissionDenied):
        changes.decide_supplementary_registration(at(session, "demo-owner-chief", now), requested["id"],
                                                  {"decision": "approve"})
    with pytest.raises(NotFound):  # outside the owner and the supervising unit, the request is not seen
        changes.decide_supplementary_registration(firm(session, "demo-contractor-chief", now), requested["id"],
                                                  {"decision": "approve"})
    approved = changes.decide_supplementary_registration(at(session, "demo-supervising-chief", now + DAY),
                                                         requested["id"], {"decision": "approve", "note": "同意补录"})
    assert approved["status"] == "approved"
    with pytest.raises(IllegalStep, match="decided already"):
        changes.decide_supplementary_registration(at(session, "demo-supervising-chief", now + DAY),
                                                  requested["id"], {"decision": "refuse", "note": "撤回"})
    pid = approved["project_id"]
    project = registry.get_project(lead, pid)
    assert (project["status"], project["intake"]) == ("final_acceptance", "supplementary")
    assert project["assignments"] == {"supervising_unit": "demo-supervising", "line": None, "owner": "demo-owner",
                                      "owner_project_lead": "demo-owner-lead"}
    [registered] = outbox(session, "project.registered")[before:]
    assert (registered["project_id"], registered["intake"], registered["status"]) == (
        pid, "supplementary", "final_acceptance")
    assignments = [(e["level"], e["target_id"], e["assigned_by"]) for e in outbox(session, "project.assigned")
                   if e["project_id"] == pid]
    assert assignments == [("supervising_unit", "demo-supervising", "demo-supervising-chief"),
                           ("owner", "demo-owner", "demo-owner-lead"),
                           ("owner_project_lead", "demo-owner-lead", "demo-owner-lead")]
    with pytest.raises(IllegalStep, match="on the platform already"):
        changes.request_supplementary_registration(lead, supplementary_body(session, now))

    # The records are filled in through the usual routes, then the settlement audit follows.
    registry.add_participant(lead, pid, {"unit_id": "demo-contractor", "role": "contractor",
                                         "contract_file_id": upload(session, "demo-owner-lead", now)})
    audited = processes.submit_settlement_audit(lead, pid, {"record_file_ids": [upload(session, "demo-owner-lead",
                                                                                          now)]})
    assert audited["status"] == "settlement_audit"
    with pytest.raises(IllegalStep, match="settlement audit"):
        changes.terminate_project(at(session, "demo-owner-chief", now), pid,
                                  {"reason": "终止", "report_file_id": upload(session, "demo-owner-chief", now)})


def test_a_refused_supplementary_registration_creates_nothing_and_each_side_sees_its_own(session, now):
    lead = at(session, "demo-owner-lead", now)
    requested = changes.request_supplementary_registration(lead, supplementary_body(session, now))
    projects_before = len(registry.list_projects(at(session, "demo-leading-group-chief", now)))
    refused = changes.decide_supplementary_registration(at(session, "demo-supervising-chief", now), requested["id"],
                                                        {"decision": "refuse", "note": "资料不全"})
    assert (refused["status"], refused["project_id"], refused["decision"]["note"]) == ("refused", None, "资料不全")
    assert len(registry.list_projects(at(session, "demo-leading-group-chief", now))) == projects_before
    for viewer in ("demo-owner-lead", "demo-supervising-chief", "demo-leading-group-chief"):
        assert [r["id"] for r in changes.list_supplementary_registrations(at(session, viewer, now))] == [
            requested["id"]]
    assert changes.list_supplementary_registrations(at(session, "demo-line-head", now)) == []
    assert changes.list_supplementary_registrations(at(session, "demo-owner-lead", now), "pending") == []
    with pytest.raises(InvalidInput, match="status"):
        changes.list_supplementary_registrations(at(session, "demo-owner-lead", now), "lost")
    with pytest.raises(NotFound):
        changes.get_supplementary_registration(at(session, "demo-line-head", now), requested["id"])
    assert audit_actions(session, requested["id"]) == ["supplementary_registration.requested",
                                                       "supplementary_registration.decided"]


def test_the_replacement_is_checked_again_when_the_form_comes_in(session, in_construction, now):
    pid = in_construction()
    add_firm_user(session, now, "safety-2", "demo-contractor", "safety_officer")
    change_id = changes.raise_change(firm(session, "demo-contractor-chief", now), personnel_body(
        session, pid, "safety_officer", "demo-safety-officer", "safety-2", "demo-contractor-chief", now))["id"]
    for step_taker in ("demo-owner-chief", "demo-supervising-chief", "demo-housing-chief"):
        changes.decide_change(at(session, step_taker, now), change_id, {"decision": "approve"})
    # Meanwhile the owner put the replacement on the post (a safety officer may be one of several).
    registry.assign_personnel(at(session, "demo-owner-lead", now), pid, {"user_id": "safety-2",
                                                                          "post": "safety_officer"})
    with pytest.raises(IllegalStep, match="already holds"):
        changes.upload_approval_form(at(session, "demo-owner-lead", now), change_id,
                                     {"file_id": upload(session, "demo-owner-lead", now)})
    assert holders(session, pid, "safety_officer") == [("demo-safety-officer", True), ("safety-2", True)]


# --- paging ---------------------------------------------------------------------------------------


def test_a_projects_changes_of_both_kinds_page_oldest_first(session, in_construction, now):
    pid = in_construction()
    contractor = firm(session, "demo-project-manager", now)
    same_instant = [changes.raise_change(contractor, engineering_body(pid, description=f"变更{n}"))["id"]
                    for n in range(2)]
    add_firm_user(session, now, "pm-2", "demo-contractor", "project_manager")
    personnel = changes.raise_change(firm(session, "demo-contractor-chief", now + DAY), personnel_body(
        session, pid, "project_manager", "demo-project-manager", "pm-2", "demo-contractor-chief", now + DAY))["id"]
    last = changes.raise_change(firm(session, "demo-project-manager", now + 2 * DAY),
                                engineering_body(pid, planned_on="2026-12-06"))["id"]
    expected = [*sorted(same_instant), personnel, last]  # the two tables in one order: raised, then the id
    owner = at(session, "demo-owner-chief", now + 2 * DAY)
    assert [c["id"] for c in changes.list_changes(owner, pid)] == expected
    assert [c["id"] for c in changes.list_changes(owner, pid, 2, 1)] == expected[1:3]
    assert [(c["id"], c["kind"]) for c in changes.list_changes(owner, pid, 1, 2)] == [(personnel, "personnel")]
    assert [c["id"] for c in changes.list_changes(owner, pid, 100, 3)] == [last]
    assert changes.list_changes(owner, pid, 100, 4) == []


def test_supplementary_registrations_page_newest_first(session, now):
    lead = at(session, "demo-owner-lead", now)
    requested = [changes.request_supplementary_registration(
        at(session, "demo-owner-lead", now + n * DAY), supplementary_body(session, now, name=f"补录工程{n}"))["id"]
        for n in range(3)]
    newest_first = requested[::-1]
    assert [r["id"] for r in changes.list_supplementary_registrations(lead)] == newest_first
    assert [r["id"] for r in changes.list_supplementary_registrations(lead, None, 2, 0)] == newest_first[:2]
    assert [r["id"] for r in changes.list_supplementary_registrations(lead, "pending", 2, 2)] == newest_first[2:]
    assert changes.list_supplementary_registrations(lead, None, 500, 3) == []


@pytest.mark.parametrize("limit, offset, field", [(0, 0, "limit"), ("1", 0, "limit"), (1, -1, "offset"),
                                                  (1, 10**7, "offset")])
def test_a_page_of_changes_or_registrations_out_of_bounds_is_invalid_input(session, in_construction, now, limit,
                                                                           offset, field):
    pid = in_construction()
    owner = at(session, "demo-owner-chief", now)
    for list_page, too_many in ((lambda *page: changes.list_changes(owner, pid, *page), 101),
                                (lambda *page: changes.list_supplementary_registrations(owner, None, *page), 501)):
        for bad_limit, bad_offset, named_field in ((limit, offset, field), (too_many, 0, "limit")):
            with pytest.raises(InvalidInput) as refused:
                list_page(bad_limit, bad_offset)
            assert refused.value.details[0]["field"] == named_field
        assert list_page(too_many - 1, 0) == []
