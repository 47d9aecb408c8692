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
from scoring.persistence.models import AnnualScore, LedgerEntry, Objection, PartnerKey, ProjectScore, new_id

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


def subject_kind(unit_kind: str | None, fallback: str) -> str:
    """The kind of subject of a unit of the registry's ``unit_kind`` (``fallback`` for an unknown unit)."""
    if unit_kind is None:
        return fallback
    if unit_kind == UnitKind.OWNER:
        return "owner"
    if unit_kind == UnitKind.INDUSTRY_AUTHORITY:
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


def visible_subjects(call: Call):
    """The subjects with a score on a project the caller may see (a subquery of their ids)."""
    project = registry_copy.copy_project
    return (sa.select(ProjectScore.subject_id).join(project, project.c.id == ProjectScore.project_id)
            .where(visible_projects(call, call.actor())))


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


def entry_row(call: Call, *, deduction: Deduction | None = None, subject_id: str, subject_kind: str,
              project_id: str, occurred_at: datetime, points: Decimal, conduct: str, article: str,
              rule_id: str | None, rule_set_id: str, rule_set_version: int, source_type: str,
              source_event_id: str, evidence: dict, restores_entry_id: str | None = None) -> dict:
    """A new ledger entry (the columns of :class:`LedgerEntry`), for :func:`record_entries`."""
    return {"id": new_id(), "subject_id": subject_id, "subject_kind": subject_kind, "project_id": project_id,
            "year": district_date(occurred_at).year, "points": points, "conduct": conduct, "article": article,
            "rule_id": rule_id, "rule_set_id": rule_set_id, "rule_set_version": rule_set_version,
            "source_type": source_type, "source_event_id": source_event_id, "evidence": evidence,
            "capped": bool(deduction and deduction.capped), "restores_entry_id": restores_entry_id,
            "occurred_at": occurred_at, "recorded_at": call.now}


def record_entry(call: Call, **fields) -> dict:
    """Record one entry (the fields of :func:`entry_row`) as :func:`record_entries` does."""
    return record_entries(call, [entry_row(call, **fields)])[0]


def record_entries(call: Call, rows: list[dict]) -> list[dict]:
    """Record entries (of :func:`entry_row`) in one statement, rescore their subjects together and put
    each subject that moved on the feed once, with its final standing (:func:`rescore_subjects`)."""
    queries.insert_entries(call.session, rows)
    for row in rows:
        LEDGER_ENTRIES.labels(row["source_type"], row["conduct"]).inc()
        logger.info("ledger entry recorded", extra={
            "entry_id": row["id"], "subject_id": row["subject_id"], "project_id": row["project_id"],
            "points": str(row["points"]), "conduct": row["conduct"], "source_event_id": row["source_event_id"]})
    for year in sorted({row["year"] for row in rows}):
        of_year = [row for row in rows if row["year"] == year]
        rescore_subjects(call, year, sorted({row["subject_id"] for row in of_year}), "ledger_entry", entries=of_year)
    return rows


def _rescore_projects(call: Call, year: int, entries: list[dict], rules: ScoringRules) -> dict:
    """The project scores the entries touch, recomputed and stored; answers the new scores by (subject,
    project) and the subjects one of whose project scores moved."""
    keys = {(row["subject_id"], row["project_id"]) for row in entries}
    kinds = {(row["subject_id"], row["project_id"]): row["subject_kind"] for row in entries}
    was = queries.project_scores(call.session, year, keys)
    totals = queries.project_points(call.session, year, keys)
    now = {key: dom_scores.project_score([totals.get(key, Decimal(0))], rules) for key in keys}
    queries.store_project_scores(call.session, [
        {"subject_id": subject, "project_id": project, "year": year, "subject_kind": kinds[(subject, project)],
         "score": score, "updated_at": call.now} for (subject, project), score in sorted(now.items())])
    return now, {subject for (subject, project), score in now.items() if was.get((subject, project)) != score}


def rescore_subjects(call: Call, year: int, subject_ids: list[str] | None, cause: str, *,
                     rules: ScoringRules | None = None, entries: list[dict] = ()) -> int:
    """Recompute the year's composites (of ``subject_ids``, or of every subject) — and first the project
    scores that ``entries`` (new ledger entries of the year) touch — and put each subject whose
    composite, colour or project score moved on the feed: one gap-free number each, in the same
    transaction, with its ``score.changed`` event. A subject that several entries touch is published
    once, with its final standing and its last entry. However a score changed (ledger entries, the
    periodic recomputation, new settings), this is the one way it reaches the outside systems. The
    feed's counter is held from the first read of a score to the commit, so that rescorings follow one
    another. Answers the number of changes."""
    rules = rules or call.rules()
    queries.hold_feed(call.session)
    project_scores, rescored = _rescore_projects(call, year, list(entries), rules) if entries else ({}, set())
    before = queries.standings(call.session, year, subject_ids)
    after = queries.recompute_composites(call.session, year, rules, call.now, subject_ids)
    for stale in [obj for obj in call.session.identity_map.values() if isinstance(obj, (AnnualScore, ProjectScore))]:
        call.session.expire(stale)  # rewritten by the statements above
    subjects = dom_scores.changed_subjects(before, after, rescored)
    if not subjects:
        return 0
    last_entry = {row["subject_id"]: row for row in entries}
    first = queries.next_sequence(call.session, len(subjects))
    batch, rows = [], []
    for sequence, subject_id in enumerate(subjects, start=first):
        now, was = after[subject_id], before.get(subject_id)
        entry = last_entry.get(subject_id)
        event = events.ScoreChanged(
            occurred_at=call.now, sequence=sequence, subject_id=subject_id, subject_kind=now.subject_kind,
            year=year, project_id=entry["project_id"] if entry else None,
            project_score=project_scores[(subject_id, entry["project_id"])] if entry else None,
            composite=Decimal(now.composite).quantize(dom_scores.PLACES), colour=now.colour,
            previous_composite=None if was is None else Decimal(was.composite).quantize(dom_scores.PLACES),
            previous_colour=None if was is None else was.colour, entry_id=entry["id"] if entry else None,
            cause=cause)
        batch.append(event)
        rows.append({"sequence": sequence, "routing_key": f"score.changed.{now.subject_kind}",
                     "subject_id": subject_id, "payload": event.model_dump(mode="json"), "occurred_at": call.now})
        SCORE_CHANGES.labels(now.subject_kind).inc()
    queries.add_feed_changes(call.session, rows)
    stage_events(call.session, batch)
    if not entries:
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
