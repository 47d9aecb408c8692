"""What the scoring use cases share: the Call and its rules."""

from __future__ import annotations

from common import usecase
from common.rule_settings import RulesCache
from scoring.domain.rules import ScoringRules

RULES = RulesCache(ScoringRules)


class Call(usecase.Call):
    def rules(self) -> ScoringRules:
        return RULES.get(self.session)
