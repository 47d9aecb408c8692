"""RPC entrypoints of the console's figures of cases (Art. 8)."""

from __future__ import annotations

from common.service import query
from complaints.usecases import overview


class OverviewEntrypoints:
    @query
    def warnings_this_week(self, call) -> dict:
        return overview.warnings_this_week(call)

    @query
    def open_cases_by_level(self, call) -> list[dict]:
        return overview.open_cases_by_level(call)

    @query
    def open_warnings_by_project(self, call, limit: int = 1000) -> list[dict]:
        return overview.open_warnings_by_project(call, limit)
