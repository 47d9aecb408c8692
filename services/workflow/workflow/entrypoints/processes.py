"""RPC entrypoints of the processes after construction: completion acceptance (Art. 31),
settlement audit (Art. 32), payment and the quality deposit (Art. 25)."""

from __future__ import annotations

from common.service import command, query
from workflow.usecases import processes


class ProcessEntrypoints:
    """Mixed into WorkflowService; each entrypoint is a use case of :mod:`workflow.usecases.processes`."""

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
    def list_acceptances(self, call, project_id: str, limit: int = 100, offset: int = 0) -> list[dict]:
        return processes.list_acceptances(call, project_id, limit, offset)

    @command
    def submit_settlement_audit(self, call, project_id: str, data: dict) -> dict:
        return processes.submit_settlement_audit(call, project_id, data)

    @command
    def advance_after_audit(self, call, project_id: str, target: str) -> dict:
        return processes.advance_after_audit(call, project_id, target)
