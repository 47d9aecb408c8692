"""Engineering and personnel changes (Art. 27), termination (Art. 34) and supplementary
registration (Art. 33)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query

from common.contracts.changes import (
    ApprovalFormUpload,
    ChangeRequest,
    ChangeView,
    Decision,
    PenaltyRecord,
    SupplementaryRegistrationRequest,
    SupplementaryRegistrationView,
    TerminationRequest,
    TerminationView,
)
from common.contracts.registry import ProjectView
from common.principal import Principal
from gateway.auth import zlb_principal, zzd_principal
from gateway.deps import Page, paging, payload, services
from gateway.errors import FACE_ERRORS, errors
from gateway.openapi import ZLB_CHANGES, ZZD_CHANGES, ZZD_TERMINATION, ContractRoute
from gateway.rpc import ServiceClient

zlb_router = APIRouter(prefix="/zlb/v1", route_class=ContractRoute, responses=errors(*FACE_ERRORS))
zzd_router = APIRouter(prefix="/zzd/v1", route_class=ContractRoute, responses=errors(*FACE_ERRORS))

_STEP = errors(400, 404, 409, 413)
_CHANGES_PAGE = paging(maximum=100)
_REGISTRATIONS_PAGE = paging(maximum=500)



@zlb_router.post("/changes", status_code=201, tags=[ZLB_CHANGES], response_model=ChangeView, responses=_STEP,
                 description="An engineering change raised by the contractor (kind \"engineering\"), or a personnel "
                             "change raised by the firm replacing one of its key people (kind \"personnel\").")
def raise_change(body: ChangeRequest, principal: Principal = Depends(zlb_principal),
                 rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "raise_change", payload(body), principal=principal)


@zlb_router.get("/changes/{change_id}", tags=[ZLB_CHANGES], response_model=ChangeView, responses=errors(404))
def get_change_for_firm(change_id: str, principal: Principal = Depends(zlb_principal),
                        rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "get_change", change_id, principal=principal)


@zlb_router.get("/projects/{project_id}/changes", tags=[ZLB_CHANGES], response_model=list[ChangeView],
                responses=errors(404), description="The project's changes, both kinds, with their steps, oldest "
                "first; paged by `limit` (at most 100) and `offset`.")
def list_changes_for_firm(project_id: str, page: Page = Depends(_CHANGES_PAGE),
                          principal: Principal = Depends(zlb_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "list_changes", project_id, page.limit, page.offset, principal=principal)


@zzd_router.post("/changes/{change_id}/decision", tags=[ZZD_CHANGES], response_model=ChangeView, responses=_STEP,
                 description="The owner decides an engineering change; the owner, the supervising unit and the "
                             "industry authority each take their step of a personnel change. A refusal gives its "
                             "reason in note.")
def decide_change(change_id: str, body: Decision, principal: Principal = Depends(zzd_principal),
                  rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "decide_change", change_id, payload(body), principal=principal)


@zzd_router.post("/changes/{change_id}/approval-form", tags=[ZZD_CHANGES], response_model=ChangeView,
                 responses=_STEP,
                 description="The owner's project lead uploads the offline approval form of an agreed personnel "
                             "change; the replacement takes the post.")
def upload_change_approval_form(change_id: str, body: ApprovalFormUpload,
                                principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "upload_change_approval_form", change_id, payload(body), principal=principal)


@zzd_router.post("/changes/{change_id}/penalty", tags=[ZZD_CHANGES], response_model=ChangeView, responses=_STEP,
                 description="The owner records the contractual penalty of an agreed personnel change.")
def record_change_penalty(change_id: str, body: PenaltyRecord, principal: Principal = Depends(zzd_principal),
                          rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "record_change_penalty", change_id, payload(body), principal=principal)


@zzd_router.get("/changes/{change_id}", tags=[ZZD_CHANGES], response_model=ChangeView, responses=errors(404))
def get_change(change_id: str, principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "get_change", change_id, principal=principal)


@zzd_router.get("/projects/{project_id}/changes", tags=[ZZD_CHANGES], response_model=list[ChangeView],
                responses=errors(404), description="The project's changes, both kinds, with their steps, oldest "
                "first; paged by `limit` (at most 100) and `offset`.")
def list_changes(project_id: str, page: Page = Depends(_CHANGES_PAGE),
                 principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "list_changes", project_id, page.limit, page.offset, principal=principal)


@zzd_router.post("/projects/{project_id}/termination", tags=[ZZD_TERMINATION], response_model=ProjectView,
                 responses=_STEP,
                 description="The owner terminates the project with a written report of the reason (Art. 34).")
def terminate_project(project_id: str, body: TerminationRequest, principal: Principal = Depends(zzd_principal),
                      rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "terminate_project", project_id, payload(body), principal=principal)


@zzd_router.get("/projects/{project_id}/termination", tags=[ZZD_TERMINATION], response_model=TerminationView,
                responses=errors(404), description="The termination of a terminated project (Art. 34).")
def get_termination(project_id: str, principal: Principal = Depends(zzd_principal),
                    rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "get_termination", project_id, principal=principal)


@zzd_router.post("/supplementary-registrations", status_code=201, tags=[ZZD_TERMINATION],
                 response_model=SupplementaryRegistrationView, responses=_STEP,
                 description="An owner's project lead asks to put works never registered on the platform, naming "
                             "the supervising unit that agrees (Art. 33).")
def request_supplementary_registration(body: SupplementaryRegistrationRequest,
                                       principal: Principal = Depends(zzd_principal),
                                       rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "request_supplementary_registration", payload(body), principal=principal)


@zzd_router.get("/supplementary-registrations", tags=[ZZD_TERMINATION],
                response_model=list[SupplementaryRegistrationView],
                description="The supplementary registrations the caller requested or decides (Art. 33), newest "
                            "first; paged by `limit` (at most 500) and `offset`.")
def list_supplementary_registrations(
        status_: Literal["pending", "approved", "refused"] | None = Query(None, alias="status"),
        page: Page = Depends(_REGISTRATIONS_PAGE),
        principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "list_supplementary_registrations", status_, page.limit, page.offset,
                    principal=principal)


@zzd_router.get("/supplementary-registrations/{registration_id}", tags=[ZZD_TERMINATION],
                response_model=SupplementaryRegistrationView, responses=errors(404))
def get_supplementary_registration(registration_id: str, principal: Principal = Depends(zzd_principal),
                                   rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "get_supplementary_registration", registration_id, principal=principal)


@zzd_router.post("/supplementary-registrations/{registration_id}/decision", tags=[ZZD_TERMINATION],
                 response_model=SupplementaryRegistrationView, responses=_STEP,
                 description="The supervising unit's chief agrees or refuses; on agreement the project is created "
                             "with its works completed, ready for its records and its settlement audit.")
def decide_supplementary_registration(registration_id: str, body: Decision,
                                      principal: Principal = Depends(zzd_principal),
                                      rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "decide_supplementary_registration", registration_id, payload(body),
                    principal=principal)
