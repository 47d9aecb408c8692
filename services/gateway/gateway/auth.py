"""The gateway's own tokens, and who may use which face.

After a portal login the gateway issues a short-lived JWT (HS256 only, ``aud`` = the face,
``exp``). A ZZD token opens ``/zzd`` and, for the leading group, ``/admin``; a ZLB token opens
``/zlb`` only.

A token says who the caller is, never what they may do: it carries no roles, and a ``roles``
claim in it (an older token, or a forged one signed with a leaked key) is ignored. The
principal sent on to the services has no roles unless the gateway looked the caller's posts up
in the registry for this very request, as the back office does (:func:`back_office_principal`).
The services' own checks (``Principal.is_back_office``) therefore only ever see roles the
registry gave; project routes need none, the services load the caller's posts themselves.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from common.errors import NotFound
from common.principal import SYSTEM, Principal
from gateway.deps import services
from gateway.errors import ApiError
from gateway.rpc import ServiceClient

ALGORITHM = "HS256"
ISSUER = "shangyu-supervision-gateway"

bearer = HTTPBearer(auto_error=False, description="The access token from /auth/v1/*/login")


def issue_token(identity: dict, secret: str, ttl_seconds: int) -> dict:
    now = datetime.now(UTC)
    claims = {
        "iss": ISSUER,
        "sub": identity["user_id"],
        "aud": identity["portal"],
        "iat": now,
        "exp": now + timedelta(seconds=ttl_seconds),
        "name": identity["name"],
    }
    return {
        "access_token": jwt.encode(claims, secret, algorithm=ALGORITHM),
        "token_type": "bearer",
        "expires_in": ttl_seconds,
        "principal": identity,
    }


def _unauthenticated(message: str) -> ApiError:
    return ApiError(401, "unauthenticated", message, headers={"WWW-Authenticate": "Bearer"})


def principal_from_token(token: str, secret: str, face: str) -> Principal:
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], audience=face, issuer=ISSUER,
                            options={"require": ["exp", "aud", "sub", "iss"]})
    except jwt.ExpiredSignatureError:
        raise _unauthenticated("the token has expired; log in again") from None
    except jwt.InvalidAudienceError:
        raise ApiError(403, "wrong_portal", f"this token is not valid on the {face.upper()} face") from None
    except jwt.PyJWTError:
        raise _unauthenticated("the token is invalid") from None
    # Whatever "roles" the token holds grant nothing: see the module's docstring.
    return Principal(user_id=claims["sub"], portal=face)


def require_face(face: str):
    """A dependency giving the principal of a valid token for ``face`` ("zzd" or "zlb")."""

    # async: checking a token is a few microseconds of CPU, cheaper on the event loop than a hop to
    # the thread pool on every request (the check-in peak).
    async def dependency(request: Request,
                         credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Principal:
        if credentials is None:
            raise _unauthenticated("log in first: send Authorization: Bearer <token>")
        return principal_from_token(credentials.credentials, request.app.state.settings.jwt_secret, face)

    return dependency


zzd_principal = require_face("zzd")
zlb_principal = require_face("zlb")


def back_office_principal(caller: Principal = Depends(zzd_principal),
                          rpc: ServiceClient = Depends(services)) -> Principal:
    """The principal of a back-office request: a valid ZZD token whose user holds, now, a post in
    the leading group.

    The posts are looked up in the registry (the workflow service) on every request — one small
    RPC; no cache, so a post taken away shuts the back office at the caller's next request — and
    the principal sent on carries the roles looked up here, which the services check again.
    """
    try:
        identity = rpc.call("workflow", "identity_by_user_id", caller.user_id, principal=SYSTEM)
    except NotFound:
        raise _unauthenticated("the token's user is not registered on the platform") from None
    principal = Principal(user_id=identity["user_id"], portal=caller.portal,
                          roles=frozenset(identity.get("roles") or ()))
    if identity.get("portal") != caller.portal or not principal.is_back_office:
        raise ApiError(403, "forbidden", "the back office is for the leading group")
    return principal
