"""Devices (Art. 26, 47): a person checks in from the phone bound to them; the owner approves a
change of phone."""

from __future__ import annotations

from attendance.persistence.models import DeviceBinding
from attendance.usecases.common import Call, owner_acting, roster
from common import usecase
from common.clock import district_iso
from common.contracts import attendance as contracts
from common.errors import InvalidInput


def approve_device_change(call: Call, project_id: str, data: dict) -> dict:
    request = usecase.parse(contracts.DeviceChange, data)
    actor, project = owner_acting(call, project_id)
    if not any(entry.person_id == request.person_id for entry in roster(call.session, project)):
        raise InvalidInput.field("person_id", "the person is not on this project's roster")
    binding = call.session.get(DeviceBinding, request.person_id)
    before = {"device_id": binding.device_id} if binding else None
    if binding is None:
        binding = DeviceBinding(person_id=request.person_id)
        call.session.add(binding)
    binding.device_id, binding.platform = request.device_id, request.platform
    binding.bound_at, binding.approved_by = call.now, actor.user_id
    call.record("device.rebound", "person", request.person_id, before=before, after={"device_id": request.device_id})
    return {"person_id": request.person_id, "device_id": request.device_id, "bound_at": district_iso(call.now)}
