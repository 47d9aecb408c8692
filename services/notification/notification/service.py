"""The notification service's nameko class: its name, dependencies and rules, and the entrypoints
composed from :mod:`notification.entrypoints`, one mixin per process, with the copy of the registry
(who holds which post where) of :mod:`common.registry_copy`."""

from __future__ import annotations

from pathlib import Path

from common.principal import ServiceRpc
from common.registry_copy import RegistryCopyEntrypoints
from common.service import PlatformService
from notification.channels import Channels
from notification.domain.rules import NotificationRules
from notification.entrypoints.delivery import DeliveryEntrypoints
from notification.entrypoints.intake import IntakeEntrypoints
from notification.usecases.common import Call

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class NotificationService(IntakeEntrypoints, DeliveryEntrypoints, RegistryCopyEntrypoints, PlatformService):
    name = "notification"
    rules_cls = NotificationRules

    workflow = ServiceRpc("workflow")
    channels = Channels()

    def _call(self) -> Call:
        return Call(self.db.session, self.clock.now(), self.caller)


SERVICE_CLASS = NotificationService
