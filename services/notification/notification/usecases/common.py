"""What the notification use cases share: the Call and its rules."""

from __future__ import annotations

from common import usecase
from common.rule_settings import RulesCache
from notification.domain.rules import NotificationRules

RULES = RulesCache(NotificationRules)


class Call(usecase.Call):
    def rules(self) -> NotificationRules:
        return RULES.get(self.session)
