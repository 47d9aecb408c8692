"""``/auth/v1``: portal logins and the development login."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from common.errors import NotFound
from common.principal import SYSTEM
from gateway.auth import issue_token
from gateway.deps import services
from gateway.errors import ApiError
from gateway.portals import PortalLoginFailed, PortalUnavailable
from gateway.rpc import ServiceClient

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/auth/v1", tags=["login"])


class ZzdLogin(BaseModel):
    model_config = ConfigDict(extra="forbid")
    auth_code: str = Field(min_length=1, max_length=256, description="One-time code from the ZZD client.")


class ZlbLogin(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ticket: str = Field(min_length=1, max_length=512, description="Single sign-on ticket from ZLB.")


class DevLogin(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: str = Field(min_length=1, max_length=64)


class Identity(BaseModel):
    user_id: str
    name: str
    portal: str
    roles: list[str]


class TokenResponse(BaseModel):
    access_token: str
    token_type: str
    expires_in: int
    principal: Identity


def _login(request: Request, rpc: ServiceClient, portal: str, secret_of_portal: str) -> dict:
    adapter = request.app.state.portals[portal]
    try:
        found = adapter.identify(secret_of_portal)
    except PortalLoginFailed as error:
        logger.info("portal refused login", extra={"portal": portal, "reason": str(error)})
        raise ApiError(401, "login_failed", f"{portal.upper()} refused the login: {error}") from None
    except PortalUnavailable as error:
        logger.warning("portal unavailable", extra={"portal": portal, "error": str(error)})
        raise ApiError(503, "portal_unavailable", f"{portal.upper()} cannot be reached; try again") from None
    try:
        identity = rpc.call("workflow", "identity_by_portal", portal, found.external_id, principal=SYSTEM)
        if identity["portal"] != portal:
            raise NotFound("portal mismatch")
    except NotFound:
        message = f"your {portal.upper()} account is not registered on the platform; ask your unit's chief"
        raise ApiError(403, "not_registered", message) from None
    return _token(request, identity)


def _token(request: Request, identity: dict) -> dict:
    settings = request.app.state.settings
    logger.info("login", extra={"user_id": identity["user_id"], "portal": identity["portal"]})
    return issue_token(identity, settings.jwt_secret, settings.jwt_ttl_seconds)


@router.post("/zzd/login", response_model=TokenResponse)
def zzd_login(body: ZzdLogin, request: Request, rpc: ServiceClient = Depends(services)):
    return _login(request, rpc, "zzd", body.auth_code)


@router.post("/zlb/login", response_model=TokenResponse)
def zlb_login(body: ZlbLogin, request: Request, rpc: ServiceClient = Depends(services)):
    return _login(request, rpc, "zlb", body.ticket)


dev_router = APIRouter(prefix="/auth/v1", tags=["login"])


@dev_router.post("/dev/login", response_model=TokenResponse,
                 description="Log in as a seeded user. Exists only where dev login is configured on.")
def dev_login(body: DevLogin, request: Request, rpc: ServiceClient = Depends(services)):
    try:
        identity = rpc.call("workflow", "identity_by_user_id", body.user_id, principal=SYSTEM)
    except NotFound:
        raise ApiError(404, "not_found", f"user {body.user_id} not found") from None
    return _token(request, identity)
