"""Entrypoints of the delivery: the timer that sends what is due at the platform time (and the
catch-up hooks of the manual clock, ``catch_up_step`` and ``caught_up``), and the back office's
delivery log and resend."""

from __future__ import annotations

from datetime import datetime

from common.service import command, query
from common.timer import timer
from notification.usecases import delivery


class DeliveryEntrypoints:
    """Mixed into NotificationService; each entrypoint is a use case of :mod:`notification.usecases.delivery`."""

    @timer(interval=5)
    def send_due(self):
        self.catch_up(self.clock.now())

    def catch_up_step(self, now: datetime) -> bool:
        return delivery.catch_up_step(self.db.session, now, self.channels, self._phone_of)

    def caught_up(self, now: datetime) -> bool:
        return delivery.caught_up(self.db.session, now)

    def _phone_of(self, user_id: str) -> str | None:
        return self.workflow.user_phone(user_id)["phone"]

    @query
    def list_deliveries(self, call, status: str | None = None, recipient_user_id: str | None = None,
                        limit: int = 50, offset: int = 0) -> list[dict]:
        return delivery.list_deliveries(call, status, recipient_user_id, limit, offset)

    @query
    def get_delivery(self, call, delivery_id: str) -> dict:
        return delivery.get_delivery(call, delivery_id)

    @command
    def resend_delivery(self, call, delivery_id: str) -> dict:
        return delivery.resend(call, delivery_id)
