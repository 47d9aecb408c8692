"""Engineering and personnel changes (Art. 27), termination (Art. 34) and supplementary
registration (Art. 33): who may take each step, from which state, with which materials."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from common.errors import IllegalStep, InvalidInput, PermissionDenied
from common.scope import Actor, UnitFacts
from workflow.domain.acceptance import is_owner_staff
from workflow.domain.organisation import PROJECT_POSTS, Post, UnitKind
from workflow.domain.projects import ProjectFacts, ProjectStatus, firms_acted_for
from workflow.domain.rules import WorkflowRules

ENGINEERING, PERSONNEL = "engineering", "personnel"

# A change's states. An engineering change is pending until the owner decides. A personnel
# change is pending through its agreements, approved once all are given, and done
# ("replaced") when the owner's project lead uploads the approval form.
PENDING, APPROVED, REFUSED, REPLACED, CANCELLED = "pending", "approved", "refused", "replaced", "cancelled"
OPEN_STATUSES = frozenset({PENDING, APPROVED})

AFTER_THE_FACT_RULE = "art27.after-the-fact-change"
AFTER_THE_FACT_ARTICLE = "Art. 27"

# Art. 27(1): a change is proposed at the technical briefing before work starts or raised
# during construction (a suspended project is still under construction).
ENGINEERING_CHANGE_STATUSES = frozenset({ProjectStatus.AWARDED, ProjectStatus.IN_CONSTRUCTION,
                                         ProjectStatus.SUSPENDED})
# Art. 27(2): key people are replaced while the works are not yet completed.
PERSONNEL_CHANGE_STATUSES = ENGINEERING_CHANGE_STATUSES | {ProjectStatus.COMPLETION_ACCEPTANCE}
# Art. 27(2): a replaced person is barred from the same post elsewhere until this project is
# completed ("本工程完工之前"); a terminated project is never completed, so it frees them too.
COMPLETED_STATUSES = frozenset({ProjectStatus.FINAL_ACCEPTANCE, ProjectStatus.SETTLEMENT_AUDIT,
                                ProjectStatus.FUNDS_PAID, ProjectStatus.DEPOSIT_RETURNED, ProjectStatus.TERMINATED})
# Art. 34: termination of a project whose settlement audit has not begun.
TERMINABLE_STATUSES = frozenset({ProjectStatus.AWARDED, ProjectStatus.IN_CONSTRUCTION, ProjectStatus.SUSPENDED,
                                 ProjectStatus.COMPLETION_ACCEPTANCE, ProjectStatus.FINAL_ACCEPTANCE})

# Art. 33: a supplementary registration puts completed works on the platform so that their
# settlement audit can follow. The Intake enum of the registry contract has no such value yet.
SUPPLEMENTARY_INTAKE = "supplementary"
SUPPLEMENTARY_PROJECT_STATUS = ProjectStatus.FINAL_ACCEPTANCE




def is_industry_authority_chief(actor: Actor, project: ProjectFacts) -> bool:
    return any(held.unit.kind == UnitKind.INDUSTRY_AUTHORITY and held.unit.industry == project.industry
               and held.post == Post.CHIEF for held in actor.posts)


# --- engineering change (Art. 27(1)) -------------------------------------------------------------


# The steps of an engineering change's history: the owner's decision, or the platform's refusal
# of a change to concealed works.
OWNER_DECISION = "owner_decision"
CONCEALED_WORKS_RULE = "concealed_works_rule"


@dataclass(frozen=True)
class EngineeringChangeOutcome:
    contractor_id: str
    status: str  # pending, or refused by the platform when it touches concealed works
    after_the_fact: bool
    refusal: str | None = None


def decide_engineering_request(actor: Actor, project: ProjectFacts, *, touches_concealed_works: bool,
                               planned_on: date | None, executed_on: date | None, today: date,
                               rules: WorkflowRules) -> EngineeringChangeOutcome:
    """Art. 27(1): the contractor raises the change; it is approved before it is carried out.
    One stated as carried out before today is after the fact: recorded and flagged for audit
    (the ``art27.after-the-fact-change`` warning, AFTER_THE_FACT_RULE).
    One on concealed works is refused unless the setting allows it; it is still recorded, so
    that an after-the-fact change of concealed works leaves its trace."""
    contractors = firms_acted_for(actor, project, UnitKind.CONTRACTOR, (Post.PROJECT_MANAGER, Post.CHIEF))
    if not contractors:
        raise PermissionDenied("the contractor's project manager raises an engineering change (Art. 27)")
    if project.status not in ENGINEERING_CHANGE_STATUSES:
        raise IllegalStep(f"an engineering change is raised before or during construction; the project is "
                          f"{project.status}")
    if executed_on is not None and executed_on > today:
        raise InvalidInput.field("executed_on", "a change cannot have been carried out after today; give "
                                                "planned_on for a change still to come")
    if executed_on is None and planned_on is not None and planned_on < today:
        raise InvalidInput.field("planned_on", "the planned day has passed: a change is approved before it is "
                                               "carried out; if it was carried out, state executed_on")
    # Carried out before anyone approved it: after the fact, even if done today (Art. 27).
    after_the_fact = executed_on is not None
    if touches_concealed_works and not rules.changes_on_concealed_works_allowed:
        return EngineeringChangeOutcome(contractors[0], REFUSED, after_the_fact,
                                        "concealed works may not be changed (Art. 27; setting "
                                        "changes_on_concealed_works_allowed)")
    return EngineeringChangeOutcome(contractors[0], PENDING, after_the_fact)


def decide_engineering_decision(actor: Actor, project: ProjectFacts, status: str, *, approve: bool,
                                planned_on: date | None, already_after_the_fact: bool, today: date) -> bool:
    """Art. 27(1): the owner approves or refuses the change before it is carried out. Returns
    whether this approval makes it after the fact (AFTER_THE_FACT_RULE): given after the planned
    day, the work was either done without approval or the approval comes too late to precede it."""
    if not is_owner_staff(actor, project):
        raise PermissionDenied("the owner approves or refuses an engineering change (Art. 27)")
    if status != PENDING:
        raise IllegalStep(f"the change is {status}; it was decided already")
    return approve and not already_after_the_fact and planned_on is not None and today > planned_on


# --- personnel change (Art. 27(2)) ---------------------------------------------------------------

OWNER_AGREEMENT = "owner_agreement"
SUPERVISING_UNIT_AGREEMENT = "supervising_unit_agreement"
INDUSTRY_REVIEW = "industry_review"  # 审核
INDUSTRY_FILING = "industry_filing"  # 备案

# Art. 27(2): the contractor's project manager and the supervisor's chief engineer are reviewed
# by the industry authority; other key people are filed with it.
REVIEWED_POSTS = frozenset({Post.PROJECT_MANAGER, Post.CHIEF_ENGINEER})
# The post that heads a firm's team on a project and may raise its personnel changes with the
# firm's chief.
FIRM_PROJECT_HEADS = {UnitKind.CONTRACTOR: Post.PROJECT_MANAGER, UnitKind.SUPERVISOR: Post.CHIEF_ENGINEER}
STEP_DECIDERS = {
    OWNER_AGREEMENT: "the owner",
    SUPERVISING_UNIT_AGREEMENT: "the supervising unit's chief",
    INDUSTRY_REVIEW: "the industry authority's chief",
    INDUSTRY_FILING: "the industry authority's chief",
}


def approval_path(post: Post) -> tuple[tuple[str, ...], ...]:
    """Art. 27(2): the stages of a personnel change's approval (the owner, then the industry
    authority's review for a project manager or chief engineer; the owner and the supervising unit,
    then the filing, for the other posts); the steps of a stage may come in any order, a stage
    opens when the one before it is complete."""
    if post in REVIEWED_POSTS:
        return (OWNER_AGREEMENT,), (INDUSTRY_REVIEW,)
    return (OWNER_AGREEMENT, SUPERVISING_UNIT_AGREEMENT), (INDUSTRY_FILING,)


def may_take_step(actor: Actor, project: ProjectFacts, step: str) -> bool:
    if step == OWNER_AGREEMENT:
        return is_owner_staff(actor, project)
    if step == SUPERVISING_UNIT_AGREEMENT:
        return project.supervising_unit_id is not None and actor.holds(Post.CHIEF,
                                                                       unit_id=project.supervising_unit_id)
    return is_industry_authority_chief(actor, project)


def step_unit(actor: Actor, project: ProjectFacts, step: str) -> str | None:
    """The unit on whose behalf the actor takes the step."""
    if step == OWNER_AGREEMENT:
        return project.owner_id
    if step == SUPERVISING_UNIT_AGREEMENT:
        return project.supervising_unit_id
    return next((held.unit.id for held in actor.posts if held.unit.kind == UnitKind.INDUSTRY_AUTHORITY
                 and held.unit.industry == project.industry and held.post == Post.CHIEF), None)


def open_steps(post: Post, taken: Iterable[str]) -> tuple[str, ...]:
    """The steps that may be taken now: the untaken steps of the first incomplete stage."""
    taken = set(taken)
    for stage in approval_path(post):
        untaken = tuple(step for step in stage if step not in taken)
        if untaken:
            return untaken
    return ()


def awaits_actor(actor: Actor, project: ProjectFacts, post: Post | None, status: str, taken: Iterable[str]) -> bool:
    """Whether a change waits for the actor's decision now (Art. 27): a pending engineering change
    (``post`` None) for the owner; a pending personnel change for whoever may take one of the
    steps open at its stage."""
    if status != PENDING:
        return False
    if post is None:
        return is_owner_staff(actor, project)
    return any(may_take_step(actor, project, step) for step in open_steps(post, taken))


def decide_personnel_step(actor: Actor, project: ProjectFacts, post: Post, status: str,
                          taken: Iterable[str]) -> str:
    """Art. 27(2): which step of the approval path the actor takes now."""
    taken = set(taken)
    steps = [step for stage in approval_path(post) for step in stage]
    mine = [step for step in steps if may_take_step(actor, project, step)]
    if not mine:
        deciders = ", then ".join(" and ".join(STEP_DECIDERS[step] for step in stage)
                                  for stage in approval_path(post))
        raise PermissionDenied(f"a change of the {post} is decided by {deciders} (Art. 27)")
    if status != PENDING:
        raise IllegalStep(f"the change is {status}; no decision is open")
    now_open = open_steps(post, taken)
    for step in mine:
        if step in now_open:
            return step
    if all(step in taken for step in mine):
        raise IllegalStep(f"{STEP_DECIDERS[mine[0]]} has already decided this change")
    waiting_for = " and ".join(STEP_DECIDERS[step] for step in now_open)
    raise IllegalStep(f"not yet: waiting for {waiting_for} (Art. 27)")


@dataclass(frozen=True)
class PersonnelChangeFacts:
    """What the rules look at when a firm raises a personnel change."""

    post: Post
    replaced_user_id: str
    replaced_firm_id: str | None  # the firm the replaced person holds the post for; None if not on it
    replacement_user_id: str
    replacement_posts: tuple[tuple[str, Post], ...]  # (unit id, post) pairs the replacement holds
    replacement_on_post: bool  # already holds this post on the project
    for_illness: bool
    has_illness_certificate: bool
    recovery_until: date | None
    has_qualification_files: bool
    social_insurance_months: frozenset[str]  # "YYYY-MM" months covered by the records given
    insurance_months_required: int = 3  # Art. 27(2) "近3个月社保"; the setting of WorkflowRules


def required_insurance_months(today: date, months: int) -> list[str]:
    """Art. 27(2) ("近3个月社保"): the full calendar months before the current one that the
    replacement's social-insurance records must cover."""
    year, month = today.year, today.month
    required = []
    for _ in range(months):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        required.append(f"{year:04d}-{month:02d}")
    return sorted(required)


def missing_materials(facts: PersonnelChangeFacts, today: date) -> list[dict]:
    """Art. 27(2): each kind of material still missing, as the 422 details name them."""
    missing = []
    if facts.for_illness:
        if not facts.has_illness_certificate:
            missing.append({"field": "illness_certificate_file_id",
                            "reason": "a change for illness needs a district-level hospital's certificate"})
        if facts.recovery_until is None:
            missing.append({"field": "recovery_until", "reason": "a change for illness states the recovery period"})
        elif facts.recovery_until < today:
            missing.append({"field": "recovery_until", "reason": "the recovery period ends before today"})
    if not facts.has_qualification_files:
        missing.append({"field": "qualification_file_ids", "reason": "the replacement's qualifications are missing"})
    uncovered = [month for month in required_insurance_months(today, facts.insurance_months_required)
                 if month not in facts.social_insurance_months]
    if uncovered:
        missing.append({"field": "social_insurance_records",
                        "reason": "the replacement's social-insurance record is missing for " + ", ".join(uncovered)})
    return missing


def decide_personnel_request(actor: Actor, project: ProjectFacts, facts: PersonnelChangeFacts, *,
                             open_change_for_post: bool, replacement_lock: str | None, today: date) -> str:
    """Art. 27(2): the firm making the change raises it online (its chief, or its head on the
    project) with the reason and the replacement's materials. Returns the firm's unit id."""
    if project.status not in PERSONNEL_CHANGE_STATUSES:
        raise IllegalStep(f"key people are replaced before the works are completed; the project is {project.status}")
    if facts.post not in PROJECT_POSTS:
        raise InvalidInput.field("post", "a key post of a project is one of " + ", ".join(sorted(PROJECT_POSTS)))
    firm_id = facts.replaced_firm_id
    if firm_id is None:
        raise InvalidInput.field("replaced_user_id", f"the person does not hold the {facts.post} post on this project")
    head = FIRM_PROJECT_HEADS.get(PROJECT_POSTS[facts.post])
    on_project_as_head = head is not None and actor.holds(head, unit_id=firm_id) and project.serves(
        actor.user_id, firm_id, head)
    if not (actor.holds(Post.CHIEF, unit_id=firm_id) or on_project_as_head):
        raise PermissionDenied("the firm making the change raises it: its chief or its head on the project (Art. 27)")
    if facts.replacement_user_id == facts.replaced_user_id:
        raise InvalidInput.field("replacement_user_id", "the replacement is another person")
    if (firm_id, facts.post) not in facts.replacement_posts:
        raise InvalidInput.field("replacement_user_id", f"the replacement holds no {facts.post} post in the same firm")
    missing = missing_materials(facts, today)
    if missing:
        raise InvalidInput("materials missing (Art. 27): " + ", ".join(item["field"] for item in missing), missing)
    if open_change_for_post:
        raise IllegalStep(f"a change of the {facts.post} post of this project is already under way")
    needs_supervising_unit = any(SUPERVISING_UNIT_AGREEMENT in stage for stage in approval_path(facts.post))
    if needs_supervising_unit and project.supervising_unit_id is None:
        raise IllegalStep("the project has no supervising unit yet, and it must agree to this change (Art. 27)")
    if facts.replacement_on_post:
        raise IllegalStep(f"the replacement already holds the {facts.post} post on this project")
    if replacement_lock is not None:
        raise IllegalStep(replacement_lock)
    return firm_id


def decide_approval_form(actor: Actor, project: ProjectFacts, status: str) -> None:
    """Art. 27(2): once agreed, the owner's project lead uploads the offline approval form and the
    replacement takes the post."""
    if actor.user_id != project.owner_project_lead_id:
        raise PermissionDenied("the owner's project lead uploads the approval form (Art. 27)")
    if status != APPROVED:
        raise IllegalStep(f"the change is {status}; the approval form follows the agreements")
    if project.status not in PERSONNEL_CHANGE_STATUSES:
        raise IllegalStep(f"key people are replaced before the works are completed; the project is {project.status}")


def decide_penalty(actor: Actor, project: ProjectFacts, status: str, already_recorded: bool) -> None:
    """Art. 27(2), 41: the owner records the contractual penalty online, once the change is agreed."""
    if not is_owner_staff(actor, project):
        raise PermissionDenied("the owner records the contractual penalty (Art. 27)")
    if status not in (APPROVED, REPLACED):
        raise IllegalStep(f"the change is {status}; the penalty is recorded for an agreed change")
    if already_recorded:
        raise IllegalStep("the penalty of this change is already recorded")


@dataclass(frozen=True)
class Replacement:
    """A person's earlier replacement on a post, and where that project stands."""

    project_id: str
    project_name: str
    project_status: str
    replaced_at: datetime


def post_lock(post: Post, replacements: Iterable[Replacement], project_id: str) -> str | None:
    """Art. 27(2): a person replaced on a post may not take the same post on another project of
    the district until the project they were replaced on is completed. Returns why, or None."""
    for replacement in replacements:
        if replacement.project_id != project_id and replacement.project_status not in COMPLETED_STATUSES:
            return (f"the person was replaced as {post} on project {replacement.project_name!r} "
                    f"({replacement.project_id}) and may not take the same post elsewhere until it is completed "
                    f"(Art. 27)")
    return None


# --- termination (Art. 34) -----------------------------------------------------------------------


def decide_termination(actor: Actor, project: ProjectFacts) -> None:
    """Art. 34: the owner terminates a project before its settlement audit, with a written report
    of the reason."""
    if not is_owner_staff(actor, project):
        raise PermissionDenied("the owner terminates a project, with a written report (Art. 34)")
    if project.status == ProjectStatus.TERMINATED:
        raise IllegalStep("the project is already terminated")
    if project.status not in TERMINABLE_STATUSES:
        raise IllegalStep(f"a project is terminated before its settlement audit; this one is {project.status}")


# --- supplementary registration (Art. 33) --------------------------------------------------------


def decide_supplementary_request(actor: Actor, supervising_unit: UnitFacts | None, industry: str) -> str:
    """Art. 33: an owner's project lead asks to register works never put on the platform, naming
    the supervising unit that agrees. Returns the owner's unit id."""
    leads = [held.unit.id for held in actor.posts if held.post == Post.OWNER_PROJECT_LEAD]
    if len(leads) != 1:
        raise PermissionDenied("an owner's project lead files a supplementary registration (Art. 33)")
    if supervising_unit is None:
        raise InvalidInput.field("supervising_unit_id", "no such unit")
    if supervising_unit.kind != UnitKind.SUPERVISING_UNIT:
        raise InvalidInput.field("supervising_unit_id", f"the unit is a {supervising_unit.kind}, not a "
                                                        f"{UnitKind.SUPERVISING_UNIT}")
    if supervising_unit.industry and supervising_unit.industry != industry:
        raise InvalidInput.field("supervising_unit_id", f"the supervising unit belongs to {supervising_unit.industry}, "
                                                        f"the project to {industry}")
    return leads[0]


def decide_supplementary_decision(actor: Actor, supervising_unit_id: str, status: str) -> None:
    """Art. 33: the supervising unit agrees (or not) to the supplementary registration."""
    if not actor.holds(Post.CHIEF, unit_id=supervising_unit_id):
        raise PermissionDenied("the supervising unit's chief decides a supplementary registration (Art. 33)")
    if status != PENDING:
        raise IllegalStep(f"the request is {status}; it was decided already")


def may_see_supplementary(actor: Actor, owner_id: str, supervising_unit_id: str) -> bool:
    """Art. 33: a supplementary registration is seen by the back office, the owner and the
    supervising unit that agrees to it."""
    return actor.is_back_office or actor.holds(unit_id=owner_id) or actor.holds(unit_id=supervising_unit_id)
