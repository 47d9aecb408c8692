"""RPC entrypoints of engineering and personnel changes (Art. 27), termination (Art. 34) and
supplementary registration (Art. 33)."""

from __future__ import annotations

from common.service import command, query
from workflow.usecases import changes


class ChangeEntrypoints:
    @command
    def raise_change(self, call, data: dict) -> dict:
        """An engineering change (kind "engineering") or a personnel change (kind "personnel")."""
        return changes.raise_change(call, data)

    @command
    def decide_change(self, call, change_id: str, data: dict) -> dict:
        return changes.decide_change(call, change_id, data)

    @command
    def upload_change_approval_form(self, call, change_id: str, data: dict) -> dict:
        return changes.upload_approval_form(call, change_id, data)

    @command
    def record_change_penalty(self, call, change_id: str, data: dict) -> dict:
        return changes.record_penalty(call, change_id, data)

    @query
    def list_changes(self, call, project_id: str, limit: int = 100, offset: int = 0) -> list[dict]:
        return changes.list_changes(call, project_id, limit, offset)

    @query
    def changes_to_decide(self, call, limit: int = 100, offset: int = 0) -> list[dict]:
        return changes.changes_to_decide(call, limit, offset)

    @query
    def get_change(self, call, change_id: str) -> dict:
        return changes.get_change(call, change_id)

    @command
    def terminate_project(self, call, project_id: str, data: dict) -> dict:
        return changes.terminate_project(call, project_id, data)

    @query
    def get_termination(self, call, project_id: str) -> dict:
        return changes.get_termination(call, project_id)

    @command
    def request_supplementary_registration(self, call, data: dict) -> dict:
        return changes.request_supplementary_registration(call, data)

    @command
    def decide_supplementary_registration(self, call, registration_id: str, data: dict) -> dict:
        return changes.decide_supplementary_registration(call, registration_id, data)

    @query
    def list_supplementary_registrations(self, call, status: str | None = None, limit: int = 100,
                                         offset: int = 0) -> list[dict]:
        return changes.list_supplementary_registrations(call, status, limit, offset)

    @query
    def get_supplementary_registration(self, call, registration_id: str) -> dict:
        return changes.get_supplementary_registration(call, registration_id)
