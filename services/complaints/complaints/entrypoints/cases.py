"""RPC entrypoints of the disposal of cases down the four-level chain (Art. 8, 10–13, 29–30)."""

from __future__ import annotations

from common.service import command, query
from complaints.usecases import cases


class CaseEntrypoints:
    @query
    def list_cases(self, call, filters: dict | None = None, limit: int = 50, offset: int = 0) -> list[dict]:
        return cases.list_cases(call, filters, limit, offset)

    @query
    def my_cases(self, call, limit: int = 50, offset: int = 0) -> list[dict]:
        return cases.my_cases(call, limit, offset)

    @query
    def get_case(self, call, case_id: str) -> dict:
        return cases.get_case(call, case_id)

    @command
    def take_step(self, call, case_id: str, step: str, data: dict) -> dict:
        return cases.take_step(call, case_id, step, data)

    @command
    def file_clue(self, call, data: dict) -> dict:
        return cases.file_clue(call, data)
