"""One table from what went wrong to the HTTP answer, in the envelope of api.md:
``{"error": {"code", "message", "details"}}``."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from kombu.exceptions import OperationalError as AmqpConnectionError
from nameko.exceptions import RemoteError, RpcTimeout, UnknownService
from starlette.exceptions import HTTPException as StarletteHTTPException

from common.contracts.errors import ErrorBody
from common.errors import (
    CommandExpired,
    DomainError,
    IllegalStep,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TooManyRequests,
)
from gateway.rpc import BrokerUnavailable, ReplyLost

logger = logging.getLogger(__name__)

STATUS_BY_ERROR: dict[type[Exception], tuple[int, str]] = {
    InvalidInput: (422, "invalid_input"),
    NotFound: (404, "not_found"),
    PermissionDenied: (403, "forbidden"),
    IllegalStep: (409, "conflict"),
    CommandExpired: (504, "timeout"),
    TooManyRequests: (429, "rate_limited"),
    RpcTimeout: (504, "timeout"),
    UnknownService: (503, "service_unavailable"),
}


# SQLAlchemy's names for a database that is down or dropped the connection: trying again later
# is the right answer.
DATABASE_UNAVAILABLE = {"OperationalError", "InterfaceError", "DisconnectionError"}


def error_response(status: int, code: str, message: str, details=None, headers=None) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message, "details": details}}, status_code=status, headers=headers
    )


# What each status of the error shape means on this platform, for the OpenAPI document.
ERROR_STATUSES: dict[int, tuple[str, str, str]] = {
    400: ("A body that cannot be read (not JSON, a broken multipart).", "bad_request",
          "There was an error parsing the body"),
    401: ("No token, or an invalid or expired one: log in (again).", "unauthenticated",
          "log in first: send Authorization: Bearer <token>"),
    403: ("A token of the other face (wrong_portal), or a step that is not the caller's (forbidden).",
          "forbidden", "only the owner's project lead may do this"),
    404: ("Not found, or outside the caller's data scope.", "not_found", "project 3f1c… not found"),
    409: ("An illegal step now, with the reason.", "conflict", "the project is suspended (Art. 35)"),
    413: ("The request body is past its limit.", "too_large", "the request body is limited to 1048576 bytes"),
    422: ("Invalid input: each field with its reason.", "invalid_input", "the request is invalid"),
    429: ("Too many requests from this client in the window; the details say when to try again.",
          "rate_limited", "at most 5 complaints an hour from one client"),
    503: ("The broker, a service or its database cannot be reached; try again.", "service_unavailable",
          "the platform's message broker cannot be reached; try again"),
    504: ("A service did not answer in time; the request may have been carried out: look before trying again.",
          "timeout", "a service did not answer in time; try again"),
}


def errors(*statuses: int) -> dict[int | str, dict]:
    """The ``responses=`` of a route (or a router) for the error statuses it can answer, each in
    the one error shape (:class:`ErrorBody`) with what it means: ``responses=errors(404, 409)``.
    This is the one way a route declares its errors; the contract test checks that every route
    does."""
    declared: dict[int | str, dict] = {}
    for status in sorted(set(statuses)):
        description, code, message = ERROR_STATUSES[status]
        details = [{"field": "planned_end", "reason": "planned_end comes before planned_start"}] \
            if status == 422 else None
        declared[status] = {"model": ErrorBody, "description": description, "content": {"application/json": {
            "example": {"error": {"code": code, "message": message, "details": details}}}}}
    return declared


# Every route can answer 422 (a NUL character in its URL, before any route runs) and, once it
# calls a service, 503 and 504; a route of a face with a token also 401 and 403.
SERVICE_ERRORS = (422, 503, 504)
FACE_ERRORS = (401, 403, *SERVICE_ERRORS)


class ApiError(Exception):
    """An error the gateway itself decides (authentication, uploads)."""

    def __init__(self, status: int, code: str, message: str, details=None, headers=None):
        super().__init__(message)
        self.status, self.code, self.message, self.details, self.headers = status, code, message, details, headers


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, error: ApiError):
        return error_response(error.status, error.code, error.message, error.details, error.headers)

    async def _mapped_error(request: Request, error: Exception):
        status, code = next(entry for cls, entry in STATUS_BY_ERROR.items() if isinstance(error, cls))
        if isinstance(error, DomainError):
            return error_response(status, code, error.message, error.details)
        logger.warning("service unavailable", extra={"path": request.url.path, "error": repr(error)})
        if isinstance(error, UnknownService):
            message = f"service {error.args[0]} is not running"
        else:
            message = "a service did not answer in time; try again"
        return error_response(status, code, message)

    for error_class in STATUS_BY_ERROR:
        app.add_exception_handler(error_class, _mapped_error)

    @app.exception_handler(RemoteError)
    async def _remote_error(request: Request, error: RemoteError):
        logger.error("service failed", extra={"path": request.url.path, "exc_type": error.exc_type,
                                              "detail": error.value})
        if error.exc_type in DATABASE_UNAVAILABLE:
            return error_response(503, "service_unavailable", "a service cannot reach its database; try again later")
        if error.exc_type == "RpcTimeout":
            return error_response(504, "timeout", "a service did not answer in time; try again")
        return error_response(500, "internal", "the service failed; the failure is logged")

    @app.exception_handler(ReplyLost)
    async def _reply_lost(request: Request, error: ReplyLost):
        logger.warning("answer lost", extra={"path": request.url.path, "error": repr(error)})
        return error_response(504, "timeout", "the answer was lost on the way back; the request may have been "
                                              "carried out: look before trying again")

    @app.exception_handler(AmqpConnectionError)
    @app.exception_handler(BrokerUnavailable)
    @app.exception_handler(ConnectionError)
    async def _broker_unreachable(request: Request, error: Exception):
        logger.error("broker unreachable", extra={"path": request.url.path, "error": repr(error)})
        return error_response(503, "service_unavailable", "the platform's message broker cannot be reached; try again")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception):
        logger.exception("unexpected failure", extra={"path": request.url.path})
        return error_response(500, "internal", "the platform failed; the failure is logged")

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_request: Request, error: RequestValidationError):
        details = [
            {"field": ".".join(str(part) for part in item["loc"] if part != "body") or "body", "reason": item["msg"]}
            for item in error.errors()
        ]
        return error_response(422, "invalid_input", "the request is invalid", details)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, error: StarletteHTTPException):
        code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 401: "unauthenticated"}.get(
            error.status_code, "error")
        return error_response(error.status_code, code, str(error.detail), headers=getattr(error, "headers", None))
