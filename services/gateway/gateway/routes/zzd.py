"""``/zzd/v1``: the government face (浙政钉) — organisation, projects and their assignment
chain, participants and personnel, files."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile, status

from common.contracts.registry import (
    AssignmentRequest,
    ParticipantRequest,
    PersonnelRequest,
    PostGrant,
    ProjectRegistration,
    SuspensionRequest,
    UnitKind,
    UnitRegistration,
    UserRegistration,
)
from common.principal import Principal
from gateway.auth import zzd_principal
from gateway.deps import Page, paging, payload, services
from gateway.files import store_upload
from gateway.rpc import ServiceClient

router = APIRouter(prefix="/zzd/v1", tags=["government (ZZD)"])



@router.get("/units")
def list_units(kind: UnitKind | None = None, principal: Principal = Depends(zzd_principal),
               rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "list_units", kind, principal=principal)


@router.post("/units", status_code=status.HTTP_201_CREATED)
def register_unit(body: UnitRegistration, principal: Principal = Depends(zzd_principal),
                  rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "register_unit", payload(body), principal=principal)


@router.get("/users")
def list_users(unit_id: str | None = Query(None, max_length=64), principal: Principal = Depends(zzd_principal),
               rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "list_users", unit_id, principal=principal)


@router.post("/users", status_code=status.HTTP_201_CREATED)
def register_user(body: UserRegistration, principal: Principal = Depends(zzd_principal),
                  rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "register_user", payload(body), principal=principal)


@router.get("/users/{user_id}")
def get_user(user_id: str, principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "get_user", user_id, principal=principal)


@router.post("/users/{user_id}/posts", status_code=status.HTTP_201_CREATED)
def grant_post(user_id: str, body: PostGrant, principal: Principal = Depends(zzd_principal),
               rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "grant_post", user_id, payload(body), principal=principal)


@router.post("/projects", status_code=status.HTTP_201_CREATED)
def register_project(body: ProjectRegistration, principal: Principal = Depends(zzd_principal),
                     rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "register_project", payload(body), principal=principal)


@router.get("/projects")
def list_projects(status_: str | None = Query(None, alias="status", max_length=32),
                  page: Page = Depends(paging(maximum=500)),
                  principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "list_projects", status_, page.limit, page.offset, principal=principal)


@router.get("/projects/{project_id}")
def get_project(project_id: str, principal: Principal = Depends(zzd_principal),
                rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "get_project", project_id, principal=principal)


@router.post("/projects/{project_id}/assignments")
def assign_project(project_id: str, body: AssignmentRequest, principal: Principal = Depends(zzd_principal),
                   rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "assign_project", project_id, payload(body), principal=principal)


@router.post("/projects/{project_id}/participants", status_code=status.HTTP_201_CREATED)
def add_participant(project_id: str, body: ParticipantRequest, principal: Principal = Depends(zzd_principal),
                    rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "add_participant", project_id, payload(body), principal=principal)


@router.post("/projects/{project_id}/personnel", status_code=status.HTTP_201_CREATED)
def assign_personnel(project_id: str, body: PersonnelRequest, principal: Principal = Depends(zzd_principal),
                     rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "assign_personnel", project_id, payload(body), principal=principal)


@router.post("/projects/{project_id}/construction-start",
             description="The owner starts construction once firms and key people are registered (Art. 24, 25).")
def start_construction(project_id: str, principal: Principal = Depends(zzd_principal),
                       rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "start_construction", project_id, principal=principal)


@router.post("/projects/{project_id}/suspension", description="The owner declares a suspension on the day (Art. 35).")
def suspend_project(project_id: str, body: SuspensionRequest, principal: Principal = Depends(zzd_principal),
                    rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "suspend_project", project_id, payload(body), principal=principal)


@router.post("/projects/{project_id}/resumption", description="The owner's project lead reopens the project (Art. 35).")
def resume_project(project_id: str, principal: Principal = Depends(zzd_principal),
                   rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "resume_project", project_id, principal=principal)


@router.post("/files", status_code=status.HTTP_201_CREATED)
def upload_file(request: Request, file: UploadFile = File(...), principal: Principal = Depends(zzd_principal),
                rpc: ServiceClient = Depends(services)):
    return store_upload(file, principal, request.app.state.settings, rpc)


@router.get("/files/{file_id}")
def get_file(file_id: str, principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "get_file", file_id, principal=principal)
