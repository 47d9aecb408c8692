"""``/auth/v1``: portal logins and the development login."""

from __future__ import annotations

import logging
from typing import Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from common.errors import NotFound
from common.principal import SYSTEM
from gateway.auth import issue_token
from gateway.deps import services
from gateway.errors import SERVICE_ERRORS, ApiError, errors
from gateway.openapi import LOGIN, ContractRoute
from gateway.portals import PortalLoginFailed, PortalUnavailable
from gateway.rpc import ServiceClient

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/auth/v1", tags=[LOGIN], route_class=ContractRoute,
                   responses=errors(*SERVICE_ERRORS, 400, 413))


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
    portal: Literal["zzd", "zlb"]
    roles: list[str]


class LoginOptions(BaseModel):
    dev_login: bool = Field(description="The dev login (POST /auth/v1/dev/login) is on: a demo, never production.")


class TokenResponse(BaseModel):
    access_token: str = Field(description="Send as Authorization: Bearer <token>; valid on its face only.")
    token_type: Literal["bearer"]
    expires_in: int = Field(description="Seconds.")
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


@router.get("/options", response_model=LoginOptions,
            description="How one may log in here: the login pages of the console and the H5 apps offer the dev "
                        "login only where it is on.")
def login_options(request: Request):
    return {"dev_login": request.app.state.settings.dev_login}


@router.post("/zzd/login", response_model=TokenResponse, responses=errors(401, 403),
             description="A ZZD auth code for a token of the government face (401 login_failed when the portal "
                         "refuses it, 403 not_registered for an account not on the platform).")
def zzd_login(body: ZzdLogin, request: Request, rpc: ServiceClient = Depends(services)):
    return _login(request, rpc, "zzd", body.auth_code)


@router.post("/zlb/login", response_model=TokenResponse, responses=errors(401, 403),
             description="A ZLB ticket for a token of the enterprise face.")
def zlb_login(body: ZlbLogin, request: Request, rpc: ServiceClient = Depends(services)):
    return _login(request, rpc, "zlb", body.ticket)


dev_router = APIRouter(prefix="/auth/v1", tags=[LOGIN], route_class=ContractRoute,
                   responses=errors(*SERVICE_ERRORS, 400, 413))


@dev_router.post("/dev/login", response_model=TokenResponse, responses=errors(404),
                 description="Log in as a seeded user. Exists only where dev login is configured on.")
def dev_login(body: DevLogin, request: Request, rpc: ServiceClient = Depends(services)):
    try:
        identity = rpc.call("workflow", "identity_by_user_id", body.user_id, principal=SYSTEM)
    except NotFound:
        raise ApiError(404, "not_found", f"user {body.user_id} not found") from None
    return _token(request, identity)
