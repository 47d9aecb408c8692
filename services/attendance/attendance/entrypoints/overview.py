"""RPC entrypoints of the console's figure of attendance (Art. 26)."""

from __future__ import annotations

from attendance.usecases import overview
from common.service import query


class OverviewEntrypoints:
    @query
    def attendance_today(self, call, limit: int = 1000) -> dict:
        return overview.attendance_today(call, limit)
