"""RPC entrypoints of the console's figure of scores (Art. 37)."""

from __future__ import annotations

from common.service import query
from scoring.usecases import overview


class OverviewEntrypoints:
    @query
    def firm_colours(self, call, year: int | None = None) -> dict:
        return overview.firm_colours(call, year)
