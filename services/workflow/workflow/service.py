"""The workflow service's nameko class: its name, dependencies and rules, and the entrypoints of
each process composed from :mod:`workflow.entrypoints` (each one line into a use case of
:mod:`workflow.usecases`)."""

from __future__ import annotations

from pathlib import Path

from common.service import PlatformService
from workflow.domain.rules import WorkflowRules
from workflow.domain.warnings import warning_rules
from workflow.entrypoints.changes import ChangeEntrypoints
from workflow.entrypoints.concealed import ConcealedWorkEntrypoints
from workflow.entrypoints.contacts import ContactEntrypoints
from workflow.entrypoints.deadlines import DeadlineEntrypoints
from workflow.entrypoints.overview import OverviewEntrypoints
from workflow.entrypoints.processes import ProcessEntrypoints
from workflow.entrypoints.registry import RegistryEntrypoints
from workflow.entrypoints.supervision import SupervisionEntrypoints
from workflow.usecases.common import Call

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class WorkflowService(RegistryEntrypoints, ProcessEntrypoints, DeadlineEntrypoints, ChangeEntrypoints,
                      ConcealedWorkEntrypoints, SupervisionEntrypoints, ContactEntrypoints, OverviewEntrypoints,
                      PlatformService):
    name = "workflow"
    rules_cls = WorkflowRules
    setting_choices = {"warnings_switched_off": warning_rules()}  # Art. 8: the warning rules it may switch off

    def _call(self) -> Call:
        return Call(self.db.session, self.clock.now(), self.caller)


SERVICE_CLASS = WorkflowService
