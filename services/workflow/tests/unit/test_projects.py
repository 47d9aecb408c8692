"""Projects: intake (Art. 12, 21), the assignment chain (Art. 18–20), participants and key
people (Art. 21, 24, 26), data scope (Art. 10–21), and the windows of Art. 31–32."""

from decimal import Decimal

import pytest
from pydantic import ValidationError

from common.contracts.registry import AssignmentLevel, GeofenceInput, Intake, ProjectRegistration
from common.errors import IllegalStep, InvalidInput, PermissionDenied
from common.scope import Actor, PostHeld, UnitFacts
from workflow.domain.organisation import Post, UnitKind
from workflow.domain.projects import (
    PersonnelFacts,
    ProjectFacts,
    ProjectStatus,
    acceptance_window_days,
    decide_assignment,
    decide_participant,
    decide_personnel,
    decide_registration,
    project_scope,
    settlement_audit_window_days,
)
from workflow.domain.rules import WorkflowRules

LG = UnitFacts("lg", UnitKind.LEADING_GROUP)
HOUSING = UnitFacts("ia", UnitKind.INDUSTRY_AUTHORITY, "lg", "housing")
WATER = UnitFacts("ia-water", UnitKind.INDUSTRY_AUTHORITY, "lg", "water")
SU = UnitFacts("su", UnitKind.SUPERVISING_UNIT, "ia", "housing")
OTHER_SU = UnitFacts("su2", UnitKind.SUPERVISING_UNIT, "ia", "housing")
LINE = UnitFacts("line", UnitKind.LINE, "su", "housing")
OTHER_LINE = UnitFacts("line2", UnitKind.LINE, "su2", "housing")
OWNER = UnitFacts("owner", UnitKind.OWNER)
CONTRACTOR = UnitFacts("c", UnitKind.CONTRACTOR)
SUPERVISOR = UnitFacts("s", UnitKind.SUPERVISOR)


def actor(user_id, *posts):
    return Actor(user_id, tuple(PostHeld(unit, post) for unit, post in posts))


BACK_OFFICE = actor("lg-chief", (LG, Post.CHIEF))
SU_CHIEF = actor("su-chief", (SU, Post.CHIEF))
LINE_HEAD = actor("line-head", (LINE, Post.LINE_HEAD))
OTHER_LINE_HEAD = actor("line2-head", (OTHER_LINE, Post.LINE_HEAD))
OWNER_CHIEF = actor("owner-chief", (OWNER, Post.CHIEF))
OWNER_LEAD = actor("lead", (OWNER, Post.OWNER_PROJECT_LEAD))
PROJECT_MANAGER = actor("pm", (CONTRACTOR, Post.PROJECT_MANAGER))


def project(**changes):
    facts = dict(id="p", industry="housing", kind="government", contract_amount=Decimal("12000000"),
                 status=ProjectStatus.AWARDED)
    facts.update(changes)
    return ProjectFacts(**facts)


UNASSIGNED = project()
AT_SU = project(supervising_unit_id="su")
AT_LINE = project(supervising_unit_id="su", line_id="line")
AT_OWNER = project(supervising_unit_id="su", line_id="line", owner_id="owner")
WITH_LEAD = project(supervising_unit_id="su", line_id="line", owner_id="owner", owner_project_lead_id="lead",
                    participant_unit_ids=frozenset({"c", "s"}))


# --- intake -------------------------------------------------------------------------------------


def test_the_back_office_registers_an_awarded_project():
    assert decide_registration(BACK_OFFICE, Intake.TENDER_AWARD).owner_id is None
    with pytest.raises(PermissionDenied, match=r"Art\. 12"):
        decide_registration(OWNER_LEAD, Intake.TENDER_AWARD)


def test_an_owners_project_lead_enters_direct_awards_and_emergencies_as_their_own():
    decision = decide_registration(OWNER_LEAD, Intake.EMERGENCY)
    assert (decision.owner_id, decision.owner_project_lead_id) == ("owner", "lead")
    with pytest.raises(PermissionDenied, match=r"Art\. 21"):
        decide_registration(BACK_OFFICE, Intake.DIRECT_AWARD)


VALID = dict(name="堤防加固", industry="water", kind="government", contract_amount="19999999.99",
             below_threshold=False, geofence={"center": [30.0, 120.8], "radius_m": 200},
             planned_start="2026-12-01", planned_end="2027-03-01")


def test_a_registration_is_validated_field_by_field():
    assert ProjectRegistration.model_validate(VALID).contract_amount == Decimal("19999999.99")
    for field, value in [("kind", "private"), ("industry", "mining"), ("contract_amount", "0"),
                         ("contract_amount", "1.001"), ("planned_end", "2026-11-30")]:
        with pytest.raises(ValidationError):
            ProjectRegistration.model_validate({**VALID, field: value})
    with pytest.raises(ValidationError, match="extra"):
        ProjectRegistration.model_validate({**VALID, "owner_id": "x"})


@pytest.mark.parametrize("geofence", [
    {"center": [30.0, 120.8]},  # no radius
    {"polygon": [[30, 120], [30.001, 120], [30.001, 120.001]], "center": [30, 120], "radius_m": 5},
    {"polygon": [[30, 120], [30.001, 120]]},  # two vertices
    {"polygon": [[30, 120], [30.001, 120], [30.002, 120]]},  # on one line: no area
    {"center": [95, 120], "radius_m": 100},  # latitude out of range
    {"center": [30, 181], "radius_m": 100},
    {"center": [30, 120], "radius_m": 0},
])
def test_a_site_geofence_must_be_a_real_shape(geofence):
    with pytest.raises(ValidationError):
        GeofenceInput.model_validate(geofence)


def test_a_polygon_geofence_is_accepted():
    fence = GeofenceInput.model_validate({"polygon": [[30, 120], [30.001, 120], [30.001, 120.001]]})
    assert len(fence.polygon) == 3


# --- the chain -----------------------------------------------------------------------------------


def test_the_chain_walks_down_one_level_at_a_time_by_the_right_post():
    decide_assignment(BACK_OFFICE, UNASSIGNED, AssignmentLevel.SUPERVISING_UNIT, SU)
    decide_assignment(SU_CHIEF, AT_SU, AssignmentLevel.LINE, LINE)
    decide_assignment(LINE_HEAD, AT_LINE, AssignmentLevel.OWNER, OWNER)
    decide_assignment(OWNER_CHIEF, AT_OWNER, AssignmentLevel.OWNER_PROJECT_LEAD, None,
                      (("owner", Post.OWNER_PROJECT_LEAD),))


@pytest.mark.parametrize("who, facts, level, target", [
    (SU_CHIEF, UNASSIGNED, AssignmentLevel.SUPERVISING_UNIT, SU),
    (BACK_OFFICE, AT_SU, AssignmentLevel.LINE, LINE),
    (OTHER_LINE_HEAD, AT_LINE, AssignmentLevel.OWNER, OWNER),
    (LINE_HEAD, AT_OWNER, AssignmentLevel.OWNER_PROJECT_LEAD, None),
])
def test_each_step_belongs_to_one_post(who, facts, level, target):
    with pytest.raises(PermissionDenied):
        decide_assignment(who, facts, level, target, (("owner", Post.OWNER_PROJECT_LEAD),))


def test_no_level_is_skipped():
    with pytest.raises(IllegalStep, match="supervising unit first"):
        decide_assignment(SU_CHIEF, UNASSIGNED, AssignmentLevel.LINE, LINE)
    with pytest.raises(IllegalStep, match="line first"):
        decide_assignment(LINE_HEAD, AT_SU, AssignmentLevel.OWNER, OWNER)


def test_a_level_can_be_redone_only_while_the_next_is_open():
    decide_assignment(BACK_OFFICE, AT_SU, AssignmentLevel.SUPERVISING_UNIT, OTHER_SU)
    with pytest.raises(IllegalStep, match="already assigned"):
        decide_assignment(BACK_OFFICE, AT_LINE, AssignmentLevel.SUPERVISING_UNIT, OTHER_SU)


def test_the_target_must_be_the_right_unit():
    with pytest.raises(InvalidInput, match="not a supervising_unit"):
        decide_assignment(BACK_OFFICE, UNASSIGNED, AssignmentLevel.SUPERVISING_UNIT, LINE)
    water_su = UnitFacts("su-w", UnitKind.SUPERVISING_UNIT, "ia-water", "water")
    with pytest.raises(InvalidInput, match="belongs to water"):
        decide_assignment(BACK_OFFICE, UNASSIGNED, AssignmentLevel.SUPERVISING_UNIT, water_su)
    with pytest.raises(InvalidInput, match="another supervising unit"):
        decide_assignment(SU_CHIEF, AT_SU, AssignmentLevel.LINE, OTHER_LINE)
    with pytest.raises(InvalidInput, match="no such unit"):
        decide_assignment(LINE_HEAD, AT_LINE, AssignmentLevel.OWNER, None)
    with pytest.raises(InvalidInput, match="not an owner's project lead"):
        decide_assignment(OWNER_CHIEF, AT_OWNER, AssignmentLevel.OWNER_PROJECT_LEAD, None,
                          (("other-owner", Post.OWNER_PROJECT_LEAD),))


def test_a_terminated_project_is_not_assigned():
    with pytest.raises(IllegalStep, match="terminated"):
        decide_assignment(BACK_OFFICE, project(status=ProjectStatus.TERMINATED),
                          AssignmentLevel.SUPERVISING_UNIT, SU)


# --- participants and personnel -------------------------------------------------------------------


def test_the_owners_project_lead_registers_firms_with_their_role():
    decide_participant(OWNER_LEAD, WITH_LEAD, CONTRACTOR, UnitKind.CONTRACTOR, already=False)
    decide_participant(OWNER_CHIEF, WITH_LEAD, SUPERVISOR, UnitKind.SUPERVISOR, already=False)
    with pytest.raises(PermissionDenied):
        decide_participant(LINE_HEAD, WITH_LEAD, CONTRACTOR, UnitKind.CONTRACTOR, already=False)
    with pytest.raises(InvalidInput, match="not a supervisor"):
        decide_participant(OWNER_LEAD, WITH_LEAD, CONTRACTOR, UnitKind.SUPERVISOR, already=False)
    with pytest.raises(InvalidInput, match="role"):
        decide_participant(OWNER_LEAD, WITH_LEAD, OWNER, UnitKind.OWNER, already=False)
    with pytest.raises(IllegalStep, match="already registered"):
        decide_participant(OWNER_LEAD, WITH_LEAD, CONTRACTOR, UnitKind.CONTRACTOR, already=True)


def test_firms_are_registered_only_once_the_lead_is_assigned():
    with pytest.raises(IllegalStep, match=r"Art\. 20"):
        decide_participant(OWNER_CHIEF, AT_OWNER, CONTRACTOR, UnitKind.CONTRACTOR, already=False)


def person(posts, holders=()):
    """``holders``: the people on the post now, as (user id, firm) or a user id of the firm "c"."""
    return PersonnelFacts("pm", tuple(posts), tuple(h if isinstance(h, tuple) else (h, "c") for h in holders))


def test_key_people_come_from_a_participating_firm_holding_that_post():
    assert decide_personnel(OWNER_LEAD, WITH_LEAD, person([("c", Post.PROJECT_MANAGER)]), Post.PROJECT_MANAGER) == "c"
    with pytest.raises(InvalidInput, match="holds no project_manager"):
        decide_personnel(OWNER_LEAD, WITH_LEAD, person([("c", Post.SAFETY_OFFICER)]), Post.PROJECT_MANAGER)
    with pytest.raises(InvalidInput, match="holds no"):
        decide_personnel(OWNER_LEAD, WITH_LEAD, person([("other-firm", Post.PROJECT_MANAGER)]), Post.PROJECT_MANAGER)
    with pytest.raises(InvalidInput, match="project post"):
        decide_personnel(OWNER_LEAD, WITH_LEAD, person([("c", Post.CHIEF)]), Post.CHIEF)
    with pytest.raises(PermissionDenied):
        decide_personnel(PROJECT_MANAGER, WITH_LEAD, person([("c", Post.PROJECT_MANAGER)]), Post.PROJECT_MANAGER)


def test_a_sole_post_is_replaced_by_a_personnel_change_not_a_second_holder():
    with pytest.raises(IllegalStep, match=r"Art\. 27"):
        decide_personnel(OWNER_LEAD, WITH_LEAD, person([("c", Post.PROJECT_MANAGER)], ["someone"]),
                         Post.PROJECT_MANAGER)
    # several safety officers may serve one project
    assert decide_personnel(OWNER_LEAD, WITH_LEAD, person([("c", Post.SAFETY_OFFICER)], ["someone"]),
                            Post.SAFETY_OFFICER) == "c"
    with pytest.raises(IllegalStep, match="already holds"):
        decide_personnel(OWNER_LEAD, WITH_LEAD, person([("c", Post.SAFETY_OFFICER)], ["pm"]), Post.SAFETY_OFFICER)


def test_each_contractor_of_a_project_has_its_own_project_manager():
    two_contractors = ProjectFacts(**{**WITH_LEAD.__dict__, "participant_unit_ids": frozenset({"c", "c2"})})
    first_filled = [("someone", "c")]
    assert decide_personnel(OWNER_LEAD, two_contractors, person([("c2", Post.PROJECT_MANAGER)], first_filled),
                            Post.PROJECT_MANAGER) == "c2"
    with pytest.raises(IllegalStep, match=r"Art\. 27"):
        decide_personnel(OWNER_LEAD, two_contractors, person([("c", Post.PROJECT_MANAGER)], first_filled),
                         Post.PROJECT_MANAGER)
    # One person is on a post of a project once, for one firm.
    with pytest.raises(IllegalStep, match="already holds"):
        decide_personnel(OWNER_LEAD, two_contractors,
                         person([("c", Post.PROJECT_MANAGER), ("c2", Post.PROJECT_MANAGER)], [("pm", "c")]),
                         Post.PROJECT_MANAGER)


# --- scope -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who, sees", [
    (BACK_OFFICE, True),
    (actor("d", (UnitFacts("d", UnitKind.DISCIPLINE), Post.STAFF)), True),
    (actor("a", (UnitFacts("a", UnitKind.AUDIT), Post.STAFF)), True),
    (actor("h", (HOUSING, Post.CHIEF)), True),
    (actor("w", (WATER, Post.CHIEF)), False),
    (SU_CHIEF, True),
    (actor("x", (OTHER_SU, Post.CHIEF)), False),
    (LINE_HEAD, True),
    (OTHER_LINE_HEAD, False),
    (OWNER_CHIEF, True),
    (actor("o2", (UnitFacts("owner2", UnitKind.OWNER), Post.CHIEF)), False),
    (PROJECT_MANAGER, True),
    (actor("f", (UnitFacts("firm-elsewhere", UnitKind.CONTRACTOR), Post.PROJECT_MANAGER)), False),
    (actor("nobody"), False),
])
def test_each_sees_the_projects_of_their_place_in_the_tree(who, sees):
    assert project_scope(who).admits(WITH_LEAD) is sees


# --- windows of Art. 31 and 32 --------------------------------------------------------------------------


@pytest.mark.parametrize("kind, amount, acceptance, audit", [
    ("government", "19999999.99", 20, 60),
    ("government", "20000000", 60, 180),
    ("village", "500000", 15, 60),
])
def test_acceptance_and_audit_windows_follow_the_20_million_threshold(kind, amount, acceptance, audit):
    facts = project(kind=kind, contract_amount=Decimal(amount))
    assert acceptance_window_days(facts, WorkflowRules()) == acceptance
    assert settlement_audit_window_days(facts, WorkflowRules()) == audit


def test_the_threshold_is_a_setting():
    rules = WorkflowRules(large_project_threshold_yuan=Decimal("10000000"))
    assert acceptance_window_days(project(contract_amount=Decimal("12000000")), rules) == 60


def test_the_line_head_assigns_only_an_owner_of_its_own_line_or_a_free_one():
    under_other_line = UnitFacts("owner-x", UnitKind.OWNER, parent_id="line2")
    with pytest.raises(InvalidInput, match="another supervising unit or line"):
        decide_assignment(LINE_HEAD, AT_LINE, AssignmentLevel.OWNER, under_other_line)
    decide_assignment(LINE_HEAD, AT_LINE, AssignmentLevel.OWNER, UnitFacts("owner-y", UnitKind.OWNER, parent_id="line"))
