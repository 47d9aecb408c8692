"""The sweep of the steps' time limits on the platform clock (reminders, escalations), and the
catch-up hooks of the manual clock (``catch_up_step``, ``caught_up``)."""

from __future__ import annotations

from datetime import datetime

from common.timer import timer
from complaints.usecases import deadlines


class DeadlineEntrypoints:
    @timer(interval=30)
    def sweep_step_limits(self):
        self.catch_up(self.clock.now())

    def catch_up_step(self, now: datetime) -> bool:
        return deadlines.catch_up_step(self.db.session, now)

    def caught_up(self, now: datetime) -> bool:
        return deadlines.caught_up(self.db.session, now)
