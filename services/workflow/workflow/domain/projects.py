"""Projects: intake after award or by the owner (Art. 12, 21), the assignment chain down the
four levels (Art. 18–20), participating firms and their contracts (Art. 21, 24), key people
on their posts (Art. 21, 26), and who may see a project (Art. 10–21)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from common.contracts.registry import AssignmentLevel, Intake
from common.errors import IllegalStep, InvalidInput, PermissionDenied
from common.scope import PARTICIPANT_ROLES, Actor, ProjectScope, UnitFacts, project_scope
from workflow.domain.organisation import PROJECT_POSTS, SOLE_HOLDER_POSTS, Post, UnitKind
from workflow.domain.rules import WorkflowRules

__all__ = ["ProjectScope", "project_scope"]


class ProjectStatus(StrEnum):
    """The lifecycle of Art. 25; suspended (Art. 35) and terminated (Art. 34) beside it."""

    AWARDED = "awarded"
    IN_CONSTRUCTION = "in_construction"
    COMPLETION_ACCEPTANCE = "completion_acceptance"
    FINAL_ACCEPTANCE = "final_acceptance"
    SETTLEMENT_AUDIT = "settlement_audit"
    FUNDS_PAID = "funds_paid"
    DEPOSIT_RETURNED = "deposit_returned"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


ASSIGNMENT_ORDER = list(AssignmentLevel)


# --- facts the rules decide on -----------------------------------------------------------------


@dataclass(frozen=True)
class ProjectFacts:
    id: str
    industry: str
    kind: str
    contract_amount: Decimal
    status: ProjectStatus
    supervising_unit_id: str | None = None
    line_id: str | None = None
    owner_id: str | None = None
    owner_project_lead_id: str | None = None
    participant_unit_ids: frozenset[str] = frozenset()
    # (user id, unit id, post) of the people on it now: a person serves a project on a post for
    # one firm, and acts for that firm only, even if they hold the same post in another firm of
    # the project (Art. 21, 26).
    personnel: frozenset[tuple[str, str, str]] = frozenset()

    def assigned(self, level: AssignmentLevel) -> str | None:
        return getattr(self, f"{level}_id")

    def serves(self, user_id: str, unit_id: str, post: str) -> bool:
        """Whether the person is on ``post`` of this project for the firm ``unit_id``."""
        return (user_id, unit_id, str(post)) in self.personnel


# --- decisions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistrationDecision:
    owner_id: str | None = None
    owner_project_lead_id: str | None = None


def decide_registration(actor: Actor, intake: Intake) -> RegistrationDecision:
    """Art. 12: the back office registers an awarded project. Art. 21: an owner's project lead
    enters direct awards and emergency works, which are then already the lead's own."""
    if intake == Intake.TENDER_AWARD:
        if not actor.is_back_office:
            raise PermissionDenied("only the back office registers an awarded project (Art. 12)")
        return RegistrationDecision()
    leads = [held for held in actor.posts if held.post == Post.OWNER_PROJECT_LEAD]
    if len(leads) != 1:
        raise PermissionDenied(
            "direct awards and emergency works are entered by an owner's project lead (Art. 21)"
        )
    return RegistrationDecision(owner_id=leads[0].unit.id, owner_project_lead_id=actor.user_id)


def decide_assignment(
    actor: Actor,
    project: ProjectFacts,
    level: AssignmentLevel,
    target_unit: UnitFacts | None,
    target_user_posts: tuple[tuple[str, Post], ...] = (),
) -> None:
    """One step down the chain (Art. 18–20): back office → supervising unit → line → owner →
    owner's project lead. Each step is taken by the right post of the unit one level up, no
    level is skipped, and a level may be redone only while the next one is still open."""
    if project.status == ProjectStatus.TERMINATED:
        raise IllegalStep("the project is terminated")
    position = ASSIGNMENT_ORDER.index(level)
    if position > 0:
        previous = ASSIGNMENT_ORDER[position - 1]
        if project.assigned(previous) is None:
            raise IllegalStep(f"assign the {previous.replace('_', ' ')} first: no level is skipped")
    if project.assigned(level) is not None and position + 1 < len(ASSIGNMENT_ORDER):
        following = ASSIGNMENT_ORDER[position + 1]
        if project.assigned(following) is not None:
            raise IllegalStep(
                f"the {following.replace('_', ' ')} is already assigned; this level can no longer change"
            )

    if level == AssignmentLevel.SUPERVISING_UNIT:
        if not actor.is_back_office:
            raise PermissionDenied("the back office dispatches a project to a supervising unit (Art. 18)")
        _require_target_kind(target_unit, UnitKind.SUPERVISING_UNIT)
        if target_unit.industry and target_unit.industry != project.industry:
            raise InvalidInput.field(
                "target_id",
                f"the supervising unit belongs to {target_unit.industry}, the project to {project.industry}",
            )
    elif level == AssignmentLevel.LINE:
        if not actor.holds(Post.CHIEF, unit_id=project.supervising_unit_id):
            raise PermissionDenied("the supervising unit's chief assigns the line (Art. 18)")
        _require_target_kind(target_unit, UnitKind.LINE)
        if target_unit.parent_id != project.supervising_unit_id:
            raise InvalidInput.field("target_id", "the line belongs to another supervising unit")
    elif level == AssignmentLevel.OWNER:
        if not actor.holds(Post.LINE_HEAD, unit_id=project.line_id):
            raise PermissionDenied("the line head assigns the owner (Art. 19)")
        _require_target_kind(target_unit, UnitKind.OWNER)
        if target_unit.parent_id not in (None, project.line_id, project.supervising_unit_id):
            raise InvalidInput.field("target_id", "the owner sits under another supervising unit or line")
    else:
        if not actor.holds(Post.CHIEF, unit_id=project.owner_id):
            raise PermissionDenied("the owner's chief assigns the owner's project lead (Art. 20)")
        if (project.owner_id, Post.OWNER_PROJECT_LEAD) not in target_user_posts:
            raise InvalidInput.field("target_id", "the user is not an owner's project lead of this owner")


def _require_target_kind(target: UnitFacts | None, kind: UnitKind) -> None:
    if target is None:
        raise InvalidInput.field("target_id", "no such unit")
    if target.kind != kind:
        raise InvalidInput.field("target_id", f"the unit is a {target.kind}, not a {kind}")


def firms_acted_for(actor: Actor, project: ProjectFacts, kind: UnitKind, posts) -> list[str]:
    """The participating firms of ``kind`` for which the actor acts on this project: as the firm's
    chief, or as a person on one of ``posts`` of this very project for that very firm (a firm's
    people on other projects have no say here, and one who holds the same post in a second firm
    of the project acts only for the firm they were put on the project for)."""
    posts = set(posts)
    return sorted({
        held.unit.id for held in actor.posts
        if held.unit.kind == kind and held.unit.id in project.participant_unit_ids and held.post in posts
        and (held.post == Post.CHIEF or project.serves(actor.user_id, held.unit.id, held.post))
    })


# Files another service keeps in a project's record and shares with a named audience only (a
# leave request's documents and approval form, Art. 26): the project's owner, or one person.
OWNER_AUDIENCE = "role:owner"


def person_audience(user_id: str) -> str:
    return f"user:{user_id}"


def valid_audience(audience: str) -> bool:
    return audience == OWNER_AUDIENCE or (audience.startswith("user:") and len(audience) > len("user:"))


def may_open_shared(actor: Actor, project: ProjectFacts, audiences) -> bool:
    """Whether a file shared on ``project`` with ``audiences`` opens to the actor: to the person
    named, and to the owner's people, who decide a leave for the owner (Art. 26); not to the
    project's other viewers (its line, its firms, ...)."""
    audiences = set(audiences)
    if person_audience(actor.user_id) in audiences:
        return True
    return OWNER_AUDIENCE in audiences and actor.holds(unit_id=project.owner_id) and project_scope(actor).admits(
        project)


def is_project_lead_or_owner_chief(actor: Actor, project: ProjectFacts) -> bool:
    """Art. 20–21: the owner acts on a project through its chief or the project's own lead."""
    return actor.user_id == project.owner_project_lead_id or (
        project.owner_id is not None and actor.holds(Post.CHIEF, unit_id=project.owner_id)
    )


def decide_participant(
    actor: Actor, project: ProjectFacts, unit: UnitFacts | None, role: UnitKind, already: bool
) -> None:
    """Art. 21, 24: the owner's project lead registers each participating firm with its contract."""
    if project.status == ProjectStatus.TERMINATED:
        raise IllegalStep("the project is terminated")
    if project.owner_project_lead_id is None:
        raise IllegalStep("the owner's project lead is not assigned yet (Art. 20)")
    if not is_project_lead_or_owner_chief(actor, project):
        raise PermissionDenied("the owner's project lead registers the participating firms (Art. 21)")
    if role not in PARTICIPANT_ROLES:
        raise InvalidInput.field("role", "a participant is a contractor, supervisor or intermediary firm")
    if unit is None:
        raise InvalidInput.field("unit_id", "no such unit")
    if unit.kind != role:
        raise InvalidInput.field("unit_id", f"the unit is a {unit.kind}, not a {role}")
    if already:
        raise IllegalStep(f"the firm is already registered on the project as {role}")


@dataclass(frozen=True)
class PersonnelFacts:
    """What is known about a person to be put on a project post."""

    user_id: str
    posts: tuple[tuple[str, Post], ...]  # (unit id, post) pairs the user holds
    # (user id, unit id) of the people on that post of the project now, with the firm each serves:
    # a project with two contractors has a project manager of each.
    current_holders: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def decide_personnel(actor: Actor, project: ProjectFacts, person: PersonnelFacts, post: Post) -> str:
    """Art. 21, 26: key people of the contractor and the supervisor on their posts. Returns the
    unit the person serves the project for."""
    if project.status == ProjectStatus.TERMINATED:
        raise IllegalStep("the project is terminated")
    if not is_project_lead_or_owner_chief(actor, project):
        raise PermissionDenied("the owner's project lead registers the key personnel (Art. 21)")
    if post not in PROJECT_POSTS:
        raise InvalidInput.field("post", "a project post is one of " + ", ".join(sorted(PROJECT_POSTS)))
    firms = [unit_id for unit_id, held in person.posts if held == post and unit_id in project.participant_unit_ids]
    if not firms:
        raise InvalidInput.field(
            "user_id", f"the person holds no {post} post in a firm registered on this project"
        )
    if any(user_id == person.user_id for user_id, _ in person.current_holders):
        raise IllegalStep(f"the person already holds the {post} post on this project")
    firm = firms[0]
    if post in SOLE_HOLDER_POSTS and any(unit_id == firm for _, unit_id in person.current_holders):
        raise IllegalStep(f"the {post} post of the firm is filled; replacing its holder is a personnel change "
                          "(Art. 27)")
    return firm


# --- figures derived from the rules ------------------------------------------------------------


def is_large(project: ProjectFacts, rules: WorkflowRules) -> bool:
    """Art. 31, 32: whether the contract amount reaches the threshold (20 million yuan) of the
    longer acceptance and audit windows."""
    return project.contract_amount >= rules.large_project_threshold_yuan


def acceptance_window_days(project: ProjectFacts, rules: WorkflowRules) -> int:
    """Art. 31: 20 days below 20 million yuan, 60 at or above, 15 for village projects."""
    if project.kind == "village":
        return rules.acceptance_days_village
    return rules.acceptance_days_large if is_large(project, rules) else rules.acceptance_days_small


def settlement_audit_window_days(project: ProjectFacts, rules: WorkflowRules) -> int:
    """Art. 32: 60 days from completion below 20 million yuan, 180 at or above."""
    return rules.settlement_audit_days_large if is_large(project, rules) else rules.settlement_audit_days_small
