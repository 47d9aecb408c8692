"""The rules of supervision records (Art. 22–23, 45–46), subcontracts (Art. 36) and readiness
(Art. 24), at their edges, without a database."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from common.contracts.registry import Post, UnitKind
from common.contracts.supervision import SubcontractRequest, SupervisionNoticeRequest, SupervisionRecordRequest
from common.errors import IllegalStep, InvalidInput, PermissionDenied
from common.scope import Actor, PostHeld, UnitFacts
from workflow.domain import supervision as sup
from workflow.domain.organisation import PROJECT_POSTS
from workflow.domain.projects import ProjectFacts, ProjectStatus

SUPERVISOR = UnitFacts("sv", UnitKind.SUPERVISOR)
CONTRACTOR = UnitFacts("ct", UnitKind.CONTRACTOR)
SECOND_CONTRACTOR = UnitFacts("ct2", UnitKind.CONTRACTOR)
SECOND_SUPERVISOR = UnitFacts("sv2", UnitKind.SUPERVISOR)
FIRMS = {unit.id: unit for unit in (SUPERVISOR, CONTRACTOR, SECOND_CONTRACTOR, SECOND_SUPERVISOR)}
TODAY = date(2027, 3, 10)


def person(unit: UnitFacts, post: Post, user_id: str | None = None) -> Actor:
    return Actor(user_id=user_id or f"{unit.id}-{post}", posts=(PostHeld(unit, post),))


def key_people(firms) -> frozenset[tuple[str, str, str]]:
    """Each firm's people on the project, one on each of its key posts, as person() names them."""
    return frozenset((person(FIRMS[firm], post).user_id, firm, str(post)) for firm in firms
                     for post, kind in PROJECT_POSTS.items() if FIRMS[firm].kind == kind)


def project(status=ProjectStatus.IN_CONSTRUCTION, firms=("sv", "ct"), personnel=None) -> ProjectFacts:
    return ProjectFacts(id="p", industry="housing", kind="government", contract_amount=Decimal("1000000"),
                        status=status, owner_id="owner", participant_unit_ids=frozenset(firms),
                        personnel=key_people(firms) if personnel is None else personnel)


def record(actor, facts=None, kind=sup.LOG, log_date=TODAY, started=date(2027, 3, 1), files=(), exists=False):
    return sup.decide_record(actor, facts or project(), kind, log_date, TODAY, started, list(files), exists)


# --- logs and stand-by records -------------------------------------------------------------------------


@pytest.mark.parametrize("post", [Post.CHIEF_ENGINEER, Post.SPECIALIST_ENGINEER, Post.INSPECTOR])
def test_the_supervisors_people_record_logs(post):
    assert record(person(SUPERVISOR, post)) == "sv"


@pytest.mark.parametrize("actor", [person(SUPERVISOR, Post.CHIEF), person(CONTRACTOR, Post.PROJECT_MANAGER),
                                   person(UnitFacts("sv9", UnitKind.SUPERVISOR), Post.INSPECTOR)])
def test_nobody_else_records_logs(actor):
    with pytest.raises(PermissionDenied, match=r"Art\. 23"):
        record(actor)


def test_a_log_is_of_a_day_that_has_come_and_of_the_works():
    inspector = person(SUPERVISOR, Post.INSPECTOR)
    assert record(inspector, log_date=TODAY) == "sv"
    with pytest.raises(InvalidInput, match="log_date"):
        record(inspector, log_date=date(2027, 3, 11))
    assert record(inspector, log_date=date(2027, 3, 1)) == "sv"  # the construction start day
    with pytest.raises(InvalidInput, match="log_date"):
        record(inspector, log_date=date(2027, 2, 28))


@pytest.mark.parametrize("status", [ProjectStatus.IN_CONSTRUCTION, ProjectStatus.SUSPENDED,
                                    ProjectStatus.COMPLETION_ACCEPTANCE])
def test_records_are_kept_while_the_works_are_supervised(status):
    assert record(person(SUPERVISOR, Post.INSPECTOR), project(status)) == "sv"


@pytest.mark.parametrize("status", [ProjectStatus.AWARDED, ProjectStatus.FINAL_ACCEPTANCE, ProjectStatus.TERMINATED])
def test_no_records_outside_supervision(status):
    with pytest.raises(IllegalStep):
        record(person(SUPERVISOR, Post.INSPECTOR), project(status))


def test_one_log_a_day_but_many_stand_by_records_each_with_files():
    inspector = person(SUPERVISOR, Post.INSPECTOR)
    with pytest.raises(IllegalStep, match="one log per day"):
        record(inspector, exists=True)
    assert record(inspector, kind=sup.STANDBY, files=["f"], exists=True) == "sv"
    with pytest.raises(InvalidInput, match="file_ids"):
        record(inspector, kind=sup.STANDBY)


def test_which_records_move_the_log_watch_on():
    building, day = ProjectStatus.IN_CONSTRUCTION, date(2027, 3, 10)
    assert sup.restarts_log_watch(building, sup.LOG, day, None)
    assert sup.restarts_log_watch(building, sup.LOG, day, date(2027, 3, 9))
    assert sup.restarts_log_watch(ProjectStatus.SUSPENDED, sup.LOG, day, None)
    assert not sup.restarts_log_watch(building, sup.LOG, day, date(2027, 3, 11))  # filled in for an earlier day
    assert not sup.restarts_log_watch(building, sup.STANDBY, day, None)
    assert not sup.restarts_log_watch(ProjectStatus.COMPLETION_ACCEPTANCE, sup.LOG, day, None)


def test_the_watches_start_at_district_midnights():
    assert sup.next_log_watch_start(date(2027, 3, 10)) == datetime(2027, 3, 10, 16, 0, tzinfo=UTC)
    assert sup.readiness_watch_start(date(2027, 3, 10)) == datetime(2027, 3, 9, 16, 0, tzinfo=UTC)


# --- supervision notices ----------------------------------------------------------------------------------


def notice(status=sup.AWAITING_RECTIFICATION, escalated=False) -> sup.NoticeFacts:
    return sup.NoticeFacts(status=status, supervisor_unit_id="sv", contractor_unit_id="ct", escalated=escalated)


def test_the_chief_or_a_specialist_engineer_issues_a_notice_to_the_contractor():
    for post in (Post.CHIEF_ENGINEER, Post.SPECIALIST_ENGINEER):
        assert sup.decide_notice(person(SUPERVISOR, post), project(), ["ct"], None) == ("sv", "ct")
    with pytest.raises(PermissionDenied, match=r"Art\. 45"):
        sup.decide_notice(person(SUPERVISOR, Post.INSPECTOR), project(), ["ct"], None)
    with pytest.raises(IllegalStep):
        sup.decide_notice(person(SUPERVISOR, Post.CHIEF_ENGINEER), project(ProjectStatus.AWARDED), ["ct"], None)


def test_a_project_with_several_contractors_names_the_one_to_rectify():
    engineer, facts = person(SUPERVISOR, Post.CHIEF_ENGINEER), project(firms=("sv", "ct", "ct2"))
    with pytest.raises(InvalidInput, match="contractor_unit_id"):
        sup.decide_notice(engineer, facts, ["ct", "ct2"], None)
    assert sup.decide_notice(engineer, facts, ["ct", "ct2"], "ct2") == ("sv", "ct2")
    with pytest.raises(InvalidInput, match="contractor_unit_id"):
        sup.decide_notice(engineer, facts, ["ct", "ct2"], "ct3")
    with pytest.raises(InvalidInput, match="contractor_unit_id"):
        sup.decide_notice(engineer, project(), [], None)


@pytest.mark.parametrize("post", [Post.PROJECT_MANAGER, Post.TECHNICAL_LEAD, Post.SAFETY_OFFICER, Post.CHIEF])
def test_the_addressed_contractor_answers_a_notice(post):
    sup.decide_rectification(person(CONTRACTOR, post), project(), notice())


def test_no_other_contractor_answers_and_only_an_awaited_answer_is_taken():
    with pytest.raises(PermissionDenied):
        sup.decide_rectification(person(SECOND_CONTRACTOR, Post.PROJECT_MANAGER), project(firms=("sv", "ct", "ct2")),
                                 notice())
    manager = person(CONTRACTOR, Post.PROJECT_MANAGER)
    for status in (sup.AWAITING_VERIFICATION, sup.RECTIFIED):
        with pytest.raises(IllegalStep):
            sup.decide_rectification(manager, project(), notice(status))
    with pytest.raises(IllegalStep, match="terminated"):
        sup.decide_rectification(manager, project(ProjectStatus.TERMINATED), notice())


def test_one_holding_the_same_post_in_two_firms_of_the_project_acts_only_for_the_firm_it_serves():
    # The project manager of both contractors, put on the project for the first one only.
    both = Actor("pm-of-both", (PostHeld(CONTRACTOR, Post.PROJECT_MANAGER),
                                PostHeld(SECOND_CONTRACTOR, Post.PROJECT_MANAGER)))
    facts = project(firms=("sv", "ct", "ct2"),
                    personnel=key_people(("sv",)) | {("pm-of-both", "ct", "project_manager")})
    sup.decide_rectification(both, facts, notice())
    to_the_second = sup.NoticeFacts(status=sup.AWAITING_RECTIFICATION, supervisor_unit_id="sv",
                                    contractor_unit_id="ct2", escalated=False)
    with pytest.raises(PermissionDenied, match=r"Art\. 22"):
        sup.decide_rectification(both, facts, to_the_second)
    codes = {"ct": "913306041000000001", "ct2": "913306041000000002"}
    assert sup.decide_subcontract(both, facts, codes, "91330604MA2BX0001K", False) == "ct"
    # The same for a supervisor's engineer of two supervisor firms: it issues for the one it serves.
    engineer = Actor("ce-of-both", (PostHeld(SUPERVISOR, Post.CHIEF_ENGINEER),
                                    PostHeld(SECOND_SUPERVISOR, Post.CHIEF_ENGINEER)))
    two_supervisors = project(firms=("sv", "sv2", "ct"),
                              personnel=key_people(("ct",)) | {("ce-of-both", "sv2", "chief_engineer")})
    assert sup.decide_notice(engineer, two_supervisors, ["ct"], None) == ("sv2", "ct")
    with pytest.raises(PermissionDenied, match=r"Art\. 45"):
        sup.decide_verification(engineer, two_supervisors, notice(sup.AWAITING_VERIFICATION))


def test_the_issuing_supervisor_verifies_an_answer():
    engineer = person(SUPERVISOR, Post.SPECIALIST_ENGINEER)
    sup.decide_verification(engineer, project(), notice(sup.AWAITING_VERIFICATION))
    with pytest.raises(IllegalStep):
        sup.decide_verification(engineer, project(), notice(sup.AWAITING_RECTIFICATION))
    with pytest.raises(PermissionDenied):
        sup.decide_verification(person(SUPERVISOR, Post.INSPECTOR), project(), notice(sup.AWAITING_VERIFICATION))
    other = person(SECOND_SUPERVISOR, Post.CHIEF_ENGINEER)
    with pytest.raises(PermissionDenied):
        sup.decide_verification(other, project(firms=("sv", "sv2", "ct")), notice(sup.AWAITING_VERIFICATION))
    assert sup.status_after_verification("accepted") == sup.RECTIFIED
    assert sup.status_after_verification("rejected") == sup.AWAITING_RECTIFICATION


def test_whose_days_run_follows_the_notice():
    # Art. 45: the contractor's while the notice is with it, the supervisor's while an answer
    # awaits verification, nobody's once rectified.
    assert sup.whose_days_run(sup.AWAITING_RECTIFICATION) == sup.CONTRACTOR_DAYS
    assert sup.whose_days_run(sup.AWAITING_VERIFICATION) == sup.SUPERVISOR_DAYS
    assert sup.whose_days_run(sup.RECTIFIED) is None
    assert sup.whose_days_run(sup.status_after_verification("rejected")) == sup.CONTRACTOR_DAYS


def test_a_refusal_is_reported_once_while_a_rectification_is_awaited():
    engineer = person(SUPERVISOR, Post.CHIEF_ENGINEER)
    sup.decide_escalation(engineer, project(), notice())
    with pytest.raises(IllegalStep, match="already reported"):
        sup.decide_escalation(engineer, project(), notice(escalated=True))
    with pytest.raises(IllegalStep):
        sup.decide_escalation(engineer, project(), notice(sup.AWAITING_VERIFICATION))
    with pytest.raises(PermissionDenied):
        sup.decide_escalation(person(CONTRACTOR, Post.CHIEF), project(), notice())


def test_a_firms_people_not_on_this_project_are_refused_its_chief_still_acts_where_a_chief_may():
    codes, subcontractor = {"ct": "913306041000000001"}, "91330604MA2BX0001K"
    # The supervisor's people of other projects: the right posts in the firm on this project, not on it.
    for post in (Post.CHIEF_ENGINEER, Post.SPECIALIST_ENGINEER, Post.INSPECTOR):
        with pytest.raises(PermissionDenied, match=r"Art\. 23"):
            record(person(SUPERVISOR, post, f"sv-{post}-elsewhere"))
    for post in (Post.CHIEF_ENGINEER, Post.SPECIALIST_ENGINEER):
        engineer = person(SUPERVISOR, post, f"sv-{post}-elsewhere")
        with pytest.raises(PermissionDenied, match=r"Art\. 45"):
            sup.decide_notice(engineer, project(), ["ct"], None)
        with pytest.raises(PermissionDenied, match=r"Art\. 45"):
            sup.decide_verification(engineer, project(), notice(sup.AWAITING_VERIFICATION))
        with pytest.raises(PermissionDenied, match=r"Art\. 45"):
            sup.decide_escalation(engineer, project(), notice())
    # The contractor's people of other projects neither answer a notice nor register a subcontract.
    for post in (Post.PROJECT_MANAGER, Post.TECHNICAL_LEAD, Post.SAFETY_OFFICER):
        with pytest.raises(PermissionDenied, match=r"Art\. 22"):
            sup.decide_rectification(person(CONTRACTOR, post, f"ct-{post}-elsewhere"), project(), notice())
    with pytest.raises(PermissionDenied, match=r"Art\. 36"):
        sup.decide_subcontract(person(CONTRACTOR, Post.PROJECT_MANAGER, "ct-manager-elsewhere"), project(), codes,
                               subcontractor, False)
    # Released from the project, its own people no longer act on it.
    unstaffed = project(personnel=frozenset())
    with pytest.raises(PermissionDenied):
        record(person(SUPERVISOR, Post.INSPECTOR), unstaffed)
    with pytest.raises(PermissionDenied):
        sup.decide_notice(person(SUPERVISOR, Post.CHIEF_ENGINEER), unstaffed, ["ct"], None)
    with pytest.raises(PermissionDenied):
        sup.decide_rectification(person(CONTRACTOR, Post.PROJECT_MANAGER), unstaffed, notice())
    # A person counts on the post held on this project: the safety officer here answers a notice
    # but, though the firm's project manager elsewhere, registers no subcontract here.
    safety_officer = Actor("ct-safety_officer", (PostHeld(CONTRACTOR, Post.SAFETY_OFFICER),
                                                 PostHeld(CONTRACTOR, Post.PROJECT_MANAGER)))
    sup.decide_rectification(safety_officer, project(), notice())
    with pytest.raises(PermissionDenied, match=r"Art\. 36"):
        sup.decide_subcontract(safety_officer, project(), codes, subcontractor, False)
    # The contractor's chief answers and subcontracts for its firm without being on the project;
    # the supervisor's chief, who neither records nor issues notices, is refused all the same.
    contractor_chief = person(CONTRACTOR, Post.CHIEF)
    sup.decide_rectification(contractor_chief, unstaffed, notice())
    assert sup.decide_subcontract(contractor_chief, unstaffed, codes, subcontractor, False) == "ct"
    with pytest.raises(PermissionDenied):
        record(person(SUPERVISOR, Post.CHIEF), unstaffed)
    with pytest.raises(PermissionDenied):
        sup.decide_notice(person(SUPERVISOR, Post.CHIEF), unstaffed, ["ct"], None)


def test_a_notice_gives_1_to_90_days():
    body = {"project_id": "p", "subject": "整改", "requirement": "返工", "file_ids": []}
    assert SupervisionNoticeRequest.model_validate({**body, "rectify_within_days": 1}).rectify_within_days == 1
    assert SupervisionNoticeRequest.model_validate({**body, "rectify_within_days": 90}).rectify_within_days == 90
    for days in (0, 91):
        with pytest.raises(ValidationError):
            SupervisionNoticeRequest.model_validate({**body, "rectify_within_days": days})


def test_a_stand_by_record_names_its_part_and_a_log_does_not():
    body = {"project_id": "p", "log_date": "2027-03-10", "content": "混凝土浇筑旁站"}
    assert SupervisionRecordRequest.model_validate(body).kind == "log"
    assert SupervisionRecordRequest.model_validate({**body, "kind": "standby", "part": "承台"}).part == "承台"
    for wrong in ({"kind": "standby"}, {"kind": "log", "part": "承台"}):
        with pytest.raises(ValidationError) as error:
            SupervisionRecordRequest.model_validate({**body, **wrong})
        assert error.value.errors()[0]["loc"] == ("part",)


# --- subcontracts ---------------------------------------------------------------------------------------


def test_the_contractors_manager_registers_a_subcontract_to_another_firm():
    codes = {"ct": "913306041000000001"}
    for post in (Post.PROJECT_MANAGER, Post.CHIEF):
        assert sup.decide_subcontract(person(CONTRACTOR, post), project(), codes, "91330604MA2BX0001K", False) == "ct"
    with pytest.raises(PermissionDenied, match=r"Art\. 36"):
        sup.decide_subcontract(person(CONTRACTOR, Post.SAFETY_OFFICER), project(), codes, "91330604MA2BX0001K", False)
    manager = person(CONTRACTOR, Post.PROJECT_MANAGER)
    with pytest.raises(InvalidInput, match="itself"):
        sup.decide_subcontract(manager, project(), codes, "913306041000000001", False)
    with pytest.raises(IllegalStep, match="already registered"):
        sup.decide_subcontract(manager, project(), codes, "91330604MA2BX0001K", True)
    assert sup.decide_subcontract(manager, project(ProjectStatus.AWARDED), codes, "91330604MA2BX0001K", False) == "ct"
    with pytest.raises(IllegalStep):
        sup.decide_subcontract(manager, project(ProjectStatus.FINAL_ACCEPTANCE), codes, "91330604MA2BX0001K", False)


def test_a_subcontractor_is_named_by_its_unified_social_credit_code():
    body = {"project_id": "p", "subcontractor_name": "钢构公司", "scope": "钢结构", "contract_file_id": "f"}
    assert SubcontractRequest.model_validate({**body, "subcontractor_credit_code": "91330604MA2BX0001K"})
    for code in ("91330604MA2BX0001", "91330604MA2BX0001KK", "91330604MA2BX0001O", "9133060AMA2BX0001K"):
        with pytest.raises(ValidationError):
            SubcontractRequest.model_validate({**body, "subcontractor_credit_code": code})
