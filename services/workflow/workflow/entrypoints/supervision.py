"""RPC entrypoints of the supervision records (Art. 22–23, 45–46) and subcontracts (Art. 36)."""

from __future__ import annotations

from common.service import command, query
from workflow.usecases import supervision


class SupervisionEntrypoints:
    @command
    def record_supervision(self, call, data: dict) -> dict:
        """A supervision log (one per project and day) or a stand-by record."""
        return supervision.record_supervision(call, data)

    @command
    def issue_supervision_notice(self, call, data: dict) -> dict:
        return supervision.issue_notice(call, data)

    @command
    def submit_notice_rectification(self, call, notice_id: str, data: dict) -> dict:
        return supervision.submit_rectification(call, notice_id, data)

    @command
    def verify_notice_rectification(self, call, notice_id: str, data: dict) -> dict:
        return supervision.verify_rectification(call, notice_id, data)

    @command
    def escalate_supervision_notice(self, call, notice_id: str, data: dict) -> dict:
        return supervision.escalate_notice(call, notice_id, data)

    @query
    def list_supervision_records(self, call, project_id: str, limit: int = 100, offset: int = 0) -> dict:
        return supervision.supervision_records(call, project_id, limit, offset)

    @command
    def register_subcontract(self, call, data: dict) -> dict:
        return supervision.register_subcontract(call, data)

    @query
    def list_subcontracts(self, call, project_id: str, limit: int = 100, offset: int = 0) -> list[dict]:
        return supervision.list_subcontracts(call, project_id, limit, offset)
