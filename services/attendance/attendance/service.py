"""The attendance service's nameko entrypoints: thin, each a use case of :mod:`attendance.usecases`
or an event that feeds its copy of the registry."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from attendance.domain.rules import AttendanceRules
from attendance.usecases import common as usecases
from attendance.usecases import registry_copy as copies
from common import events
from common.inbox import handles
from common.principal import SYSTEM, ServiceRpc
from common.service import PlatformService, command, query
from common.timer import timer

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class AttendanceService(PlatformService):
    name = "attendance"
    rules_cls = AttendanceRules

    workflow = ServiceRpc("workflow")

    def _call(self) -> usecases.Call:
        return usecases.Call(self.db.session, self.clock.now(), self.caller)

    # the copy of the registry

    @handles(events.UnitRegistered)
    def on_unit_registered(self, event):
        copies.apply_unit(self.db.session, event)

    @handles(events.PostGranted)
    def on_post_granted(self, event):
        copies.apply_post(self.db.session, event)

    @handles(events.ProjectRegistered)
    def on_project_registered(self, event):
        copies.apply_project(self.db.session, event)

    @handles(events.ProjectAssigned)
    def on_project_assigned(self, event):
        copies.apply_assignment(self.db.session, event)

    @handles(events.ParticipantAdded)
    def on_participant_added(self, event):
        copies.apply_participant(self.db.session, event)

    @handles(events.PersonnelAssigned)
    def on_personnel_assigned(self, event):
        copies.apply_personnel(self.db.session, event)

    @handles(events.ConstructionStarted)
    def on_construction_started(self, event):
        copies.apply_construction_started(self.db.session, event)

    @handles(events.ProjectStatusChanged)
    def on_project_status_changed(self, event):
        copies.apply_status(self.db.session, event)

    @handles(events.PersonnelReplaced)
    def on_personnel_replaced(self, event):
        copies.apply_replacement(self.db.session, event)

    @handles(events.ProjectSuspended)
    def on_project_suspended(self, event):
        copies.apply_suspension(self.db.session, event)

    @handles(events.ProjectResumed)
    def on_project_resumed(self, event):
        copies.apply_resumption(self.db.session, event)

    @timer(interval=30, eager=True)
    def ensure_copy(self):
        """At start (and until it succeeds) an empty copy is rebuilt from the workflow's snapshot."""
        if not copies.is_empty(self.db.session):
            return
        snapshot = self.workflow.registry_snapshot()
        copies.rebuild(self.db.session, snapshot)
        self.db.commit()
        logger.info("registry copy rebuilt", extra={"projects": len(snapshot["projects"])})

    # check-ins, devices, leave, patrols

    @command
    def record_checkin(self, call, data: dict) -> dict:
        return usecases.record_checkin(call, data)

    @command
    def approve_device_change(self, call, project_id: str, data: dict) -> dict:
        return usecases.approve_device_change(call, project_id, data)

    def _share_files(self, project_id: str, file_ids: list[str], audiences: list[str]) -> list[str]:
        """Open the caller's files of a leave request to their audience of the project, in the
        workflow's file records (the caller's principal travels with the call); answers the files
        the caller may not name."""
        return self.workflow.share_files(project_id, file_ids, audiences)["missing"]

    @command
    def request_leave(self, call, data: dict) -> dict:
        return usecases.request_leave(call, data, share_files=self._share_files)

    @command
    def decide_leave(self, call, leave_id: str, data: dict) -> dict:
        return usecases.decide_leave(call, leave_id, data, share_files=self._share_files)

    @query
    def project_leave_requests(self, call, project_id: str) -> list[dict]:
        return usecases.project_leave_requests(call, project_id)

    @command
    def record_patrol(self, call, data: dict) -> dict:
        return usecases.record_patrol(call, data)

    # the owner's settings of a project

    @command
    def set_phases(self, call, project_id: str, data: dict) -> dict:
        return usecases.set_phases(call, project_id, data)

    @command
    def declare_non_working_days(self, call, project_id: str, data: dict) -> dict:
        return usecases.declare_non_working_days(call, project_id, data)

    @command
    def set_policy(self, call, project_id: str, data: dict) -> dict:
        return usecases.set_policy(call, project_id, data)

    # queries (position views are logged, so they commit too)

    @command
    def my_attendance(self, call, month: str) -> list[dict]:
        return usecases.my_attendance(call, month)

    @command
    def project_attendance(self, call, project_id: str, month: str) -> dict:
        return usecases.project_attendance(call, project_id, month)

    @command
    def person_positions(self, call, project_id: str, person_id: str, month: str) -> list[dict]:
        return usecases.person_positions(call, project_id, person_id, month)

    @command
    def project_warnings(self, call, project_id: str) -> list[dict]:
        return usecases.list_warnings(call, project_id)

    # evaluations at each day's and month's end (Art. 26, 35, 42)

    @timer(interval=60)
    def evaluate(self):
        self.catch_up(self.clock.now())

    def catch_up_step(self, now: datetime) -> bool:
        raised, done = usecases.evaluate_due(usecases.Call(self.db.session, now, SYSTEM), max_days=1)
        if raised:
            logger.info("attendance warnings raised", extra={"count": raised})
        return done

    def caught_up(self, now: datetime) -> bool:
        return not usecases.days_left_to_evaluate(usecases.Call(self.db.session, now, SYSTEM))


SERVICE_CLASS = AttendanceService
