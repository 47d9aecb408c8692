"""RPC entrypoints of the owner's settings of a project (Art. 26, 47): phases, non-working days,
the policy on suspected spoofing."""

from __future__ import annotations

from attendance.usecases import project_settings
from common.service import command


class ProjectSettingsEntrypoints:
    @command
    def set_phases(self, call, project_id: str, data: dict) -> dict:
        return project_settings.set_phases(call, project_id, data)

    @command
    def declare_non_working_days(self, call, project_id: str, data: dict) -> dict:
        return project_settings.declare_non_working_days(call, project_id, data)

    @command
    def set_policy(self, call, project_id: str, data: dict) -> dict:
        return project_settings.set_policy(call, project_id, data)
