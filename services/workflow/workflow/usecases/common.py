"""What the workflow's processes share: the :class:`Call` every use case takes, the access check
that finds a project the caller may see (:func:`visible_project`), the project's view, the files
a request names, the post lock of a replaced person (Art. 27), and the watches the project's
lifecycle starts and stops (Art. 22, 24, 46), and the one place the workflow stages its warnings,
which skips a rule the back office has switched off (:func:`raise_warning`,
:func:`stage_announcements`, Art. 8).

A process module (``registry``, ``changes``, ``concealed``, ``processes``, ``supervision``,
``deadlines``) imports this module, :mod:`workflow.usecases.deadline_engine`, the domain and
persistence; never a sibling process module (see docs/architecture.md).
"""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from common import events, usecase
from common.clock import district_iso
from common.contracts import registry as contracts
from common.errors import InvalidInput, NotFound, PermissionDenied
from common.outbox import stage_events
from common.rule_settings import load_rules
from workflow.domain import changes as change_rules
from workflow.domain import deadlines as dl
from workflow.domain import organisation as org
from workflow.domain import projects as dom
from workflow.domain import supervision as sup
from workflow.domain.rules import WorkflowRules
from workflow.persistence import repository as repo
from workflow.persistence.changes_models import PersonnelChange
from workflow.persistence.models import (
    Deadline,
    FileAttachment,
    Participant,
    Personnel,
    Project,
    StoredFile,
    Suspension,
    User,
    UserPost,
    new_id,
)
from workflow.usecases import deadline_engine

logger = logging.getLogger(__name__)


class Call(usecase.Call):
    # The project the use case acts on, once visible_project found it: files a request names are
    # attached to it (require_files).
    project_id: str | None = None

    def actor(self) -> org.Actor:
        actor = repo.load_actor(self.session, self.principal.user_id)
        if actor is None:
            raise PermissionDenied("sign in as a registered user")
        return actor


# --- the project the caller may see, and its view ------------------------------------------------


def visible_project(
    call: Call, project_id: str, *, for_update: bool = False
) -> tuple[org.Actor, Project, dom.ProjectFacts]:
    actor = call.actor()
    project = repo.require_project(call.session, project_id, for_update=for_update)
    facts = repo.project_facts(call.session, project)
    if not dom.project_scope(actor).admits(facts):
        raise NotFound(f"project {project_id} not found")
    call.project_id = project.id
    return actor, project, facts


def project_view(session: Session, project: Project, rules: WorkflowRules) -> dict:
    facts = repo.project_facts(session, project)
    participants = session.execute(
        sa.select(Participant).where(Participant.project_id == project.id).order_by(Participant.id)
    ).scalars()
    personnel = session.execute(
        sa.select(Personnel, User.name).join(User, User.id == Personnel.user_id)
        .where(Personnel.project_id == project.id, Personnel.released_at.is_(None)).order_by(Personnel.id)
    ).all()
    return {
        "id": project.id,
        "name": project.name,
        "industry": project.industry,
        "kind": project.kind,
        "contract_amount": str(project.contract_amount),
        "below_threshold": project.below_threshold,
        "geofence": project.geofence,
        "planned_start": project.planned_start.isoformat(),
        "planned_end": project.planned_end.isoformat(),
        "intake": project.intake,
        "status": project.status,
        "assignments": {level: facts.assigned(level) for level in contracts.AssignmentLevel},
        "participants": [
            {"unit_id": p.unit_id, "role": p.role, "contract_file_id": p.contract_file_id,
             "added_at": district_iso(p.added_at)} for p in participants
        ],
        "personnel": [
            {"user_id": p.user_id, "name": name, "unit_id": p.unit_id, "post": p.post,
             "assigned_at": district_iso(p.assigned_at)} for p, name in personnel
        ],
        "construction_started_on": project.construction_started_on.isoformat()
        if project.construction_started_on else None,
        "suspensions": [
            {"since": district_iso(row.since), "until": district_iso(row.until), "reason": row.reason}
            for row in session.execute(sa.select(Suspension).where(Suspension.project_id == project.id)
                                       .order_by(Suspension.id)).scalars()
        ],
        "acceptance_window_days": dom.acceptance_window_days(facts, rules),
        "settlement_audit_window_days": dom.settlement_audit_window_days(facts, rules),
        "registered_at": district_iso(project.registered_at),
    }


def change_status(call: Call, project: Project, status: str) -> None:
    """Every move of a project along its lifecycle goes through here, so that each is published."""
    previous = project.status
    project.status = status
    project.updated_at = call.now
    call.emit(events.ProjectStatusChanged, project_id=project.id, status=status, previous_status=previous)


# --- files a request names ------------------------------------------------------------------------


def unnameable_files(call: Call, file_ids: list[str]) -> list[str]:
    """Of ``file_ids``, those a request may not name. It may name uploads of the caller's own
    units, or files already on the project's records; naming an outsider's file would show it to
    the project."""
    colleagues = sa.select(UserPost.user_id).where(UserPost.unit_id.in_(
        sa.select(UserPost.unit_id).where(UserPost.user_id == call.principal.user_id)))
    usable = sa.or_(StoredFile.uploaded_by == call.principal.user_id, StoredFile.uploaded_by.in_(colleagues),
                    StoredFile.id.in_(sa.select(FileAttachment.file_id).where(
                        FileAttachment.project_id == call.project_id)))
    known = set(call.session.execute(sa.select(StoredFile.id).where(StoredFile.id.in_(file_ids), usable)).scalars())
    return [file_id for file_id in file_ids if file_id not in known]


def require_files(call: Call, field: str, file_ids: list[str]) -> None:
    """Every file a request names must have been uploaded; a 422 names the missing ones."""
    missing = unnameable_files(call, file_ids)
    if missing:
        raise InvalidInput(f"{field}: unknown files", [{"field": field, "reason": f"no such file: {file_id}"}
                                                       for file_id in missing])
    if call.project_id is not None:
        attached = set(call.session.execute(sa.select(FileAttachment.file_id).where(
            FileAttachment.project_id == call.project_id, FileAttachment.file_id.in_(file_ids))).scalars())
        for file_id in sorted(set(file_ids) - attached):
            call.session.add(FileAttachment(file_id=file_id, project_id=call.project_id))
        call.session.flush()


# --- the post lock of a replaced person (Art. 27) --------------------------------------------------


def post_lock_reason(session: Session, user_id: str, post: str, project_id: str) -> str | None:
    """Art. 27(2): why the person may not take ``post`` on ``project_id`` — replaced on the same
    post of another project not yet completed — or None. Called wherever a person is put on a
    post: a replacement (changes.upload_approval_form) and registry.assign_personnel."""
    rows = session.execute(
        sa.select(PersonnelChange.project_id, PersonnelChange.replaced_at, Project.name, Project.status)
        .join(Project, Project.id == PersonnelChange.project_id)
        .where(PersonnelChange.replaced_user_id == user_id, PersonnelChange.post == post,
               PersonnelChange.status == change_rules.REPLACED)
        .order_by(PersonnelChange.replaced_at)).all()
    replacements = [change_rules.Replacement(row.project_id, row.name, row.status, row.replaced_at) for row in rows]
    return change_rules.post_lock(org.Post(post), replacements, project_id)


# --- the watches the project lifecycle starts and stops (Art. 22, 24, 46) -------------------------

LOG_SUBJECT = "supervision_log"
READINESS_SUBJECT = "readiness"


def start_log_watch(session: Session, project_id: str, started_at: datetime) -> Deadline:
    """Art. 22, 46: from ``started_at`` (construction start) a log is due within the interval.
    A project has one log watch at a time; starting it again leaves the running one."""
    running = session.execute(sa.select(Deadline).where(
        Deadline.subject_type == LOG_SUBJECT, Deadline.subject_id == project_id, Deadline.status == "open")).scalar()
    if running is not None:
        return running
    return deadline_engine.start(session, rule_id=dl.SUPERVISION_LOG, project_id=project_id,
                                 subject_type=LOG_SUBJECT, subject_id=project_id, started_at=started_at)


def stop_log_watch(session: Session, project_id: str, at: datetime) -> int:
    """The project left construction (completion acceptance, termination): no more logs are due."""
    return deadline_engine.close(session, LOG_SUBJECT, project_id, at, status="cancelled")


def start_readiness_watch(session: Session, project: Project) -> Deadline:
    """Art. 24: the firms, contracts and key people must be registered by the planned start;
    the warning fires when the planned start day begins if construction has not started."""
    return deadline_engine.start(session, rule_id=dl.READINESS, project_id=project.id,
                                 subject_type=READINESS_SUBJECT, subject_id=project.id,
                                 started_at=sup.readiness_watch_start(project.planned_start))


def satisfy_readiness(session: Session, project_id: str, at: datetime) -> int:
    """Construction started: everything Art. 24 requires was registered."""
    return deadline_engine.close(session, READINESS_SUBJECT, project_id, at)


# --- warnings (Art. 8, 29) -------------------------------------------------------------------------


def raise_warning(call: Call, **fields) -> None:
    """A process raises a warning (a :class:`common.events.WorkflowWarningRaised` with these fields,
    at the platform time), unless the back office has switched its rule off."""
    stage_announcements(call.session, [events.WorkflowWarningRaised(occurred_at=call.now, warning_id=new_id(),
                                                                    **fields)])


def stage_announcements(session: Session, announcements: list[events.Event]) -> None:
    """Stage events among which warnings, with one statement: the one place the workflow stages its
    warnings (the processes through :func:`raise_warning`, the deadline sweep with its reminders). A
    warning of a rule in ``warnings_switched_off`` (Art. 8) is not staged, and is logged with its
    rule id; the other events are."""
    staged = announcements
    if any(isinstance(event, events.WarningRaised) for event in announcements):
        switched_off = set(load_rules(session, WorkflowRules).warnings_switched_off)
        staged = []
        for event in announcements:
            if isinstance(event, events.WarningRaised) and event.rule_id in switched_off:
                logger.info("warning rule switched off: no warning raised",
                            extra={"rule_id": event.rule_id, "project_id": event.project_id})
            else:
                staged.append(event)
    stage_events(session, staged)
