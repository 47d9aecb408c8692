"""What the scoring use cases share: the Call and its rules, who the caller is, which subjects and
projects the caller may see, how a ledger entry is recorded, and how subjects are rescored — with
each moved score's change on the feed under its gap-free number and its ``score.changed`` event, in
one transaction, whatever moved it (:func:`rescore_subjects`)."""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from prometheus_client import Counter

from common import events, registry_copy, usecase
from common.clock import district_iso
from common.clock import local_date as district_date
from common.contracts.registry import UnitKind
from common.errors import NotFound, PermissionDenied
from common.outbox import stage_event, stage_events
from common.rule_settings import RulesCache
from common.scope import FIRM_KINDS, Actor, project_scope
from scoring.domain import scores as dom_scores
from scoring.domain.ledger import Deduction
from scoring.domain.rules import ScoringRules
from scoring.persistence import queries
from scoring.persistence.models import LedgerEntry, Objection, PartnerKey

logger = logging.getLogger(__name__)
RULES = RulesCache(ScoringRules)

# Business counters (architecture: "scores published"), beside the platform's entrypoint metrics.
SCORE_CHANGES = Counter("supervision_score_changes_total", "Score changes recorded for the feed", ["subject_kind"])
LEDGER_ENTRIES = Counter("supervision_ledger_entries_total", "Ledger entries recorded", ["source_type", "conduct"])
UNMAPPED_WARNINGS = Counter("supervision_scoring_unmapped_warnings_total",
                            "Warnings whose rule the applicable rule set does not map (deducted nothing)",
                            ["rule_id"])


class Call(usecase.Call):
    def rules(self) -> ScoringRules:
        return RULES.get(self.session)

    def actor(self) -> Actor:
        if self.principal.user_id is None:
            raise PermissionDenied("log in first")
        return registry_copy.actor(self.session, self.principal.user_id)

    def today(self) -> date:
        return district_date(self.now)


def subject_kind_of(session, unit_id: str, fallback: str) -> str:
    """A unit's kind of subject: an owner, an industry authority, or a firm (Art. 37(1))."""
    unit = registry_copy.unit(session, unit_id)
    if unit is None:
        return fallback
    if unit.kind == UnitKind.OWNER:
        return "owner"
    if unit.kind == UnitKind.INDUSTRY_AUTHORITY:
        return "authority"
    return "firm"


def own_subjects(actor: Actor) -> frozenset[str]:
    """The caller (as a key person) and the firms the caller holds a post in (the ZLB face)."""
    return frozenset({actor.user_id} | {held.unit.id for held in actor.posts if held.unit.kind in FIRM_KINDS})


def visible_projects(call: Call, actor: Actor):
    """A SQL condition on ``copy_project`` for the projects the actor may see (common.scope)."""
    scope = project_scope(actor)
    project = registry_copy.copy_project
    if scope.everything:
        return sa.true()
    participant = registry_copy.copy_participant
    return sa.or_(
        project.c.industry.in_(sorted(scope.industries)),
        project.c.supervising_unit_id.in_(sorted(scope.supervising_unit_ids)),
        project.c.line_id.in_(sorted(scope.line_ids)),
        project.c.owner_id.in_(sorted(scope.owner_ids)),
        project.c.id.in_(sa.select(participant.c.project_id)
                         .where(participant.c.unit_id.in_(sorted(scope.participant_unit_ids)))),
    )


def require_government(actor: Actor) -> None:
    if actor.portal != "zzd":
        raise PermissionDenied("scores are read on the government face by government staff")


def entry_view(entry: LedgerEntry, objection: dict | None = None) -> dict:
    return {"id": entry.id, "subject_id": entry.subject_id, "subject_kind": entry.subject_kind,
            "project_id": entry.project_id, "year": entry.year, "points": str(entry.points),
            "conduct": entry.conduct, "article": entry.article, "rule_id": entry.rule_id,
            "rule_set_id": entry.rule_set_id, "rule_set_version": entry.rule_set_version,
            "source_type": entry.source_type, "source_event_id": entry.source_event_id,
            "evidence": entry.evidence, "capped": entry.capped, "restores_entry_id": entry.restores_entry_id,
            "occurred_at": district_iso(entry.occurred_at), "recorded_at": district_iso(entry.recorded_at),
            "objection": objection}


def objection_view(row: Objection) -> dict:
    return {"id": row.id, "entry_id": row.entry_id, "subject_id": row.subject_id, "project_id": row.project_id,
            "industry": row.industry, "filed_by": row.filed_by, "reasons": row.reasons, "file_ids": row.file_ids,
            "filed_at": district_iso(row.filed_at), "status": row.status, "decided_by": row.decided_by,
            "decided_at": district_iso(row.decided_at), "decision_note": row.decision_note,
            "restoration_entry_id": row.restoration_entry_id}


def record_entry(call: Call, *, deduction: Deduction | None = None, subject_id: str, subject_kind: str,
                 project_id: str, occurred_at: datetime, points: Decimal, conduct: str, article: str,
                 rule_id: str | None, rule_set_id: str, rule_set_version: int, source_type: str,
                 source_event_id: str, evidence: dict, restores_entry_id: str | None = None) -> LedgerEntry:
    """Record one entry, rescore its subject and publish the change (feed + ``score.changed``)."""
    year = district_date(occurred_at).year
    entry = LedgerEntry(subject_id=subject_id, subject_kind=subject_kind, project_id=project_id, year=year,
                        points=points, conduct=conduct, article=article, rule_id=rule_id, rule_set_id=rule_set_id,
                        rule_set_version=rule_set_version, source_type=source_type,
                        source_event_id=source_event_id, evidence=evidence,
                        capped=bool(deduction and deduction.capped), restores_entry_id=restores_entry_id,
                        occurred_at=occurred_at, recorded_at=call.now)
    call.session.add(entry)
    call.session.flush()
    rescore(call, entry)
    LEDGER_ENTRIES.labels(source_type, conduct).inc()
    logger.info("ledger entry recorded", extra={"entry_id": entry.id, "subject_id": subject_id,
                                                "project_id": project_id, "points": str(points),
                                                "conduct": conduct, "source_event_id": source_event_id})
    return entry


def rescore(call: Call, entry: LedgerEntry) -> None:
    """A ledger entry's subject: its project score and composite, and the change if anything moved."""
    was = queries.project_score(call.session, entry.subject_id, entry.project_id, entry.year)
    score = queries.rescore_project(call.session, entry.subject_id, entry.subject_kind, entry.project_id,
                                    entry.year, call.rules(), call.now)
    rescore_subjects(call, entry.year, [entry.subject_id], "ledger_entry", entry=entry, project_score=score,
                     project_moved=was is None or was != score)


def rescore_subjects(call: Call, year: int, subject_ids: list[str] | None, cause: str, *,
                     rules: ScoringRules | None = None, entry: LedgerEntry | None = None,
                     project_score: Decimal | None = None, project_moved: bool = False) -> int:
    """Recompute the year's composites (of ``subject_ids``, or of every subject) and put each subject
    whose composite or colour moved on the feed: one gap-free number each, in the same transaction,
    with its ``score.changed`` event. However a score changed (a ledger entry, the periodic
    recomputation, new settings), this is the one way it reaches the outside systems. Answers the
    number of changes."""
    rules = rules or call.rules()
    before = queries.standings(call.session, year, subject_ids)
    queries.recompute_composites(call.session, year, rules, call.now, subject_ids)
    call.session.expire_all()
    after = queries.standings(call.session, year, subject_ids)
    rescored = [entry.subject_id] if entry is not None and project_moved else []
    subjects = dom_scores.changed_subjects(before, after, rescored)
    if not subjects:
        return 0
    first = queries.next_sequence(call.session, len(subjects))
    batch, rows = [], []
    for sequence, subject_id in enumerate(subjects, start=first):
        now, was = after[subject_id], before.get(subject_id)
        on_entry = entry is not None and subject_id == entry.subject_id
        event = events.ScoreChanged(
            occurred_at=call.now, sequence=sequence, subject_id=subject_id, subject_kind=now.subject_kind,
            year=year, project_id=entry.project_id if on_entry else None,
            project_score=project_score if on_entry else None,
            composite=Decimal(now.composite).quantize(dom_scores.PLACES), colour=now.colour,
            previous_composite=None if was is None else Decimal(was.composite).quantize(dom_scores.PLACES),
            previous_colour=None if was is None else was.colour, entry_id=entry.id if on_entry else None,
            cause=cause)
        batch.append(event)
        rows.append({"sequence": sequence, "routing_key": f"score.changed.{now.subject_kind}",
                     "subject_id": subject_id, "payload": event.model_dump(mode="json"), "occurred_at": call.now})
        SCORE_CHANGES.labels(now.subject_kind).inc()
    queries.add_feed_changes(call.session, rows)
    stage_events(call.session, batch)
    if entry is None:
        logger.info("score changes of a recomputation put on the feed",
                    extra={"year": year, "cause": cause, "changes": len(subjects), "first_sequence": first})
    return len(subjects)


def publish_bid_ban(call: Call, ban) -> None:
    sequence = queries.next_sequence(call.session)
    event = events.BidBanImposed(occurred_at=call.now, sequence=sequence, ban_id=ban.id, subject_id=ban.subject_id,
                                 subject_kind=ban.subject_kind, starts_on=ban.starts_on, until=ban.until,
                                 reason=ban.reason, article=ban.article)
    queries.add_feed_changes(call.session, [{
        "sequence": sequence, "routing_key": f"bid_ban.imposed.{ban.subject_kind}", "subject_id": ban.subject_id,
        "payload": event.model_dump(mode="json"), "occurred_at": call.now}])
    stage_event(call.session, event)
    logger.info("bid ban published", extra={"ban_id": ban.id, "subject_id": ban.subject_id,
                                            "until": ban.until.isoformat()})


def not_found(what: str, ident: str) -> NotFound:
    return NotFound(f"{what} {ident} not found")


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def authenticate(call: Call, key) -> dict:
    """The partner of a key that is valid now; NotFound for a wrong or revoked one."""
    if not isinstance(key, str) or not key:
        raise NotFound("no such partner key")
    row = call.session.execute(sa.select(PartnerKey).where(PartnerKey.key_hash == key_hash(key))).scalar()
    if row is None or row.revoked_at is not None:
        logger.warning("partner key refused", extra={"prefix": key[:10], "known": row is not None})
        raise NotFound("no such partner key, or it is revoked")
    return {"id": row.id, "name": row.name, "system": row.system}
