"""What the notification use cases share: the Call and its rules, the registry copy as the domain
reads it, the back office's check and the metrics."""

from __future__ import annotations

from prometheus_client import Counter

from common import registry_copy, usecase
from common.contracts.registry import Post, UnitKind
from common.errors import PermissionDenied
from common.rule_settings import RulesCache
from notification.domain.rules import NotificationRules

RULES = RulesCache(NotificationRules)

MESSAGES = Counter("supervision_notification_messages_total",
                   "Deliveries by channel and outcome (sent, failed attempt, parked); alert on parked",
                   ["channel", "outcome"])


class Call(usecase.Call):
    def rules(self) -> NotificationRules:
        return RULES.get(self.session)

    def require_back_office(self) -> None:
        """The leading group's back office, as the copy of the registry knows the caller."""
        user_id = self.principal.user_id
        if self.principal.portal != "zzd" or not user_id or \
                not registry_copy.actor(self.session, user_id).is_back_office:
            raise PermissionDenied("only the leading group's back office may do this")


class CopyDirectory:
    """The registry copy as :class:`notification.domain.recipients.Directory`."""

    def __init__(self, session) -> None:
        self.session = session

    def unit_kind(self, unit_id: str) -> UnitKind | None:
        unit = registry_copy.unit(self.session, unit_id)
        return None if unit is None else unit.kind

    def holders(self, unit_id: str, posts: tuple[Post, ...]) -> list[str]:
        return registry_copy.holders(self.session, unit_id, posts)
