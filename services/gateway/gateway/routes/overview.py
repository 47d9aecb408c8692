"""``/zzd/v1/stats/...``: the figures of the console's home page (Art. 8 统计分析), each a grouped
count by the service that owns the records, within the caller's data scope. The lists behind a
figure are the faces' own lists (projects, cases, scores)."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Depends, Query

from common.clock import local_date
from common.contracts.overview import (
    AttendanceToday,
    FirmColours,
    OpenCasesByLevel,
    OpenWarningsByProject,
    PlatformToday,
    ProjectCounts,
    WarningsThisWeek,
)
from common.principal import Principal
from gateway.auth import zzd_principal
from gateway.deps import limit_only, services
from gateway.errors import FACE_ERRORS, errors
from gateway.openapi import ZZD_ATTENDANCE, ZZD_CASE_STATS, ZZD_PROJECTS, ZZD_SCORING, ContractRoute
from gateway.rpc import ServiceClient

router = APIRouter(prefix="/zzd/v1/stats", route_class=ContractRoute, responses=errors(*FACE_ERRORS))

# A figure per project answers at most this many rows (`limit`): the district has a few hundred
# projects, and a scope as wide as the leading group's must not make the answer unbounded.
_PROJECT_ROWS = limit_only(default=1000, maximum=2000)


def platform_today(rpc: ServiceClient, principal: Principal) -> dict:
    """The platform's date, as the services count it (a demo's manual clock, not the browser's)."""
    now = datetime.fromisoformat(rpc.call("attendance", "platform_time", principal=principal))
    day = local_date(now)
    return {"now": now.isoformat(), "day": day.isoformat(),
            "week_began": (day - timedelta(days=day.weekday())).isoformat()}


@router.get("/today", response_model=PlatformToday, tags=[ZZD_ATTENDANCE],
            description="The platform's time, date and week in the district — a demo's manual clock, not the "
                        "phone's or the desk's: the day the figures count and the month a page opens on.")
def today(principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return platform_today(rpc, principal)


@router.get("/projects", response_model=ProjectCounts, tags=[ZZD_PROJECTS],
            description="The projects in the caller's scope counted by status and industry: one row per pair.")
def project_counts(principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return {"rows": rpc.call("workflow", "project_counts", principal=principal)}


@router.get("/attendance-today", response_model=AttendanceToday, tags=[ZZD_ATTENDANCE],
            description="Today in the district (Art. 26): in each project under construction in the caller's "
                        "scope, the people on site (checked in, accepted or flagged) out of those expected (on duty "
                        "on a construction day, not on leave), and the totals over all of them; the projects "
                        "listed are the first by name, bounded by `limit` (at most 2000), 1000 unless asked.")
def attendance_today(limit: int = Depends(_PROJECT_ROWS), principal: Principal = Depends(zzd_principal),
                     rpc: ServiceClient = Depends(services)):
    return rpc.call("attendance", "attendance_today", limit=limit, principal=principal)


@router.get("/warnings-this-week", response_model=WarningsThisWeek, tags=[ZZD_CASE_STATS],
            description="The platform's warnings raised since Monday 00:00 in the district, in the caller's scope, "
                        "counted by rule (Art. 8).")
def warnings_this_week(principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("complaints", "warnings_this_week", principal=principal)


@router.get("/open-cases", response_model=OpenCasesByLevel, tags=[ZZD_CASE_STATS],
            description="The cases not closed in the caller's scope, counted by the level holding them (the kind of "
                        "unit), with those past their step's time limit.")
def open_cases(principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return {"rows": rpc.call("complaints", "open_cases_by_level", principal=principal)}


@router.get("/open-warnings", response_model=OpenWarningsByProject, tags=[ZZD_CASE_STATS],
            description="The warnings not closed in the caller's scope, counted by project (the console's map), "
                        "the most warned first, bounded by `limit` (at most 2000), 1000 unless asked.")
def open_warnings(limit: int = Depends(_PROJECT_ROWS), principal: Principal = Depends(zzd_principal),
                  rpc: ServiceClient = Depends(services)):
    return {"rows": rpc.call("complaints", "open_warnings_by_project", limit=limit, principal=principal)}


@router.get("/firm-colours", response_model=FirmColours, tags=[ZZD_SCORING],
            description="The firms of the year (this one by default) in the caller's scope counted by their colour, "
                        "green to red (Art. 37).")
def firm_colours(year: int | None = Query(None, ge=2000, le=2100), principal: Principal = Depends(zzd_principal),
                 rpc: ServiceClient = Depends(services)):
    return rpc.call("scoring", "firm_colours", year, principal=principal)
