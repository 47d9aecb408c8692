"""Loading the facts the domain decides on, and the views the API shows."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from common.errors import NotFound
from common.scope import Actor, PostHeld, UnitFacts
from workflow.domain.organisation import Post, UnitKind
from workflow.domain.projects import ProjectFacts, ProjectScope, ProjectStatus
from workflow.persistence.models import Participant, Personnel, Project, Unit, User, UserPost


def unit_facts(unit: Unit) -> UnitFacts:
    return UnitFacts(id=unit.id, kind=UnitKind(unit.kind), parent_id=unit.parent_id, industry=unit.industry)


def get_unit(session: Session, unit_id: str) -> Unit | None:
    return session.get(Unit, unit_id)


def require_unit(session: Session, unit_id: str) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(f"unit {unit_id} not found")
    return unit


def require_user(session: Session, user_id: str) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return user


def load_actor(session: Session, user_id: str | None) -> Actor | None:
    if user_id is None:
        return None
    rows = session.execute(
        sa.select(UserPost.post, Unit).join(Unit, Unit.id == UserPost.unit_id).where(UserPost.user_id == user_id)
    ).all()
    if not rows and session.get(User, user_id) is None:
        return None
    return Actor(user_id=user_id, posts=tuple(PostHeld(unit_facts(unit), Post(post)) for post, unit in rows))


def user_posts(session: Session, user_id: str) -> tuple[tuple[str, Post], ...]:
    rows = session.execute(sa.select(UserPost.unit_id, UserPost.post).where(UserPost.user_id == user_id)).all()
    return tuple((unit_id, Post(post)) for unit_id, post in rows)


def require_project(session: Session, project_id: str, *, for_update: bool = False) -> Project:
    statement = sa.select(Project).where(Project.id == project_id)
    if for_update:
        statement = statement.with_for_update()
    project = session.execute(statement).scalar_one_or_none()
    if project is None:
        raise NotFound(f"project {project_id} not found")
    return project


def participant_unit_ids(session: Session, project_id: str) -> frozenset[str]:
    statement = sa.select(Participant.unit_id).where(Participant.project_id == project_id)
    return frozenset(session.execute(statement).scalars())


def project_facts(session: Session, project: Project) -> ProjectFacts:
    return ProjectFacts(
        id=project.id,
        industry=project.industry,
        kind=project.kind,
        contract_amount=project.contract_amount,
        status=ProjectStatus(project.status),
        supervising_unit_id=project.supervising_unit_id,
        line_id=project.line_id,
        owner_id=project.owner_id,
        owner_project_lead_id=project.owner_project_lead_id,
        participant_unit_ids=participant_unit_ids(session, project.id),
        personnel=frozenset((row.user_id, row.unit_id, row.post) for row in session.execute(
            sa.select(Personnel.user_id, Personnel.unit_id, Personnel.post).where(
                Personnel.project_id == project.id, Personnel.released_at.is_(None)))),
    )


def scope_condition(scope: ProjectScope) -> sa.ColumnElement[bool] | None:
    """The projects a data scope admits, as a condition on Project; None when it admits none."""
    if scope.everything:
        return sa.true()
    conditions = []
    if scope.industries:
        conditions.append(Project.industry.in_(scope.industries))
    if scope.supervising_unit_ids:
        conditions.append(Project.supervising_unit_id.in_(scope.supervising_unit_ids))
    if scope.line_ids:
        conditions.append(Project.line_id.in_(scope.line_ids))
    if scope.owner_ids:
        conditions.append(Project.owner_id.in_(scope.owner_ids))
    if scope.participant_unit_ids:
        conditions.append(
            Project.id.in_(
                sa.select(Participant.project_id).where(Participant.unit_id.in_(scope.participant_unit_ids))
            )
        )
    return sa.or_(*conditions) if conditions else None


def projects_in_scope(session: Session, scope: ProjectScope, *, status: str | None = None,
                      limit: int = 100, offset: int = 0) -> list[Project]:
    admitted = scope_condition(scope)
    if admitted is None:
        return []
    statement = (sa.select(Project).where(admitted).order_by(Project.registered_at.desc(), Project.id)
                 .limit(limit).offset(offset))
    if status is not None:
        statement = statement.where(Project.status == status)
    return list(session.execute(statement).scalars())


def current_holders_by_firm(session: Session, project_id: str, post: Post) -> tuple[tuple[str, str], ...]:
    """(user id, unit id) of the people on a post of the project now, with the firm each serves."""
    return tuple((row.user_id, row.unit_id) for row in session.execute(
        sa.select(Personnel.user_id, Personnel.unit_id).where(
            Personnel.project_id == project_id, Personnel.post == post, Personnel.released_at.is_(None))))


def current_holders(session: Session, project_id: str, post: Post) -> tuple[str, ...]:
    return tuple(
        session.execute(
            sa.select(Personnel.user_id).where(
                Personnel.project_id == project_id, Personnel.post == post, Personnel.released_at.is_(None)
            )
        ).scalars()
    )
