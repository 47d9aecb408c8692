"""The deadlines of a project (Art. 24, 25, 31, 32, 35 and every article with a time limit): the
sweep that fires each rung of a running deadline once when the platform clock reaches it, in
steps when the clock jumps (the platform's engine, :mod:`common.deadline_engine`, with the
workflow's announcements: reminders and warnings naming the unit that must act), and the
deadlines of a project as the caller may see them. Processes start, hold and close their
deadlines with :mod:`workflow.usecases.deadline_engine`."""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from common import events
from common.clock import district_iso
from common.contracts.types import check_paging
from common.deadline_engine import FiredRung
from workflow.domain import deadlines as dl
from workflow.persistence.models import Deadline, Participant, Project, new_id
from workflow.usecases import deadline_engine
from workflow.usecases.common import Call, stage_announcements, visible_project

logger = logging.getLogger(__name__)

SWEEP_BATCH = 1000


def anything_due(session: Session, now: datetime) -> bool:
    return deadline_engine.ENGINE.anything_due(session, now)


def sweep(session: Session, now: datetime, max_batches: int | None = None) -> int:
    """Fire every rung that is due by ``now`` (or those of the first ``max_batches`` batches of
    deadlines, for a catch-up in steps), each announced as an event; return how many fired. The
    platform's engine locks the rows (another sweeper skips them on PostgreSQL), and a fired rung
    is a row with a primary key, so each rung fires once even when two instances sweep at once."""
    return deadline_engine.ENGINE.sweep(session, now, _announce, max_batches=max_batches, batch_size=SWEEP_BATCH)


def _announce(session: Session, fired: list[FiredRung]) -> None:
    """A batch of fired rungs, announced with one statement: a reminder for the notification
    service, a warning naming the unit that must act (none for a rule the back office has switched
    off: its rung has fired all the same, and is not raised later)."""
    projects = {p.id: p for p in session.execute(
        sa.select(Project).where(Project.id.in_({one.deadline.project_id for one in fired}))).scalars()}
    acting: dict[tuple[str, str], str] = {}
    announcements = []
    for one in fired:
        deadline, rule = one.deadline, one.rule
        project = projects[deadline.project_id]
        must_act = deadline.responsible_unit_id
        if must_act is None:
            key = (project.id, rule.must_act)
            if key not in acting:
                acting[key] = _acting_unit(session, project, rule.must_act)
            must_act = acting[key]
        announcements.append(_announcement(deadline, rule, one.rung, project, must_act, one.fired_at, one.due_at))
    stage_announcements(session, announcements)


def _announcement(deadline: Deadline, rule: dl.DeadlineRule, rung: dl.Rung, project: Project, must_act: str,
                  now: datetime, due: datetime | None) -> events.Event:
    if rung.name == "reminder":
        return events.ReminderDue(occurred_at=now, deadline_id=deadline.id, rule_id=rule.rule_id,
                                  article=rule.article, project_id=project.id, must_act=must_act,
                                  summary=rule.summary, due_at=due)
    return events.WorkflowWarningRaised(
        occurred_at=now, warning_id=new_id(), rule_id=rule.rule_id, article=rule.article, project_id=project.id,
        firm_id=must_act if rule.warns_a_firm else None, must_act=must_act, summary=rule.summary,
        detail={"deadline_id": deadline.id, "subject_type": deadline.subject_type,
                "subject_id": deadline.subject_id, "started_at": district_iso(deadline.started_at),
                "due_at": district_iso(due), "extension_days": deadline.extension_days})


def _acting_unit(session: Session, project: Project, role: str) -> str:
    """The unit that must act: the project's owner or supervising unit, or its firm of a role (the
    first one registered: a deadline of a project with several firms of the role names its own)."""
    unit_id = getattr(project, f"{role}_id", None)
    if unit_id is None:
        unit_id = session.execute(sa.select(Participant.unit_id).where(
            Participant.project_id == project.id, Participant.role == role).limit(1)).scalar()
    return unit_id or role


def deadline_view(deadline: Deadline, fired: set[str], holds: list[dl.Pause] = ()) -> dict:
    return {"id": deadline.id, "rule_id": deadline.rule_id, "subject_type": deadline.subject_type,
            "subject_id": deadline.subject_id, "responsible_unit_id": deadline.responsible_unit_id,
            "started_at": district_iso(deadline.started_at), "status": deadline.status,
            "next_due_at": district_iso(deadline.next_due_at), "length_days": deadline.length_days,
            "extension_days": deadline.extension_days, "fired": sorted(fired),
            "holds": [{"since": district_iso(since), "until": district_iso(until)} for since, until in holds]}


def project_deadlines(call: Call, project_id: str, limit: int = 100, offset: int = 0) -> list[dict]:
    """One page of the project's deadlines with their rungs, oldest first (the id breaks a tie)."""
    check_paging(limit, offset, max_limit=500)
    visible_project(call, project_id)
    rows = list(call.session.execute(sa.select(Deadline).where(Deadline.project_id == project_id)
                                     .order_by(Deadline.started_at, Deadline.id).limit(limit).offset(offset)).scalars())
    fired = deadline_engine.fired_rungs(call.session, [d.id for d in rows])
    holds = deadline_engine.deadline_holds(call.session, [d.id for d in rows])
    return [deadline_view(d, fired[d.id], holds[d.id]) for d in rows]


# --- the catch-up of the service's timers with the platform clock ----------------------------------


def catch_up_step(session: Session, now: datetime) -> bool:
    """One step of the catch-up: a batch of due rungs fired; True once nothing is due by ``now``."""
    fired = sweep(session, now, max_batches=1)
    if fired:
        logger.info("deadline rungs fired", extra={"count": fired})
    return not anything_due(session, now)


def caught_up(session: Session, now: datetime) -> bool:
    return not anything_due(session, now)
