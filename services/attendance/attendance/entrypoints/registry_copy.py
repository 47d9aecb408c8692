"""The copy of the registry: the workflow's events feed it, and an empty copy is rebuilt from the
workflow's snapshot at start."""

from __future__ import annotations

import logging

from attendance.usecases import registry_copy
from common import events
from common.inbox import handles
from common.timer import timer

logger = logging.getLogger(__name__)


def _inbox_key_kept(method):
    """The inbox remembers a handled event under its handler's qualified name, which was
    ``AttendanceService.<method>`` while the handlers were declared on the service class: the name
    is kept, so that an event handled before they moved here and delivered again after is still
    skipped."""
    method.__qualname__ = f"AttendanceService.{method.__name__}"
    return method


class RegistryCopyEntrypoints:
    @handles(events.UnitRegistered)
    @_inbox_key_kept
    def on_unit_registered(self, event):
        registry_copy.apply_unit(self.db.session, event)

    @handles(events.PostGranted)
    @_inbox_key_kept
    def on_post_granted(self, event):
        registry_copy.apply_post(self.db.session, event)

    @handles(events.ProjectRegistered)
    @_inbox_key_kept
    def on_project_registered(self, event):
        registry_copy.apply_project(self.db.session, event)

    @handles(events.ProjectAssigned)
    @_inbox_key_kept
    def on_project_assigned(self, event):
        registry_copy.apply_assignment(self.db.session, event)

    @handles(events.ParticipantAdded)
    @_inbox_key_kept
    def on_participant_added(self, event):
        registry_copy.apply_participant(self.db.session, event)

    @handles(events.PersonnelAssigned)
    @_inbox_key_kept
    def on_personnel_assigned(self, event):
        registry_copy.apply_personnel(self.db.session, event)

    @handles(events.ConstructionStarted)
    @_inbox_key_kept
    def on_construction_started(self, event):
        registry_copy.apply_construction_started(self.db.session, event)

    @handles(events.ProjectStatusChanged)
    @_inbox_key_kept
    def on_project_status_changed(self, event):
        registry_copy.apply_status(self.db.session, event)

    @handles(events.PersonnelReplaced)
    @_inbox_key_kept
    def on_personnel_replaced(self, event):
        registry_copy.apply_replacement(self.db.session, event)

    @handles(events.ProjectSuspended)
    @_inbox_key_kept
    def on_project_suspended(self, event):
        registry_copy.apply_suspension(self.db.session, event)

    @handles(events.ProjectResumed)
    @_inbox_key_kept
    def on_project_resumed(self, event):
        registry_copy.apply_resumption(self.db.session, event)

    @timer(interval=30, eager=True)
    def ensure_copy(self):
        """At start (and until it succeeds) an empty copy is rebuilt from the workflow's snapshot."""
        if not registry_copy.is_empty(self.db.session):
            return
        snapshot = self.workflow.registry_snapshot()
        registry_copy.rebuild(self.db.session, snapshot)
        self.db.commit()
        logger.info("registry copy rebuilt", extra={"projects": len(snapshot["projects"])})
