"""RPC entrypoints of the statistics and model queries (Art. 8)."""

from __future__ import annotations

from common.service import query
from common.timer import timer
from complaints.usecases import stats


class StatsEntrypoints:
    @timer(interval=60)
    def measure_cases(self):
        stats.measure_cases(self.db.session, self.clock.now())

    @query
    def case_stats(self, call, by: str) -> list[dict]:
        return stats.case_stats(call, by)

    @query
    def warning_stats(self, call, by: str) -> list[dict]:
        return stats.warning_stats(call, by)

    @query
    def overdue_cases(self, call, limit: int = 50, offset: int = 0) -> list[dict]:
        return stats.overdue_cases(call, limit, offset)

    @query
    def step_times(self, call) -> list[dict]:
        return stats.step_times(call)

    @query
    def on_time_shares(self, call) -> list[dict]:
        return stats.on_time_shares(call)
