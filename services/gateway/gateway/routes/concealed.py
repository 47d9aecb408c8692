"""Concealed works (隐蔽工程, Art. 28): the contractor applies, the supervisor records the
stand-by and inspection with photos, the owner reviews them."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from common.contracts.concealed import (
    ConcealedInspection,
    ConcealedReview,
    ConcealedWorkApplication,
    ConcealedWorkView,
)
from common.principal import Principal
from gateway.auth import zlb_principal, zzd_principal
from gateway.deps import Page, paging, payload, services
from gateway.errors import FACE_ERRORS, errors
from gateway.openapi import ZLB_CONCEALED, ZZD_CONCEALED, ContractRoute
from gateway.rpc import ServiceClient

zlb_router = APIRouter(prefix="/zlb/v1", tags=[ZLB_CONCEALED], route_class=ContractRoute,
                       responses=errors(*FACE_ERRORS))
zzd_router = APIRouter(prefix="/zzd/v1", tags=[ZZD_CONCEALED], route_class=ContractRoute,
                       responses=errors(*FACE_ERRORS))



@zlb_router.post("/concealed-works", status_code=201,
                 response_model=ConcealedWorkView, responses=errors(400, 404, 409, 413),
                 description="The contractor applies within the 2 days before the concealed work is done.")
def apply_concealed_work(body: ConcealedWorkApplication, principal: Principal = Depends(zlb_principal),
                         rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "apply_concealed_work", payload(body), principal=principal)


@zlb_router.post("/concealed-works/{concealed_work_id}/inspection",
                 response_model=ConcealedWorkView, responses=errors(400, 404, 409, 413),
                 description="On the day, the supervisor records the stand-by and inspection with photos before, "
                 "after and with a measuring scale; photos taken on another day or away from the site are flagged.")
def record_concealed_inspection(concealed_work_id: str, body: ConcealedInspection,
                                principal: Principal = Depends(zlb_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "record_concealed_inspection", concealed_work_id, payload(body), principal=principal)


@zzd_router.post("/concealed-works/{concealed_work_id}/review",
                 response_model=ConcealedWorkView, responses=errors(400, 404, 409, 413),
                 description="The owner reviews the photos; for important parts it records its own presence.")
def review_concealed_work(concealed_work_id: str, body: ConcealedReview, principal: Principal = Depends(zzd_principal),
                          rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "review_concealed_work", concealed_work_id, payload(body), principal=principal)


@zzd_router.get("/projects/{project_id}/concealed-works",
                response_model=list[ConcealedWorkView], responses=errors(404),
                description="The project's concealed works and their steps, by planned day; paged by `limit` (at "
                "most 500) and `offset`.")
def list_concealed_works(project_id: str, page: Page = Depends(paging(maximum=500)),
                         principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "list_concealed_works", project_id, page.limit, page.offset, principal=principal)


@zlb_router.get("/projects/{project_id}/concealed-works",
                response_model=list[ConcealedWorkView], responses=errors(404),
                description="The concealed works of a project the firm takes part in, and their steps, by planned "
                "day; paged by `limit` (at most 500) and `offset`.")
def list_concealed_works_for_firm(project_id: str, page: Page = Depends(paging(maximum=500)),
                                  principal: Principal = Depends(zlb_principal),
                                  rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "list_concealed_works", project_id, page.limit, page.offset, principal=principal)
