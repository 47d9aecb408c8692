"""``/zzd/v1``: the government face (浙政钉) — organisation, projects and their assignment
chain, participants and personnel, files."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, File, Query, Request, UploadFile, status

from common.contracts.registry import (
    AssignmentRequest,
    FileView,
    ParticipantRequest,
    PersonnelRequest,
    PostGrant,
    ProjectRegistration,
    ProjectView,
    SuspensionRequest,
    UnitKind,
    UnitRegistration,
    UnitView,
    UserRegistration,
    UserView,
)
from common.principal import Principal
from gateway import examples
from gateway.auth import zzd_principal
from gateway.deps import Page, paging, payload, services
from gateway.errors import FACE_ERRORS, errors
from gateway.files import store_upload
from gateway.openapi import ZZD_FILES, ZZD_ORGANISATION, ZZD_PROJECTS, ContractRoute
from gateway.rpc import ServiceClient

router = APIRouter(prefix="/zzd/v1", route_class=ContractRoute, responses=errors(*FACE_ERRORS))


@router.get("/units", response_model=list[UnitView], tags=[ZZD_ORGANISATION],
            description="The organisation tree's units, of one kind if asked (Art. 16–20), by kind and name; "
                        "paged by `limit` (at most 500) and `offset`.")
def list_units(kind: UnitKind | None = None, page: Page = Depends(paging(maximum=500)),
               principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "list_units", kind, page.limit, page.offset, principal=principal)


@router.post("/units", status_code=status.HTTP_201_CREATED, response_model=UnitView, tags=[ZZD_ORGANISATION],
             responses=errors(400, 404, 409, 413), description="The back office registers a unit.")
def register_unit(body: UnitRegistration, principal: Principal = Depends(zzd_principal),
                  rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "register_unit", payload(body), principal=principal)


@router.get("/users", response_model=list[UserView], tags=[ZZD_ORGANISATION],
            description="The users the caller manages, of one unit if asked, by name; paged by `limit` (at most "
                        "500) and `offset`.")
def list_users(unit_id: str | None = Query(None, max_length=64), page: Page = Depends(paging(maximum=500)),
               principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "list_users", unit_id, page.limit, page.offset, principal=principal)


@router.post("/users", status_code=status.HTTP_201_CREATED, response_model=UserView, tags=[ZZD_ORGANISATION],
             responses=errors(400, 404, 409, 413))
def register_user(body: UserRegistration, principal: Principal = Depends(zzd_principal),
                  rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "register_user", payload(body), principal=principal)


@router.get("/users/{user_id}", response_model=UserView, tags=[ZZD_ORGANISATION], responses=errors(404))
def get_user(user_id: str, principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "get_user", user_id, principal=principal)


@router.post("/users/{user_id}/posts", status_code=status.HTTP_201_CREATED, response_model=UserView,
             tags=[ZZD_ORGANISATION], responses=errors(400, 404, 409, 413),
             description="Grant a user a post in a unit.")
def grant_post(user_id: str, body: PostGrant, principal: Principal = Depends(zzd_principal),
               rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "grant_post", user_id, payload(body), principal=principal)


@router.post("/projects", status_code=status.HTTP_201_CREATED, response_model=ProjectView, tags=[ZZD_PROJECTS],
             responses={**errors(400, 404, 409, 413), **examples.answer(201, examples.PROJECT)},
             summary="登记项目 Register a project",
             description="The back office registers an awarded project (Art. 12); an owner's project lead enters "
                         "a direct award or emergency works (Art. 21).")
def register_project(body: Annotated[ProjectRegistration, Body(openapi_examples={"government works": {
                         "summary": "A government project after award", "value": examples.PROJECT_REGISTRATION}})],
                     principal: Principal = Depends(zzd_principal),
                     rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "register_project", payload(body), principal=principal)


@router.get("/projects", response_model=list[ProjectView], tags=[ZZD_PROJECTS],
            description="The projects in the caller's scope (a line head sees the line's), of one status if asked; "
                        "paged by `limit` (at most 500) and `offset`.")
def list_projects(status_: str | None = Query(None, alias="status", max_length=32),
                  page: Page = Depends(paging(maximum=500)),
                  principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "list_projects", status_, page.limit, page.offset, principal=principal)


@router.get("/projects/{project_id}", response_model=ProjectView, tags=[ZZD_PROJECTS], responses=errors(404))
def get_project(project_id: str, principal: Principal = Depends(zzd_principal),
                rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "get_project", project_id, principal=principal)


@router.post("/projects/{project_id}/assignments", response_model=ProjectView, tags=[ZZD_PROJECTS],
             responses=errors(400, 404, 409, 413), description="One step down the assignment chain: supervising unit, "
             "line, owner, owner's project lead (Art. 18–20), each by the post above.")
def assign_project(project_id: str, body: AssignmentRequest, principal: Principal = Depends(zzd_principal),
                   rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "assign_project", project_id, payload(body), principal=principal)


@router.post("/projects/{project_id}/participants", status_code=status.HTTP_201_CREATED, response_model=ProjectView,
             tags=[ZZD_PROJECTS], responses=errors(400, 404, 409, 413),
             description="The owner's project lead registers a firm with its signed contract (Art. 21, 24).")
def add_participant(project_id: str, body: ParticipantRequest, principal: Principal = Depends(zzd_principal),
                    rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "add_participant", project_id, payload(body), principal=principal)


@router.post("/projects/{project_id}/personnel", status_code=status.HTTP_201_CREATED, response_model=ProjectView,
             tags=[ZZD_PROJECTS], responses=errors(400, 404, 409, 413),
             description="A key person on a project post (Art. 21, 26); a post lock of Art. 27 refuses it.")
def assign_personnel(project_id: str, body: PersonnelRequest, principal: Principal = Depends(zzd_principal),
                     rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "assign_personnel", project_id, payload(body), principal=principal)


@router.post("/projects/{project_id}/construction-start", response_model=ProjectView, tags=[ZZD_PROJECTS],
             responses=errors(404, 409),
             description="The owner starts construction once firms and key people are registered (Art. 24, 25).")
def start_construction(project_id: str, principal: Principal = Depends(zzd_principal),
                       rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "start_construction", project_id, principal=principal)


@router.post("/projects/{project_id}/suspension", response_model=ProjectView, tags=[ZZD_PROJECTS],
             responses=errors(400, 404, 409, 413), description="The owner declares a suspension on the day (Art. 35).")
def suspend_project(project_id: str, body: SuspensionRequest, principal: Principal = Depends(zzd_principal),
                    rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "suspend_project", project_id, payload(body), principal=principal)


@router.post("/projects/{project_id}/resumption", response_model=ProjectView, tags=[ZZD_PROJECTS],
             responses=errors(404, 409), description="The owner's project lead reopens the project (Art. 35).")
def resume_project(project_id: str, principal: Principal = Depends(zzd_principal),
                   rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "resume_project", project_id, principal=principal)


@router.post("/files", status_code=status.HTTP_201_CREATED, response_model=FileView, tags=[ZZD_FILES],
             responses=errors(400, 413), description="Upload a file (multipart); its content must match its type. "
             "A photo's EXIF time and position are kept for the checks of Art. 28.")
def upload_file(request: Request, file: UploadFile = File(...), principal: Principal = Depends(zzd_principal),
                rpc: ServiceClient = Depends(services)):
    return store_upload(file, principal, request.app.state.settings, rpc)


@router.get("/files/{file_id}", response_model=FileView, tags=[ZZD_FILES], responses=errors(404),
            description="A file's record: the uploader's units and the audiences it was opened to see it.")
def get_file(file_id: str, principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "get_file", file_id, principal=principal)
