"""Attendance's copy of the registry: the roster and the calendar of each project, and who
holds which post, fed by the workflow's events and rebuildable from its snapshot."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from attendance.domain import duty
from attendance.persistence.models import (
    ParticipantCopy,
    ProjectCopy,
    RosterEntry,
    SuspensionCopy,
    UnitCopy,
    UserPostCopy,
)
from common import events
from common.clock import require_aware


def apply_unit(session: Session, event: events.UnitRegistered) -> None:
    session.merge(UnitCopy(id=event.unit_id, kind=event.kind, parent_id=event.parent_id, industry=event.industry))


def apply_post(session: Session, event: events.PostGranted) -> None:
    session.merge(UserPostCopy(user_id=event.user_id, unit_id=event.unit_id, post=event.post))


def _project(session: Session, project_id: str) -> ProjectCopy:
    """The project's copy, made empty if a later event of it arrived first: events are handled
    concurrently, so they may come in any order, and none may be lost."""
    project = session.get(ProjectCopy, project_id)
    if project is None:
        project = ProjectCopy(id=project_id, name="", industry="", below_threshold=False, geofence={},
                              status="awarded", construction_started_on=None, spoofing_policy="flag")
        session.add(project)
        session.flush()
    return project


def apply_project(session: Session, event: events.ProjectRegistered) -> None:
    project = _project(session, event.project_id)
    project.name = event.name
    project.industry = event.industry
    project.below_threshold = event.below_threshold
    project.geofence = event.geofence.model_dump(mode="json", exclude_none=True)


def apply_assignment(session: Session, event: events.ProjectAssigned) -> None:
    setattr(_project(session, event.project_id), f"{event.level}_id", event.target_id)


def apply_participant(session: Session, event: events.ParticipantAdded) -> None:
    session.merge(ParticipantCopy(project_id=event.project_id, unit_id=event.unit_id, role=event.role))


def apply_personnel(session: Session, event: events.PersonnelAssigned) -> None:
    exists = session.execute(sa.select(RosterEntry.id).where(
        RosterEntry.project_id == event.project_id, RosterEntry.person_id == event.user_id,
        RosterEntry.post == event.post)).first()
    if not exists:
        session.add(RosterEntry(project_id=event.project_id, person_id=event.user_id, firm_id=event.unit_id,
                                post=event.post, assigned_at=event.occurred_at))


def apply_status(session: Session, event: events.ProjectStatusChanged) -> None:
    """The project's place in its lifecycle; duties run only in construction (Art. 25, 26). The
    first move out of construction is when it ended, whichever of the moves arrives first."""
    project = _project(session, event.project_id)
    if event.status not in ("in_construction", "suspended"):
        project.status = event.status
    if duty.leaves_construction(event.status) and (
            project.construction_ended_at is None or event.occurred_at < project.construction_ended_at):
        project.construction_ended_at = event.occurred_at


def apply_replacement(session: Session, event: events.PersonnelReplaced) -> None:
    """The replaced person's duty ends; the replacement comes with its own personnel.assigned."""
    session.execute(sa.update(RosterEntry).where(
        RosterEntry.project_id == event.project_id, RosterEntry.person_id == event.replaced_user_id,
        RosterEntry.post == event.post, RosterEntry.released_at.is_(None)).values(released_at=event.occurred_at))


def _building(project: ProjectCopy, status: str) -> None:
    """A status of construction, unless the project already left construction (a late event)."""
    if project.construction_ended_at is None:
        project.status = status


def apply_construction_started(session: Session, event: events.ConstructionStarted) -> None:
    project = _project(session, event.project_id)
    _building(project, "in_construction")
    project.construction_started_on = event.started_on


def apply_suspension(session: Session, event: events.ProjectSuspended) -> None:
    project = _project(session, event.project_id)
    # A resumption handled first left its end waiting for this start (events come in any order).
    orphan = session.execute(sa.select(SuspensionCopy).where(
        SuspensionCopy.project_id == event.project_id, SuspensionCopy.since.is_(None),
        SuspensionCopy.until >= event.since).order_by(SuspensionCopy.until)).scalars().first()
    if orphan is not None:
        orphan.since = event.since
    else:
        session.add(SuspensionCopy(project_id=event.project_id, since=event.since, until=None))
        _building(project, "suspended")


def apply_resumption(session: Session, event: events.ProjectResumed) -> None:
    project = _project(session, event.project_id)
    open_suspension = session.execute(sa.select(SuspensionCopy).where(
        SuspensionCopy.project_id == event.project_id, SuspensionCopy.since.is_not(None),
        SuspensionCopy.until.is_(None), SuspensionCopy.since <= event.resumed_at)).scalars().first()
    if open_suspension is not None:
        open_suspension.until = event.resumed_at
        _building(project, "in_construction")
    else:
        session.add(SuspensionCopy(project_id=event.project_id, since=None, until=event.resumed_at))


def is_empty(session: Session) -> bool:
    return session.execute(sa.select(UnitCopy.id).limit(1)).first() is None


def rebuild(session: Session, snapshot: dict) -> None:
    """Fill an empty copy from the workflow's snapshot. Rows are merged, never deleted first:
    events handled meanwhile stay (they and the snapshot agree, or the event is newer)."""
    for unit in snapshot["units"]:
        session.merge(UnitCopy(id=unit["id"], kind=unit["kind"], parent_id=unit["parent_id"],
                               industry=unit["industry"]))
    for post in snapshot["posts"]:
        session.merge(UserPostCopy(user_id=post["user_id"], unit_id=post["unit_id"], post=post["post"]))
    for project in snapshot["projects"]:
        if session.get(ProjectCopy, project["id"]) is not None:
            continue
        started = project.get("construction_started_on")
        session.add(ProjectCopy(
            id=project["id"], name=project["name"], industry=project["industry"],
            below_threshold=project["below_threshold"], geofence=project["geofence"], status=project["status"],
            construction_started_on=date.fromisoformat(started) if started else None,
            supervising_unit_id=project["supervising_unit_id"], line_id=project["line_id"],
            owner_id=project["owner_id"], owner_project_lead_id=project["owner_project_lead_id"],
            spoofing_policy="flag"))
    for participant in snapshot["participants"]:
        session.merge(ParticipantCopy(project_id=participant["project_id"], unit_id=participant["unit_id"],
                                      role=participant["role"]))
    known = set(session.execute(sa.select(RosterEntry.project_id, RosterEntry.person_id, RosterEntry.post)).all())
    for person in snapshot["personnel"]:
        key = (person["project_id"], person["user_id"], person["post"])
        if person.get("released_at") is None and key not in known:
            session.add(RosterEntry(project_id=person["project_id"], person_id=person["user_id"],
                                    firm_id=person["unit_id"], post=person["post"],
                                    assigned_at=_time(person["assigned_at"])))
    if session.execute(sa.select(SuspensionCopy.id).limit(1)).first() is None:
        for suspension in snapshot.get("suspensions", []):
            session.add(SuspensionCopy(project_id=suspension["project_id"], since=_time(suspension["since"]),
                                       until=_time(suspension["until"]) if suspension["until"] else None))


def _time(value: str) -> datetime:
    return require_aware(datetime.fromisoformat(value))
