"""Running deadlines, the engine every process uses: start one, pause it with the project's
suspensions (Art. 35), hold and release it on its own (Art. 45), extend it, close it. A shared
module like :mod:`workflow.usecases.common`: the processes start and close deadlines here, and
:mod:`workflow.usecases.deadlines` (the sweep) fires their rungs; it imports no process module."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from common.rule_settings import load_rules
from workflow.domain import deadlines as dl
from workflow.domain.rules import WorkflowRules
from workflow.persistence.models import Deadline, DeadlineHold, DeadlineRungFired, Project, Suspension, new_id


def project_pauses(session: Session, project_ids) -> dict[str, list[dl.Pause]]:
    pauses: dict[str, list[dl.Pause]] = defaultdict(list)
    for row in session.execute(sa.select(Suspension.project_id, Suspension.since, Suspension.until)
                               .where(Suspension.project_id.in_(list(project_ids)))):
        pauses[row.project_id].append((row.since, row.until))
    return pauses


def deadline_holds(session: Session, deadline_ids) -> dict[str, list[dl.Pause]]:
    holds: dict[str, list[dl.Pause]] = defaultdict(list)
    for row in session.execute(sa.select(DeadlineHold.deadline_id, DeadlineHold.since, DeadlineHold.until)
                               .where(DeadlineHold.deadline_id.in_(list(deadline_ids)))
                               .order_by(DeadlineHold.id)):
        holds[row.deadline_id].append((row.since, row.until))
    return holds


def rule_of(deadline: Deadline, catalogue: dict[str, dl.DeadlineRule]) -> dl.DeadlineRule:
    return dl.extended(dl.with_length(catalogue[deadline.rule_id], deadline.length_days), deadline.extension_days)


def next_due(deadline: Deadline, rule: dl.DeadlineRule, pauses, fired: set[str]) -> datetime | None:
    rung = dl.next_rung(rule.rungs, fired)
    return None if rung is None else dl.due_at(deadline.started_at, rung.after, pauses)


def start(session: Session, *, rule_id: str, project_id: str, subject_type: str, subject_id: str,
          started_at: datetime, length_days: int | None = None,
          responsible_unit_id: str | None = None) -> Deadline | None:
    """Start a deadline, once: an open one of the same rule and subject is returned as it is, and
    a terminated project gets none (Art. 34). ``responsible_unit_id`` names the unit its rungs
    warn, where the case names it; otherwise the project's unit of the rule's role is warned."""
    running = session.execute(sa.select(Deadline).where(
        Deadline.rule_id == rule_id, Deadline.subject_type == subject_type, Deadline.subject_id == subject_id,
        Deadline.status == "open")).scalar_one_or_none()
    if running is not None:
        return running
    if session.execute(sa.select(Project.status).where(Project.id == project_id)).scalar() == "terminated":
        return None
    catalogue = dl.deadline_rules(load_rules(session, WorkflowRules))
    deadline = Deadline(id=new_id(), rule_id=rule_id, project_id=project_id, subject_type=subject_type,
                        subject_id=subject_id, started_at=started_at, length_days=length_days, extension_days=0,
                        status="open", responsible_unit_id=responsible_unit_id)
    deadline.next_due_at = next_due(deadline, rule_of(deadline, catalogue),
                                     project_pauses(session, [project_id])[project_id], set())
    session.add(deadline)
    return deadline


def close(session: Session, subject_type: str, subject_id: str, at: datetime, status: str = "satisfied", *,
          rule_id: str | None = None) -> int:
    """Close the open deadlines of a subject (of one rule only, if given)."""
    statement = sa.update(Deadline).where(
        Deadline.subject_type == subject_type, Deadline.subject_id == subject_id, Deadline.status == "open")
    if rule_id is not None:
        statement = statement.where(Deadline.rule_id == rule_id)
    return session.execute(statement.values(status=status, closed_at=at, next_due_at=None)).rowcount


def _open(session: Session, subject_type: str, subject_id: str, rule_id: str) -> list[Deadline]:
    return list(session.execute(sa.select(Deadline).where(
        Deadline.subject_type == subject_type, Deadline.subject_id == subject_id, Deadline.rule_id == rule_id,
        Deadline.status == "open")).scalars())


def hold(session: Session, subject_type: str, subject_id: str, rule_id: str, at: datetime) -> int:
    """Stop the clock of a subject's open deadline of ``rule_id`` from ``at``, until released
    (a deadline's own pause, beside its project's suspensions). Holding a held deadline changes
    nothing. Returns how many deadlines were held."""
    held = 0
    for deadline in _open(session, subject_type, subject_id, rule_id):
        already = session.execute(sa.select(sa.exists().where(
            DeadlineHold.deadline_id == deadline.id, DeadlineHold.until.is_(None)))).scalar()
        if not already:
            session.add(DeadlineHold(deadline_id=deadline.id, since=at))
            held += 1
    session.flush()
    reschedule(session, subject_id=subject_id)
    return held


def release(session: Session, subject_type: str, subject_id: str, rule_id: str, at: datetime) -> int:
    """Let the clock of a held deadline run again from ``at``: its due times move by the hold."""
    released = 0
    for deadline in _open(session, subject_type, subject_id, rule_id):
        released += session.execute(sa.update(DeadlineHold).where(
            DeadlineHold.deadline_id == deadline.id, DeadlineHold.until.is_(None)).values(until=at)).rowcount
    session.flush()
    reschedule(session, subject_id=subject_id)
    return released


def extend(session: Session, subject_type: str, subject_id: str, extra_days: int) -> None:
    for deadline in session.execute(sa.select(Deadline).where(
            Deadline.subject_type == subject_type, Deadline.subject_id == subject_id,
            Deadline.status == "open")).scalars():
        deadline.extension_days += extra_days
    reschedule(session, subject_id=subject_id)


def reschedule(session: Session, *, project_id: str | None = None, subject_id: str | None = None) -> None:
    """Recompute the next due time of open deadlines after a suspension, a resumption, a hold, a
    release or an extension: a suspension moves every deadline of the project by its length
    (Art. 35), a hold the deadline it holds."""
    statement = sa.select(Deadline).where(Deadline.status == "open")
    if project_id is not None:
        statement = statement.where(Deadline.project_id == project_id)
    if subject_id is not None:
        statement = statement.where(Deadline.subject_id == subject_id)
    open_deadlines = list(session.execute(statement).scalars())
    if not open_deadlines:
        return
    catalogue = dl.deadline_rules(load_rules(session, WorkflowRules))
    pauses = project_pauses(session, {d.project_id for d in open_deadlines})
    holds = deadline_holds(session, [d.id for d in open_deadlines])
    fired = fired_rungs(session, [d.id for d in open_deadlines])
    for deadline in open_deadlines:
        deadline.next_due_at = next_due(deadline, rule_of(deadline, catalogue),
                                         pauses[deadline.project_id] + holds[deadline.id], fired[deadline.id])


def fired_rungs(session: Session, deadline_ids: list[str]) -> dict[str, set[str]]:
    fired: dict[str, set[str]] = defaultdict(set)
    for row in session.execute(sa.select(DeadlineRungFired.deadline_id, DeadlineRungFired.rung)
                               .where(DeadlineRungFired.deadline_id.in_(deadline_ids))):
        fired[row.deadline_id].add(row.rung)
    return fired
