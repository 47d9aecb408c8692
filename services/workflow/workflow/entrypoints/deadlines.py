"""Entrypoints of the deadlines: the sweep timer that fires every rung once when the platform
clock reaches it, the catch-up hooks of the manual clock (``catch_up_step``, ``caught_up``), and
a project's deadlines."""

from __future__ import annotations

from datetime import datetime

from common.service import query
from common.timer import timer
from workflow.usecases import deadlines


class DeadlineEntrypoints:
    """Mixed into WorkflowService; each entrypoint is a use case of :mod:`workflow.usecases.deadlines`."""

    @timer(interval=30)
    def sweep_deadlines(self):
        self.catch_up(self.clock.now())

    def catch_up_step(self, now: datetime) -> bool:
        return deadlines.catch_up_step(self.db.session, now)

    def caught_up(self, now: datetime) -> bool:
        return deadlines.caught_up(self.db.session, now)

    @query
    def project_deadlines(self, call, project_id: str, limit: int = 100, offset: int = 0) -> list[dict]:
        return deadlines.project_deadlines(call, project_id, limit, offset)
