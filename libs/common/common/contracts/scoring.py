"""Answers and requests of scoring (Art. 7, 37, 39–49): rule sets, scores with their five-colour code,
the ledger, objections, the outside systems' feed and their keys."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from common.contracts.types import Day, PlatformDate, Timestamp, View

Colour = Literal["green", "blue", "yellow", "orange", "red"]
SubjectKind = Literal["firm", "person", "owner", "authority"]
Points = str  # decimal text, e.g. "-3.00"


class DeductionRuleView(View):
    conduct: str
    target: Literal["firm", "person", "owner"]
    points: Points
    cap_per_project: Points | None = None
    cap_per_year: Points | None = None
    bid_ban_days: int | None = None


class RuleSetBodyView(View):
    rules: list[DeductionRuleView]
    warning_rules: dict[str, str] = Field(description="Warning rule id → conduct of Art. 40–49.")


class RuleSetView(View):
    id: str
    industry: str = Field(description="The industry; `*` for the platform's default (version 0).")
    authority_id: str | None
    version: int
    effective_from: Day
    status: Literal["draft", "published"]
    note: str
    body: RuleSetBodyView
    created_by: str | None
    created_at: Timestamp | None
    published_by: str | None
    published_at: Timestamp | None


class DeductionRuleRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    conduct: str = Field(max_length=40, description="One of the conducts of Art. 40–49, e.g. missed_attendance.")
    target: Literal["firm", "person", "owner"]
    points: float = Field(ge=0, le=100)
    cap_per_project: float | None = Field(None, ge=0, le=1000)
    cap_per_year: float | None = Field(None, ge=0, le=1000)
    bid_ban_days: int | None = Field(None, ge=1, le=3650)


class RuleSetBodyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rules: list[DeductionRuleRequest] = Field(min_length=1, max_length=200)
    warning_rules: dict[str, str] = Field(default_factory=dict)


class RuleSetRequest(BaseModel):
    """A draft version of the caller's industry's rule set (Art. 7, 39)."""

    model_config = ConfigDict(extra="forbid")
    effective_from: PlatformDate
    note: str = Field("", max_length=500)
    body: RuleSetBodyRequest


class RuleSetPreviewView(View):
    subject_id: str
    subject_kind: SubjectKind
    project_id: str
    year: int
    current_score: Points
    preview_score: Points
    current_colour: Colour
    preview_colour: Colour


class UnmappedWarningView(View):
    rule_id: str
    industry: str
    article: str
    occurrences: int
    last_warning_id: str
    first_seen: Timestamp
    last_seen: Timestamp


class ScoreView(View):
    """A subject's annual composite (weighted by contract amount) and its five-colour code."""

    subject_id: str
    subject_kind: SubjectKind
    year: int
    composite: Points
    colour: Colour
    projects: int
    updated_at: Timestamp
    disposal_steps: int | None = Field(None, description="Owners and authorities: case steps taken (Art. 37(1)).")
    disposal_on_time_share: str | None = Field(None, description="Share of those steps taken in time.")


class ObjectionView(View):
    id: str
    entry_id: str
    subject_id: str
    project_id: str
    industry: str
    filed_by: str
    reasons: str
    file_ids: list[str]
    filed_at: Timestamp
    status: Literal["pending", "upheld", "dismissed"]
    decided_by: str | None
    decided_at: Timestamp | None
    decision_note: str | None
    restoration_entry_id: str | None


class LedgerEntryView(View):
    id: str
    subject_id: str
    subject_kind: SubjectKind
    project_id: str
    year: int
    points: Points = Field(description="Negative: deducted; positive: restored.")
    conduct: str
    article: str
    rule_id: str | None
    rule_set_id: str
    rule_set_version: int
    source_type: Literal["warning", "case", "objection"]
    source_event_id: str
    evidence: dict[str, JsonValue]
    capped: bool
    restores_entry_id: str | None
    occurred_at: Timestamp
    recorded_at: Timestamp
    objection: ObjectionView | None


class MyScoresView(View):
    year: int
    scores: list[ScoreView]
    ledger: list[LedgerEntryView]


class ObjectionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reasons: str = Field(min_length=1, max_length=4000)
    file_ids: list[str] = Field(default_factory=list, max_length=20)


class ObjectionDecisionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    upheld: bool
    note: str = Field(min_length=1, max_length=4000)


class ProjectScoreView(View):
    project_id: str
    score: Points


class BidBanView(View):
    id: str
    subject_id: str
    subject_kind: Literal["firm", "person"]
    starts_on: Day
    until: Day
    reason: str
    article: str


class SubjectScoreView(ScoreView):
    project_scores: list[ProjectScoreView]
    bid_bans: list[BidBanView]


class ScoreChangeView(View):
    sequence: int
    routing_key: str = Field(description="score.changed.<subject kind> or bid_ban.imposed.<subject kind>")
    payload: dict[str, JsonValue] = Field(description="The message as on the exchange: common.events.ScoreChanged "
                                                      "or BidBanImposed (docs/asyncapi/scoring.yaml).")


class ScoreChangesView(View):
    changes: list[ScoreChangeView]
    next_cursor: int = Field(description="Pass as `after` for the next page.")


class PartnerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    system: Literal["audit", "credit_code", "tender", "other"]


class PartnerView(View):
    id: str
    name: str
    system: str
    prefix: str
    created_by: str
    created_at: Timestamp
    revoked_by: str | None
    revoked_at: Timestamp | None


class PartnerCreatedView(PartnerView):
    key: str = Field(description="The API key, shown this once; only its SHA-256 is kept.")
