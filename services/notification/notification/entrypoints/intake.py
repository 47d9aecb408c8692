"""Event handlers of the intake: warnings (attendance, workflow), deadline reminders, case steps and
check-ins, each idempotent through the inbox and one line into :mod:`notification.usecases.intake`."""

from __future__ import annotations

from common import events
from common.inbox import handles
from notification.usecases import intake


class IntakeEntrypoints:
    """Mixed into NotificationService."""

    @handles(events.AttendanceWarningRaised)
    def attendance_warning_raised(self, event):
        intake.warning_raised(self._call(), event)

    @handles(events.WorkflowWarningRaised)
    def workflow_warning_raised(self, event):
        intake.warning_raised(self._call(), event)

    @handles(events.ReminderDue)
    def reminder_due(self, event):
        intake.reminder_due(self._call(), event)

    @handles(events.CaseStepRecorded)
    def case_step_recorded(self, event):
        intake.case_step_recorded(self._call(), event)

    @handles(events.CheckinRecorded)
    def checkin_recorded(self, event):
        intake.checkin_recorded(self._call(), event)
