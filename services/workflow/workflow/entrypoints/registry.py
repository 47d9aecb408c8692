"""RPC entrypoints of the registry: the organisation tree, projects and their assignment chain
(Art. 12, 18–21), participants and key personnel (Art. 21, 24, 26), construction start,
suspension and resumption (Art. 25, 35), files, and what the gateway's login and the other
services' local copies ask of the registry."""

from __future__ import annotations

from sqlalchemy.orm import Session

from common.errors import EXPECTED_ERRORS, PermissionDenied
from common.rpc import rpc
from common.service import command, query
from workflow.usecases import registry


class RegistryEntrypoints:
    """Mixed into WorkflowService; each entrypoint is a use case of :mod:`workflow.usecases.registry`."""

    def _system_session(self) -> Session:
        """The database session, for a call from the platform's own components only."""
        if self.caller.portal != "system":
            raise PermissionDenied("only the platform's own components may call this")
        return self.db.session

    # organisation

    @command
    def register_unit(self, call, data: dict) -> dict:
        return registry.register_unit(call, data)

    @query
    def list_units(self, call, kind: str | None = None, limit: int = 100, offset: int = 0) -> list[dict]:
        return registry.list_units(call, kind, limit, offset)

    @command
    def register_user(self, call, data: dict) -> dict:
        return registry.register_user(call, data)

    @query
    def get_user(self, call, user_id: str) -> dict:
        return registry.get_user(call, user_id)

    @query
    def list_users(self, call, unit_id: str | None = None, limit: int = 100, offset: int = 0) -> list[dict]:
        return registry.list_users(call, unit_id, limit, offset)

    @command
    def grant_post(self, call, user_id: str, data: dict) -> dict:
        return registry.grant_post(call, user_id, data)

    # projects

    @command
    def register_project(self, call, data: dict) -> dict:
        return registry.register_project(call, data)

    @query
    def list_projects(self, call, status: str | None = None, limit: int = 100, offset: int = 0) -> list[dict]:
        return registry.list_projects(call, status=status, limit=limit, offset=offset)

    @query
    def get_project(self, call, project_id: str) -> dict:
        return registry.get_project(call, project_id)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def public_projects(self, text: str, limit: int = 20) -> list[dict]:
        return registry.public_projects(self.db.session, text, limit)

    @command
    def assign_project(self, call, project_id: str, data: dict) -> dict:
        return registry.assign_project(call, project_id, data)

    @command
    def add_participant(self, call, project_id: str, data: dict) -> dict:
        return registry.add_participant(call, project_id, data)

    @command
    def assign_personnel(self, call, project_id: str, data: dict) -> dict:
        return registry.assign_personnel(call, project_id, data)

    @command
    def start_construction(self, call, project_id: str) -> dict:
        return registry.start_construction(call, project_id)

    @command
    def suspend_project(self, call, project_id: str, data: dict) -> dict:
        return registry.suspend_project(call, project_id, data)

    @command
    def resume_project(self, call, project_id: str) -> dict:
        return registry.resume_project(call, project_id)

    # files

    @command
    def record_file(self, call, data: dict) -> dict:
        return registry.record_file(call, data)

    @query
    def get_file(self, call, file_id: str) -> dict:
        return registry.get_file(call, file_id)

    @command
    def share_files(self, call, project_id: str, file_ids: list[str], audiences: list[str]) -> dict:
        """For the other services: files of a record they keep, opened to a named audience of the
        project only (a leave request's documents, Art. 26); answers the files the caller may not name."""
        return registry.share_files(call, project_id, file_ids, audiences)

    # for the gateway's login and other services' local copies

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def identity_by_portal(self, portal: str, external_id: str) -> dict:
        return registry.identity_by_portal(self._system_session(), portal, external_id)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def identity_by_user_id(self, user_id: str) -> dict:
        return registry.identity_by_user_id(self._system_session(), user_id)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def registry_snapshot(self) -> dict:
        return registry.snapshot(self._system_session())
