"""The scoring service's settings (Art. 8): the base score, the bands of the five-colour code, the
objection window, and the weights of the composite. Each figure is a setting
whose default is the regulation's where it gives one, and the platform's (documented as such) where
it does not; each names the article it serves."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field, model_validator

from common.rule_settings import RuleSettings


def _setting(default, article: str, description: str, **bounds):
    return Field(default, description=description, json_schema_extra={"article": article}, **bounds)


class ScoringRules(RuleSettings):
    """The scoring service's settings, changeable by the back office at run time."""

    base_score: Decimal = _setting(
        Decimal("100"), "Art. 37",
        "Every subject starts each year and each project at this score; deductions take points off it, "
        "never below 0 (the regulation gives no figure: the platform's choice).", gt=0, le=1000)
    green_min: Decimal = _setting(
        Decimal("90"), "Art. 37(3)",
        "Five-colour code (五色码): a score at or above this is green (no public source gives the bands: "
        "the platform's choice).", ge=0, le=1000)
    blue_min: Decimal = _setting(Decimal("80"), "Art. 37(3)", "At or above this (and below green): blue.",
                                 ge=0, le=1000)
    yellow_min: Decimal = _setting(Decimal("70"), "Art. 37(3)", "At or above this (and below blue): yellow.",
                                   ge=0, le=1000)
    orange_min: Decimal = _setting(Decimal("60"), "Art. 37(3)",
                                   "At or above this (and below yellow): orange; below it: red.", ge=0, le=1000)
    objection_window_days: int = _setting(
        15, "Art. 37",
        "A firm may contest a ledger entry within this many days of its recording (the regulation gives no "
        "figure: the platform's choice, after the usual 15 days of administrative objections).", ge=1, le=365)
    minimum_weight_yuan: Decimal = _setting(
        Decimal("1"), "Art. 37",
        "The composite weighs each project by its contract amount; a project without an amount weighs this "
        "much (the platform's choice).", gt=0)

    @model_validator(mode="after")
    def _bands_descend(self):
        if not (self.base_score >= self.green_min >= self.blue_min >= self.yellow_min >= self.orange_min):
            raise ValueError("the bands must descend: base_score ≥ green_min ≥ blue_min ≥ yellow_min ≥ orange_min")
        return self
