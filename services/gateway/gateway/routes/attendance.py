"""Attendance on both faces (Art. 26, 35, 42, 47): check-ins, leave and one's own month on
ZLB; the owner's decisions, patrols and the project's month on ZZD."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi import Path as FastApiPath
from fastapi.responses import JSONResponse

from common.clock import district_iso
from common.contracts.attendance import (
    AttendancePhases,
    AttendancePolicy,
    AttendanceWarningView,
    CheckinCommand,
    CheckinDecision,
    CheckinPending,
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
    checkin_id_of,
)
from common.contracts.overview import PlatformToday
from common.contracts.types import PlatformMonth
from common.principal import Principal
from gateway import examples
from gateway.auth import zlb_principal, zzd_principal
from gateway.deps import Page, paging, payload, services
from gateway.errors import FACE_ERRORS, errors
from gateway.openapi import ZLB_ATTENDANCE, ZZD_ATTENDANCE, ContractRoute
from gateway.routes.overview import platform_today
from gateway.rpc import ServiceClient

zlb_router = APIRouter(prefix="/zlb/v1", tags=[ZLB_ATTENDANCE], route_class=ContractRoute,
                       responses=errors(*FACE_ERRORS))
zzd_router = APIRouter(prefix="/zzd/v1", tags=[ZZD_ATTENDANCE], route_class=ContractRoute,
                       responses=errors(*FACE_ERRORS))

# In Annotated, so that the type's own checks (the years) run as well as Query's.
Month = Annotated[PlatformMonth, Query(description="YYYY-MM, a month of the years 2000 to 2100.")]



@zlb_router.get("/today", response_model=PlatformToday,
                description="The platform's time, date and week in the district — a demo's manual clock, not the "
                            "phone's: the month \"my month\" opens on, the first day leave may start from.")
def today(principal: Principal = Depends(zlb_principal), rpc: ServiceClient = Depends(services)):
    return platform_today(rpc, principal)


CheckinId = Annotated[str, FastApiPath(min_length=32, max_length=32, pattern="^[0-9a-f]{32}$",
                                        description="The id the intake answered.")]


@zlb_router.post("/checkins", status_code=202, response_model=CheckinPending, summary="打卡 Check in",
                 responses={**errors(400, 413),
                            202: {"description": "The broker holds the check-in; its decision is not there yet. "
                                                 "GET the status_url (the Location header) for it.",
                                  "content": {"application/json": {"example": examples.CHECKIN_PENDING}}},
                            200: {"model": CheckinDecision,
                                  "description": "Decided within wait_ms: accepted, flagged or rejected.",
                                  "content": {"application/json": {"examples": {
                                      "accepted": {"summary": "Accepted on site", "value": examples.CHECKIN_ACCEPTED},
                                      "rejected": {"summary": "Rejected: outside the site",
                                                   "value": examples.CHECKIN_REJECTED}}}}}},
                 description="Check in on site (Art. 26, 47). The gateway checks the check-in, hands it to the "
                 "broker and answers **202** with its id and status URL once the broker holds it (never before: "
                 "a broker that is away gives 503 and nothing was taken). The attendance service decides it in "
                 "moments: accepted, flagged (accepted, but suspect) or rejected with the reason — a person not on "
                 "the project's roster that day is rejected `not_on_roster`. The time the rules judge (4 hours "
                 "apart, the local day, the travel speed) is the moment the gateway received the check-in, never "
                 "the moment it is decided.\n\nA phone that wants the decision in one round trip sends "
                 "`wait_ms`: the gateway waits up to that long (at most its `checkin_wait_max_ms` setting) and "
                 "answers **200** with the decision when it comes in time, 202 otherwise. A retry with the same "
                 "client_request_id is the same check-in (same id), stored once, answering the first decision.")
async def check_in(body: Annotated[CheckinRequest, Body(openapi_examples={"on site": {
                       "summary": "A check-in on site", "value": examples.CHECKIN}})],
                   request: Request,
                   wait_ms: int = Query(0, ge=0, le=60000, description="Wait up to this many milliseconds for the "
                                        "decision (capped by the gateway's checkin_wait_max_ms)."),
                   principal: Principal = Depends(zlb_principal)):
    received_at = datetime.now(UTC)
    command = CheckinCommand(checkin_id=checkin_id_of(principal.user_id, body.client_request_id),
                             person_id=principal.user_id, received_at=received_at, request=body)
    settings = request.app.state.settings
    decision = await request.app.state.intake.submit(command, min(wait_ms, settings.checkin_wait_max_ms) / 1000)
    if decision is not None:
        return JSONResponse(CheckinDecision.model_validate(decision).model_dump(mode="json", exclude_unset=True))
    status_url = f"/zlb/v1/checkins/{command.checkin_id}"
    return JSONResponse({"id": command.checkin_id, "status": "pending", "status_url": status_url,
                         "received_at": district_iso(received_at)}, status_code=202, headers={"Location": status_url})


@zlb_router.get("/checkins/{checkin_id}", response_model=CheckinDecision | CheckinPending,
                summary="打卡结果 A check-in's decision", responses=errors(404),
                description="One's own check-in: `pending` while the attendance service has not decided it (an id "
                            "that was never received looks the same), else its decision: accepted, flagged or "
                            "rejected with the reason. Another person's check-in is 404.")
def checkin_status(checkin_id: CheckinId, principal: Principal = Depends(zlb_principal),
                   rpc: ServiceClient = Depends(services)):
    return rpc.call("attendance", "checkin_status", checkin_id, principal=principal)


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
