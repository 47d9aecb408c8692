"""Attendance on both faces (Art. 26, 35, 42, 47): check-ins, leave and one's own month on
ZLB; the owner's decisions, patrols and the project's month on ZZD."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query

from common.contracts.attendance import (
    AttendancePhases,
    AttendancePolicy,
    AttendanceWarningView,
    CheckinDecision,
    CheckinRequest,
    DeviceBindingView,
    DeviceChange,
    LeaveApplication,
    LeaveDecision,
    LeaveView,
    MyMonthView,
    NonWorkingDays,
    NonWorkingDaysView,
    PatrolResult,
    PatrolTrack,
    PhasesView,
    PolicyView,
    PositionView,
    ProjectAttendanceView,
)
from common.contracts.types import PlatformMonth
from common.principal import Principal
from gateway import examples
from gateway.auth import zlb_principal, zzd_principal
from gateway.deps import Page, paging, payload, services
from gateway.errors import FACE_ERRORS, errors
from gateway.openapi import ZLB_ATTENDANCE, ZZD_ATTENDANCE, ContractRoute
from gateway.rpc import ServiceClient

zlb_router = APIRouter(prefix="/zlb/v1", tags=[ZLB_ATTENDANCE], route_class=ContractRoute,
                       responses=errors(*FACE_ERRORS))
zzd_router = APIRouter(prefix="/zzd/v1", tags=[ZZD_ATTENDANCE], route_class=ContractRoute,
                       responses=errors(*FACE_ERRORS))

# In Annotated, so that the type's own checks (the years) run as well as Query's.
Month = Annotated[PlatformMonth, Query(description="YYYY-MM, a month of the years 2000 to 2100.")]



@zlb_router.post("/checkins", response_model=CheckinDecision, summary="打卡 Check in",
                 responses={**errors(400, 404, 409, 413),
                            200: {"content": {"application/json": {"examples": {
                                "accepted": {"summary": "Accepted on site", "value": examples.CHECKIN_ACCEPTED},
                                "rejected": {"summary": "Rejected: outside the site",
                                             "value": examples.CHECKIN_REJECTED}}}}}},
                 description="Check in on site (Art. 26, 47). The server's clock decides the time; the answer says "
                 "accepted, flagged (accepted, but suspect) or rejected, with the reason. A person not on the "
                 "project's roster that day gets 403 and nothing is stored; a retry with the same "
                 "client_request_id is recorded once and answers the first decision.")
def check_in(body: Annotated[CheckinRequest, Body(openapi_examples={"on site": {
                 "summary": "A check-in on site", "value": examples.CHECKIN}})],
             principal: Principal = Depends(zlb_principal),
             rpc: ServiceClient = Depends(services)):
    return rpc.call("attendance", "record_checkin", payload(body), principal=principal)


@zlb_router.get("/me/attendance", response_model=list[MyMonthView],
                description="One's own valid days, flags and rate, one item per project the caller is on (by "
                            "project id), each with one's own check-ins of the month on that project; the projects "
                            "are paged by `limit` (at most 100) and `offset`.")
def my_attendance(month: Month, page: Page = Depends(paging(maximum=100)),
                  principal: Principal = Depends(zlb_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("attendance", "my_attendance", month, page.limit, page.offset, principal=principal)


@zlb_router.post("/leave-requests", status_code=201, response_model=LeaveView, summary="请假 Ask for leave",
                 responses={**errors(400, 404, 409, 413), **examples.answer(201, examples.LEAVE)},
                 description="Ask the owner for leave, in advance (Art. 26), with the documents.")
def request_leave(body: Annotated[LeaveApplication, Body(openapi_examples={"two days": {
                      "summary": "Two days of leave", "value": examples.LEAVE_APPLICATION}})],
                  principal: Principal = Depends(zlb_principal),
                  rpc: ServiceClient = Depends(services)):
    return rpc.call("attendance", "request_leave", payload(body), principal=principal)


@zzd_router.post("/leave-requests/{leave_id}/decision", response_model=LeaveView, summary="审批请假 Decide leave",
                 responses={**errors(400, 404, 409, 413),
                            **examples.answer(200, {**examples.LEAVE, "status": "approved",
                                                    "decided_by": "08d256c4af77434bac97c70ae09ea8ce",
                                                    "decided_at": "2027-03-02T10:00:00+08:00", "decision_note": "同意",
                                                    "approval_file_ids": ["6f1e2d3c4b5a69788796a5b4c3d2e1f0"]})},
                 description="The owner approves, with the approval form, or refuses (Art. 26).")
def decide_leave(leave_id: str, body: Annotated[LeaveDecision, Body(openapi_examples={"approve": {
                     "summary": "Approved with the form", "value": examples.LEAVE_DECISION}})],
                 principal: Principal = Depends(zzd_principal),
                 rpc: ServiceClient = Depends(services)):
    return rpc.call("attendance", "decide_leave", leave_id, payload(body), principal=principal)


@zzd_router.get("/projects/{project_id}/leave-requests", response_model=list[LeaveView], responses=errors(404),
                description="The project's leave requests with their "
                "documents, for the owner who decides them and the back office (Art. 26); the documents open "
                "to them at /zzd/v1/files/{id}. Oldest first, paged by `limit` (at most 500) and `offset`.")
def project_leave_requests(project_id: str, page: Page = Depends(paging(maximum=500)),
                           principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("attendance", "project_leave_requests", project_id, page.limit, page.offset,
                    principal=principal)


@zzd_router.post("/patrols", status_code=201, response_model=PatrolResult, responses=errors(400, 404, 409, 413),
                 description="The owner's project lead's patrol track (Art. 26).")
def record_patrol(body: PatrolTrack, principal: Principal = Depends(zzd_principal),
                  rpc: ServiceClient = Depends(services)):
    return rpc.call("attendance", "record_patrol", payload(body), principal=principal)


@zzd_router.get("/projects/{project_id}/attendance", response_model=ProjectAttendanceView, responses=errors(404),
                description="Per person: valid days, construction days, "
                "rate, missing streaks, flags. `people` is one item per person on the project's posts that check "
                "in (Art. 26): the key posts of one project, a handful, so the month comes whole.")
def project_attendance(project_id: str, month: Month, principal: Principal = Depends(zzd_principal),
                       rpc: ServiceClient = Depends(services)):
    return rpc.call("attendance", "project_attendance", project_id, month, principal=principal)


@zzd_router.get("/projects/{project_id}/attendance/{person_id}/positions", response_model=list[PositionView],
                responses=errors(404), description="Raw positions of one person in the month, oldest first; for the "
                "owner and the back office, and each look is logged. Paged by `limit` (at most 1000) and `offset`.")
def person_positions(project_id: str, person_id: str, month: Month,
                     page: Page = Depends(paging(default=200, maximum=1000)),
                     principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("attendance", "person_positions", project_id, person_id, month, page.limit, page.offset,
                    principal=principal)


@zzd_router.get("/projects/{project_id}/attendance-warnings", response_model=list[AttendanceWarningView],
                responses=errors(404), description="The attendance warnings raised on the project (Art. 26, 42, 47), "
                "oldest first; paged by `limit` (at most 500) and `offset`.")
def project_warnings(project_id: str, page: Page = Depends(paging(maximum=500)),
                     principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("attendance", "project_warnings", project_id, page.limit, page.offset, principal=principal)


@zzd_router.put("/projects/{project_id}/attendance-phases", response_model=PhasesView,
                responses=errors(400, 404, 409, 413),
                description="When the technical lead and the specialist engineer check in (Art. 26).")
def set_phases(project_id: str, body: AttendancePhases, principal: Principal = Depends(zzd_principal),
               rpc: ServiceClient = Depends(services)):
    return rpc.call("attendance", "set_phases", project_id, payload(body), principal=principal)


@zzd_router.post("/projects/{project_id}/non-working-days", response_model=NonWorkingDaysView,
                 responses=errors(400, 404, 409, 413), description="Days without construction, e.g. a "
                 "Spring Festival shutdown: they do not count towards the rate.")
def declare_non_working_days(project_id: str, body: NonWorkingDays, principal: Principal = Depends(zzd_principal),
                             rpc: ServiceClient = Depends(services)):
    return rpc.call("attendance", "declare_non_working_days", project_id, payload(body), principal=principal)


@zzd_router.put("/projects/{project_id}/attendance-policy", response_model=PolicyView,
                responses=errors(400, 404, 409, 413),
                description="Flag or block check-ins with signs of spoofing (Art. 26, 47).")
def set_policy(project_id: str, body: AttendancePolicy, principal: Principal = Depends(zzd_principal),
               rpc: ServiceClient = Depends(services)):
    return rpc.call("attendance", "set_policy", project_id, payload(body), principal=principal)


@zzd_router.post("/projects/{project_id}/device-changes", response_model=DeviceBindingView,
                 responses=errors(400, 404, 409, 413), description="Let a person check in from a new phone.")
def approve_device_change(project_id: str, body: DeviceChange, principal: Principal = Depends(zzd_principal),
                          rpc: ServiceClient = Depends(services)):
    return rpc.call("attendance", "approve_device_change", project_id, payload(body), principal=principal)
