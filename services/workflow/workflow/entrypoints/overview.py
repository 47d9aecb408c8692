"""RPC entrypoints of the console's figure of projects (Art. 8)."""

from __future__ import annotations

from common.service import query
from workflow.usecases import overview


class OverviewEntrypoints:
    @query
    def project_counts(self, call) -> list[dict]:
        return overview.project_counts(call)
