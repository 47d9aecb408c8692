"""RPC entrypoints of check-ins (Art. 26, 47)."""

from __future__ import annotations

from attendance.usecases import checkins
from common.service import command


class CheckinEntrypoints:
    @command
    def record_checkin(self, call, data: dict) -> dict:
        return checkins.record_checkin(call, data)
