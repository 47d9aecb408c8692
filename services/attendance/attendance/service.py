"""The attendance service's nameko class: its name, dependencies and rules, and the entrypoints
composed from :mod:`attendance.entrypoints`, one mixin per process."""

from __future__ import annotations

from pathlib import Path

from attendance.domain.evaluations import WARNING_RULES
from attendance.domain.rules import AttendanceRules
from attendance.entrypoints.checkins import CheckinEntrypoints
from attendance.entrypoints.devices import DeviceEntrypoints
from attendance.entrypoints.evaluations import EvaluationEntrypoints
from attendance.entrypoints.leave import LeaveEntrypoints
from attendance.entrypoints.overview import OverviewEntrypoints
from attendance.entrypoints.partitions import CheckinPartitionEntrypoints
from attendance.entrypoints.patrols import PatrolEntrypoints
from attendance.entrypoints.project_settings import ProjectSettingsEntrypoints
from attendance.entrypoints.registry_copy import RegistryCopyEntrypoints
from attendance.entrypoints.views import AttendanceViewEntrypoints
from attendance.usecases.common import Call
from common.inbox import Replies
from common.principal import ServiceRpc
from common.service import PlatformService

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class AttendanceService(RegistryCopyEntrypoints, CheckinEntrypoints, DeviceEntrypoints, LeaveEntrypoints,
                        PatrolEntrypoints, ProjectSettingsEntrypoints, AttendanceViewEntrypoints,
                        EvaluationEntrypoints, CheckinPartitionEntrypoints, OverviewEntrypoints, PlatformService):
    name = "attendance"
    rules_cls = AttendanceRules
    setting_choices = {"warnings_switched_off": WARNING_RULES}  # Art. 8: the warning rules it may switch off

    workflow = ServiceRpc("workflow")
    replies = Replies()  # the decisions of check-ins to the gateways waiting for them

    def _call(self) -> Call:
        return Call(self.db.session, self.clock.now(), self.caller)


SERVICE_CLASS = AttendanceService
