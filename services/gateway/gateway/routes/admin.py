"""``/admin/v1``: the back office of the leading group — the manual platform clock, the rule
settings of every service (Art. 8), and the audit trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict

from common.contracts.types import MAX_ROW_ID, PlatformDateTime
from common.principal import Principal
from gateway.auth import back_office_principal
from gateway.deps import limit_only, services
from gateway.errors import ApiError
from gateway.rpc import ServiceClient

router = APIRouter(prefix="/admin/v1", tags=["back office"])


class ClockSetting(BaseModel):
    model_config = ConfigDict(extra="forbid")
    now: PlatformDateTime


def _known_service(request: Request, service: str) -> str:
    if service not in request.app.state.settings.services:
        raise ApiError(404, "not_found", f"no service named {service}")
    return service


@router.put("/clock", description="Set the platform time on every service (only with the manual clock on).")
def set_clock(body: ClockSetting, request: Request, principal: Principal = Depends(back_office_principal),
              rpc: ServiceClient = Depends(services)):
    applied = {
        service: rpc.call(service, "set_platform_time", body.now.isoformat(), principal=principal)
        for service in request.app.state.settings.services
    }
    return {"now": body.now.isoformat(), "services": applied}


@router.get("/clock")
def get_clock(request: Request, principal: Principal = Depends(back_office_principal),
              rpc: ServiceClient = Depends(services)):
    return {service: rpc.call(service, "platform_time", principal=principal)
            for service in request.app.state.settings.services}


@router.get("/settings/{service}", description="Every figure of the service's rules with its default and article.")
def get_settings(request: Request, service: str = Path(max_length=32),
                 principal: Principal = Depends(back_office_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call(_known_service(request, service), "get_rule_settings", principal=principal)


@router.put("/settings/{service}", description="Change some figures; the whole set is validated, then audited.")
def update_settings(request: Request, service: str = Path(max_length=32), changes: dict = Body(...),
                    principal: Principal = Depends(back_office_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call(_known_service(request, service), "update_rule_settings", changes, principal=principal)


@router.get("/audit/{service}", description="The service's append-only audit trail, newest first.")
def audit_trail(request: Request, service: str = Path(max_length=32),
                entity_type: str | None = Query(None, max_length=50),
                entity_id: str | None = Query(None, max_length=64),
                principal_id: str | None = Query(None, max_length=64), action: str | None = Query(None, max_length=100),
                since: Annotated[PlatformDateTime | None, Query(description="From this time (with offset).")] = None,
                until: Annotated[PlatformDateTime | None, Query(description="Before this time (with offset).")] = None,
                limit: int = Depends(limit_only(default=100, maximum=1000)),
                before_id: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID,
                                                       description="Page backwards from this entry id.")] = None,
                principal: Principal = Depends(back_office_principal), rpc: ServiceClient = Depends(services)):
    query = {"entity_type": entity_type, "entity_id": entity_id, "principal_id": principal_id, "action": action,
             "since": since.isoformat() if since else None, "until": until.isoformat() if until else None,
             "limit": limit, "before_id": before_id}
    return rpc.call(_known_service(request, service), "audit_trail", query, principal=principal)
