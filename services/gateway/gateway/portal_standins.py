"""Local stand-ins for the 浙政钉 (ZZD) and 浙里办 (ZLB) login endpoints, for tests and demos.

The real portals are only reachable from the government network and need registered apps, so
the gateway's login code is exercised against these instead. Each stand-in speaks the same
requests and answers as the flows `gateway.portals` and `common.portals` implement, keeps its state on
`app.state.portal` (counters, pending codes, issued tokens) so tests can inspect and steer it,
and enforces what the real portal enforces and our adapters must cope with: credential checks,
single-use codes and tickets, token expiry, signed and timely calls (ZZD: the HMAC-SHA256
signature of every call, its timestamp within a window and its nonce used once; ZLB: the MD5 sign
and its time).

Both stand-ins can also misbehave on demand (`delay_seconds`, `canned_response`) to imitate a slow
or broken portal. Nothing here is meant for production.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import secrets
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI, Form, Request, Response

from common.portals.base import CHINA_STANDARD_TIME
from common.portals.sms import (
    SMS_HEADER_KEY,
    SMS_HEADER_NONCE,
    SMS_HEADER_SIGNATURE,
    SMS_HEADER_TIMESTAMP,
    SMS_OK,
    sms_signature,
)
from common.portals.zlb import ZLB_SUCCESS, zlb_sign
from common.portals.zzd import (
    ZZD_CODE_INVALID,
    ZZD_HEADER_API_KEY,
    ZZD_HEADER_IP,
    ZZD_HEADER_MAC,
    ZZD_HEADER_NONCE,
    ZZD_HEADER_SIGNATURE,
    ZZD_HEADER_TIMESTAMP,
    ZZD_HEADER_VERSION,
    ZZD_SIGNATURE_VERSION,
    ZZD_TOKEN_INVALID,
    zzd_signature,
)

# ZZD's API gateway error for a wrong app key/secret pair (documented for /gettoken.json); the
# stand-in answers it for any signature that does not match. The other refusals of a call are the
# stand-in's own codes (the real ones are not public): the adapter treats every refusal alike.
ZZD_SIGNATURE_MISMATCH = "OPF-B001-05-16-0009"
ZZD_HEADERS_MISSING = "STANDIN-HMAC-HEADERS-MISSING"
ZZD_TIMESTAMP_OUT_OF_WINDOW = "STANDIN-HMAC-TIMESTAMP-OUT-OF-WINDOW"
ZZD_NONCE_REUSED = "STANDIN-HMAC-NONCE-REUSED"
ZZD_ALLOWED_CLOCK_SKEW_SECONDS = 300
ZZD_NOTICE_INVALID = "STANDIN-NOTICE-INVALID"
ZZD_NOTICE_FAILED = "STANDIN-NOTICE-FAILED"

# ZLB result codes. "6501" (invalid ticket) is ZLB's; the others are this stand-in's own choice -
# the adapter treats every non-zero result alike, so only "non-zero" matters to it.
ZLB_TICKET_INVALID = "6501"
ZLB_TOKEN_INVALID = "6502"
ZLB_SIGN_INVALID = "6001"
ZLB_TIME_OUT_OF_WINDOW = "6002"
ZLB_BAD_REQUEST = "6003"
ZLB_ALLOWED_CLOCK_SKEW_SECONDS = 300


@dataclass
class StandinControls:
    """Switches shared by both stand-ins to imitate a misbehaving portal."""

    delay_seconds: float = 0.0  # wait this long before answering anything
    canned_response: Response | None = None  # answer this to every request instead (5xx, HTML...)


@dataclass
class ZzdStandinState(StandinControls):
    app_key: str = ""
    app_secret: str = ""
    token_ttl: int = 7200
    pending_codes: dict[str, dict[str, Any]] = field(default_factory=dict)  # auth code -> user data
    issued_tokens: dict[str, float] = field(default_factory=dict)  # token -> expiry (monotonic)
    token_requests: int = 0
    user_info_requests: int = 0
    monotonic: Callable[[], float] = time.monotonic
    wall_clock: Callable[[], float] = time.time
    allowed_clock_skew_seconds: float = ZZD_ALLOWED_CLOCK_SKEW_SECONDS
    seen_nonces: dict[str, float] = field(default_factory=dict)  # nonce -> when seen (wall clock)
    refused_calls: list[str] = field(default_factory=list)  # the code of every call refused unsigned/badly signed
    verified_calls: int = 0
    work_notices: dict[str, dict[str, str]] = field(default_factory=dict)  # bizMsgId -> the notice delivered
    work_notice_requests: int = 0
    refuse_work_notices: int = 0  # refuse this many of the next work notices (a portal fault)

    def expire_tokens(self) -> None:
        """Revoke every issued access token, as the portal does when it restarts or rotates secrets."""
        self.issued_tokens.clear()

    def current_token(self) -> str | None:
        now = self.monotonic()
        for token, expires_at in self.issued_tokens.items():
            if now < expires_at:
                return token
        return None


@dataclass
class ZlbStandinState(StandinControls):
    service_code: str = ""
    service_password: str = ""
    pending_tickets: dict[str, dict[str, Any]] = field(default_factory=dict)  # ticket -> user data
    messages: dict[str, dict[str, str]] = field(default_factory=dict)  # msgId -> the message delivered
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)  # token -> user data
    calls: dict[str, int] = field(default_factory=dict)  # method -> number of calls
    wall_clock: Callable[[], float] = time.time


def _install_controls(app: FastAPI, controls: StandinControls) -> None:
    @app.middleware("http")
    async def misbehave_on_demand(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if controls.delay_seconds > 0:
            await asyncio.sleep(controls.delay_seconds)
        if controls.canned_response is not None:
            return controls.canned_response
        return await call_next(request)


def zzd_standin_app(
    app_key: str,
    app_secret: str,
    users: dict[str, dict[str, Any]],
    token_ttl: int = 7200,
    *,
    monotonic: Callable[[], float] = time.monotonic,
    wall_clock: Callable[[], float] = time.time,
) -> FastAPI:
    """A ZZD open platform answering ``GET /gettoken.json`` and ``POST /rpc/oauth2/dingtalk_app_user.json``.

    Every call must be signed as the portal requires (the X-Hmac-Auth-* headers and apiKey; the
    signature over method, timestamp, nonce, path and the sorted parameters), with a timestamp
    within five minutes of `wall_clock` and a nonce not seen in that window; any other call is
    refused at the outer level (``success: false`` with an ``errorCode``) before it does anything.

    `users` maps each valid auth code to the user data the portal returns for it (at least
    `accountId`, `lastName`; extra keys such as `employeeCode` are passed through). Codes are
    single-use, like the real ones. Like the real platform, asking for a token while one is still
    valid returns that same token.
    """
    state = ZzdStandinState(
        app_key=app_key,
        app_secret=app_secret,
        token_ttl=token_ttl,
        pending_codes=dict(users),
        monotonic=monotonic,
        wall_clock=wall_clock,
    )
    app = FastAPI(title="ZZD stand-in", openapi_url=None, docs_url=None, redoc_url=None)
    app.state.portal = state
    _install_controls(app, state)

    @app.get("/gettoken.json")
    async def get_token(request: Request) -> dict[str, Any]:
        state.token_requests += 1
        params = dict(request.query_params)
        refusal = _zzd_verify(state, request, params)
        if refusal is not None:
            return refusal
        key_matches = hmac.compare_digest(params.get("appkey", "").encode(), state.app_key.encode())
        secret_matches = hmac.compare_digest(params.get("appsecret", "").encode(), state.app_secret.encode())
        if not (key_matches and secret_matches):
            return _zzd_refusal(ZZD_SIGNATURE_MISMATCH, "appkey 或 appsecret 错误")
        token = state.current_token()
        if token is None:
            token = secrets.token_hex(16)
            state.issued_tokens[token] = state.monotonic() + state.token_ttl
        return _zzd_success({"accessToken": token, "expiresIn": state.token_ttl})

    @app.post("/rpc/oauth2/dingtalk_app_user.json")
    async def dingtalk_app_user(request: Request) -> dict[str, Any]:
        state.user_info_requests += 1
        params = {name: value for name, value in (await request.form()).items() if isinstance(value, str)}
        refusal = _zzd_verify(state, request, params)
        if refusal is not None:
            return refusal
        expires_at = state.issued_tokens.get(params.get("access_token", ""))
        # The token is checked before the code so that a refused token leaves the code usable.
        if expires_at is None or state.monotonic() >= expires_at:
            return _zzd_refusal(ZZD_TOKEN_INVALID, "应用accessToken失效或不存在")
        user = state.pending_codes.pop(params.get("auth_code", ""), None)
        if user is None:
            return _zzd_refusal(ZZD_CODE_INVALID, "code失效或不存在")
        return _zzd_success(dict(user))

    @app.post("/message/workNotification")
    async def work_notification(request: Request) -> dict[str, Any]:
        """A work notice: delivered once per bizMsgId (a repeat is answered as sent, not delivered again)."""
        state.work_notice_requests += 1
        params = {name: value for name, value in (await request.form()).items() if isinstance(value, str)}
        refusal = _zzd_verify(state, request, params)
        if refusal is not None:
            return refusal
        if not params.get("bizMsgId") or not params.get("receiverIds") or not params.get("msg"):
            return _zzd_refusal(ZZD_NOTICE_INVALID, "bizMsgId, receiverIds 和 msg 必填")
        if state.refuse_work_notices > 0:
            state.refuse_work_notices -= 1
            return _zzd_refusal(ZZD_NOTICE_FAILED, "系统繁忙")
        state.work_notices.setdefault(params["bizMsgId"], params)
        return _zzd_success({"bizMsgId": params["bizMsgId"]})

    return app


_ZZD_SIGNED_HEADERS = (ZZD_HEADER_TIMESTAMP, ZZD_HEADER_VERSION, ZZD_HEADER_NONCE, ZZD_HEADER_API_KEY,
                       ZZD_HEADER_SIGNATURE)


def _zzd_verify(state: ZzdStandinState, request: Request, params: dict[str, str]) -> dict[str, Any] | None:
    """None if the call is signed as the portal requires; else the refusal to answer."""
    headers = request.headers
    missing = [name for name in _ZZD_SIGNED_HEADERS if not headers.get(name)]
    missing += [name for name in (ZZD_HEADER_IP, ZZD_HEADER_MAC) if name not in headers]
    if missing or headers[ZZD_HEADER_VERSION] != ZZD_SIGNATURE_VERSION:
        return _zzd_call_refused(state, ZZD_HEADERS_MISSING, f"missing or wrong headers: {', '.join(missing)}")
    timestamp, nonce = headers[ZZD_HEADER_TIMESTAMP], headers[ZZD_HEADER_NONCE]
    expected = zzd_signature(state.app_secret, request.method, timestamp, nonce, request.url.path, params)
    key_matches = hmac.compare_digest(headers[ZZD_HEADER_API_KEY].encode(), state.app_key.encode())
    if not (key_matches and hmac.compare_digest(headers[ZZD_HEADER_SIGNATURE].encode(), expected.encode())):
        return _zzd_call_refused(state, ZZD_SIGNATURE_MISMATCH, "SignatureDoesNotMatch")
    now = state.wall_clock()
    try:
        signed_at = datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
    except ValueError:
        signed_at = None
    if signed_at is None or abs(signed_at - now) > state.allowed_clock_skew_seconds:
        return _zzd_call_refused(state, ZZD_TIMESTAMP_OUT_OF_WINDOW, "时间戳超出允许范围")
    # A nonce is remembered for as long as its timestamp is acceptable: older replays fail on time.
    horizon = now - 2 * state.allowed_clock_skew_seconds
    for seen, at in list(state.seen_nonces.items()):
        if at < horizon:
            del state.seen_nonces[seen]
    if nonce in state.seen_nonces:
        return _zzd_call_refused(state, ZZD_NONCE_REUSED, "nonce 已使用")
    state.seen_nonces[nonce] = now
    state.verified_calls += 1
    return None


def _zzd_call_refused(state: ZzdStandinState, error_code: str, error_message: str) -> dict[str, Any]:
    # The open platform refused the call itself (outer success false), before any business logic.
    state.refused_calls.append(error_code)
    return {"success": False, "errorCode": error_code, "errorMsg": error_message}


def _zzd_success(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "success": True,
        "content": {"success": True, "data": data, "responseCode": "0", "responseMessage": "成功"},
    }


def _zzd_refusal(response_code: str, response_message: str) -> dict[str, Any]:
    # The API gateway accepted the call (outer success) but the business call failed (content).
    return {
        "success": True,
        "content": {"success": False, "responseCode": response_code, "responseMessage": response_message},
    }


def zlb_standin_app(
    service_code: str,
    service_password: str,
    tickets: dict[str, dict[str, Any]],
    *,
    wall_clock: Callable[[], float] = time.time,
) -> FastAPI:
    """A ZLB SSO answering POST /sso/servlet/simpleauth (methods ticketValidation, getUserInfo).

    `tickets` maps each valid ticket to the user data getUserInfo returns (at least `userid`,
    `username`). Every call must carry the right servicecode, a `time` within five minutes of
    `wall_clock` (read as UTC+8) and sign = md5(servicecode + servicepwd + time). Tickets are
    single-use; each validated ticket yields a token for getUserInfo.
    """
    state = ZlbStandinState(
        service_code=service_code,
        service_password=service_password,
        pending_tickets=dict(tickets),
        wall_clock=wall_clock,
    )
    app = FastAPI(title="ZLB stand-in", openapi_url=None, docs_url=None, redoc_url=None)
    app.state.portal = state
    _install_controls(app, state)

    @app.post("/sso/servlet/simpleauth")
    async def simpleauth(
        method: str = Form(""),
        servicecode: str = Form(""),
        signed_at: str = Form("", alias="time"),
        sign: str = Form(""),
        datatype: str = Form(""),
        st: str = Form(""),
        token: str = Form(""),
    ) -> dict[str, Any]:
        state.calls[method] = state.calls.get(method, 0) + 1
        if datatype != "json":
            return _zlb_refusal(ZLB_BAD_REQUEST, "仅支持 datatype=json")
        if not hmac.compare_digest(servicecode.encode(), state.service_code.encode()):
            return _zlb_refusal(ZLB_SIGN_INVALID, "servicecode 或签名错误")
        expected_sign = zlb_sign(state.service_code, state.service_password, signed_at)
        if not hmac.compare_digest(sign.lower().encode(), expected_sign.encode()):
            return _zlb_refusal(ZLB_SIGN_INVALID, "servicecode 或签名错误")
        if not _zlb_time_is_fresh(signed_at, state.wall_clock()):
            return _zlb_refusal(ZLB_TIME_OUT_OF_WINDOW, "时间戳超出允许范围")

        if method == "ticketValidation":
            user = state.pending_tickets.pop(st, None)
            if user is None:
                return _zlb_refusal(ZLB_TICKET_INVALID, "ticket 无效或已使用")
            session_token = secrets.token_hex(16)
            state.sessions[session_token] = user
            return {"result": ZLB_SUCCESS, "errmsg": "成功", "token": session_token}
        if method == "getUserInfo":
            user = state.sessions.get(token)
            if user is None:
                return _zlb_refusal(ZLB_TOKEN_INVALID, "token 无效")
            return {"result": ZLB_SUCCESS, "errmsg": "成功", **user}
        return _zlb_refusal(ZLB_BAD_REQUEST, f"不支持的 method: {method}")

    @app.post("/message/send")
    async def send_message(
        servicecode: str = Form(""),
        signed_at: str = Form("", alias="time"),
        sign: str = Form(""),
        userId: str = Form(""),
        msgId: str = Form(""),
        title: str = Form(""),
        content: str = Form(""),
    ) -> dict[str, Any]:
        """A message to a ZLB user: delivered once per msgId."""
        expected_sign = zlb_sign(state.service_code, state.service_password, signed_at)
        if not (hmac.compare_digest(servicecode.encode(), state.service_code.encode())
                and hmac.compare_digest(sign.lower().encode(), expected_sign.encode())):
            return _zlb_refusal(ZLB_SIGN_INVALID, "servicecode 或签名错误")
        if not _zlb_time_is_fresh(signed_at, state.wall_clock()):
            return _zlb_refusal(ZLB_TIME_OUT_OF_WINDOW, "时间戳超出允许范围")
        if not (userId and msgId):
            return _zlb_refusal(ZLB_BAD_REQUEST, "userId 和 msgId 必填")
        state.messages.setdefault(msgId, {"userId": userId, "title": title, "content": content})
        return {"result": ZLB_SUCCESS, "errmsg": "成功"}

    return app


@dataclass
class SmsStandinState(StandinControls):
    access_key: str = ""
    secret: str = ""
    texts: dict[str, dict[str, Any]] = field(default_factory=dict)  # out_id -> the text delivered
    refused: int = 0


def sms_standin_app(access_key: str, secret: str) -> FastAPI:
    """An SMS gateway answering ``POST /sms/send`` in the shape of :mod:`common.portals.sms`: the
    HMAC signature checked, one text per ``out_id``."""
    state = SmsStandinState(access_key=access_key, secret=secret)
    app = FastAPI(title="SMS stand-in", openapi_url=None, docs_url=None, redoc_url=None)
    app.state.portal = state
    _install_controls(app, state)

    @app.post("/sms/send")
    async def send(request: Request) -> dict[str, Any]:
        body = await request.body()
        headers = request.headers
        expected = sms_signature(state.secret, headers.get(SMS_HEADER_TIMESTAMP, ""), headers.get(SMS_HEADER_NONCE, ""),
                                 body)
        if not (hmac.compare_digest(headers.get(SMS_HEADER_KEY, "").encode(), state.access_key.encode())
                and hmac.compare_digest(headers.get(SMS_HEADER_SIGNATURE, "").encode(), expected.encode())):
            state.refused += 1
            return {"code": "isv.SIGNATURE_MISMATCH", "message": "签名不匹配"}
        text = json.loads(body)
        state.texts.setdefault(text["out_id"], text)
        return {"code": SMS_OK, "message": "OK", "biz_id": text["out_id"]}

    return app


def _zlb_time_is_fresh(timestamp: str, now_epoch_seconds: float) -> bool:
    try:
        signed_at = datetime.strptime(timestamp, "%Y%m%d%H%M%S").replace(tzinfo=CHINA_STANDARD_TIME)
    except ValueError:
        return False
    return abs(signed_at.timestamp() - now_epoch_seconds) <= ZLB_ALLOWED_CLOCK_SKEW_SECONDS


def _zlb_refusal(result: str, errmsg: str) -> dict[str, Any]:
    return {"result": result, "errmsg": errmsg}


@contextmanager
def serve_in_thread(app: Any, *, startup_timeout: float = 5.0) -> Iterator[str]:
    """Serve `app` with uvicorn on 127.0.0.1 in a background thread; yield its base URL.

    The listening socket is bound here (port 0: the kernel picks a free port) and handed to
    uvicorn, so the port is known without parsing logs and cannot be taken by someone else in
    between. The URL is yielded only once the server answers HTTP, and the server is stopped and
    its thread joined on exit.
    """
    listening_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listening_socket.bind(("127.0.0.1", 0))
    port = listening_socket.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}"
    config = uvicorn.Config(
        app,
        log_level="warning",
        lifespan="off",
        access_log=False,
        # Caps the wait for in-flight requests (e.g. a deliberately slow one) when stopping.
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run,
        kwargs={"sockets": [listening_socket]},
        name=f"standin-{port}",
        daemon=True,  # never keep the interpreter alive because a test forgot to stop it
    )
    thread.start()
    try:
        _wait_until_answering(base_url, thread, startup_timeout)
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listening_socket.close()


def _wait_until_answering(base_url: str, thread: threading.Thread, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=0.5) as probe:
        while True:
            try:
                probe.get(base_url + "/")  # any HTTP answer (a 404 here) means it is serving
                return
            except httpx.TransportError:
                pass
            if not thread.is_alive():
                raise RuntimeError(f"stand-in server at {base_url} stopped during startup")
            if time.monotonic() > deadline:
                raise RuntimeError(f"stand-in server at {base_url} did not answer within {timeout} s")
            time.sleep(0.01)
