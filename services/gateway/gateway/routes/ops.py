"""Health, readiness and metrics."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field

from common.principal import SYSTEM
from gateway.deps import services
from gateway.errors import errors
from gateway.openapi import OPERATIONS, ContractRoute
from gateway.rpc import ServiceClient

router = APIRouter(tags=[OPERATIONS], route_class=ContractRoute, responses=errors(422))


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ready", "unavailable"]
    failing: dict[str, str] | None = Field(None, description="Service → why it does not answer.")


@router.get("/healthz", response_model=Health, description="The gateway's process is up.")
def healthz():
    return {"status": "ok"}


@router.get("/readyz", response_model=Readiness,
            responses={503: {"model": Readiness, "description": "A service does not answer; which and why."}},
            description="Ready when every service answers over the broker.")
def readyz(request: Request, rpc: ServiceClient = Depends(services)):
    failing = {}
    for service in request.app.state.settings.services:
        try:
            rpc.call(service, "platform_time", principal=SYSTEM)
        except Exception as error:  # any failure means not ready; say which and why
            failing[service] = f"{type(error).__name__}: {error}"
    if failing:
        return JSONResponse({"status": "unavailable", "failing": failing}, status_code=503)
    return {"status": "ready"}


@router.get("/metrics", include_in_schema=False)
def metrics():
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

