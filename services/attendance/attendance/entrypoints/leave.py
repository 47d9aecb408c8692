"""RPC entrypoints of leave (Art. 26)."""

from __future__ import annotations

from attendance.usecases import leave
from common.service import command, query


class LeaveEntrypoints:
    def _share_files(self, project_id: str, file_ids: list[str], audiences: list[str]) -> list[str]:
        """Open the caller's files of a leave request to their audience of the project, in the
        workflow's file records (the caller's principal travels with the call); answers the files
        the caller may not name."""
        return self.workflow.share_files(project_id, file_ids, audiences)["missing"]

    @command
    def request_leave(self, call, data: dict) -> dict:
        return leave.request_leave(call, data, share_files=self._share_files)

    @command
    def decide_leave(self, call, leave_id: str, data: dict) -> dict:
        return leave.decide_leave(call, leave_id, data, share_files=self._share_files)

    @query
    def project_leave_requests(self, call, project_id: str, limit: int = 100, offset: int = 0) -> list[dict]:
        return leave.project_leave_requests(call, project_id, limit, offset)

    @query
    def leave_to_decide(self, call, limit: int = 100, offset: int = 0) -> list[dict]:
        return leave.leave_to_decide(call, limit, offset)
