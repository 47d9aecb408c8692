"""The queries the scoring use cases share: rule sets in force, totals for the caps, rescoring a
subject (project score and annual composite), and the outside systems' feed with its gap-free
sequence."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from common.registry_copy import copy_participant, copy_project
from scoring.domain import scores as dom_scores
from scoring.domain.ledger import Deducted
from scoring.domain.rule_sets import RuleSetBody, RuleSetVersion
from scoring.domain.rules import ScoringRules
from scoring.persistence.models import AnnualScore, FeedCounter, LedgerEntry, ProjectScore, RuleSet, ScoreChange

FEED = "scores"


def version_of(row: RuleSet) -> RuleSetVersion:
    return RuleSetVersion(row.id, row.industry, row.version, row.effective_from, RuleSetBody.model_validate(row.body))


def published_versions(session: Session, industry: str | None = None) -> list[RuleSetVersion]:
    statement = sa.select(RuleSet).where(RuleSet.status == "published")
    if industry is not None:
        statement = statement.where(RuleSet.industry == industry)
    return [version_of(row) for row in session.execute(statement).scalars()]


def deducted_so_far(session: Session, subject_ids: list[str], year: int, conduct: str) -> Deducted:
    """What the subjects lost to ``conduct`` in ``year``, per project and in all (restorations count back)."""
    rows = session.execute(
        sa.select(LedgerEntry.subject_id, LedgerEntry.project_id, sa.func.sum(LedgerEntry.points))
        .where(LedgerEntry.subject_id.in_(subject_ids), LedgerEntry.year == year, LedgerEntry.conduct == conduct)
        .group_by(LedgerEntry.subject_id, LedgerEntry.project_id)).all()
    per_project, per_year = {}, {}
    for subject, project, total in rows:
        lost = -Decimal(total or 0)
        per_project[(subject, project, conduct)] = lost
        per_year[(subject, conduct)] = per_year.get((subject, conduct), Decimal(0)) + lost
    return Deducted(per_project, per_year)


# The composite of README.md "Scoring" and scoring.domain.scores, set-based: one statement for one
# subject or for every subject of the year (the bench's 50,000 firms).
_COMPOSITE_SQL = """
WITH deltas AS (
    SELECT subject_id, project_id, MIN(subject_kind) AS subject_kind, SUM(points) AS delta
    FROM ledger_entry WHERE year = :year {ledger_filter}
    GROUP BY subject_id, project_id
), members AS (
    SELECT unit_id AS subject_id, project_id, 'firm' AS subject_kind FROM copy_participant {participant_filter}
    UNION ALL
    SELECT owner_id AS subject_id, id AS project_id, 'owner' AS subject_kind FROM copy_project
    WHERE owner_id IS NOT NULL {owner_filter}
    UNION ALL
    SELECT subject_id, project_id, subject_kind FROM deltas
), membership AS (
    SELECT subject_id, project_id, MIN(subject_kind) AS subject_kind FROM members GROUP BY subject_id, project_id
), scored AS (
    SELECT m.subject_id, m.subject_kind,
           CASE WHEN CAST(:base AS NUMERIC) + COALESCE(d.delta, 0) < 0 THEN 0
                WHEN COALESCE(d.delta, 0) > 0 THEN CAST(:base AS NUMERIC)
                ELSE CAST(:base AS NUMERIC) + COALESCE(d.delta, 0) END AS score,
           CASE WHEN COALESCE(p.contract_amount, 0) < CAST(:min_weight AS NUMERIC) THEN CAST(:min_weight AS NUMERIC)
                ELSE p.contract_amount END AS weight
    FROM membership m
    LEFT JOIN deltas d ON d.subject_id = m.subject_id AND d.project_id = m.project_id
    LEFT JOIN copy_project p ON p.id = m.project_id
), composites AS (
    SELECT subject_id, MIN(subject_kind) AS subject_kind,
           ROUND(CAST(SUM(score * weight) * 1.0 / SUM(weight) AS NUMERIC), 2) AS composite, COUNT(*) AS projects
    FROM scored GROUP BY subject_id
)
INSERT INTO annual_score (subject_id, year, subject_kind, composite, colour, projects, updated_at)
SELECT subject_id, :year, subject_kind, composite,
       CASE WHEN composite >= CAST(:green AS NUMERIC) THEN 'green' WHEN composite >= CAST(:blue AS NUMERIC) THEN 'blue'
            WHEN composite >= CAST(:yellow AS NUMERIC) THEN 'yellow'
            WHEN composite >= CAST(:orange AS NUMERIC) THEN 'orange' ELSE 'red' END,
       projects, :now
FROM composites WHERE 1 = 1
ON CONFLICT (subject_id, year) DO UPDATE SET subject_kind = excluded.subject_kind, composite = excluded.composite,
    colour = excluded.colour, projects = excluded.projects, updated_at = excluded.updated_at
"""


def recompute_composites(session: Session, year: int, rules: ScoringRules, now: datetime,
                         subject_ids: list[str] | None = None) -> int:
    """Recompute the annual composites of ``year`` (of ``subject_ids`` only, if given) in one statement;
    answer the number of subjects scored."""
    filters = {"ledger_filter": "", "participant_filter": "", "owner_filter": ""}
    params = {"year": year, "base": str(rules.base_score), "min_weight": str(rules.minimum_weight_yuan),
              "green": str(rules.green_min), "blue": str(rules.blue_min), "yellow": str(rules.yellow_min),
              "orange": str(rules.orange_min), "now": now}
    statement = sa.text(_COMPOSITE_SQL.format(**filters))
    if subject_ids is not None:
        if not subject_ids:
            return 0
        filters = {"ledger_filter": "AND subject_id IN :subjects", "participant_filter": "WHERE unit_id IN :subjects",
                   "owner_filter": "AND owner_id IN :subjects"}
        statement = sa.text(_COMPOSITE_SQL.format(**filters)).bindparams(sa.bindparam("subjects", expanding=True))
        params["subjects"] = list(subject_ids)
    return session.execute(statement, params).rowcount


def rescore_project(session: Session, subject_id: str, subject_kind: str, project_id: str, year: int,
                    rules: ScoringRules, now: datetime) -> Decimal:
    """The subject's score on the project in the year, from its entries (scoring.domain.scores)."""
    points = session.execute(sa.select(LedgerEntry.points).where(
        LedgerEntry.subject_id == subject_id, LedgerEntry.project_id == project_id, LedgerEntry.year == year)).scalars()
    score = dom_scores.project_score(points, rules)
    row = session.get(ProjectScore, (subject_id, project_id, year))
    if row is None:
        session.add(ProjectScore(subject_id=subject_id, project_id=project_id, year=year, subject_kind=subject_kind,
                                 score=score, updated_at=now))
    else:
        row.score, row.updated_at = score, now
    session.flush()
    return score


def annual(session: Session, subject_id: str, year: int) -> AnnualScore | None:
    return session.get(AnnualScore, (subject_id, year))


def standings(session: Session, year: int, subject_ids: list[str] | None = None) -> dict[str, dom_scores.Standing]:
    """The stored composites and colours of ``year`` (of ``subject_ids`` only, if given)."""
    statement = sa.select(AnnualScore.subject_id, AnnualScore.subject_kind, AnnualScore.composite,
                          AnnualScore.colour).where(AnnualScore.year == year)
    if subject_ids is not None:
        statement = statement.where(AnnualScore.subject_id.in_(subject_ids))
    return {row.subject_id: dom_scores.Standing(row.subject_kind, Decimal(row.composite), row.colour)
            for row in session.execute(statement)}


def project_score(session: Session, subject_id: str, project_id: str, year: int) -> Decimal | None:
    row = session.get(ProjectScore, (subject_id, project_id, year))
    return None if row is None else Decimal(row.score)


def next_sequence(session: Session, count: int = 1) -> int:
    """The first of the next ``count`` numbers of the feed. The counter's row stays locked until the
    transaction commits, so numbers are given in commit order and a rolled-back change gives its
    numbers back: no gaps."""
    last = session.execute(sa.update(FeedCounter).where(FeedCounter.name == FEED)
                           .values(last=FeedCounter.last + count).returning(FeedCounter.last)).scalar_one()
    return last - count + 1


def add_feed_changes(session: Session, changes: list[dict]) -> None:
    """Feed rows (``sequence``, ``routing_key``, ``subject_id``, ``payload``, ``occurred_at``), one statement."""
    if changes:
        session.execute(sa.insert(ScoreChange), changes)


def projects_of(session: Session, unit_id: str) -> list[str]:
    return list(session.execute(sa.select(copy_participant.c.project_id).where(copy_participant.c.unit_id == unit_id)
                                .union(sa.select(copy_project.c.id).where(copy_project.c.owner_id == unit_id)))
                .scalars())
