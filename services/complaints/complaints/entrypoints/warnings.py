"""Event handlers of the platform's warnings: each warning opens one case (Art. 8, 29)."""

from __future__ import annotations

from common import events
from common.inbox import handles
from complaints.usecases import warnings


class WarningEntrypoints:
    @handles(events.AttendanceWarningRaised)
    def on_attendance_warning(self, event):
        warnings.open_for_warning(self.db.session, event, self.clock.now(), self._call().rules())

    @handles(events.WorkflowWarningRaised)
    def on_workflow_warning(self, event):
        warnings.open_for_warning(self.db.session, event, self.clock.now(), self._call().rules())
