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

from common.errors import CommandExpired, DomainError, IllegalStep, InvalidInput, NotFound, PermissionDenied
from gateway.rpc import BrokerUnavailable, ReplyLost

logger = logging.getLogger(__name__)

STATUS_BY_ERROR: dict[type[Exception], tuple[int, str]] = {
    InvalidInput: (422, "invalid_input"),
    NotFound: (404, "not_found"),
    PermissionDenied: (403, "forbidden"),
    IllegalStep: (409, "conflict"),
    CommandExpired: (504, "timeout"),
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
        code = {404: "not_found", 405: "method_not_allowed", 401: "unauthenticated"}.get(error.status_code, "error")
        return error_response(error.status_code, code, str(error.detail), headers=getattr(error, "headers", None))
