"""Event handlers of the intake: warnings (attendance, workflow), deadline reminders, case steps and
check-ins, each idempotent through the inbox and one line into :mod:`notification.usecases.intake`.
Check-ins come hundreds a second at the morning peak (and concern few: only the flagged ones are
told), so they are taken in batches."""

from __future__ import annotations

from common import events
from common.inbox import handles, handles_batch
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

    @handles_batch(events.CheckinRecorded)
    def checkin_recorded(self, batch):
        intake.checkins_recorded(self._call(), batch)
