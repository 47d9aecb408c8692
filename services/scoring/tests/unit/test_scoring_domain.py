"""The scoring rules as plain Python: rule sets, deductions with caps, scores, the composite, colours,
objections."""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from scoring.domain import ledger, objections, scores
from scoring.domain.rule_sets import (
    CONDUCTS,
    DEFAULT_RULE_SET,
    DEFAULT_WARNING_RULES,
    RuleSetBody,
    RuleSetRefused,
    RuleSetVersion,
    applicable,
    check_publishable,
)
from scoring.domain.rules import ScoringRules

RULES = ScoringRules()
SERVICES = Path(__file__).resolve().parents[3]


def raised_rule_ids() -> set[str]:
    """Every warning rule id the attendance and workflow services name in their domain today."""
    found = set()
    for folder in ("attendance/attendance/domain", "workflow/workflow/domain"):
        for path in (SERVICES / folder).glob("*.py"):
            found |= set(re.findall(r'^[A-Z_]+ = "(art\d+\.[a-z0-9.-]+)"', path.read_text(), re.MULTILINE))
    return found


def test_every_warning_rule_the_services_raise_is_mapped_by_the_default():
    raised = raised_rule_ids()
    assert len(raised) >= 19  # the scan itself works
    assert raised - set(DEFAULT_WARNING_RULES) == set()


def test_the_default_maps_only_to_conducts_with_rules():
    with_rules = {rule.conduct for rule in DEFAULT_RULE_SET.body.rules}
    assert set(DEFAULT_WARNING_RULES.values()) <= with_rules <= set(CONDUCTS)


def body(**rule):
    return {"rules": [{"conduct": "missed_attendance", "target": "firm", "points": "2", **rule}]}


@pytest.mark.parametrize("rule, field", [
    ({"conduct": "napping"}, "conduct"), ({"points": "-1"}, "points"), ({"cap_per_project": "-5"}, "cap_per_project"),
    ({"cap_per_year": "-1"}, "cap_per_year"), ({"target": "mayor"}, "target")])
def test_a_rule_set_that_does_not_validate_is_refused_with_the_field(rule, field):
    with pytest.raises(ValidationError) as refused:
        RuleSetBody.model_validate(body(**rule))
    assert field in str(refused.value)


def test_a_warning_rule_mapped_to_an_unknown_conduct_is_refused():
    with pytest.raises(ValidationError, match="unknown conduct"):
        RuleSetBody.model_validate({**body(), "warning_rules": {"art42.monthly-rate": "sleeping"}})


def version(effective: date, number: int = 1, industry: str = "housing") -> RuleSetVersion:
    return RuleSetVersion(f"v{number}", industry, number, effective, RuleSetBody.model_validate(body()))


def test_a_version_applies_from_its_effective_date_never_before():
    first, second = version(date(2027, 1, 1), 1), version(date(2027, 7, 1), 2)
    assert applicable([first, second], "housing", date(2026, 12, 31)) is DEFAULT_RULE_SET
    assert applicable([first, second], "housing", date(2027, 6, 30)) is first
    assert applicable([first, second], "housing", date(2027, 7, 1)) is second
    assert applicable([first, second], "water", date(2027, 7, 1)) is DEFAULT_RULE_SET


def test_overlapping_or_past_effective_dates_are_refused():
    published = [version(date(2027, 3, 1))]
    with pytest.raises(RuleSetRefused, match="overlaps"):
        check_publishable(date(2027, 3, 1), published, "housing", date(2027, 1, 1))
    with pytest.raises(RuleSetRefused, match="overlaps"):
        check_publishable(date(2027, 2, 1), published, "housing", date(2027, 1, 1))
    with pytest.raises(RuleSetRefused, match="past"):
        check_publishable(date(2026, 12, 31), [], "housing", date(2027, 1, 1))
    check_publishable(date(2027, 3, 2), published, "housing", date(2027, 1, 1))
    check_publishable(date(2027, 2, 1), published, "water", date(2027, 1, 1))


def test_a_conduct_deducts_from_each_target_it_names():
    fact = ledger.ConductFact("missed_attendance", "p1", firm_id="f1", person_id="u1", owner_id="o1")
    decided = ledger.deductions(fact, DEFAULT_RULE_SET, ledger.Deducted())
    assert {(one.subject_id, one.points) for one in decided} == {("f1", Decimal("-1")), ("u1", Decimal("-1"))}
    assert all(one.article == "Art. 42" for one in decided)


def test_caps_per_project_and_per_year_cut_the_deduction():
    fact = ledger.ConductFact("skipped_process", "p1", firm_id="f1")
    near_project_cap = ledger.Deducted(per_project={("f1", "p1", "skipped_process"): Decimal(14)})
    (one,) = ledger.deductions(fact, DEFAULT_RULE_SET, near_project_cap)
    assert one.points == Decimal(-1) and one.capped
    at_year_cap = ledger.Deducted(per_year={("f1", "skipped_process"): Decimal(30)})
    assert ledger.deductions(fact, DEFAULT_RULE_SET, at_year_cap) == []


def test_an_unmapped_warning_rule_has_no_conduct():
    assert ledger.conduct_of_warning(DEFAULT_RULE_SET, "art99.new-rule") is None
    assert ledger.conduct_of_warning(DEFAULT_RULE_SET, "art42.monthly-rate") == "low_attendance_rate"


def test_project_score_stays_within_zero_and_the_base():
    assert scores.project_score([Decimal(-3), Decimal(-2)], RULES) == Decimal("95.00")
    assert scores.project_score([Decimal(-300)], RULES) == Decimal("0.00")
    assert scores.project_score([Decimal(-3), Decimal(3), Decimal(5)], RULES) == Decimal("100.00")


def test_the_composite_is_weighted_by_contract_amount():
    # 90 on a 30-million project and 60 on a 10-million one: (30·90 + 10·60) / 40 = 82.5
    assert scores.composite([(Decimal(90), Decimal(30_000_000)), (Decimal(60), Decimal(10_000_000))],
                            RULES) == Decimal("82.50")
    # a project without an amount weighs minimum_weight_yuan
    assert scores.composite([(Decimal(50), None), (Decimal(100), Decimal(0))], RULES) == Decimal("75.00")
    assert scores.composite([], RULES) == Decimal("100.00")


@pytest.mark.parametrize("score, colour", [
    ("100", "green"), ("90", "green"), ("89.99", "blue"), ("80", "blue"), ("79.5", "yellow"), ("70", "yellow"),
    ("60", "orange"), ("59.99", "red"), ("0", "red")])
def test_five_colour_bands(score, colour):
    assert scores.colour(Decimal(score), RULES) == colour


def test_bands_are_settings_and_must_descend():
    assert scores.colour(Decimal(85), ScoringRules(green_min=Decimal(85))) == "green"
    with pytest.raises(ValidationError, match="descend"):
        ScoringRules(blue_min=Decimal(95))


RECORDED = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)


def entry(points="-3", subject="f1", contested=False):
    return objections.EntryFacts("e1", subject, Decimal(points), RECORDED, contested)


def test_an_objection_within_the_window_on_ones_own_deduction_is_accepted():
    objections.check_filing(entry(), frozenset({"f1"}), RECORDED + timedelta(days=15), RULES)


@pytest.mark.parametrize("facts, now, reason", [
    (entry(), RECORDED + timedelta(days=15, seconds=1), "window"),
    (entry(subject="f2"), RECORDED, "no such entry"),
    (entry(points="3"), RECORDED, "only a deduction"),
    (entry(contested=True), RECORDED, "contested already")])
def test_an_objection_is_refused(facts, now, reason):
    with pytest.raises(objections.ObjectionRefused, match=reason):
        objections.check_filing(facts, frozenset({"f1"}), now, RULES)


def test_an_upheld_objection_restores_the_points_a_dismissed_one_nothing():
    assert objections.restoration(Decimal(-3), True) == Decimal(3)
    assert objections.restoration(Decimal(-3), False) is None


def test_changed_subjects_are_those_whose_composite_or_colour_moved_or_whose_project_score_moved():
    from scoring.domain.scores import Standing, changed_subjects
    before = {"a": Standing("firm", Decimal("99.00"), "green"), "b": Standing("firm", Decimal("85"), "blue"),
              "c": Standing("owner", Decimal("100"), "green")}
    after = {"a": Standing("firm", Decimal("99"), "green"), "b": Standing("firm", Decimal("85.00"), "green"),
             "c": Standing("owner", Decimal("99.50"), "green"), "d": Standing("firm", Decimal("100"), "green")}
    assert changed_subjects(before, after) == ["b", "c", "d"]  # recoloured, rescored, scored the first time
    assert changed_subjects(before, after, rescored=["a"]) == ["a", "b", "c", "d"]
    assert changed_subjects(after, after) == []
