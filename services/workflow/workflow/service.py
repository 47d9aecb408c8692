"""The workflow service's nameko entrypoints: thin, each a use case of :mod:`workflow.usecases.registry`."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from common.errors import EXPECTED_ERRORS, PermissionDenied
from common.rpc import rpc
from common.service import PlatformService, command, query
from common.timer import timer
from workflow.domain.rules import WorkflowRules
from workflow.entrypoints.changes import ChangeEntrypoints
from workflow.entrypoints.concealed import ConcealedWorkEntrypoints
from workflow.entrypoints.supervision import SupervisionEntrypoints
from workflow.usecases import deadline_engine, processes, registry

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class WorkflowService(ChangeEntrypoints, ConcealedWorkEntrypoints, SupervisionEntrypoints, PlatformService):
    name = "workflow"
    rules_cls = WorkflowRules

    def _call(self) -> registry.Call:
        return registry.Call(self.db.session, self.clock.now(), self.caller)

    def _require_system(self) -> None:
        if self.caller.portal != "system":
            raise PermissionDenied("only the platform's own components may call this")

    # organisation

    @command
    def register_unit(self, call, data: dict) -> dict:
        return registry.register_unit(call, data)

    @query
    def list_units(self, call, kind: str | None = None) -> list[dict]:
        return registry.list_units(call, kind)

    @command
    def register_user(self, call, data: dict) -> dict:
        return registry.register_user(call, data)

    @query
    def get_user(self, call, user_id: str) -> dict:
        return registry.get_user(call, user_id)

    @query
    def list_users(self, call, unit_id: str | None = None) -> list[dict]:
        return registry.list_users(call, unit_id)

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

    # completion acceptance, settlement audit, payment (Art. 25, 31, 32)

    @command
    def start_acceptance(self, call, data: dict) -> dict:
        return processes.start_acceptance(call, data)

    @command
    def check_acceptance(self, call, acceptance_id: str, data: dict) -> dict:
        return processes.check_acceptance(call, acceptance_id, data)

    @command
    def accept(self, call, acceptance_id: str, data: dict) -> dict:
        return processes.accept(call, acceptance_id, data)

    @command
    def return_acceptance(self, call, acceptance_id: str, data: dict) -> dict:
        return processes.return_acceptance(call, acceptance_id, data)

    @command
    def request_extension(self, call, acceptance_id: str, data: dict) -> dict:
        return processes.request_extension(call, acceptance_id, data)

    @command
    def approve_extension(self, call, acceptance_id: str) -> dict:
        return processes.approve_extension(call, acceptance_id)

    @query
    def list_acceptances(self, call, project_id: str) -> list[dict]:
        return processes.list_acceptances(call, project_id)

    @command
    def submit_settlement_audit(self, call, project_id: str, data: dict) -> dict:
        return processes.submit_settlement_audit(call, project_id, data)

    @command
    def advance_after_audit(self, call, project_id: str, target: str) -> dict:
        return processes.advance_after_audit(call, project_id, target)

    @query
    def project_deadlines(self, call, project_id: str) -> list[dict]:
        return processes.project_deadlines(call, project_id)

    # the deadline sweep: every rung fires once when the platform clock reaches it

    @timer(interval=30)
    def sweep_deadlines(self):
        self.catch_up(self.clock.now())

    def catch_up_step(self, now: datetime) -> bool:
        fired = deadline_engine.sweep(self.db.session, now, max_batches=1)
        if fired:
            logger.info("deadline rungs fired", extra={"count": fired})
        return not deadline_engine.anything_due(self.db.session, now)

    def caught_up(self, now: datetime) -> bool:
        return not deadline_engine.anything_due(self.db.session, now)

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
        self._require_system()
        return registry.identity_by_portal(self.db.session, portal, external_id)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def identity_by_user_id(self, user_id: str) -> dict:
        self._require_system()
        return registry.identity_by_user_id(self.db.session, user_id)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def registry_snapshot(self) -> dict:
        self._require_system()
        return registry.snapshot(self.db.session)


SERVICE_CLASS = WorkflowService
