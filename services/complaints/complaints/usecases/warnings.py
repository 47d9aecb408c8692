"""A case for every platform warning (Art. 8, 29): each ``warning.raised`` opens one — the same
warning delivered twice opens one — held at once by the unit that must act, overseen by the
levels above it on the project's chain; the case opened when the warning was raised."""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from common import events, registry_copy
from complaints.domain import cases as dom
from complaints.domain.rules import CaseRules
from complaints.persistence.models import Case, new_id
from complaints.usecases.common import chain_of_project, leading_group_id, opened, record_step

logger = logging.getLogger(__name__)


def raised_at(event: events.WarningRaised, now: datetime) -> datetime:
    """When the warning's case opened: when the warning was raised, not when this service took it
    from the queue (a backlog must not move a Sunday's warning into Monday's week) — and never
    after its first step here, should the raising service's clock run ahead."""
    return min(event.occurred_at, now)


def open_for_warning(session: Session, event: events.WarningRaised, now: datetime, rules: CaseRules) -> Case | None:
    if session.execute(sa.select(Case.id).where(Case.warning_id == event.warning_id)).first() is not None:
        return None  # opened already: the warning's id is the case's key
    placement = registry_copy.placement(session, event.project_id)
    chain = chain_of_project(session, placement)
    must_act = registry_copy.unit(session, event.must_act) if event.must_act else None
    # A project not (yet) placed in the copy leaves the warning with the back office, to dispatch by hand.
    holder = dom.first_holder(event.must_act, must_act.kind if must_act else None, chain) or leading_group_id(session)
    subject = event.firm_id or (event.must_act if must_act is not None and must_act.kind not in dom.LEVELS else None)
    case = Case(id=new_id(), kind=dom.Kind.WARNING, category=f"{event.source}_warning",
                status=dom.Status.DISPATCHED, discipline=False, summary=event.summary[:200],
                text=event.summary, project_id=event.project_id, industry=placement.industry if placement else None,
                warning_id=event.warning_id, warning_source=event.source, rule_id=event.rule_id,
                article=event.article, subject_unit_id=subject, subject_person_id=event.person_id,
                holder_unit_id=holder, opened_at=raised_at(event, now))
    session.add(case)
    session.flush()
    opened(session, case, now)
    facts = dom.Case(dom.Kind.WARNING, dom.Status.DISPATCHED, holder,
                     dom.level_above(dom.Case(dom.Kind.WARNING, dom.Status.DISPATCHED, holder, chain=chain), holder),
                     chain=chain)
    record_step(session, case, facts, "dispatched", now, by_user_id=None, acting_unit_id=None, to_unit_id=holder,
                rules=rules)
    logger.info("case opened for a warning", extra={"case_id": case.id, "warning_id": event.warning_id,
                                                   "rule_id": event.rule_id, "holder_unit_id": holder})
    return case
