"""Completion acceptance (Art. 31), settlement audit (Art. 32), payment and the quality deposit
(Art. 25), and the deadlines that watch them."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from common.contracts.processes import (
    AcceptanceCheck,
    AcceptanceDecision,
    AcceptanceReturn,
    AcceptanceStart,
    AcceptanceView,
    DeadlineView,
    ExtensionRequest,
    SettlementAuditSubmission,
)
from common.contracts.registry import ProjectView
from common.principal import Principal
from gateway.auth import zlb_principal, zzd_principal
from gateway.deps import Page, paging, payload, services
from gateway.errors import FACE_ERRORS, errors
from gateway.openapi import ZLB_ACCEPTANCE, ZZD_ACCEPTANCE, ZZD_DEADLINES, ZZD_SETTLEMENT, ContractRoute
from gateway.rpc import ServiceClient

zlb_router = APIRouter(prefix="/zlb/v1", route_class=ContractRoute, responses=errors(*FACE_ERRORS))
zzd_router = APIRouter(prefix="/zzd/v1", route_class=ContractRoute, responses=errors(*FACE_ERRORS))

_STEP = errors(400, 404, 409, 413)



@zlb_router.post("/acceptances", status_code=201, tags=[ZLB_ACCEPTANCE],
                 response_model=AcceptanceView, responses=_STEP,
                 description="The contractor starts the completion acceptance.")
def start_acceptance(body: AcceptanceStart, principal: Principal = Depends(zlb_principal),
                     rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "start_acceptance", payload(body), principal=principal)


@zzd_router.post("/acceptances", status_code=201, tags=[ZZD_ACCEPTANCE],
                 response_model=AcceptanceView, responses=_STEP,
                 description="A village asks the township for re-acceptance.")
def start_reacceptance(body: AcceptanceStart, principal: Principal = Depends(zzd_principal),
                       rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "start_acceptance", payload(body), principal=principal)


@zlb_router.post("/acceptances/{acceptance_id}/check", tags=[ZLB_ACCEPTANCE],
                 response_model=AcceptanceView, responses=_STEP,
                 description="The supervisor checks the works.")
def check_acceptance(acceptance_id: str, body: AcceptanceCheck, principal: Principal = Depends(zlb_principal),
                     rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "check_acceptance", acceptance_id, payload(body), principal=principal)


@zzd_router.post("/acceptances/{acceptance_id}/accept", tags=[ZZD_ACCEPTANCE],
                 response_model=AcceptanceView, responses=_STEP,
                 description="Accept, with the records (Art. 31).")
def accept(acceptance_id: str, body: AcceptanceDecision, principal: Principal = Depends(zzd_principal),
           rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "accept", acceptance_id, payload(body), principal=principal)


@zzd_router.post("/acceptances/{acceptance_id}/return", tags=[ZZD_ACCEPTANCE],
                 response_model=AcceptanceView, responses=_STEP,
                 description="Send works not ready back, within 3 days.")
def return_acceptance(acceptance_id: str, body: AcceptanceReturn, principal: Principal = Depends(zzd_principal),
                      rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "return_acceptance", acceptance_id, payload(body), principal=principal)


@zzd_router.post("/acceptances/{acceptance_id}/extend", tags=[ZZD_ACCEPTANCE],
                 response_model=AcceptanceView, responses=_STEP,
                 description="Ask for more time for very large works.")
def request_extension(acceptance_id: str, body: ExtensionRequest, principal: Principal = Depends(zzd_principal),
                      rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "request_extension", acceptance_id, payload(body), principal=principal)


@zzd_router.post("/acceptances/{acceptance_id}/extension-approvals", tags=[ZZD_ACCEPTANCE],
                 response_model=AcceptanceView, responses=errors(404, 409), description="The supervising unit, the "
                 "industry authority and the leading group approve an extension, in that order.")
def approve_extension(acceptance_id: str, principal: Principal = Depends(zzd_principal),
                      rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "approve_extension", acceptance_id, principal=principal)


@zzd_router.get("/projects/{project_id}/acceptances", tags=[ZZD_ACCEPTANCE], response_model=list[AcceptanceView],
                responses=errors(404), description="The project's completion acceptances, oldest first; paged by "
                "`limit` (at most 100) and `offset`.")
def list_acceptances(project_id: str, page: Page = Depends(paging(maximum=100)),
                     principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "list_acceptances", project_id, page.limit, page.offset, principal=principal)


@zzd_router.get("/projects/{project_id}/deadlines", tags=[ZZD_DEADLINES], response_model=list[DeadlineView],
                responses=errors(404), description="The project's deadlines and their rungs, oldest first; paged by "
                "`limit` (at most 500) and `offset`.")
def project_deadlines(project_id: str, page: Page = Depends(paging(maximum=500)),
                      principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "project_deadlines", project_id, page.limit, page.offset, principal=principal)


@zzd_router.post("/projects/{project_id}/settlement-audit", tags=[ZZD_SETTLEMENT], response_model=ProjectView,
                 responses=_STEP, description="Submit the records for settlement audit.")
def submit_settlement_audit(project_id: str, body: SettlementAuditSubmission,
                            principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "submit_settlement_audit", project_id, payload(body), principal=principal)


@zzd_router.post("/projects/{project_id}/funds-paid", tags=[ZZD_SETTLEMENT], response_model=ProjectView,
                 responses=errors(404, 409), description="The funds are paid after the settlement audit (Art. 25).")
def funds_paid(project_id: str, principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "advance_after_audit", project_id, "funds_paid", principal=principal)


@zzd_router.post("/projects/{project_id}/deposit-returned", tags=[ZZD_SETTLEMENT], response_model=ProjectView,
                 responses=errors(404, 409), description="The quality deposit is returned (Art. 25).")
def deposit_returned(project_id: str, principal: Principal = Depends(zzd_principal),
                     rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "advance_after_audit", project_id, "deposit_returned", principal=principal)
