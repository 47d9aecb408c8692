"""The project lifecycle (Art. 25) as far as construction start, and suspension and
resumption (Art. 35)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from common.clock import local_date
from common.errors import IllegalStep, InvalidInput, PermissionDenied
from workflow.domain.organisation import Actor, Post, UnitKind
from workflow.domain.projects import ProjectFacts, ProjectStatus, is_project_lead_or_owner_chief


def missing_before_construction(project_below_threshold: bool, participant_roles: Iterable[str],
                                filled_posts: Iterable[str]) -> list[str]:
    """Art. 21, 24, 26: what the owner must still register before work starts: the contractor
    and the supervisor with their contracts, and the key people who check in (for works below
    the tender threshold, one person of each firm)."""
    roles, posts = set(participant_roles), set(filled_posts)
    missing = [f"participant:{role}" for role in (UnitKind.CONTRACTOR, UnitKind.SUPERVISOR) if role not in roles]
    if project_below_threshold:
        contractor_posts = {Post.PROJECT_MANAGER, Post.TECHNICAL_LEAD, Post.SAFETY_OFFICER}
        supervisor_posts = {Post.CHIEF_ENGINEER, Post.SPECIALIST_ENGINEER, Post.INSPECTOR}
        if not posts & contractor_posts:
            missing.append("personnel:contractor")
        if not posts & supervisor_posts:
            missing.append("personnel:supervisor")
    else:
        missing += [f"personnel:{post}" for post in (Post.PROJECT_MANAGER, Post.SAFETY_OFFICER, Post.CHIEF_ENGINEER,
                                                     Post.INSPECTOR) if post not in posts]
    return missing


def decide_construction_start(actor: Actor, project: ProjectFacts, missing: list[str]) -> None:
    """Art. 25: the owner starts construction of an awarded project, once what must be registered
    before work starts is in (Art. 21, 24; see :func:`missing_before_construction`)."""
    if not is_project_lead_or_owner_chief(actor, project):
        raise PermissionDenied("the owner starts construction on the platform (Art. 25)")
    if project.status != ProjectStatus.AWARDED:
        raise IllegalStep(f"construction starts from an awarded project; this one is {project.status}")
    if missing:
        raise IllegalStep("register these before construction starts (Art. 21, 24): " + ", ".join(missing),
                          [{"field": item, "reason": "missing"} for item in missing])


def decide_suspension(actor: Actor, project: ProjectFacts, since: datetime, now: datetime) -> None:
    """Art. 35: the owner declares a suspension online on the day it begins."""
    if not is_project_lead_or_owner_chief(actor, project):
        raise PermissionDenied("the owner declares a suspension (Art. 35)")
    if project.status != ProjectStatus.IN_CONSTRUCTION:
        raise IllegalStep(f"only a project in construction can be suspended; this one is {project.status}")
    if since > now:
        raise InvalidInput.field("since", "a suspension is declared when it begins, not in advance")
    if local_date(since) != local_date(now):
        raise InvalidInput.field("since", "a suspension is declared on the day it begins (Art. 35)")


def decide_resumption(actor: Actor, project: ProjectFacts) -> None:
    """Art. 35: the owner's project lead reopens the project when work resumes."""
    if actor.user_id != project.owner_project_lead_id:
        raise PermissionDenied("the owner's project lead reopens a suspended project (Art. 35)")
    if project.status != ProjectStatus.SUSPENDED:
        raise IllegalStep(f"the project is not suspended; it is {project.status}")
