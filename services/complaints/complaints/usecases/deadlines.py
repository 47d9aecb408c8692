"""The time limits of a case's steps (Art. 10, 29–30): the sweep reminds the unit that must act
part-way through a step's limit, and when the limit passes the case escalates one level up and
the step counts against the late unit. The platform's one deadline engine fires each rung once."""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa
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
        # The deadline is locked by the sweep; the case is taken after it, in the order a user's
        # step takes them (usecases.common.lock_case), and read afresh.
        case = session.execute(sa.select(Case).where(Case.id == one.deadline.subject_id)
                               .with_for_update()).scalar_one_or_none()
        if case is None or case.status == dom.Status.CLOSED:
            continue
        late_unit = one.deadline.responsible_unit_id or group
        if one.rung.name == dom.OVERDUE:
            facts = case_facts(session, case)
            try:
                after = dom.escalated(facts, group)
            except IllegalStep as refused:
                # Not dispatched yet (the intake triages late) or at the top of the chain: the unit
                # is told again; the step counts as late when it is taken.
                logger.warning("case overdue where it cannot escalate", extra={
                    "case_id": case.id, "unit_id": late_unit, "reason": str(refused)})
            else:
                record_step(session, case, after, "escalated", one.fired_at, by_user_id=None, acting_unit_id=late_unit,
                            to_unit_id=dom.acting_unit(after), on_time=False, rules=rules)
                logger.info("case escalated: its step went past its limit",
                            extra={"case_id": case.id, "late_unit_id": late_unit, "to_unit_id": dom.acting_unit(after)})
                continue
        session.add(CaseStep(case_id=case.id, step="reminded", status=case.status, at=one.fired_at,
                             acting_unit_id=late_unit, file_ids=[]))
        stage_event(session, events.CaseStepRecorded(
            occurred_at=one.fired_at, case_id=case.id, kind=case.kind, step="reminded", status=case.status,
            project_id=case.project_id, next_unit_id=late_unit, due_at=case.due_at, summary=case.summary))


def catch_up_step(session: Session, now: datetime) -> bool:
    return ENGINE.catch_up_step(session, now, on_rungs_fired)


def caught_up(session: Session, now: datetime) -> bool:
    return ENGINE.caught_up(session, now)
