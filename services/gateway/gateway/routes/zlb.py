"""``/zlb/v1``: the enterprise face (浙里办) for contractors, supervisors and intermediaries."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Request, UploadFile, status

from common.principal import Principal
from gateway.auth import zlb_principal
from gateway.deps import Page, paging, services
from gateway.files import store_upload
from gateway.rpc import ServiceClient

router = APIRouter(prefix="/zlb/v1", tags=["enterprise (ZLB)"])


@router.get("/me")
def me(principal: Principal = Depends(zlb_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "get_user", principal.user_id, principal=principal)


@router.get("/me/projects", description="The projects the caller's firm takes part in.")
def my_projects(page: Page = Depends(paging(maximum=500)),
                principal: Principal = Depends(zlb_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "list_projects", None, page.limit, page.offset, principal=principal)


@router.get("/projects/{project_id}")
def get_project(project_id: str, principal: Principal = Depends(zlb_principal),
                rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "get_project", project_id, principal=principal)


@router.post("/files", status_code=status.HTTP_201_CREATED)
def upload_file(request: Request, file: UploadFile = File(...), principal: Principal = Depends(zlb_principal),
                rpc: ServiceClient = Depends(services)):
    return store_upload(file, principal, request.app.state.settings, rpc)


@router.get("/files/{file_id}")
def get_file(file_id: str, principal: Principal = Depends(zlb_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "get_file", file_id, principal=principal)
