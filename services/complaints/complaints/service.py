"""The complaints service's nameko class: its name, dependencies and rules, and the entrypoints
composed from :mod:`complaints.entrypoints`, one mixin per process."""

from __future__ import annotations

from pathlib import Path

from common.principal import ServiceRpc
from common.registry_copy import RegistryCopyEntrypoints
from common.service import PlatformService
from complaints.domain.rules import CaseRules
from complaints.entrypoints.cases import CaseEntrypoints
from complaints.entrypoints.complaints import ComplaintEntrypoints
from complaints.entrypoints.deadlines import DeadlineEntrypoints
from complaints.entrypoints.overview import OverviewEntrypoints
from complaints.entrypoints.stats import StatsEntrypoints
from complaints.entrypoints.warnings import WarningEntrypoints
from complaints.usecases.common import Call

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class ComplaintsService(RegistryCopyEntrypoints, WarningEntrypoints, ComplaintEntrypoints, CaseEntrypoints,
                        StatsEntrypoints, OverviewEntrypoints, DeadlineEntrypoints, PlatformService):
    name = "complaints"
    rules_cls = CaseRules

    workflow = ServiceRpc("workflow")

    def _call(self) -> Call:
        return Call(self.db.session, self.clock.now(), self.caller)


SERVICE_CLASS = ComplaintsService
