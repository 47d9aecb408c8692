"""The workflow's deadlines in the platform's deadline engine (:mod:`common.deadline_engine`):
its catalogue (every deadline of the regulation, with the figures of the current settings), and
its projects' suspensions as the pauses of every deadline of the project (Art. 35), beside a
deadline's own holds (Art. 45). A shared module like :mod:`workflow.usecases.common`: the
processes start, hold, release, extend and close their deadlines here, and
:mod:`workflow.usecases.deadlines` (the sweep) fires their rungs; it imports no process module."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from common.deadline_engine import DeadlineEngine
from common.rule_settings import load_rules
from workflow.domain import deadlines as dl
from workflow.domain.rules import WorkflowRules
from workflow.persistence.models import Deadline, DeadlineHold, DeadlineRungFired, Project, Suspension


def catalogue(session: Session) -> dict[str, dl.DeadlineRule]:
    return dl.deadline_rules(load_rules(session, WorkflowRules))


def project_pauses(session: Session, project_ids: Iterable[str]) -> dict[str, list[dl.Pause]]:
    """Each project's suspensions (Art. 35), by project."""
    pauses: dict[str, list[dl.Pause]] = defaultdict(list)
    for row in session.execute(sa.select(Suspension.project_id, Suspension.since, Suspension.until)
                               .where(Suspension.project_id.in_(list(project_ids)))):
        pauses[row.project_id].append((row.since, row.until))
    return pauses


def suspensions_of(session: Session, deadlines: Sequence[Deadline]) -> dict[str, list[dl.Pause]]:
    """The pauses of each deadline beside its holds: its project's suspensions (Art. 35)."""
    by_project = project_pauses(session, {d.project_id for d in deadlines})
    return {d.id: by_project[d.project_id] for d in deadlines}


ENGINE = DeadlineEngine(Deadline, DeadlineHold, DeadlineRungFired, catalogue=catalogue, pauses_for=suspensions_of)

# The engine's operations, as the processes call them (see common.deadline_engine).
close = ENGINE.close
hold = ENGINE.hold
release = ENGINE.release
extend = ENGINE.extend
reschedule = ENGINE.reschedule
fired_rungs = ENGINE.fired_rungs
deadline_holds = ENGINE.holds


def start(session: Session, *, rule_id: str, project_id: str, subject_type: str, subject_id: str,
          started_at: datetime, length_days: int | None = None,
          responsible_unit_id: str | None = None) -> Deadline | None:
    """Start a deadline, once: an open one of the same rule and subject is returned as it is, and
    a terminated project gets none (Art. 34). ``responsible_unit_id`` names the unit its rungs
    warn, where the case names it; otherwise the project's unit of the rule's role is warned."""
    running = ENGINE.open_deadlines(session, subject_type, subject_id, rule_id)
    if running:
        return running[0]
    if session.execute(sa.select(Project.status).where(Project.id == project_id)).scalar() == "terminated":
        return None
    return ENGINE.start(session, rule_id=rule_id, project_id=project_id, subject_type=subject_type,
                        subject_id=subject_id, started_at=started_at, length_days=length_days,
                        responsible_unit_id=responsible_unit_id)
