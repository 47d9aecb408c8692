"""What the complaints use cases share: the Call and its rules."""

from __future__ import annotations

from common import usecase
from common.rule_settings import RulesCache
from complaints.domain.rules import CaseRules

RULES = RulesCache(CaseRules)


class Call(usecase.Call):
    def rules(self) -> CaseRules:
        return RULES.get(self.session)
