"""Supervision records (Art. 22–23, 45–46): logs, stand-by records and supervision notices with
the contractor's online rectification; subcontracts (Art. 36)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from common.contracts.supervision import (
    EscalationRequest,
    RectificationRequest,
    SubcontractRequest,
    SubcontractView,
    SupervisionNoticeRequest,
    SupervisionNoticeView,
    SupervisionRecordRequest,
    SupervisionRecordsView,
    SupervisionRecordView,
    VerificationRequest,
)
from common.principal import Principal
from gateway.auth import zlb_principal, zzd_principal
from gateway.deps import Page, paging, payload, services
from gateway.errors import FACE_ERRORS, errors
from gateway.openapi import ZLB_SUPERVISION, ZZD_SUPERVISION, ContractRoute
from gateway.rpc import ServiceClient

zlb_router = APIRouter(prefix="/zlb/v1", tags=[ZLB_SUPERVISION], route_class=ContractRoute,
                       responses=errors(*FACE_ERRORS))
zzd_router = APIRouter(prefix="/zzd/v1", tags=[ZZD_SUPERVISION], route_class=ContractRoute,
                       responses=errors(*FACE_ERRORS))

_STEP = errors(400, 404, 409, 413)
_RECORDS = ("The project's supervision logs, stand-by records and notices, oldest first; each of the three lists "
            "is paged by `limit` (at most 500) and `offset`.")
_SUBCONTRACTS = "The project's subcontracts (Art. 36), oldest first; paged by `limit` (at most 500) and `offset`."
_PAGE = paging(maximum=500)



@zlb_router.post("/supervision-logs", status_code=201, response_model=SupervisionRecordView, responses=_STEP,
                 description="The supervisor uploads a supervision log (kind \"log\", one per project and day) or "
                             "a stand-by record (kind \"standby\", naming the part stood by, with files).")
def record_supervision(body: SupervisionRecordRequest, principal: Principal = Depends(zlb_principal),
                       rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "record_supervision", payload(body), principal=principal)


@zlb_router.post("/supervision-notices", status_code=201, response_model=SupervisionNoticeView, responses=_STEP,
                 description="The supervisor issues a notice requiring rectification within the days it sets.")
def issue_supervision_notice(body: SupervisionNoticeRequest, principal: Principal = Depends(zlb_principal),
                             rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "issue_supervision_notice", payload(body), principal=principal)


@zlb_router.post("/supervision-notices/{notice_id}/rectification", response_model=SupervisionNoticeView,
                 responses=_STEP,
                 description="The contractor answers the notice online with its rectification.")
def submit_notice_rectification(notice_id: str, body: RectificationRequest,
                                principal: Principal = Depends(zlb_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "submit_notice_rectification", notice_id, payload(body), principal=principal)


@zlb_router.post("/supervision-notices/{notice_id}/verification", response_model=SupervisionNoticeView,
                 responses=_STEP,
                 description="The supervisor accepts the rectification (closing the notice) or rejects it.")
def verify_notice_rectification(notice_id: str, body: VerificationRequest,
                                principal: Principal = Depends(zlb_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "verify_notice_rectification", notice_id, payload(body), principal=principal)


@zlb_router.post("/supervision-notices/{notice_id}/escalation", response_model=SupervisionNoticeView,
                 responses=_STEP,
                 description="The supervisor reports a contractor refusing to rectify to the industry authority.")
def escalate_supervision_notice(notice_id: str, body: EscalationRequest,
                                principal: Principal = Depends(zlb_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "escalate_supervision_notice", notice_id, payload(body), principal=principal)


@zlb_router.post("/subcontracts", status_code=201, response_model=SubcontractView, responses=_STEP,
                 description="The contractor uploads a subcontract.")
def register_subcontract(body: SubcontractRequest, principal: Principal = Depends(zlb_principal),
                         rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "register_subcontract", payload(body), principal=principal)


@zlb_router.get("/projects/{project_id}/supervision-records", response_model=SupervisionRecordsView,
                responses=errors(404), description=_RECORDS)
def zlb_supervision_records(project_id: str, page: Page = Depends(_PAGE), principal: Principal = Depends(zlb_principal),
                            rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "list_supervision_records", project_id, page.limit, page.offset, principal=principal)


@zlb_router.get("/projects/{project_id}/subcontracts", response_model=list[SubcontractView], responses=errors(404),
                description=_SUBCONTRACTS)
def zlb_subcontracts(project_id: str, page: Page = Depends(_PAGE), principal: Principal = Depends(zlb_principal),
                     rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "list_subcontracts", project_id, page.limit, page.offset, principal=principal)


@zzd_router.get("/projects/{project_id}/supervision-records", response_model=SupervisionRecordsView,
                responses=errors(404), description=_RECORDS)
def zzd_supervision_records(project_id: str, page: Page = Depends(_PAGE), principal: Principal = Depends(zzd_principal),
                            rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "list_supervision_records", project_id, page.limit, page.offset, principal=principal)


@zzd_router.get("/projects/{project_id}/subcontracts", response_model=list[SubcontractView], responses=errors(404),
                description=_SUBCONTRACTS)
def zzd_subcontracts(project_id: str, page: Page = Depends(_PAGE), principal: Principal = Depends(zzd_principal),
                     rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "list_subcontracts", project_id, page.limit, page.offset, principal=principal)
