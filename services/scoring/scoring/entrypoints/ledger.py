"""Event handlers of the ledger (Art. 37, 39–49): warnings (in batches: many a second), case outcomes and
steps, bid bans."""

from __future__ import annotations

from common import events
from common.inbox import handles, handles_batch
from scoring.usecases import ledger


class LedgerEntrypoints:
    @handles_batch(events.AttendanceWarningRaised)
    def score_attendance_warning(self, batch):
        ledger.on_warnings(self._call(), batch)

    @handles_batch(events.WorkflowWarningRaised)
    def score_workflow_warning(self, batch):
        ledger.on_warnings(self._call(), batch)

    @handles(events.CaseClosed)
    def score_case_closed(self, event):
        ledger.on_case_closed(self._call(), event)

    @handles(events.CaseStepRecorded)
    def count_case_step(self, event):
        ledger.on_case_step(self._call(), event)

    @handles(events.PersonnelReplaced)
    def ban_replaced_person(self, event):
        ledger.on_personnel_replaced(self._call(), event)
