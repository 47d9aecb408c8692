"""Completion acceptance (Art. 31) and what follows it up to the quality deposit (Art. 25, 32).

| project | started by | checked by | accepted by, within | deadline rule |
|---|---|---|---|---|
| government, < 20 million yuan | contractor | supervisor | owner, 20 days | ACCEPTANCE_SMALL |
| government, ≥ 20 million yuan | contractor | supervisor | owner, 60 days | ACCEPTANCE_LARGE |
| village, self-acceptance | contractor | — | owner, 15 days | ACCEPTANCE_VILLAGE |
| village, township re-acceptance | the village | — | township, 15 days (reminder at 7) | REACCEPTANCE_TOWNSHIP |
"""

from __future__ import annotations

from datetime import datetime, timedelta

from common.contracts.registry import Post, UnitKind
from common.errors import IllegalStep, InvalidInput, PermissionDenied
from common.scope import Actor
from workflow.domain import deadlines as dl
from workflow.domain.projects import (
    ProjectFacts,
    ProjectStatus,
    firms_acted_for,
    is_large,
    is_project_lead_or_owner_chief,
)
from workflow.domain.rules import WorkflowRules

GOVERNMENT, VILLAGE_SELF, VILLAGE_TOWNSHIP = "government", "village_self", "village_township"
AWAITING_CHECK, WITH_OWNER, WITH_TOWNSHIP = "awaiting_check", "with_owner", "with_township"
ACCEPTED, RETURNED, CHECK_FAILED = "accepted", "returned", "check_failed"
OPEN_STATUSES = frozenset({AWAITING_CHECK, WITH_OWNER, WITH_TOWNSHIP})
EXTENSION_APPROVERS = ("supervising_unit", "industry_authority", "leading_group")


def _holds_in_participant(actor: Actor, project: ProjectFacts, kind: UnitKind, posts: set[Post]) -> bool:
    return bool(firms_acted_for(actor, project, kind, posts))


def is_owner_staff(actor: Actor, project: ProjectFacts) -> bool:
    """The owner acts through its chief or the project's own lead, not any of its staff."""
    return is_project_lead_or_owner_chief(actor, project)


def decide_start(actor: Actor, project: ProjectFacts, variant: str, has_open: bool,
                 self_acceptance_done: bool, township_done: bool = False) -> str:
    """Art. 31: who starts which acceptance, from which state (the contractor a completion
    acceptance, the village its township's re-acceptance); returns the acceptance's first status."""
    if has_open:
        raise IllegalStep("an acceptance of this project is already under way")
    if variant == VILLAGE_TOWNSHIP:
        if project.kind != "village":
            raise InvalidInput.field("variant", "a township re-acceptance is for village projects")
        if township_done:
            raise IllegalStep("the township has re-accepted the works already")
        if not is_owner_staff(actor, project):
            raise PermissionDenied("the village (the owner) asks the township for re-acceptance (Art. 31)")
        if project.status != ProjectStatus.FINAL_ACCEPTANCE or not self_acceptance_done:
            raise IllegalStep("the township re-accepts after the village's own acceptance")
        return WITH_TOWNSHIP
    expected = VILLAGE_SELF if project.kind == "village" else GOVERNMENT
    if variant != expected:
        raise InvalidInput.field("variant", f"a {project.kind} project's completion acceptance is {expected}")
    if not _holds_in_participant(actor, project, UnitKind.CONTRACTOR, {Post.PROJECT_MANAGER, Post.CHIEF}):
        raise PermissionDenied("the contractor's project manager starts the acceptance (Art. 31)")
    if project.status != ProjectStatus.IN_CONSTRUCTION:
        raise IllegalStep(f"acceptance starts from a project in construction; this one is {project.status}")
    return AWAITING_CHECK if variant == GOVERNMENT else WITH_OWNER


def decide_check(actor: Actor, project: ProjectFacts, status: str) -> None:
    """Art. 31: the supervisor checks a government project's works before the owner accepts."""
    if not _holds_in_participant(actor, project, UnitKind.SUPERVISOR, {Post.CHIEF_ENGINEER, Post.CHIEF}):
        raise PermissionDenied("the supervisor's chief engineer checks the works (Art. 31)")
    if status != AWAITING_CHECK:
        raise IllegalStep(f"the acceptance is {status}, not awaiting the supervisor's check")


def decide_accept(actor: Actor, project: ProjectFacts, status: str) -> None:
    """Art. 31: the owner accepts the works with its records; a village's works are re-accepted by
    the township (its supervising unit or line)."""
    if status == WITH_OWNER:
        if not is_owner_staff(actor, project):
            raise PermissionDenied("the owner accepts the works (Art. 31)")
    elif status == WITH_TOWNSHIP:
        if not (actor.holds(unit_id=project.supervising_unit_id) or actor.holds(unit_id=project.line_id)):
            raise PermissionDenied("the township re-accepts the village's works (Art. 31)")
    else:
        raise IllegalStep(f"the acceptance is {status}; there is nothing to accept")


def decide_return(actor: Actor, project: ProjectFacts, status: str, received_at: datetime, now: datetime,
                  rules: WorkflowRules) -> None:
    """Art. 31: works not ready are sent back with the reason within 3 days."""
    if not is_owner_staff(actor, project):
        raise PermissionDenied("the owner sends the works back (Art. 31)")
    if status != WITH_OWNER:
        raise IllegalStep(f"the acceptance is {status}; only one with the owner can be sent back")
    if now - received_at > timedelta(days=rules.acceptance_return_reason_days):
        raise IllegalStep(f"the works can be sent back within {rules.acceptance_return_reason_days} days of "
                          "receiving them (Art. 31); accept them or ask for an extension")


def decide_extension_request(actor: Actor, project: ProjectFacts, status: str, already: bool,
                             due_at: datetime | None, now: datetime, rules: WorkflowRules) -> None:
    """Art. 31: for very large, complex works the owner may ask, within the 60 days, for more."""
    if not is_owner_staff(actor, project):
        raise PermissionDenied("the owner asks for an extension (Art. 31)")
    if status != WITH_OWNER or project.kind != "government" or not is_large(project, rules):
        raise IllegalStep("an extension is for government works of 20 million yuan or more, with the owner")
    if already:
        raise IllegalStep("an extension was already asked for")
    if due_at is not None and now > due_at:
        raise IllegalStep("an extension is asked for within the acceptance window (Art. 31)")


def decide_extension_approval(actor: Actor, project: ProjectFacts, requested: bool, approvals: list[str],
                              status: str = WITH_OWNER) -> str:
    """Art. 31: the supervising unit, the industry authority and the leading group approve, in
    that order, while the acceptance is with the owner. Returns the level that approves now."""
    if not requested:
        raise IllegalStep("no extension was asked for")
    if status != WITH_OWNER:
        raise IllegalStep(f"the acceptance is {status}; an extension is approved while it is with the owner")
    if len(approvals) == len(EXTENSION_APPROVERS):
        raise IllegalStep("the extension is already approved")
    level = EXTENSION_APPROVERS[len(approvals)]
    if level == "supervising_unit":
        allowed = actor.holds(Post.CHIEF, unit_id=project.supervising_unit_id)
    elif level == "industry_authority":
        allowed = any(held.unit.kind == UnitKind.INDUSTRY_AUTHORITY and held.unit.industry == project.industry
                      and held.post == Post.CHIEF for held in actor.posts)
    else:
        allowed = actor.is_back_office
    if not allowed:
        raise PermissionDenied(f"the {level.replace('_', ' ')} approves the extension now (Art. 31)")
    return level


def acceptance_rule(variant: str, project: ProjectFacts, rules: WorkflowRules) -> str:
    """Art. 31: the deadline of an acceptance: by its variant, and for government works by the
    contract amount (20 or 60 days)."""
    if variant == VILLAGE_TOWNSHIP:
        return dl.REACCEPTANCE_TOWNSHIP
    if variant == VILLAGE_SELF:
        return dl.ACCEPTANCE_VILLAGE
    return dl.ACCEPTANCE_LARGE if is_large(project, rules) else dl.ACCEPTANCE_SMALL


def settlement_rule(project: ProjectFacts, rules: WorkflowRules) -> str:
    """Art. 32: 60 days below 20 million yuan, 180 at or above."""
    return dl.SETTLEMENT_LARGE if is_large(project, rules) else dl.SETTLEMENT_SMALL


# Art. 25: after the settlement audit, the owner records the payment and the deposit's return.
NEXT_AFTER_AUDIT = {
    ProjectStatus.SETTLEMENT_AUDIT: ProjectStatus.FUNDS_PAID,
    ProjectStatus.FUNDS_PAID: ProjectStatus.DEPOSIT_RETURNED,
}


def decide_settlement_submission(actor: Actor, project: ProjectFacts, township_reaccepted: bool = False) -> None:
    """Art. 32: the owner submits the records for settlement audit after the acceptance; a village
    project after the township's re-acceptance (Art. 31)."""
    if not is_owner_staff(actor, project):
        raise PermissionDenied("the owner submits the records for settlement audit (Art. 32)")
    if project.status != ProjectStatus.FINAL_ACCEPTANCE:
        raise IllegalStep(f"settlement audit follows the acceptance; the project is {project.status}")
    if project.kind == "village" and not township_reaccepted:
        raise IllegalStep("a village project's settlement audit follows the township's re-acceptance (Art. 31)")


def decide_advance_after_audit(actor: Actor, project: ProjectFacts, target: str) -> ProjectStatus:
    """Art. 25: after the settlement audit the owner records the payment of the funds, then the
    return of the quality deposit."""
    if not is_owner_staff(actor, project):
        raise PermissionDenied("the owner records the payment and the deposit's return (Art. 25)")
    following = NEXT_AFTER_AUDIT.get(ProjectStatus(project.status))
    if following is None or following != target:
        raise IllegalStep(f"the project is {project.status}; it cannot become {target} now (Art. 25)")
    return following
