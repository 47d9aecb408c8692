"""The ledger's decisions (Art. 37, 39–49): which deductions a conduct brings, against whom, within the
caps of the rule set; which warning rule maps to which conduct; an upheld objection's restoration.

Facts come in as :class:`ConductFact` (from a warning, a closed case); the totals already deducted
in the year come in as :class:`Deducted`; decisions go out as :class:`Deduction`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from scoring.domain.rule_sets import CONDUCTS, RuleSetVersion


@dataclass(frozen=True)
class ConductFact:
    """One occurrence of a conduct on a project, with who it names."""

    conduct: str
    project_id: str
    firm_id: str | None = None
    person_id: str | None = None
    owner_id: str | None = None


@dataclass(frozen=True)
class Deducted:
    """Points already deducted from subjects in the year, for the caps."""

    per_project: dict[tuple[str, str, str], Decimal] = field(default_factory=dict)  # (subject, project, conduct)
    per_year: dict[tuple[str, str], Decimal] = field(default_factory=dict)  # (subject, conduct)


@dataclass(frozen=True)
class Deduction:
    subject_id: str
    target: str
    conduct: str
    article: str
    points: Decimal  # negative: points taken off
    capped: bool
    bid_ban_days: int | None


def counted(deducted: Deducted, project_id: str, decided: list[Deduction]) -> Deducted:
    """``deducted`` with the deductions ``decided`` for one occurrence on ``project_id`` added: what an
    occurrence takes counts towards the caps of the next one handled in the same transaction."""
    per_project, per_year = dict(deducted.per_project), dict(deducted.per_year)
    for deduction in decided:
        lost = -deduction.points
        project_key = (deduction.subject_id, project_id, deduction.conduct)
        per_project[project_key] = per_project.get(project_key, Decimal(0)) + lost
        year_key = (deduction.subject_id, deduction.conduct)
        per_year[year_key] = per_year.get(year_key, Decimal(0)) + lost
    return Deducted(per_project, per_year)


def conduct_of_warning(rule_set: RuleSetVersion, rule_id: str) -> str | None:
    """The conduct a warning rule counts as under ``rule_set``; None: not mapped (reported, never
    silently ignored)."""
    return rule_set.body.warning_rules.get(rule_id)


def deductions(fact: ConductFact, rule_set: RuleSetVersion, deducted: Deducted) -> list[Deduction]:
    """The deductions of one occurrence: one per rule of its conduct whose target the fact names, each
    cut to what the caps per project and per year leave; a rule whose caps are used up deducts
    nothing."""
    decided = []
    for rule in rule_set.rules_for(fact.conduct):
        subject = {"firm": fact.firm_id, "person": fact.person_id, "owner": fact.owner_id}[rule.target]
        if subject is None or rule.points == 0:
            continue
        room = rule.points
        if rule.cap_per_project is not None:
            room = min(room, rule.cap_per_project
                       - deducted.per_project.get((subject, fact.project_id, fact.conduct), Decimal(0)))
        if rule.cap_per_year is not None:
            room = min(room, rule.cap_per_year - deducted.per_year.get((subject, fact.conduct), Decimal(0)))
        room = max(room, Decimal(0))
        if room == 0:
            continue
        decided.append(Deduction(subject, rule.target, fact.conduct, CONDUCTS[fact.conduct][0], -room,
                                 room < rule.points, rule.bid_ban_days))
    return decided
