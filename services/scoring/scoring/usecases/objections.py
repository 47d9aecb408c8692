"""Objections (Art. 37): a firm or a key person contests a deduction of its own within the window, with
its reasons and files; the industry authority of the project's industry decides; an upheld objection
restores the points with a new entry. The ledger keeps the entry, the objection and the decision."""

from __future__ import annotations

import logging
from decimal import Decimal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field

from common import registry_copy
from common.contracts.registry import UnitKind
from common.errors import IllegalStep, InvalidInput, NotFound, PermissionDenied
from common.usecase import parse
from scoring.domain import objections as dom
from scoring.persistence.models import LedgerEntry, Objection
from scoring.usecases.common import Call, not_found, objection_view, own_subjects, record_entry

logger = logging.getLogger(__name__)


class ObjectionFiling(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reasons: str = Field(min_length=1, max_length=4000)
    file_ids: list[str] = Field(default_factory=list, max_length=20)


class ObjectionDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    upheld: bool
    note: str = Field(min_length=1, max_length=4000)


def file_objection(call: Call, entry_id: str, data: dict) -> dict:
    actor = call.actor()
    if actor.portal != "zlb":
        raise PermissionDenied("a firm files its objection on the enterprise face")
    filing = parse(ObjectionFiling, data)
    entry = call.session.get(LedgerEntry, entry_id)
    if entry is None:
        raise not_found("entry", entry_id)
    contested = call.session.execute(sa.select(Objection.id).where(Objection.entry_id == entry_id)).first()
    try:
        dom.check_filing(dom.EntryFacts(entry.id, entry.subject_id, Decimal(entry.points), entry.recorded_at,
                                        contested is not None, _given_back(call, entry.id)),
                         own_subjects(actor), call.now, call.rules())
    except dom.ObjectionRefused as refused:
        if refused.not_found:
            raise not_found("entry", entry_id) from None
        raise InvalidInput("the objection is refused", [{"field": refused.field, "reason": refused.reason}]) from None
    project = registry_copy.placement(call.session, entry.project_id)
    row = Objection(entry_id=entry.id, subject_id=entry.subject_id, project_id=entry.project_id,
                    industry=project.industry if project else "", filed_by=actor.user_id, reasons=filing.reasons,
                    file_ids=filing.file_ids, filed_at=call.now, status="pending")
    call.session.add(row)
    call.session.flush()
    view = objection_view(row)
    call.record("objection.filed", "objection", row.id, after=view)
    logger.info("objection filed", extra={"objection_id": row.id, "entry_id": entry.id, "subject_id": entry.subject_id})
    return view


def _authority_industries(call: Call) -> set[str]:
    return {held.unit.industry for held in call.actor().posts
            if held.unit.kind == UnitKind.INDUSTRY_AUTHORITY and held.unit.industry}


def list_objections(call: Call, status: str | None, limit: int, offset: int) -> list[dict]:
    """The objections on the caller's industries (an industry authority), or the caller's own (a firm)."""
    actor = call.actor()
    statement = sa.select(Objection)
    if actor.portal == "zlb":
        statement = statement.where(Objection.subject_id.in_(sorted(own_subjects(actor))))
    elif not actor.is_back_office:
        statement = statement.where(Objection.industry.in_(sorted(_authority_industries(call))))
    if status:
        if status not in ("pending", "upheld", "dismissed"):
            raise InvalidInput.field("status", "one of pending, upheld, dismissed")
        statement = statement.where(Objection.status == status)
    rows = call.session.execute(statement.order_by(Objection.filed_at, Objection.id).limit(limit).offset(offset))
    return [objection_view(row) for row in rows.scalars()]


def _given_back(call: Call, entry_id: str) -> bool:
    return call.session.execute(sa.select(sa.exists().where(LedgerEntry.restores_entry_id == entry_id))).scalar()


def decide_objection(call: Call, objection_id: str, data: dict) -> dict:
    """The industry authority of the project's industry upholds (the points come back with a new entry) or
    dismisses an objection."""
    # Locked: two officials deciding at once — the second finds it decided (409), not a conflict.
    row = call.session.get(Objection, objection_id, with_for_update=True)
    industries = _authority_industries(call)
    if row is None or row.industry not in industries:
        if row is not None and not industries:
            raise PermissionDenied("the industry authority decides objections (Art. 37)")
        raise NotFound(f"objection {objection_id} not found")
    decision = parse(ObjectionDecision, data)
    if row.status != "pending":
        raise IllegalStep(f"objection {row.id} is {row.status} already")
    before = objection_view(row)
    entry = call.session.get(LedgerEntry, row.entry_id)
    # A deduction its case gave back already (the warning found unsubstantiated) is not given back twice.
    points = None if _given_back(call, entry.id) else dom.restoration(Decimal(entry.points), decision.upheld)
    row.status = "upheld" if decision.upheld else "dismissed"
    row.decided_by, row.decided_at, row.decision_note = call.principal.user_id, call.now, decision.note
    if points is not None:
        restored = record_entry(
            call, subject_id=entry.subject_id, subject_kind=entry.subject_kind, project_id=entry.project_id,
            occurred_at=entry.occurred_at, points=points, conduct=entry.conduct, article=entry.article,
            rule_id=entry.rule_id, rule_set_id=entry.rule_set_id, rule_set_version=entry.rule_set_version,
            source_type="objection", source_event_id=f"objection:{row.id}",
            evidence={"objection_id": row.id, "entry_id": entry.id, "decision_note": decision.note},
            restores_entry_id=entry.id)
        row.restoration_entry_id = restored["id"]
    call.session.flush()
    view = objection_view(row)
    call.record("objection.decided", "objection", row.id, before=before, after=view)
    logger.info("objection decided", extra={"objection_id": row.id, "entry_id": entry.id, "status": row.status})
    return view
