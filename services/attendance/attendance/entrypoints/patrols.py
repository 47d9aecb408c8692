"""RPC entrypoints of the owner's project lead's patrols (Art. 26)."""

from __future__ import annotations

from attendance.usecases import patrols
from common.service import command


class PatrolEntrypoints:
    @command
    def record_patrol(self, call, data: dict) -> dict:
        return patrols.record_patrol(call, data)
