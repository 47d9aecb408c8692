"""``/zlb/v1``: the enterprise face (浙里办) for contractors, supervisors and intermediaries."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Request, UploadFile, status

from common.contracts.registry import FileView, ProjectView, UserView
from common.principal import Principal
from gateway.auth import zlb_principal
from gateway.deps import Page, paging, services
from gateway.errors import FACE_ERRORS, errors
from gateway.files import store_upload
from gateway.openapi import ZLB_FILES, ZLB_ME, ContractRoute
from gateway.rpc import ServiceClient

router = APIRouter(prefix="/zlb/v1", route_class=ContractRoute, responses=errors(*FACE_ERRORS))


@router.get("/me", response_model=UserView, tags=[ZLB_ME], responses=errors(404),
            description="The caller, with the posts the caller holds.")
def me(principal: Principal = Depends(zlb_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "get_user", principal.user_id, principal=principal)


@router.get("/me/projects", response_model=list[ProjectView], tags=[ZLB_ME],
            description="The projects the caller's firm takes part in; paged by `limit` (at most 500) and `offset`.")
def my_projects(page: Page = Depends(paging(maximum=500)),
                principal: Principal = Depends(zlb_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "list_projects", None, page.limit, page.offset, principal=principal)


@router.get("/projects/{project_id}", response_model=ProjectView, tags=[ZLB_ME], responses=errors(404))
def get_project(project_id: str, principal: Principal = Depends(zlb_principal),
                rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "get_project", project_id, principal=principal)


@router.post("/files", status_code=status.HTTP_201_CREATED, response_model=FileView, tags=[ZLB_FILES],
             responses=errors(400, 413), description="Upload a file (multipart); its content must match its type. "
             "A photo's EXIF time and position are kept for the checks of Art. 28.")
def upload_file(request: Request, file: UploadFile = File(...), principal: Principal = Depends(zlb_principal),
                rpc: ServiceClient = Depends(services)):
    return store_upload(file, principal, request.app.state.settings, rpc)


@router.get("/files/{file_id}", response_model=FileView, tags=[ZLB_FILES], responses=errors(404))
def get_file(file_id: str, principal: Principal = Depends(zlb_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "get_file", file_id, principal=principal)
