"""The gateway's own tokens, and who may use which face.

After a portal login the gateway issues a short-lived JWT (HS256 only, ``aud`` = the face,
``exp``). A ZZD token opens ``/zzd`` and, for the leading group, ``/admin``; a ZLB token opens
``/zlb`` only.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from common.principal import Principal
from gateway.errors import ApiError

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
        "roles": identity["roles"],
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
    return Principal(user_id=claims["sub"], portal=face, roles=frozenset(claims.get("roles", [])))


def require_face(face: str):
    """A dependency giving the principal of a valid token for ``face`` ("zzd" or "zlb")."""

    def dependency(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Principal:
        if credentials is None:
            raise _unauthenticated("log in first: send Authorization: Bearer <token>")
        return principal_from_token(credentials.credentials, request.app.state.settings.jwt_secret, face)

    return dependency


zzd_principal = require_face("zzd")
zlb_principal = require_face("zlb")


def back_office_principal(principal: Principal = Depends(zzd_principal)) -> Principal:
    if not principal.is_back_office:
        raise ApiError(403, "forbidden", "the back office is for the leading group")
    return principal
