"""The time limits of a case's steps (Art. 10, 29–30): the sweep reminds the unit that must act
part-way through a step's limit, and when the limit passes the case escalates one level up and
the step counts against the late unit. The platform's one deadline engine fires each rung once."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from common import events
from common.deadline_engine import FiredRung
from common.errors import IllegalStep
from common.outbox import stage_event
from complaints.domain import cases as dom
from complaints.persistence.models import Case, CaseStep
from complaints.usecases.common import RULES, case_facts, leading_group_id, record_step
from complaints.usecases.deadline_engine import ENGINE

logger = logging.getLogger(__name__)


def on_rungs_fired(session: Session, fired: list[FiredRung]) -> None:
    group = leading_group_id(session)
    rules = RULES.get(session)
    for one in fired:
        case = session.get(Case, one.deadline.subject_id)
        if case is None or case.status == dom.Status.CLOSED:
            continue
        late_unit = one.deadline.responsible_unit_id
        if one.rung.name == dom.REMINDER:
            session.add(CaseStep(case_id=case.id, step="reminded", status=case.status, at=one.fired_at,
                                 acting_unit_id=late_unit, file_ids=[]))
            stage_event(session, events.CaseStepRecorded(
                occurred_at=one.fired_at, case_id=case.id, kind=case.kind, step="reminded", status=case.status,
                project_id=case.project_id, next_unit_id=late_unit, due_at=case.due_at, summary=case.summary))
            continue
        facts = case_facts(session, case)
        try:
            after = dom.escalated(facts, group)
        except IllegalStep:
            logger.warning("case overdue at the top of the chain", extra={"case_id": case.id, "unit_id": late_unit})
            continue
        record_step(session, case, after, "escalated", one.fired_at, by_user_id=None, acting_unit_id=late_unit,
                    to_unit_id=dom.acting_unit(after), on_time=False, rules=rules)
        logger.info("case escalated: its step went past its limit",
                    extra={"case_id": case.id, "late_unit_id": late_unit, "to_unit_id": dom.acting_unit(after)})


def catch_up_step(session: Session, now: datetime) -> bool:
    return ENGINE.catch_up_step(session, now, on_rungs_fired)


def caught_up(session: Session, now: datetime) -> bool:
    return ENGINE.caught_up(session, now)
