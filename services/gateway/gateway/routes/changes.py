"""Engineering and personnel changes (Art. 27), termination (Art. 34) and supplementary
registration (Art. 33)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query

from common.contracts.changes import (
    ApprovalFormUpload,
    ChangeRequest,
    Decision,
    PenaltyRecord,
    SupplementaryRegistrationRequest,
    TerminationRequest,
)
from common.principal import Principal
from gateway.auth import zlb_principal, zzd_principal
from gateway.deps import payload, services
from gateway.rpc import ServiceClient

zlb_router = APIRouter(prefix="/zlb/v1", tags=["changes (ZLB)"])
zzd_router = APIRouter(prefix="/zzd/v1", tags=["changes and termination (ZZD)"])



@zlb_router.post("/changes", status_code=201,
                 description="An engineering change raised by the contractor (kind \"engineering\"), or a personnel "
                             "change raised by the firm replacing one of its key people (kind \"personnel\").")
def raise_change(body: ChangeRequest, principal: Principal = Depends(zlb_principal),
                 rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "raise_change", payload(body), principal=principal)


@zlb_router.get("/changes/{change_id}")
def get_change_for_firm(change_id: str, principal: Principal = Depends(zlb_principal),
                        rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "get_change", change_id, principal=principal)


@zlb_router.get("/projects/{project_id}/changes", description="The project's changes, both kinds, with their steps.")
def list_changes_for_firm(project_id: str, principal: Principal = Depends(zlb_principal),
                          rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "list_changes", project_id, principal=principal)


@zzd_router.post("/changes/{change_id}/decision",
                 description="The owner decides an engineering change; the owner, the supervising unit and the "
                             "industry authority each take their step of a personnel change. A refusal gives its "
                             "reason in note.")
def decide_change(change_id: str, body: Decision, principal: Principal = Depends(zzd_principal),
                  rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "decide_change", change_id, payload(body), principal=principal)


@zzd_router.post("/changes/{change_id}/approval-form",
                 description="The owner's project lead uploads the offline approval form of an agreed personnel "
                             "change; the replacement takes the post.")
def upload_change_approval_form(change_id: str, body: ApprovalFormUpload,
                                principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "upload_change_approval_form", change_id, payload(body), principal=principal)


@zzd_router.post("/changes/{change_id}/penalty",
                 description="The owner records the contractual penalty of an agreed personnel change.")
def record_change_penalty(change_id: str, body: PenaltyRecord, principal: Principal = Depends(zzd_principal),
                          rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "record_change_penalty", change_id, payload(body), principal=principal)


@zzd_router.get("/changes/{change_id}")
def get_change(change_id: str, principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "get_change", change_id, principal=principal)


@zzd_router.get("/projects/{project_id}/changes", description="The project's changes, both kinds, with their steps.")
def list_changes(project_id: str, principal: Principal = Depends(zzd_principal),
                 rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "list_changes", project_id, principal=principal)


@zzd_router.post("/projects/{project_id}/termination",
                 description="The owner terminates the project with a written report of the reason (Art. 34).")
def terminate_project(project_id: str, body: TerminationRequest, principal: Principal = Depends(zzd_principal),
                      rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "terminate_project", project_id, payload(body), principal=principal)


@zzd_router.get("/projects/{project_id}/termination")
def get_termination(project_id: str, principal: Principal = Depends(zzd_principal),
                    rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "get_termination", project_id, principal=principal)


@zzd_router.post("/supplementary-registrations", status_code=201,
                 description="An owner's project lead asks to put works never registered on the platform, naming "
                             "the supervising unit that agrees (Art. 33).")
def request_supplementary_registration(body: SupplementaryRegistrationRequest,
                                       principal: Principal = Depends(zzd_principal),
                                       rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "request_supplementary_registration", payload(body), principal=principal)


@zzd_router.get("/supplementary-registrations")
def list_supplementary_registrations(
        status_: Literal["pending", "approved", "refused"] | None = Query(None, alias="status"),
        principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "list_supplementary_registrations", status_, principal=principal)


@zzd_router.get("/supplementary-registrations/{registration_id}")
def get_supplementary_registration(registration_id: str, principal: Principal = Depends(zzd_principal),
                                   rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "get_supplementary_registration", registration_id, principal=principal)


@zzd_router.post("/supplementary-registrations/{registration_id}/decision",
                 description="The supervising unit's chief agrees or refuses; on agreement the project is created "
                             "with its works completed, ready for its records and its settlement audit.")
def decide_supplementary_registration(registration_id: str, body: Decision,
                                      principal: Principal = Depends(zzd_principal),
                                      rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "decide_supplementary_registration", registration_id, payload(body),
                    principal=principal)
