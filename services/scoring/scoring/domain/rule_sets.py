"""Rule sets (Art. 7, 39–49): each industry authority sets which conduct deducts how many points from
whom, with caps per project and per year; the platform applies them automatically.

The conducts are the kinds named in Art. 40–49. A rule set also maps the warning rules the services
raise (``rule_id``) to a conduct. The platform ships a default rule set (:data:`DEFAULT_RULE_SET`,
version 0, effective for every industry until the industry's authority publishes its own): its
points and caps are the platform's documented choice — the regulation names the conduct, not the
points. A warning whose rule the applicable rule set does not map deducts nothing and is reported
(logged, counted, listed by ``GET /zzd/v1/rule-sets/unmapped-warnings``).

A version applies from its effective date, never to what happened before it (:func:`applicable`);
a new version's effective date must lie after every published version's of the industry and not in
the past (:func:`check_publishable`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# Art. 40–49: the conduct the rules score.
CONDUCTS: dict[str, tuple[str, str]] = {
    "late_or_false_report": ("Art. 40", "late, missing, false or hidden reports"),
    "contract_breach": ("Art. 41", "breaking contract terms"),
    "missed_attendance": ("Art. 42", "missed attendance (consecutive days without attendance, missed patrols)"),
    "low_attendance_rate": ("Art. 42", "a monthly attendance rate under the threshold"),
    "skipped_process": ("Art. 43", "not following the change, concealed-works or acceptance process"),
    "termination_caused": ("Art. 44", "a termination caused by the firm"),
    "late_rectification": ("Art. 45", "late handling of supervision notices"),
    "missing_records": ("Art. 46", "missing supervision logs, concealed-works or change records"),
    "attendance_cheating": ("Art. 47", "attendance cheating (simulated position, cracked software)"),
    "refusing_supervision": ("Art. 48", "refusing to be supervised on the platform"),
    "complaint_substantiated": ("Art. 49", "a complaint found true"),
}
# Whom a rule deducts from: the warning's firm, its key person, the project's owner, or (for cases) the
# unit or person found responsible.
Target = Literal["firm", "person", "owner"]
SubjectKind = Literal["firm", "person", "owner", "authority"]


class DeductionRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    conduct: str = Field(max_length=40, description="One of the conducts of Art. 40–49.")
    target: Target = Field(description="Whom it deducts from: the firm, the key person or the project's owner.")
    points: Decimal = Field(ge=0, le=100, description="Points deducted per occurrence.")
    cap_per_project: Decimal | None = Field(None, ge=0, le=1000,
                                            description="At most this many points per subject, project and year.")
    cap_per_year: Decimal | None = Field(None, ge=0, le=1000,
                                         description="At most this many points per subject and year.")
    bid_ban_days: int | None = Field(None, ge=1, le=3650,
                                     description="Art. 44: the firm may not bid for this many days (停业整顿).")

    @field_validator("conduct")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in CONDUCTS:
            raise ValueError(f"unknown conduct; one of {', '.join(CONDUCTS)}")
        return value


class RuleSetBody(BaseModel):
    """What an industry authority writes: the rules and the warning mapping."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: list[DeductionRule] = Field(min_length=1, max_length=200)
    warning_rules: dict[str, str] = Field(default_factory=dict, max_length=500,
                                          description="Warning rule id → conduct.")

    @field_validator("warning_rules")
    @classmethod
    def _known_conducts(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(rule for rule, conduct in value.items() if conduct not in CONDUCTS)
        if unknown:
            raise ValueError(f"unknown conduct for warning rules {', '.join(unknown)}")
        return value

    @model_validator(mode="after")
    def _one_rule_per_conduct_and_target(self):
        seen = set()
        for rule in self.rules:
            key = (rule.conduct, rule.target)
            if key in seen:
                raise ValueError(f"two rules for conduct {rule.conduct} and target {rule.target}")
            seen.add(key)
        return self


@dataclass(frozen=True)
class RuleSetVersion:
    """A published (or draft) version as the ledger applies it."""

    id: str
    industry: str
    version: int
    effective_from: date
    body: RuleSetBody

    def rules_for(self, conduct: str) -> list[DeductionRule]:
        return [rule for rule in self.body.rules if rule.conduct == conduct]


def _rule(conduct, target, points, per_project=None, per_year=None, bid_ban_days=None) -> DeductionRule:
    return DeductionRule(conduct=conduct, target=target, points=Decimal(points),
                         cap_per_project=None if per_project is None else Decimal(per_project),
                         cap_per_year=None if per_year is None else Decimal(per_year), bid_ban_days=bid_ban_days)


# The platform's default (documented in README.md, "Scoring"): every warning rule the attendance and
# workflow services raise, mapped to its conduct of Art. 40–49.
DEFAULT_WARNING_RULES: dict[str, str] = {
    "art42.consecutive-absence": "missed_attendance",
    "art42.monthly-rate": "low_attendance_rate",
    "art26.patrol-overdue": "missed_attendance",
    "art47.suspected-spoofing": "attendance_cheating",
    "art31.acceptance.government-small": "skipped_process",
    "art31.acceptance.government-large": "skipped_process",
    "art31.acceptance.village-self": "skipped_process",
    "art31.acceptance.village-township": "skipped_process",
    "art32.settlement-audit.small": "late_or_false_report",
    "art32.settlement-audit.large": "late_or_false_report",
    "art24.readiness-at-planned-start": "late_or_false_report",
    "art28.concealed.inspection": "skipped_process",
    "art28.concealed.owner-review": "skipped_process",
    "art28.photo-evidence-suspect": "late_or_false_report",
    "art27.after-the-fact-change": "skipped_process",
    "art46.supervision-log": "missing_records",
    "art45.notice-rectification": "late_rectification",
    "art45.notice-verification": "late_rectification",
    "art45.refused-rectification": "late_rectification",
}
DEFAULT_RULE_SET = RuleSetVersion(
    id="default", industry="*", version=0, effective_from=date(2000, 1, 1),
    body=RuleSetBody(rules=[
        _rule("late_or_false_report", "firm", 2, 10, 20),
        _rule("late_or_false_report", "owner", 2, 10, 20),
        _rule("contract_breach", "firm", 3, 15, 30),
        _rule("missed_attendance", "person", 1, 10, 20),
        _rule("missed_attendance", "firm", 1, 10, 20),
        _rule("low_attendance_rate", "person", 2, 12, 24),
        _rule("low_attendance_rate", "firm", 2, 12, 24),
        _rule("skipped_process", "firm", 3, 15, 30),
        _rule("skipped_process", "owner", 3, 15, 30),
        _rule("termination_caused", "firm", 20, 20, 40, bid_ban_days=180),
        _rule("late_rectification", "firm", 2, 10, 20),
        _rule("missing_records", "firm", 1, 10, 20),
        _rule("attendance_cheating", "person", 5, 20, 40),
        _rule("attendance_cheating", "firm", 5, 20, 40),
        _rule("refusing_supervision", "firm", 10, 30, 50),
        _rule("refusing_supervision", "owner", 10, 30, 50),
        _rule("complaint_substantiated", "firm", 5, 20, 40),
        _rule("complaint_substantiated", "person", 3, 15, 30),
        _rule("complaint_substantiated", "owner", 5, 20, 40),
    ], warning_rules=DEFAULT_WARNING_RULES),
)


def applicable(published: list[RuleSetVersion], industry: str, on: date) -> RuleSetVersion:
    """The version of ``industry`` in force on ``on``: the published one with the latest effective date
    not after it; the platform's default before the industry's first."""
    candidates = [one for one in published if one.industry == industry and one.effective_from <= on]
    return max(candidates, key=lambda one: (one.effective_from, one.version), default=DEFAULT_RULE_SET)


class RuleSetRefused(ValueError):
    def __init__(self, field: str, reason: str):
        super().__init__(reason)
        self.field, self.reason = field, reason


def check_publishable(effective_from: date, published: list[RuleSetVersion], industry: str, today: date) -> None:
    """A version applies from its effective date, never to what happened before it: the date may not
    lie in the past, nor on or before a published version's of the industry (the periods would overlap)."""
    if effective_from < today:
        raise RuleSetRefused("effective_from", "lies in the past: a rule set never applies to what happened "
                                               "before it")
    clash = [one for one in published if one.industry == industry and one.effective_from >= effective_from]
    if clash:
        latest = max(clash, key=lambda one: one.effective_from)
        raise RuleSetRefused("effective_from", f"overlaps version {latest.version}, effective from "
                                               f"{latest.effective_from.isoformat()}")
