"""Running deadlines: start, pause with the project's suspensions (Art. 35), hold and release on
their own (Art. 45), close, and the sweep that fires each rung once when the platform clock
reaches it."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from common import events
from common.clock import district_iso
from common.outbox import stage_events
from common.rule_settings import load_rules
from workflow.domain import deadlines as dl
from workflow.domain.rules import WorkflowRules
from workflow.persistence.models import (
    Deadline,
    DeadlineHold,
    DeadlineRungFired,
    Participant,
    Project,
    Suspension,
    new_id,
)

SWEEP_BATCH = 1000


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


def _rule_of(deadline: Deadline, catalogue: dict[str, dl.DeadlineRule]) -> dl.DeadlineRule:
    return dl.extended(dl.with_length(catalogue[deadline.rule_id], deadline.length_days), deadline.extension_days)


def _next_due(deadline: Deadline, rule: dl.DeadlineRule, pauses, fired: set[str]) -> datetime | None:
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
    deadline.next_due_at = _next_due(deadline, _rule_of(deadline, catalogue),
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
    fired = _fired(session, [d.id for d in open_deadlines])
    for deadline in open_deadlines:
        deadline.next_due_at = _next_due(deadline, _rule_of(deadline, catalogue),
                                         pauses[deadline.project_id] + holds[deadline.id], fired[deadline.id])


def _fired(session: Session, deadline_ids: list[str]) -> dict[str, set[str]]:
    fired: dict[str, set[str]] = defaultdict(set)
    for row in session.execute(sa.select(DeadlineRungFired.deadline_id, DeadlineRungFired.rung)
                               .where(DeadlineRungFired.deadline_id.in_(deadline_ids))):
        fired[row.deadline_id].add(row.rung)
    return fired


def anything_due(session: Session, now: datetime) -> bool:
    return session.execute(sa.select(sa.exists().where(Deadline.status == "open",
                                                       Deadline.next_due_at <= now))).scalar()


def sweep(session: Session, now: datetime, max_batches: int | None = None) -> int:
    """Fire every rung that is due by ``now`` (or those of the first ``max_batches`` batches of
    deadlines, for a catch-up in steps); return how many fired. Rows are locked (and skipped by
    another sweeper on PostgreSQL), and a fired rung is a row with a primary key, so each rung
    fires once even when two instances sweep at the same time."""
    catalogue = dl.deadline_rules(load_rules(session, WorkflowRules))
    total = 0
    batches = 0
    while max_batches is None or batches < max_batches:
        batches += 1
        batch = list(session.execute(
            sa.select(Deadline).where(Deadline.status == "open", Deadline.next_due_at <= now)
            .order_by(Deadline.next_due_at).limit(SWEEP_BATCH).with_for_update(skip_locked=True)).scalars())
        if not batch:
            return total
        projects = {p.id: p for p in session.execute(
            sa.select(Project).where(Project.id.in_({d.project_id for d in batch}))).scalars()}
        pauses = project_pauses(session, projects)
        holds = deadline_holds(session, [d.id for d in batch])
        fired = _fired(session, [d.id for d in batch])
        acting: dict[tuple[str, str], str] = {}
        announcements, fired_rows = [], []
        # The batch's rows are written together at the end: one statement per kind, not three
        # per rung (the sweep must handle thousands of due rungs in seconds).
        with session.no_autoflush:
            for deadline in batch:
                rule = _rule_of(deadline, catalogue)
                project = projects[deadline.project_id]
                paused = pauses[deadline.project_id] + holds[deadline.id]
                for rung in dl.rungs_due(rule, deadline.started_at, paused, now, fired[deadline.id]):
                    fired_rows.append({"deadline_id": deadline.id, "rung": rung.name, "fired_at": now})
                    fired[deadline.id].add(rung.name)
                    must_act = deadline.responsible_unit_id
                    if must_act is None:
                        key = (project.id, rule.must_act)
                        if key not in acting:
                            acting[key] = _acting_unit(session, project, rule.must_act)
                        must_act = acting[key]
                    announcements.append(_announcement(deadline, rule, rung, project, must_act, now,
                                                       dl.due_at(deadline.started_at, rung.after, paused)))
                deadline.next_due_at = _next_due(deadline, rule, paused, fired[deadline.id])
        if fired_rows:
            session.execute(sa.insert(DeadlineRungFired), fired_rows)
        stage_events(session, announcements)
        total += len(fired_rows)
        session.flush()
    return total


def _announcement(deadline: Deadline, rule: dl.DeadlineRule, rung: dl.Rung, project: Project, must_act: str,
                  now: datetime, due: datetime | None) -> events.Event:
    if rung.name == "reminder":
        return events.ReminderDue(occurred_at=now, deadline_id=deadline.id, rule_id=rule.rule_id,
                                  article=rule.article, project_id=project.id, must_act=must_act,
                                  summary=rule.summary, due_at=due)
    return events.WorkflowWarningRaised(
        occurred_at=now, warning_id=new_id(), rule_id=rule.rule_id, article=rule.article, project_id=project.id,
        firm_id=deadline.responsible_unit_id if rule.warns_a_firm else None, must_act=must_act, summary=rule.summary,
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


def project_deadlines(session: Session, project_id: str) -> list[dict]:
    rows = list(session.execute(sa.select(Deadline).where(Deadline.project_id == project_id)
                                .order_by(Deadline.started_at)).scalars())
    fired = _fired(session, [d.id for d in rows])
    holds = deadline_holds(session, [d.id for d in rows])
    return [deadline_view(d, fired[d.id], holds[d.id]) for d in rows]
