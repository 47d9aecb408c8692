"""Attendance on both faces (Art. 26, 35, 42, 47): check-ins, leave and one's own month on
ZLB; the owner's decisions, patrols and the project's month on ZZD."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from common.contracts.attendance import (
    AttendancePhases,
    AttendancePolicy,
    CheckinRequest,
    DeviceChange,
    LeaveApplication,
    LeaveDecision,
    NonWorkingDays,
    PatrolTrack,
)
from common.contracts.types import PlatformMonth
from common.principal import Principal
from gateway.auth import zlb_principal, zzd_principal
from gateway.deps import payload, services
from gateway.rpc import ServiceClient

zlb_router = APIRouter(prefix="/zlb/v1", tags=["attendance (ZLB)"])
zzd_router = APIRouter(prefix="/zzd/v1", tags=["attendance (ZZD)"])

# In Annotated, so that the type's own checks (the years) run as well as Query's.
Month = Annotated[PlatformMonth, Query(description="YYYY-MM, a month of the years 2000 to 2100.")]



@zlb_router.post("/checkins", description="Check in on site. The server's clock decides the time; the answer says "
                 "accepted, flagged (accepted, but suspect) or rejected, with the reason.")
def check_in(body: CheckinRequest, principal: Principal = Depends(zlb_principal),
             rpc: ServiceClient = Depends(services)):
    return rpc.call("attendance", "record_checkin", payload(body), principal=principal)


@zlb_router.get("/me/attendance", description="One's own valid days, flags and rate, per project.")
def my_attendance(month: Month, principal: Principal = Depends(zlb_principal),
                  rpc: ServiceClient = Depends(services)):
    return rpc.call("attendance", "my_attendance", month, principal=principal)


@zlb_router.post("/leave-requests", status_code=201, description="Ask the owner for leave, in advance (Art. 26).")
def request_leave(body: LeaveApplication, principal: Principal = Depends(zlb_principal),
                  rpc: ServiceClient = Depends(services)):
    return rpc.call("attendance", "request_leave", payload(body), principal=principal)


@zzd_router.post("/leave-requests/{leave_id}/decision", description="The owner approves or refuses (Art. 26).")
def decide_leave(leave_id: str, body: LeaveDecision, principal: Principal = Depends(zzd_principal),
                 rpc: ServiceClient = Depends(services)):
    return rpc.call("attendance", "decide_leave", leave_id, payload(body), principal=principal)


@zzd_router.get("/projects/{project_id}/leave-requests", description="The project's leave requests with their "
                "documents, for the owner who decides them and the back office (Art. 26); the documents open "
                "to them at /zzd/v1/files/{id}.")
def project_leave_requests(project_id: str, principal: Principal = Depends(zzd_principal),
                           rpc: ServiceClient = Depends(services)):
    return rpc.call("attendance", "project_leave_requests", project_id, principal=principal)


@zzd_router.post("/patrols", status_code=201, description="The owner's project lead's patrol track (Art. 26).")
def record_patrol(body: PatrolTrack, principal: Principal = Depends(zzd_principal),
                  rpc: ServiceClient = Depends(services)):
    return rpc.call("attendance", "record_patrol", payload(body), principal=principal)


@zzd_router.get("/projects/{project_id}/attendance", description="Per person: valid days, construction days, "
                "rate, missing streaks, flags.")
def project_attendance(project_id: str, month: Month, principal: Principal = Depends(zzd_principal),
                       rpc: ServiceClient = Depends(services)):
    return rpc.call("attendance", "project_attendance", project_id, month, principal=principal)


@zzd_router.get("/projects/{project_id}/attendance/{person_id}/positions",
                description="Raw positions of one person; for the owner and the back office, and logged.")
def person_positions(project_id: str, person_id: str, month: Month,
                     principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("attendance", "person_positions", project_id, person_id, month, principal=principal)


@zzd_router.get("/projects/{project_id}/attendance-warnings")
def project_warnings(project_id: str, principal: Principal = Depends(zzd_principal),
                     rpc: ServiceClient = Depends(services)):
    return rpc.call("attendance", "project_warnings", project_id, principal=principal)


@zzd_router.put("/projects/{project_id}/attendance-phases",
                description="When the technical lead and the specialist engineer check in (Art. 26).")
def set_phases(project_id: str, body: AttendancePhases, principal: Principal = Depends(zzd_principal),
               rpc: ServiceClient = Depends(services)):
    return rpc.call("attendance", "set_phases", project_id, payload(body), principal=principal)


@zzd_router.post("/projects/{project_id}/non-working-days", description="Days without construction, e.g. a "
                 "Spring Festival shutdown: they do not count towards the rate.")
def declare_non_working_days(project_id: str, body: NonWorkingDays, principal: Principal = Depends(zzd_principal),
                             rpc: ServiceClient = Depends(services)):
    return rpc.call("attendance", "declare_non_working_days", project_id, payload(body), principal=principal)


@zzd_router.put("/projects/{project_id}/attendance-policy",
                description="Flag or block check-ins with signs of spoofing (Art. 26, 47).")
def set_policy(project_id: str, body: AttendancePolicy, principal: Principal = Depends(zzd_principal),
               rpc: ServiceClient = Depends(services)):
    return rpc.call("attendance", "set_policy", project_id, payload(body), principal=principal)


@zzd_router.post("/projects/{project_id}/device-changes", description="Let a person check in from a new phone.")
def approve_device_change(project_id: str, body: DeviceChange, principal: Principal = Depends(zzd_principal),
                          rpc: ServiceClient = Depends(services)):
    return rpc.call("attendance", "approve_device_change", project_id, payload(body), principal=principal)
