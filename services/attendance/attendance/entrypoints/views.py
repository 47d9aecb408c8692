"""RPC entrypoints of what people see of attendance (Art. 26, 42). They are commands: position
views are logged, so they commit too."""

from __future__ import annotations

from attendance.usecases import views
from common.service import command


class AttendanceViewEntrypoints:
    @command
    def my_attendance(self, call, month: str, limit: int = 100, offset: int = 0) -> list[dict]:
        return views.my_attendance(call, month, limit, offset)

    @command
    def project_attendance(self, call, project_id: str, month: str) -> dict:
        return views.project_attendance(call, project_id, month)

    @command
    def person_positions(self, call, project_id: str, person_id: str, month: str, limit: int = 200,
                         offset: int = 0) -> list[dict]:
        return views.person_positions(call, project_id, person_id, month, limit, offset)

    @command
    def project_warnings(self, call, project_id: str, limit: int = 100, offset: int = 0) -> list[dict]:
        return views.list_warnings(call, project_id, limit, offset)
