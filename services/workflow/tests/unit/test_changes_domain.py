"""The rules of changes (Art. 27), termination (Art. 34) and supplementary registration
(Art. 33), at their edges, without a database."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from common.contracts.changes import Decision, EngineeringChangeRequest, PersonnelChangeRequest
from common.errors import IllegalStep, InvalidInput, PermissionDenied
from common.scope import Actor, PostHeld, UnitFacts
from workflow.domain import changes as dom
from workflow.domain.organisation import Post, UnitKind
from workflow.domain.projects import ProjectFacts, ProjectStatus
from workflow.domain.rules import WorkflowRules

HOUSING = UnitFacts("ia", UnitKind.INDUSTRY_AUTHORITY, "lg", "housing")
WATER = UnitFacts("ia-water", UnitKind.INDUSTRY_AUTHORITY, "lg", "water")
SU = UnitFacts("su", UnitKind.SUPERVISING_UNIT, "ia", "housing")
LINE = UnitFacts("line", UnitKind.LINE, "su", "housing")
OWNER = UnitFacts("owner", UnitKind.OWNER)
CONTRACTOR = UnitFacts("c", UnitKind.CONTRACTOR)
OTHER_CONTRACTOR = UnitFacts("c2", UnitKind.CONTRACTOR)
SUPERVISOR = UnitFacts("s", UnitKind.SUPERVISOR)

TODAY = date(2026, 12, 1)
RULES = WorkflowRules()


def actor(user_id, *posts):
    return Actor(user_id, tuple(PostHeld(unit, post) for unit, post in posts))


OWNER_STAFF = actor("owner-staff", (OWNER, Post.STAFF))
OWNER_LEAD = actor("lead", (OWNER, Post.OWNER_PROJECT_LEAD))
OWNER_CHIEF = actor("owner-chief", (OWNER, Post.CHIEF))
SU_CHIEF = actor("su-chief", (SU, Post.CHIEF))
SU_STAFF = actor("su-staff", (SU, Post.STAFF))
IA_CHIEF = actor("ia-chief", (HOUSING, Post.CHIEF))
WATER_CHIEF = actor("water-chief", (WATER, Post.CHIEF))
PM = actor("pm", (CONTRACTOR, Post.PROJECT_MANAGER))
CONTRACTOR_CHIEF = actor("c-chief", (CONTRACTOR, Post.CHIEF))
SAFETY = actor("safety", (CONTRACTOR, Post.SAFETY_OFFICER))
OTHER_PM = actor("pm2", (OTHER_CONTRACTOR, Post.PROJECT_MANAGER))
CHIEF_ENGINEER = actor("ce", (SUPERVISOR, Post.CHIEF_ENGINEER))
SUPERVISOR_CHIEF = actor("s-chief", (SUPERVISOR, Post.CHIEF))
# The contractor's and the supervisor's people on the project, on the posts they act in there.
ON_PROJECT = frozenset({("pm", "c", "project_manager"), ("safety", "c", "safety_officer"),
                        ("ce", "s", "chief_engineer"), ("insp", "s", "inspector")})
# People on the right post in the right firm, but on other projects, not on this one.
PM_ELSEWHERE = actor("pm-elsewhere", (CONTRACTOR, Post.PROJECT_MANAGER))
CE_ELSEWHERE = actor("ce-elsewhere", (SUPERVISOR, Post.CHIEF_ENGINEER))
OTHER_LEAD = actor("lead-elsewhere", (OWNER, Post.OWNER_PROJECT_LEAD))  # the owner's lead of another project


def project(status=ProjectStatus.IN_CONSTRUCTION, **changes):
    facts = dict(id="p", industry="housing", kind="government", contract_amount=Decimal("12000000"), status=status,
                 supervising_unit_id="su", line_id="line", owner_id="owner", owner_project_lead_id="lead",
                 participant_unit_ids=frozenset({"c", "s"}), personnel=ON_PROJECT)
    facts.update(changes)
    return ProjectFacts(**facts)


def engineering(who=PM, facts=None, *, planned_on=date(2026, 12, 5), executed_on=None, concealed=False,
                rules=RULES):
    return dom.decide_engineering_request(who, facts or project(), touches_concealed_works=concealed,
                                          planned_on=planned_on, executed_on=executed_on, today=TODAY, rules=rules)


# --- engineering change ----------------------------------------------------------------------------


def test_the_contractor_of_the_project_raises_an_engineering_change():
    assert engineering(PM) == dom.EngineeringChangeOutcome("c", dom.PENDING, False)
    assert engineering(CONTRACTOR_CHIEF).contractor_id == "c"
    for outsider in (SAFETY, OTHER_PM, CHIEF_ENGINEER, OWNER_STAFF):
        with pytest.raises(PermissionDenied):
            engineering(outsider)


@pytest.mark.parametrize("status", [ProjectStatus.AWARDED, ProjectStatus.IN_CONSTRUCTION, ProjectStatus.SUSPENDED])
def test_an_engineering_change_is_raised_before_or_during_construction(status):
    assert engineering(facts=project(status)).status == dom.PENDING


@pytest.mark.parametrize("status", [ProjectStatus.COMPLETION_ACCEPTANCE, ProjectStatus.FINAL_ACCEPTANCE,
                                    ProjectStatus.TERMINATED])
def test_no_engineering_change_after_construction(status):
    with pytest.raises(IllegalStep):
        engineering(facts=project(status))


def test_after_the_fact_means_carried_out_before_it_was_approved():
    assert engineering(planned_on=None, executed_on=TODAY).after_the_fact is True  # done today, unapproved
    assert engineering(planned_on=None, executed_on=date(2026, 11, 30)).after_the_fact is True
    with pytest.raises(InvalidInput) as future:
        engineering(planned_on=None, executed_on=date(2026, 12, 2))
    assert future.value.details[0]["field"] == "executed_on"
    assert engineering(planned_on=TODAY).status == dom.PENDING
    with pytest.raises(InvalidInput) as passed:
        engineering(planned_on=date(2026, 11, 30))
    assert passed.value.details[0]["field"] == "planned_on"


def test_concealed_works_are_refused_unless_the_setting_allows_them():
    refused = engineering(concealed=True, planned_on=None, executed_on=date(2026, 11, 20))
    assert (refused.status, refused.after_the_fact) == (dom.REFUSED, True)
    assert "concealed works" in refused.refusal
    allowed = engineering(concealed=True, rules=WorkflowRules(changes_on_concealed_works_allowed=True))
    assert (allowed.status, allowed.refusal) == (dom.PENDING, None)


def test_an_approval_after_the_planned_day_makes_the_change_after_the_fact():
    def decide(today, approve=True, already=False, who=OWNER_LEAD):
        return dom.decide_engineering_decision(who, project(), dom.PENDING, approve=approve,
                                               planned_on=date(2026, 12, 5), already_after_the_fact=already,
                                               today=today)

    assert decide(date(2026, 12, 5)) is False  # on the planned day: in time
    assert decide(date(2026, 12, 6)) is True  # the day after: too late
    assert decide(date(2026, 12, 6), approve=False) is False  # a refused change is not carried out
    assert decide(date(2026, 12, 6), already=True) is False  # flagged once
    assert decide(date(2026, 12, 5), who=OWNER_CHIEF) is False  # the owner's chief decides as well
    for outsider in (PM, OWNER_STAFF):  # the owner acts through its chief or the project's lead only
        with pytest.raises(PermissionDenied):
            dom.decide_engineering_decision(outsider, project(), dom.PENDING, approve=True, planned_on=None,
                                            already_after_the_fact=False, today=TODAY)
    with pytest.raises(IllegalStep):
        dom.decide_engineering_decision(OWNER_LEAD, project(), dom.APPROVED, approve=True, planned_on=None,
                                        already_after_the_fact=False, today=TODAY)


def test_the_request_needs_a_planned_or_executed_day_and_a_refusal_its_reason():
    with pytest.raises(ValidationError, match="planned_on"):
        EngineeringChangeRequest(kind="engineering", project_id="p", description="加宽", reason="需要",
                                 affected_part="路基", touches_concealed_works=False)
    with pytest.raises(ValidationError, match="reason"):
        Decision(decision="refuse")
    assert Decision(decision="approve").note is None


# --- personnel change ------------------------------------------------------------------------------


def test_the_project_manager_and_the_chief_engineer_are_reviewed_other_posts_filed():
    assert dom.approval_path(Post.PROJECT_MANAGER) == ((dom.OWNER_AGREEMENT,), (dom.INDUSTRY_REVIEW,))
    assert dom.approval_path(Post.CHIEF_ENGINEER) == ((dom.OWNER_AGREEMENT,), (dom.INDUSTRY_REVIEW,))
    assert dom.approval_path(Post.INSPECTOR) == ((dom.OWNER_AGREEMENT, dom.SUPERVISING_UNIT_AGREEMENT),
                                                (dom.INDUSTRY_FILING,))
    assert dom.open_steps(Post.INSPECTOR, []) == (dom.OWNER_AGREEMENT, dom.SUPERVISING_UNIT_AGREEMENT)
    assert dom.open_steps(Post.INSPECTOR, [dom.SUPERVISING_UNIT_AGREEMENT]) == (dom.OWNER_AGREEMENT,)
    assert dom.open_steps(Post.INSPECTOR, [dom.OWNER_AGREEMENT, dom.SUPERVISING_UNIT_AGREEMENT]) == (
        dom.INDUSTRY_FILING,)
    assert dom.open_steps(Post.PROJECT_MANAGER, [dom.OWNER_AGREEMENT, dom.INDUSTRY_REVIEW]) == ()


def test_each_step_is_taken_by_its_unit_in_its_turn_once():
    step = dom.decide_personnel_step
    assert step(OWNER_LEAD, project(), Post.PROJECT_MANAGER, dom.PENDING, []) == dom.OWNER_AGREEMENT
    assert step(OWNER_CHIEF, project(), Post.PROJECT_MANAGER, dom.PENDING, []) == dom.OWNER_AGREEMENT
    with pytest.raises(IllegalStep, match="waiting for the owner"):
        step(IA_CHIEF, project(), Post.PROJECT_MANAGER, dom.PENDING, [])
    assert step(IA_CHIEF, project(), Post.PROJECT_MANAGER, dom.PENDING, [dom.OWNER_AGREEMENT]) == dom.INDUSTRY_REVIEW
    with pytest.raises(IllegalStep, match="already decided"):
        step(OWNER_LEAD, project(), Post.PROJECT_MANAGER, dom.PENDING, [dom.OWNER_AGREEMENT])
    # The supervising unit has no say on a project manager; another industry's authority none at all;
    # the owner's staff none beside its chief and the project's lead.
    for outsider in (SU_CHIEF, WATER_CHIEF, PM, OWNER_STAFF):
        with pytest.raises(PermissionDenied):
            step(outsider, project(), Post.PROJECT_MANAGER, dom.PENDING, [])
    # For other posts the owner and the supervising unit's chief agree in either order.
    assert step(SU_CHIEF, project(), Post.INSPECTOR, dom.PENDING, []) == dom.SUPERVISING_UNIT_AGREEMENT
    with pytest.raises(PermissionDenied):
        step(SU_STAFF, project(), Post.INSPECTOR, dom.PENDING, [])
    with pytest.raises(IllegalStep, match="waiting for the owner"):
        step(IA_CHIEF, project(), Post.INSPECTOR, dom.PENDING, [dom.SUPERVISING_UNIT_AGREEMENT])
    with pytest.raises(IllegalStep, match="refused"):
        step(OWNER_LEAD, project(), Post.INSPECTOR, dom.REFUSED, [])
    assert dom.step_unit(IA_CHIEF, project(), dom.INDUSTRY_FILING) == "ia"


def person(**changes):
    facts = dict(post=Post.PROJECT_MANAGER, replaced_user_id="pm", replaced_firm_id="c",
                 replacement_user_id="pm-new", replacement_posts=(("c", Post.PROJECT_MANAGER),),
                 replacement_on_post=False, for_illness=False, has_illness_certificate=False, recovery_until=None,
                 has_qualification_files=True,
                 social_insurance_months=frozenset({"2026-09", "2026-10", "2026-11"}))
    facts.update(changes)
    return dom.PersonnelChangeFacts(**facts)


def request(who=CONTRACTOR_CHIEF, facts=None, *, open_change=False, lock=None, on=None):
    return dom.decide_personnel_request(who, on or project(), facts or person(), open_change_for_post=open_change,
                                        replacement_lock=lock, today=TODAY)


def test_the_three_months_of_social_insurance_are_the_full_months_before_this_one():
    assert dom.required_insurance_months(TODAY, 3) == ["2026-09", "2026-10", "2026-11"]
    assert dom.required_insurance_months(date(2027, 1, 31), 3) == ["2026-10", "2026-11", "2026-12"]
    assert dom.required_insurance_months(TODAY, 1) == ["2026-11"]


def test_each_missing_kind_of_material_is_named():
    with pytest.raises(InvalidInput) as missing:
        request(facts=person(for_illness=True, has_qualification_files=False,
                             social_insurance_months=frozenset({"2026-10"})))
    assert [item["field"] for item in missing.value.details] == [
        "illness_certificate_file_id", "recovery_until", "qualification_file_ids", "social_insurance_records"]
    assert "2026-09, 2026-11" in missing.value.details[-1]["reason"]
    # The recovery period may end today, not before.
    assert request(facts=person(for_illness=True, has_illness_certificate=True, recovery_until=TODAY)) == "c"
    with pytest.raises(InvalidInput, match="recovery_until"):
        request(facts=person(for_illness=True, has_illness_certificate=True, recovery_until=date(2026, 11, 30)))


def test_the_firm_making_the_change_raises_it_for_one_of_its_people():
    assert request(CONTRACTOR_CHIEF) == "c"
    assert request(PM) == "c"  # the contractor's head on the project
    assert request(CHIEF_ENGINEER, person(post=Post.INSPECTOR, replaced_firm_id="s",
                                          replacement_posts=(("s", Post.INSPECTOR),))) == "s"
    for outsider in (SAFETY, OTHER_PM, OWNER_STAFF, CHIEF_ENGINEER):
        with pytest.raises(PermissionDenied):
            request(outsider)
    with pytest.raises(InvalidInput, match="replaced_user_id"):
        request(facts=person(replaced_firm_id=None))
    with pytest.raises(InvalidInput, match="same firm"):
        request(facts=person(replacement_posts=(("c2", Post.PROJECT_MANAGER), ("c", Post.TECHNICAL_LEAD))))
    with pytest.raises(InvalidInput, match="another person"):
        request(facts=person(replacement_user_id="pm"))
    with pytest.raises(InvalidInput, match="post"):
        request(facts=person(post=Post.OWNER_PROJECT_LEAD))


def test_only_a_firms_people_on_this_project_act_on_it_its_chief_on_any_of_its_projects():
    # The contractor's project manager of another project holds the right post in a firm on this
    # project, but is not on it: no engineering change, no personnel change from them.
    with pytest.raises(PermissionDenied):
        engineering(PM_ELSEWHERE)
    with pytest.raises(PermissionDenied):
        request(PM_ELSEWHERE)
    # Released from the project, its project manager no longer acts on it.
    released = project(personnel=ON_PROJECT - {("pm", "c", "project_manager")})
    with pytest.raises(PermissionDenied):
        engineering(PM, released)
    # A person counts on the post they hold on this project, not on another post held in the firm.
    both = actor("both", (CONTRACTOR, Post.PROJECT_MANAGER), (CONTRACTOR, Post.TECHNICAL_LEAD))
    on_as_technical_lead = project(personnel=ON_PROJECT | {("both", "c", "technical_lead")})
    with pytest.raises(PermissionDenied):
        engineering(both, on_as_technical_lead)
    with pytest.raises(PermissionDenied):
        request(both, on=on_as_technical_lead)
    # The supervisor's chief engineer of another project does not raise a change of this one's inspector.
    inspector_change = person(post=Post.INSPECTOR, replaced_user_id="insp", replaced_firm_id="s",
                              replacement_user_id="insp-new", replacement_posts=(("s", Post.INSPECTOR),))
    with pytest.raises(PermissionDenied):
        request(CE_ELSEWHERE, inspector_change)
    assert request(CHIEF_ENGINEER, inspector_change) == "s"  # the one on the project does
    # The firms' chiefs act for their firm on the project without being on it themselves.
    assert engineering(CONTRACTOR_CHIEF, released).contractor_id == "c"
    assert request(CONTRACTOR_CHIEF, on=project(personnel=frozenset())) == "c"
    assert request(SUPERVISOR_CHIEF, inspector_change, on=project(personnel=frozenset())) == "s"
    # The owner acts through its chief or this project's own lead, not another project's lead.
    with pytest.raises(PermissionDenied):
        dom.decide_engineering_decision(OTHER_LEAD, project(), dom.PENDING, approve=True, planned_on=None,
                                        already_after_the_fact=False, today=TODAY)
    with pytest.raises(PermissionDenied):
        dom.decide_termination(OTHER_LEAD, project())
    dom.decide_termination(OWNER_CHIEF, project())


def test_the_project_manager_of_two_contractors_acts_only_for_the_one_it_serves_on_the_project():
    both = actor("pm", (CONTRACTOR, Post.PROJECT_MANAGER), (OTHER_CONTRACTOR, Post.PROJECT_MANAGER))
    facts = project(participant_unit_ids=frozenset({"c", "c2", "s"}))  # "pm" is on it for "c"
    assert engineering(both, facts).contractor_id == "c"
    # A change of the second contractor's safety officer is that firm's: not this person's to raise.
    second_firms_change = person(post=Post.SAFETY_OFFICER, replaced_user_id="safety2", replaced_firm_id="c2",
                                 replacement_user_id="safety2-new",
                                 replacement_posts=(("c2", Post.SAFETY_OFFICER),))
    with pytest.raises(PermissionDenied, match=r"Art\. 27"):
        request(both, second_firms_change, on=facts)
    own_firms_change = person(post=Post.SAFETY_OFFICER, replaced_user_id="safety", replaced_firm_id="c",
                              replacement_user_id="safety-new", replacement_posts=(("c", Post.SAFETY_OFFICER),))
    assert request(both, own_firms_change, on=facts) == "c"


def test_a_change_is_refused_while_another_of_the_post_is_open_or_the_replacement_is_locked():
    with pytest.raises(IllegalStep, match="already under way"):
        request(open_change=True)
    with pytest.raises(IllegalStep, match="already holds"):
        request(facts=person(replacement_on_post=True))
    with pytest.raises(IllegalStep, match="locked out"):
        request(lock="locked out")
    with pytest.raises(IllegalStep, match="supervising unit"):
        request(CHIEF_ENGINEER, person(post=Post.INSPECTOR, replaced_firm_id="s",
                                       replacement_posts=(("s", Post.INSPECTOR),)),
                on=project(supervising_unit_id=None))
    with pytest.raises(IllegalStep):
        request(on=project(ProjectStatus.FINAL_ACCEPTANCE))


def test_illness_fields_go_with_a_change_for_illness():
    with pytest.raises(ValidationError, match="illness"):
        PersonnelChangeRequest(kind="personnel", project_id="p", post="inspector", replaced_user_id="a",
                               replacement_user_id="b", reason="调岗", recovery_until=TODAY)


def test_the_approval_form_and_the_penalty():
    dom.decide_approval_form(OWNER_LEAD, project(), dom.APPROVED)
    for not_the_lead in (OWNER_STAFF, OWNER_CHIEF):  # the project's own lead uploads the form
        with pytest.raises(PermissionDenied):
            dom.decide_approval_form(not_the_lead, project(), dom.APPROVED)
    with pytest.raises(IllegalStep):
        dom.decide_approval_form(OWNER_LEAD, project(), dom.PENDING)
    with pytest.raises(IllegalStep):
        dom.decide_approval_form(OWNER_LEAD, project(ProjectStatus.TERMINATED), dom.APPROVED)
    dom.decide_penalty(OWNER_LEAD, project(), dom.REPLACED, already_recorded=False)
    dom.decide_penalty(OWNER_CHIEF, project(), dom.APPROVED, already_recorded=False)
    with pytest.raises(IllegalStep):
        dom.decide_penalty(OWNER_LEAD, project(), dom.REFUSED, already_recorded=False)
    with pytest.raises(IllegalStep):
        dom.decide_penalty(OWNER_LEAD, project(), dom.REPLACED, already_recorded=True)
    for outsider in (PM, OWNER_STAFF):
        with pytest.raises(PermissionDenied):
            dom.decide_penalty(outsider, project(), dom.REPLACED, already_recorded=False)


@pytest.mark.parametrize("status, locked", [
    (ProjectStatus.IN_CONSTRUCTION, True), (ProjectStatus.SUSPENDED, True),
    (ProjectStatus.COMPLETION_ACCEPTANCE, True), (ProjectStatus.FINAL_ACCEPTANCE, False),
    (ProjectStatus.SETTLEMENT_AUDIT, False), (ProjectStatus.DEPOSIT_RETURNED, False),
    (ProjectStatus.TERMINATED, False),
])
def test_a_replaced_person_is_locked_out_of_the_post_until_that_project_is_completed(status, locked):
    earlier = dom.Replacement("a", "堤防工程", status, datetime(2026, 11, 1, tzinfo=UTC))
    reason = dom.post_lock(Post.PROJECT_MANAGER, [earlier], "b")
    assert (reason is not None) is locked
    assert dom.post_lock(Post.PROJECT_MANAGER, [earlier], "a") is None  # the same project is no "elsewhere"


# --- termination and supplementary registration ------------------------------------------------------


@pytest.mark.parametrize("status", [ProjectStatus.AWARDED, ProjectStatus.SUSPENDED, ProjectStatus.FINAL_ACCEPTANCE])
def test_the_owner_terminates_before_the_settlement_audit(status):
    dom.decide_termination(OWNER_LEAD, project(status))
    dom.decide_termination(OWNER_CHIEF, project(status))


@pytest.mark.parametrize("status", [ProjectStatus.SETTLEMENT_AUDIT, ProjectStatus.FUNDS_PAID, ProjectStatus.TERMINATED])
def test_no_termination_from_the_settlement_audit_on(status):
    with pytest.raises(IllegalStep):
        dom.decide_termination(OWNER_LEAD, project(status))
    for outsider in (PM, OWNER_STAFF):
        with pytest.raises(PermissionDenied):
            dom.decide_termination(outsider, project())


def test_a_supplementary_registration_is_filed_by_an_owners_lead_to_a_supervising_unit_of_the_industry():
    assert dom.decide_supplementary_request(OWNER_LEAD, SU, "housing") == "owner"
    with pytest.raises(PermissionDenied):
        dom.decide_supplementary_request(OWNER_STAFF, SU, "housing")
    with pytest.raises(InvalidInput, match="supervising_unit"):
        dom.decide_supplementary_request(OWNER_LEAD, LINE, "housing")
    with pytest.raises(InvalidInput, match="belongs to housing"):
        dom.decide_supplementary_request(OWNER_LEAD, SU, "water")
    with pytest.raises(InvalidInput, match="no such unit"):
        dom.decide_supplementary_request(OWNER_LEAD, None, "housing")
    dom.decide_supplementary_decision(SU_CHIEF, "su", dom.PENDING)
    with pytest.raises(PermissionDenied):
        dom.decide_supplementary_decision(SU_STAFF, "su", dom.PENDING)
    with pytest.raises(IllegalStep):
        dom.decide_supplementary_decision(SU_CHIEF, "su", dom.APPROVED)
    assert dom.may_see_supplementary(OWNER_STAFF, "owner", "su")
    assert not dom.may_see_supplementary(PM, "owner", "su")
