"""Rule sets (Art. 7, 39): an industry authority writes a draft version of its industry's rule set,
previews how its firms' scores would change, and publishes it; it applies from its effective date.
Everyone on the government face reads them; the platform's default (version 0) is listed with them."""

from __future__ import annotations

import logging
from collections import defaultdict
from decimal import Decimal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field

from common import registry_copy
from common.clock import district_iso
from common.contracts.registry import UnitKind
from common.contracts.types import PlatformDate
from common.errors import IllegalStep, InvalidInput, PermissionDenied
from common.usecase import parse
from scoring.domain import ledger as dom_ledger
from scoring.domain import scores as dom_scores
from scoring.domain.rule_sets import DEFAULT_RULE_SET, RuleSetBody, RuleSetRefused, RuleSetVersion, check_publishable
from scoring.persistence import queries
from scoring.persistence.models import LedgerEntry, RuleSet, UnmappedWarning
from scoring.usecases.common import Call, not_found, require_government

logger = logging.getLogger(__name__)


class RuleSetDraft(BaseModel):
    model_config = ConfigDict(extra="forbid")

    effective_from: PlatformDate
    note: str = Field("", max_length=500)
    body: RuleSetBody


def _view(row: RuleSet | None, version: RuleSetVersion | None = None) -> dict:
    if row is None:  # the platform's default
        version = version or DEFAULT_RULE_SET
        return {"id": version.id, "industry": version.industry, "authority_id": None, "version": version.version,
                "effective_from": version.effective_from.isoformat(), "status": "published",
                "note": "the platform's default rule set (README.md, Scoring)", "body": version.body.model_dump(
                    mode="json"), "created_by": None, "created_at": None, "published_by": None, "published_at": None}
    return {"id": row.id, "industry": row.industry, "authority_id": row.authority_id, "version": row.version,
            "effective_from": row.effective_from.isoformat(), "status": row.status, "note": row.note,
            "body": row.body, "created_by": row.created_by, "created_at": district_iso(row.created_at),
            "published_by": row.published_by,
            "published_at": district_iso(row.published_at)}


def _authority_industry(call: Call) -> tuple[str, str]:
    """The caller's industry authority and its industry: only an authority writes its rule set (Art. 7)."""
    actor = call.actor()
    held = next((held for held in actor.posts if held.unit.kind == UnitKind.INDUSTRY_AUTHORITY and held.unit.industry),
                None)
    if held is None:
        raise PermissionDenied("only an industry authority keeps a rule set (Art. 7)")
    return held.unit.id, held.unit.industry


def list_rule_sets(call: Call, industry: str | None, limit: int, offset: int) -> list[dict]:
    require_government(call.actor())
    statement = sa.select(RuleSet).order_by(RuleSet.industry, RuleSet.version)
    if industry:
        statement = statement.where(RuleSet.industry == industry)
    rows = [_view(row) for row in call.session.execute(statement).scalars()]
    return ([_view(None), *rows])[offset:offset + limit]


def get_rule_set(call: Call, rule_set_id: str) -> dict:
    require_government(call.actor())
    if rule_set_id == DEFAULT_RULE_SET.id:
        return _view(None)
    row = call.session.get(RuleSet, rule_set_id)
    if row is None:
        raise not_found("rule set", rule_set_id)
    return _view(row)


def create_rule_set(call: Call, data: dict) -> dict:
    authority_id, industry = _authority_industry(call)
    draft = parse(RuleSetDraft, data)
    _refuse(lambda: check_publishable(draft.effective_from, queries.published_versions(call.session, industry),
                                      industry, call.today()))
    last = call.session.execute(sa.select(sa.func.max(RuleSet.version)).where(RuleSet.industry == industry)).scalar()
    row = RuleSet(industry=industry, authority_id=authority_id, version=(last or 0) + 1,
                  effective_from=draft.effective_from, status="draft", note=draft.note,
                  body=draft.body.model_dump(mode="json"), created_by=call.principal.user_id, created_at=call.now)
    call.session.add(row)
    call.session.flush()
    view = _view(row)
    call.record("rule_set.drafted", "rule_set", row.id, after=view)
    logger.info("rule set drafted", extra={"rule_set_id": row.id, "industry": industry, "version": row.version})
    return view


def _refuse(check) -> None:
    try:
        check()
    except RuleSetRefused as refused:
        raise InvalidInput("the rule set is refused", [{"field": refused.field, "reason": refused.reason}]) from None


def _own_draft(call: Call, rule_set_id: str) -> RuleSet:
    _, industry = _authority_industry(call)
    row = call.session.get(RuleSet, rule_set_id)
    if row is None or row.industry != industry:
        raise not_found("rule set", rule_set_id)
    return row


def publish_rule_set(call: Call, rule_set_id: str) -> dict:
    """Publish a draft; it applies from its effective date, which may not lie in the past or on or before
    a published version's (Art. 39: never to what happened before it)."""
    row = _own_draft(call, rule_set_id)
    if row.status != "draft":
        raise IllegalStep(f"rule set {row.id} is {row.status} already")
    _refuse(lambda: check_publishable(row.effective_from, queries.published_versions(call.session, row.industry),
                                      row.industry, call.today()))
    before = _view(row)
    row.status, row.published_by, row.published_at = "published", call.principal.user_id, call.now
    call.session.flush()
    view = _view(row)
    call.record("rule_set.published", "rule_set", row.id, before=before, after=view)
    logger.info("rule set published", extra={"rule_set_id": row.id, "industry": row.industry,
                                              "version": row.version, "effective_from": row.effective_from.isoformat()})
    return view


def preview_rule_set(call: Call, rule_set_id: str, year: int | None, limit: int, offset: int) -> list[dict]:
    """How the year's project scores of the industry's subjects would stand had the draft applied to the
    same conduct: each recorded deduction is replayed under the draft (its caps too)."""
    row = _own_draft(call, rule_set_id)
    draft = queries.version_of(row)
    year = year or call.today().year
    rules = call.rules()
    project = registry_copy.copy_project
    entries = call.session.execute(
        sa.select(LedgerEntry).join(project, project.c.id == LedgerEntry.project_id)
        .where(project.c.industry == row.industry, LedgerEntry.year == year)
        .order_by(LedgerEntry.occurred_at, LedgerEntry.id)).scalars().all()
    current: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    replayed: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    kinds: dict[str, str] = {}
    per_project: dict = {}
    per_year: dict = {}
    for entry in entries:
        key = (entry.subject_id, entry.project_id)
        kinds[entry.subject_id] = entry.subject_kind
        current[key].append(Decimal(entry.points))
        if entry.restores_entry_id is not None:
            replayed[key].append(Decimal(0))
            continue
        target = "person" if entry.subject_kind == "person" else ("owner" if entry.subject_kind == "owner" else "firm")
        fact = dom_ledger.ConductFact(entry.conduct, entry.project_id, **{f"{target}_id": entry.subject_id})
        for deduction in dom_ledger.deductions(fact, draft, dom_ledger.Deducted(per_project, per_year)):
            replayed[key].append(deduction.points)
            per_project[(entry.subject_id, entry.project_id, entry.conduct)] = \
                per_project.get((entry.subject_id, entry.project_id, entry.conduct), Decimal(0)) - deduction.points
            per_year[(entry.subject_id, entry.conduct)] = \
                per_year.get((entry.subject_id, entry.conduct), Decimal(0)) - deduction.points
    answer = []
    for subject_id, project_id in sorted(current):
        now_score = dom_scores.project_score(current[(subject_id, project_id)], rules)
        then_score = dom_scores.project_score(replayed[(subject_id, project_id)], rules)
        answer.append({"subject_id": subject_id, "subject_kind": kinds[subject_id], "project_id": project_id,
                       "year": year, "current_score": str(now_score), "preview_score": str(then_score),
                       "current_colour": dom_scores.colour(now_score, rules),
                       "preview_colour": dom_scores.colour(then_score, rules)})
    return answer[offset:offset + limit]


def unmapped_warnings(call: Call, limit: int, offset: int) -> list[dict]:
    require_government(call.actor())
    rows = call.session.execute(sa.select(UnmappedWarning).order_by(UnmappedWarning.last_seen.desc())
                                .limit(limit).offset(offset)).scalars()
    return [{"rule_id": row.rule_id, "industry": row.industry, "article": row.article,
             "occurrences": row.occurrences, "last_warning_id": row.last_warning_id,
             "first_seen": district_iso(row.first_seen), "last_seen": district_iso(row.last_seen)} for row in rows]
