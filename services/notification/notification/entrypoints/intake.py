"""Event handlers of the intake: warnings (attendance, workflow), deadline reminders, case steps and
flagged check-ins, each idempotent through the inbox and one line into
:mod:`notification.usecases.intake`. Only the flagged check-ins (``checkin.flagged``) are taken, not
every ``checkin.recorded`` of the morning peak; in batches all the same, for a morning of many."""

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

    @handles_batch(events.CheckinFlagged)
    def checkin_flagged(self, batch):
        intake.checkins_flagged(self._call(), batch)
