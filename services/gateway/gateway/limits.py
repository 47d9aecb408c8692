"""What the gateway refuses at the door, before a route reads anything: a request body past its
size limit (413) and a NUL character anywhere (422).

A pure ASGI middleware, so that nothing is buffered: the declared ``Content-Length`` is
checked before the first byte of the body is read, and a body without one (chunked) is
counted as it streams. Once a body crosses its limit, or carries a NUL, the application is
told that the client went away (so it stops reading) and whatever it answers is replaced by
the refusal, in the envelope of every error.

JSON and every other body have ``max_json_body_bytes``; an upload (``multipart/form-data``)
has the file limit ``max_upload_bytes`` plus room for the multipart framing (the file's own
size is checked exactly by :mod:`gateway.files`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.errors import error_response

# Boundaries, part headers and a few small form fields around an uploaded file.
MULTIPART_OVERHEAD_BYTES = 64 * 1024

_ESCAPED_NUL = b"\\u0000"
_CARRY = len(_ESCAPED_NUL) - 1  # bytes kept from one chunk to find an escape split across two


def _too_large(limit: int):
    return error_response(413, "too_large", f"the request body is limited to {limit} bytes",
                          [{"field": "body", "reason": f"larger than {limit} bytes"}],
                          headers={"connection": "close"})


def _upload_too_large(max_upload_bytes: int):
    # As gateway.files says it of a file counted exactly, so that the client reads one answer.
    return error_response(413, "too_large", f"files are limited to {max_upload_bytes} bytes",
                          [{"field": "file", "reason": "too large"}], headers={"connection": "close"})


def _nul(where: str):
    return error_response(422, "invalid_input", "the request contains a NUL character",
                          [{"field": where, "reason": "NUL character"}])


class RequestGuard:
    def __init__(self, app: ASGIApp, *, max_json_body_bytes: int, max_upload_bytes: int):
        self.app = app
        self.max_json_body_bytes = max_json_body_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # No field of the platform holds a NUL character, and PostgreSQL refuses it in text:
        # refuse it wherever it hides, instead of failing deep inside a service.
        if "\x00" in scope["path"] or b"%00" in scope["query_string"] or b"\x00" in scope["query_string"]:
            await _nul("url")(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if headers.get("content-type", "").lower().startswith("multipart/form-data"):
            limit, scan_for_nul = self.max_upload_bytes + MULTIPART_OVERHEAD_BYTES, False
            refusal = partial(_upload_too_large, self.max_upload_bytes)
        else:
            limit, scan_for_nul = self.max_json_body_bytes, True
            refusal = partial(_too_large, self.max_json_body_bytes)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await refusal()(scope, receive, send)
            return
        await _GuardedRequest(self.app, limit, refusal, scan_for_nul=scan_for_nul).run(scope, receive, send)


class _GuardedRequest:
    """One request: counts (and scans) the body as the application reads it."""

    def __init__(self, app: ASGIApp, limit: int, too_large: Callable[[], Response], *, scan_for_nul: bool):
        self.app, self.limit, self.too_large, self.scan_for_nul = app, limit, too_large, scan_for_nul
        self.received = 0
        self.tail = b""
        self.refusal: Response | None = None
        self.response_started = False

    async def run(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def guarded_receive() -> Message:
            if self.refusal is not None:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                self.received += len(chunk)
                if self.received > self.limit:
                    self.refusal = self.too_large()
                elif self.scan_for_nul and self._holds_nul(chunk):
                    self.refusal = _nul("body")
                if self.refusal is not None:
                    # The application stops reading as if the client had gone; its answer is dropped.
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if self.refusal is not None and not self.response_started:
                return
            if message["type"] == "http.response.start":
                self.response_started = True
            await send(message)

        try:
            await self.app(scope, guarded_receive, guarded_send)
        except Exception:
            if self.refusal is None or self.response_started:
                raise
        if self.refusal is not None and not self.response_started:
            await self.refusal(scope, receive, send)

    def _holds_nul(self, chunk: bytes) -> bool:
        window = self.tail + chunk
        self.tail = window[-_CARRY:]
        return b"\x00" in chunk or _ESCAPED_NUL in window
