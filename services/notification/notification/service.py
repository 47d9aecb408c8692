"""The notification service's nameko class: its name, dependencies and rules, and the entrypoints
composed from :mod:`notification.entrypoints`, one mixin per process."""

from __future__ import annotations

from pathlib import Path

from common.service import PlatformService
from notification.domain.rules import NotificationRules
from notification.usecases.common import Call

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class NotificationService(PlatformService):
    name = "notification"
    rules_cls = NotificationRules

    def _call(self) -> Call:
        return Call(self.db.session, self.clock.now(), self.caller)


SERVICE_CLASS = NotificationService
