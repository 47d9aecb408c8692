"""RPC entrypoints of devices (Art. 26, 47): the owner approves a change of phone."""

from __future__ import annotations

from attendance.usecases import devices
from common.service import command


class DeviceEntrypoints:
    @command
    def approve_device_change(self, call, project_id: str, data: dict) -> dict:
        return devices.approve_device_change(call, project_id, data)
