"""The scoring service's tables."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from common.schema import UtcDateTime


def new_id() -> str:
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime(), dict: sa.JSON(none_as_null=True), list: sa.JSON(none_as_null=True)}


class RuleSet(Base):
    """A version of an industry authority's rule set: a draft until published (Art. 7, 39)."""

    __tablename__ = "rule_set"
    __table_args__ = (sa.UniqueConstraint("industry", "version"),)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    industry: Mapped[str] = mapped_column(sa.String(32), index=True)
    authority_id: Mapped[str] = mapped_column(sa.String(32))
    version: Mapped[int] = mapped_column(sa.Integer)
    effective_from: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(16))  # draft | published
    body: Mapped[dict]
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    created_by: Mapped[str] = mapped_column(sa.String(32))
    created_at: Mapped[datetime]
    published_by: Mapped[str | None] = mapped_column(sa.String(32))
    published_at: Mapped[datetime | None]


class LedgerEntry(Base):
    """One deduction or restoration: its source event, rule and rule-set version, evidence, project and
    subject (Art. 37). ``points`` < 0 deducts, > 0 restores. Never updated or deleted."""

    __tablename__ = "ledger_entry"
    __table_args__ = (
        sa.UniqueConstraint("source_event_id", "subject_id", "conduct", name="uq_ledger_entry_source"),
        sa.Index("ix_ledger_entry_subject_year", "subject_id", "year", "project_id"),
    )

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    subject_id: Mapped[str] = mapped_column(sa.String(32))
    subject_kind: Mapped[str] = mapped_column(sa.String(16))
    project_id: Mapped[str] = mapped_column(sa.String(32), index=True)
    year: Mapped[int] = mapped_column(sa.Integer)
    points: Mapped[Decimal] = mapped_column(sa.Numeric(8, 2))
    conduct: Mapped[str] = mapped_column(sa.String(40))
    article: Mapped[str] = mapped_column(sa.String(32))
    rule_id: Mapped[str | None] = mapped_column(sa.String(64))
    rule_set_id: Mapped[str] = mapped_column(sa.String(32))
    rule_set_version: Mapped[int] = mapped_column(sa.Integer)
    source_type: Mapped[str] = mapped_column(sa.String(24))  # warning | case | objection
    source_event_id: Mapped[str] = mapped_column(sa.String(80))
    evidence: Mapped[dict]
    capped: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    restores_entry_id: Mapped[str | None] = mapped_column(sa.String(32))
    occurred_at: Mapped[datetime]
    recorded_at: Mapped[datetime]


class ProjectScore(Base):
    __tablename__ = "project_score"

    subject_id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    project_id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    subject_kind: Mapped[str] = mapped_column(sa.String(16))
    score: Mapped[Decimal] = mapped_column(sa.Numeric(8, 2))
    updated_at: Mapped[datetime]


class AnnualScore(Base):
    """The annual composite of a subject across its projects (weighted by contract amount) and its colour."""

    __tablename__ = "annual_score"

    subject_id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    subject_kind: Mapped[str] = mapped_column(sa.String(16), index=True)
    composite: Mapped[Decimal] = mapped_column(sa.Numeric(8, 2))
    colour: Mapped[str] = mapped_column(sa.String(8))
    projects: Mapped[int] = mapped_column(sa.Integer)
    updated_at: Mapped[datetime]


class ScoreChange(Base):
    """The outside systems' feed (Art. 37(3)): each change of a score or colour and each bid ban, under
    a gap-free sequence number in commit order; relayed to the ``supervision.scores`` exchange."""

    __tablename__ = "score_change"

    sequence: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    routing_key: Mapped[str] = mapped_column(sa.String(64))
    subject_id: Mapped[str] = mapped_column(sa.String(32), index=True)
    payload: Mapped[dict]
    occurred_at: Mapped[datetime]
    published_at: Mapped[datetime | None] = mapped_column(index=True)


class FeedCounter(Base):
    """The last sequence number given: one row, locked by each writer until it commits (gap-free)."""

    __tablename__ = "feed_counter"

    name: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    last: Mapped[int] = mapped_column(sa.BigInteger)


class Objection(Base):
    __tablename__ = "objection"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    entry_id: Mapped[str] = mapped_column(sa.String(32), unique=True)
    subject_id: Mapped[str] = mapped_column(sa.String(32), index=True)
    project_id: Mapped[str] = mapped_column(sa.String(32))
    industry: Mapped[str] = mapped_column(sa.String(32), index=True)
    filed_by: Mapped[str] = mapped_column(sa.String(32))
    reasons: Mapped[str] = mapped_column(sa.Text)
    file_ids: Mapped[list]
    filed_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(sa.String(16))  # pending | upheld | dismissed
    decided_by: Mapped[str | None] = mapped_column(sa.String(32))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(sa.Text)
    restoration_entry_id: Mapped[str | None] = mapped_column(sa.String(32))


class BidBan(Base):
    """Who may not bid in the tender system, from when until when and why (Art. 27(2), 44)."""

    __tablename__ = "bid_ban"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    subject_id: Mapped[str] = mapped_column(sa.String(32), index=True)
    subject_kind: Mapped[str] = mapped_column(sa.String(16))
    starts_on: Mapped[date] = mapped_column(sa.Date)
    until: Mapped[date] = mapped_column(sa.Date)
    reason: Mapped[str] = mapped_column(sa.String(500))
    article: Mapped[str] = mapped_column(sa.String(32))
    source_event_id: Mapped[str] = mapped_column(sa.String(80), unique=True)


class UnmappedWarning(Base):
    """A warning rule the applicable rule set does not map: reported, never silently ignored."""

    __tablename__ = "unmapped_warning"

    rule_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    industry: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    article: Mapped[str] = mapped_column(sa.String(32))
    occurrences: Mapped[int] = mapped_column(sa.Integer)
    last_warning_id: Mapped[str] = mapped_column(sa.String(32))
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]


class DisposalTally(Base):
    """Art. 37(1): how many case steps each unit (owner, industry authority…) took in time and late."""

    __tablename__ = "disposal_tally"

    unit_id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    on_time: Mapped[int] = mapped_column(sa.Integer, default=0)
    late: Mapped[int] = mapped_column(sa.Integer, default=0)


class PartnerKey(Base):
    """An outside system's API key (audit, credit code, tender), stored as its SHA-256 only."""

    __tablename__ = "partner_key"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(100))
    system: Mapped[str] = mapped_column(sa.String(16))
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))
    created_by: Mapped[str] = mapped_column(sa.String(32))
    created_at: Mapped[datetime]
    revoked_by: Mapped[str | None] = mapped_column(sa.String(32))
    revoked_at: Mapped[datetime | None]
