"""Cases (Art. 8, 10–13, 29–30, 49): one list of platform warnings, public complaints and problem
clues, each disposed of down the four-level chain; the statistics over them; and, on the
enterprise face, the cases about the caller's firm. The complaints service authorizes every
call object by object (a unit sees the cases sent to it or below it in its own line)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, status
from fastapi.responses import FileResponse

from common.contracts.cases import (
    CaseComplainants,
    CaseKind,
    CasePhoto,
    CaseStatus,
    CaseStepRequest,
    CaseView,
    ClueFiling,
    CountReport,
    OnTimeReport,
    StepTimesReport,
)
from common.contracts.types import PlatformDateTime
from common.principal import Principal
from gateway.auth import zlb_principal, zzd_principal
from gateway.deps import Page, paging, payload, services
from gateway.errors import FACE_ERRORS, ApiError, errors
from gateway.files import stored_path
from gateway.openapi import ZLB_CASES, ZZD_CASE_STATS, ZZD_CASES, ContractRoute
from gateway.rpc import ServiceClient

zzd_router = APIRouter(prefix="/zzd/v1", route_class=ContractRoute, responses=errors(*FACE_ERRORS))
zlb_router = APIRouter(prefix="/zlb/v1", route_class=ContractRoute, responses=errors(*FACE_ERRORS))

_PAGE = paging(maximum=500)
CaseId = Path(min_length=1, max_length=64)


class StepName(StrEnum):
    """The steps of a case as they appear in the URL."""

    TRIAGE = "triage"
    DISPATCH = "dispatch"
    ACCEPT = "accept"
    NOT_OURS = "not-ours"
    HANDLE = "handle"
    REPORT = "report"
    VERIFY = "verify"
    RETURN = "return"
    ESCALATE = "escalate"
    CLOSE = "close"


@zzd_router.get("/cases", response_model=list[CaseView], tags=[ZZD_CASES],
                description="Warnings, complaints and clues in the caller's scope (the cases sent to the caller's "
                            "units or below them in their own line; discipline complaints only to discipline "
                            "inspection), newest first, filtered by kind, status, project, rule, overdue, the "
                            "unit holding them, `open` (not closed), `level` (the kind of unit holding them, `none` "
                            "when no unit does yet) and `opened_from` (opened at or after this time) — the "
                            "filters of the console's figures, counted in the same scope; paged by `limit` (at "
                            "most 500) and `offset`.")
def list_cases(kind: CaseKind | None = None, status_: CaseStatus | None = Query(None, alias="status"),
               project_id: str | None = Query(None, max_length=64), rule_id: str | None = Query(None, max_length=100),
               overdue: bool | None = None, unit_id: str | None = Query(None, max_length=64),
               open_: bool | None = Query(None, alias="open"), level: str | None = Query(None, max_length=32),
               opened_from: Annotated[PlatformDateTime | None, Query(
                   description="Opened at or after this time (with offset), e.g. the week's start of "
                               "`GET /zzd/v1/stats/warnings-this-week`.")] = None,
               page: Page = Depends(_PAGE), principal: Principal = Depends(zzd_principal),
               rpc: ServiceClient = Depends(services)):
    filters = {name: value for name, value in (("kind", kind), ("status", status_), ("project_id", project_id),
                                               ("rule_id", rule_id), ("overdue", overdue), ("unit_id", unit_id),
                                               ("open", open_), ("level", level),
                                               ("opened_from", opened_from.isoformat() if opened_from else None))
               if value is not None}
    return rpc.call("complaints", "list_cases", filters, page.limit, page.offset, principal=principal)


@zzd_router.get("/cases/{case_id}", response_model=CaseView, tags=[ZZD_CASES], responses=errors(404),
                description="A case with its whole history: each step, who took it from which unit, to whom, when, "
                            "with what text and files, in time or late.")
def get_case(case_id: str = CaseId, principal: Principal = Depends(zzd_principal),
             rpc: ServiceClient = Depends(services)):
    return rpc.call("complaints", "get_case", case_id, principal=principal)


@zzd_router.post("/cases/{case_id}/{step}", response_model=CaseView, tags=[ZZD_CASES],
                 responses=errors(400, 404, 409, 413), summary="案件处置 Take a step of a case",
                 description="One step of a case (Art. 10–13, 29–30): `triage` (the back office's intake: category, "
                             "discipline, project), `dispatch` (down the chain to `unit_id`; a discipline case to "
                             "discipline inspection only), `accept`, `not-ours` (back up with the reason in "
                             "`text`), `handle`, `report` (with `finding` and evidence in `file_ids`), `verify` or "
                             "`return` (the level above), `escalate` (one level up), `close` (the back office, or "
                             "discipline inspection for its cases, with `finding`). `public_reply` is shown to the "
                             "complainant. 403 when the step is not the caller's, 409 when the case's state forbids "
                             "it now.")
def take_step(body: CaseStepRequest, case_id: str = CaseId, step: StepName = Path(),
              principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("complaints", "take_step", case_id, step.value.replace("-", "_"), payload(body),
                    principal=principal)


@zzd_router.post("/clues", status_code=status.HTTP_201_CREATED, response_model=CaseView, tags=[ZZD_CASES],
                 responses=errors(400, 404, 409, 413),
                 description="Supervising staff enter a suspected-problem clue (疑似问题线索, Art. 8); it opens a "
                             "case received by the back office's intake.")
def file_clue(body: ClueFiling, principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("complaints", "file_clue", payload(body), principal=principal)


@zzd_router.get("/cases/{case_id}/complainants", response_model=CaseComplainants, tags=[ZZD_CASES],
                responses=errors(404),
                description="Who complained about the case, one row per complaint linked to it (Art. 30): for the "
                            "back office's complaint intake and discipline inspection only (403 for anyone else); "
                            "each reading is one entry of the audit trail, so the case's complainants come in one "
                            "answer.")
def complainants(case_id: str = CaseId, principal: Principal = Depends(zzd_principal),
                 rpc: ServiceClient = Depends(services)):
    return {"case_id": case_id,
            "complainants": rpc.call("complaints", "complainants", case_id, principal=principal)}


@zzd_router.get("/cases/{case_id}/photos", response_model=list[CasePhoto], tags=[ZZD_CASES],
                responses=errors(404),
                description="The photos the public sent with the case's complaints (Art. 30), oldest first: for those "
                            "who may see the case and handle it (403 for a firm's staff; the public never sees them); "
                            "the bytes of each at …/photos/{photo_id}; paged by `limit` (at most 100) and `offset`.")
def case_photos(case_id: str = CaseId, page: Page = Depends(paging(maximum=100)),
                principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("complaints", "case_photos", case_id, page.limit, page.offset, principal=principal)


@zzd_router.get("/cases/{case_id}/photos/{photo_id}", response_class=FileResponse, tags=[ZZD_CASES],
                responses={200: {"description": "The photo as the complainant sent it, shown inline.",
                                 "content": {"image/*": {"schema": {"type": "string", "format": "binary"}}}},
                           **errors(404)},
                description="One photo of the case's complaints, its bytes with its type (the complaints service "
                            "says whether the caller may see the case; 403 for a firm's staff).")
def case_photo(request: Request, case_id: str = CaseId, photo_id: str = Path(min_length=1, max_length=64),
               principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    photo = rpc.call("complaints", "case_photo", case_id, photo_id, principal=principal)
    path = stored_path(request.app.state.settings, photo["sha256"])
    if not path.is_file():
        raise ApiError(404, "not_found", f"photo {photo_id} is not in the file store")
    return FileResponse(path, media_type=photo["content_type"],
                        headers={"content-disposition": "inline", "cache-control": "private, no-store",
                                 "x-content-type-options": "nosniff"})


@zzd_router.get("/stats/cases", response_model=CountReport, tags=[ZZD_CASE_STATS],
                description="The cases in the caller's scope counted by kind, status, level (the kind of the unit "
                            "holding them), unit, industry, category or month opened (Art. 8): one row per key.")
def case_stats(by: Literal["kind", "status", "level", "unit", "industry", "category", "month"] = Query(),
               principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return {"by": by, "rows": rpc.call("complaints", "case_stats", by, principal=principal)}


@zzd_router.get("/stats/overdue", response_model=list[CaseView], tags=[ZZD_CASE_STATS],
                description="The open cases in the caller's scope past their step's time limit, longest overdue "
                            "first; paged by `limit` (at most 500) and `offset`.")
def overdue_cases(page: Page = Depends(_PAGE), principal: Principal = Depends(zzd_principal),
                  rpc: ServiceClient = Depends(services)):
    return rpc.call("complaints", "overdue_cases", page.limit, page.offset, principal=principal)


@zzd_router.get("/stats/step-times", response_model=StepTimesReport, tags=[ZZD_CASE_STATS],
                description="The median time, in hours, each step of a case took in the caller's scope, with how many "
                            "were counted: one row per step.")
def step_times(principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return {"steps": rpc.call("complaints", "step_times", principal=principal)}


@zzd_router.get("/stats/on-time", response_model=OnTimeReport, tags=[ZZD_CASE_STATS],
                description="Each unit's share of case steps done within their time limit (Art. 37(1)), in the "
                            "caller's scope: one row per unit.")
def on_time_shares(principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return {"units": rpc.call("complaints", "on_time_shares", principal=principal)}


@zzd_router.get("/stats/warnings", response_model=CountReport, tags=[ZZD_CASE_STATS],
                description="The platform's warnings in the caller's scope counted by rule or by month (Art. 8): one "
                            "row per key.")
def warning_stats(by: Literal["rule", "month"] = Query(), principal: Principal = Depends(zzd_principal),
                  rpc: ServiceClient = Depends(services)):
    return {"by": by, "rows": rpc.call("complaints", "warning_stats", by, principal=principal)}


@zlb_router.get("/me/cases", response_model=list[CaseView], tags=[ZLB_CASES],
                description="The warnings and complaints about the caller's firm and how they were disposed of, "
                            "without who complained or who handled them, newest first; paged by `limit` (at most "
                            "500) and `offset`.")
def my_cases(page: Page = Depends(_PAGE), principal: Principal = Depends(zlb_principal),
             rpc: ServiceClient = Depends(services)):
    return rpc.call("complaints", "my_cases", page.limit, page.offset, principal=principal)
