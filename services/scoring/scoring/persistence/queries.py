"""The queries the scoring use cases share: rule sets in force, totals for the caps, rescoring a
subject (project score and annual composite), and the outside systems' feed with its gap-free
sequence."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from common.database import dialect_insert, execute_many
from common.registry_copy import copy_participant, copy_project, copy_unit
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


def deducted_so_far(session: Session, subject_ids, years, conducts) -> dict[int, Deducted]:
    """What the subjects lost to each of ``conducts`` in each of ``years``, per project and in all
    (restorations count back), by year; one statement for a whole batch."""
    rows = session.execute(
        sa.select(LedgerEntry.subject_id, LedgerEntry.project_id, LedgerEntry.year, LedgerEntry.conduct,
                  sa.func.sum(LedgerEntry.points))
        .where(LedgerEntry.subject_id.in_(sorted(subject_ids)), LedgerEntry.year.in_(sorted(years)),
               LedgerEntry.conduct.in_(sorted(conducts)))
        .group_by(LedgerEntry.subject_id, LedgerEntry.project_id, LedgerEntry.year, LedgerEntry.conduct)).all()
    by_year = {year: Deducted({}, {}) for year in years}
    for subject, project, year, conduct, total in rows:
        lost = -Decimal(total or 0)
        deducted = by_year[year]
        deducted.per_project[(subject, project, conduct)] = lost
        deducted.per_year[(subject, conduct)] = deducted.per_year.get((subject, conduct), Decimal(0)) + lost
    return by_year


def projects(session: Session, project_ids) -> dict[str, tuple[str, str | None]]:
    """The industry and owner of each registered project of ``project_ids`` (one whose registration has
    not arrived yet is absent)."""
    rows = session.execute(sa.select(copy_project.c.id, copy_project.c.name, copy_project.c.industry,
                                     copy_project.c.owner_id).where(copy_project.c.id.in_(sorted(project_ids))))
    return {row.id: (row.industry, row.owner_id) for row in rows if row.name}


def unit_kinds(session: Session, unit_ids) -> dict[str, str]:
    """The registry's kind of each known unit of ``unit_ids``."""
    ids = sorted(unit for unit in unit_ids if unit)
    if not ids:
        return {}
    return dict(session.execute(sa.select(copy_unit.c.id, copy_unit.c.kind).where(copy_unit.c.id.in_(ids))).all())


def insert_entries(session: Session, rows: list[dict]) -> None:
    """Ledger entries (the columns of :class:`LedgerEntry`), one statement."""
    if rows:
        session.execute(sa.insert(LedgerEntry.__table__), rows)  # Core: compiled once, sent as one multi-row insert


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
RETURNING subject_id, subject_kind, composite, colour
"""


def recompute_composites(session: Session, year: int, rules: ScoringRules, now: datetime,
                         subject_ids: list[str] | None = None) -> dict[str, dom_scores.Standing]:
    """Recompute the annual composites of ``year`` (of ``subject_ids`` only, if given) in one statement;
    answer the standings it stored."""
    filters = {"ledger_filter": "", "participant_filter": "", "owner_filter": ""}
    params = {"year": year, "base": str(rules.base_score), "min_weight": str(rules.minimum_weight_yuan),
              "green": str(rules.green_min), "blue": str(rules.blue_min), "yellow": str(rules.yellow_min),
              "orange": str(rules.orange_min), "now": now}
    statement = sa.text(_COMPOSITE_SQL.format(**filters))
    if subject_ids is not None:
        if not subject_ids:
            return {}
        filters = {"ledger_filter": "AND subject_id IN :subjects", "participant_filter": "WHERE unit_id IN :subjects",
                   "owner_filter": "AND owner_id IN :subjects"}
        statement = sa.text(_COMPOSITE_SQL.format(**filters)).bindparams(sa.bindparam("subjects", expanding=True))
        params["subjects"] = list(subject_ids)
    return {row.subject_id: dom_scores.Standing(row.subject_kind, Decimal(row.composite), row.colour)
            for row in session.execute(statement, params)}


def project_points(session: Session, year: int, keys) -> dict[tuple[str, str], Decimal]:
    """The sum of the points of each (subject, project) of ``keys`` in ``year``, one statement."""
    keys = sorted(keys)
    rows = session.execute(
        sa.select(LedgerEntry.subject_id, LedgerEntry.project_id, sa.func.sum(LedgerEntry.points))
        .where(LedgerEntry.year == year, LedgerEntry.subject_id.in_(sorted({subject for subject, _ in keys})),
               sa.tuple_(LedgerEntry.subject_id, LedgerEntry.project_id).in_(keys))
        .group_by(LedgerEntry.subject_id, LedgerEntry.project_id)).all()
    return {(subject, project): Decimal(total or 0) for subject, project, total in rows}


def project_scores(session: Session, year: int, keys) -> dict[tuple[str, str], Decimal]:
    """The stored score of each (subject, project) of ``keys`` in ``year`` that has one."""
    keys = sorted(keys)
    rows = session.execute(
        sa.select(ProjectScore.subject_id, ProjectScore.project_id, ProjectScore.score)
        .where(ProjectScore.year == year, ProjectScore.subject_id.in_(sorted({subject for subject, _ in keys})),
               sa.tuple_(ProjectScore.subject_id, ProjectScore.project_id).in_(keys))).all()
    return {(subject, project): Decimal(score) for subject, project, score in rows}


def store_project_scores(session: Session, rows: list[dict]) -> None:
    """Project scores (``subject_id``, ``project_id``, ``year``, ``subject_kind``, ``score``, ``updated_at``),
    inserted or updated in one statement."""
    if not rows:
        return
    statement = dialect_insert(session, ProjectScore.__table__)
    execute_many(session, statement.on_conflict_do_update(
        index_elements=["subject_id", "project_id", "year"],
        set_={"score": statement.excluded.score, "updated_at": statement.excluded.updated_at}), rows)


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


def hold_feed(session: Session) -> None:
    """Lock the feed's counter row until the transaction ends (PostgreSQL; SQLite's writers are one at a
    time already): rescorings take it before they read what a score was, so that two of them never
    compute a subject's standing from each other's uncommitted entries, and numbers follow commits."""
    session.execute(sa.select(FeedCounter.last).where(FeedCounter.name == FEED).with_for_update()).scalar_one()


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
        session.execute(sa.insert(ScoreChange.__table__), changes)


def projects_of(session: Session, unit_id: str) -> list[str]:
    return list(session.execute(sa.select(copy_participant.c.project_id).where(copy_participant.c.unit_id == unit_id)
                                .union(sa.select(copy_project.c.id).where(copy_project.c.owner_id == unit_id)))
                .scalars())
