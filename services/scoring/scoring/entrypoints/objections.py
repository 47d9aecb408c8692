"""RPC entrypoints of objections (Art. 37)."""

from __future__ import annotations

from common.service import command, query
from scoring.usecases import objections


class ObjectionEntrypoints:
    @command
    def file_objection(self, call, entry_id: str, data: dict) -> dict:
        return objections.file_objection(call, entry_id, data)

    @query
    def list_objections(self, call, status: str | None = None, limit: int = 100, offset: int = 0) -> list[dict]:
        return objections.list_objections(call, status, limit, offset)

    @command
    def decide_objection(self, call, objection_id: str, data: dict) -> dict:
        return objections.decide_objection(call, objection_id, data)
