"""The timer of the evaluations at each day's and month's end (Art. 26, 35, 42), and the steps in
which the service catches up with a new platform time."""

from __future__ import annotations

import logging
from datetime import datetime

from attendance.usecases import evaluations
from attendance.usecases.common import Call
from common.principal import SYSTEM
from common.timer import timer

logger = logging.getLogger(__name__)


class EvaluationEntrypoints:
    @timer(interval=60)
    def evaluate(self):
        self.catch_up(self.clock.now())

    def catch_up_step(self, now: datetime) -> bool:
        raised, done = evaluations.evaluate_due(Call(self.db.session, now, SYSTEM), max_days=1)
        if raised:
            logger.info("attendance warnings raised", extra={"count": raised})
        return done

    def caught_up(self, now: datetime) -> bool:
        return not evaluations.days_left_to_evaluate(Call(self.db.session, now, SYSTEM))
