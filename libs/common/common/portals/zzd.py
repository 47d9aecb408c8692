"""The 浙政钉 (ZZD) open platform: every call signed (HMAC-SHA256 over method, time, nonce, path and
the sorted parameters), the app access token cached and refreshed one at a time, answers read at
both levels, and the work notice (工作通知) sent to government staff (portals.md).

The gateway's login adapter (``gateway.portals.ZzdAdapter``) and the notification service's ZZD
channel are both a :class:`ZzdClient`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import math
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from common.portals.base import CHINA_STANDARD_TIME, PortalRefused, answer_json, malformed

logger = logging.getLogger(__name__)

ZZD = "zzd"

# Business codes (content.responseCode) that ask for something else than "refused": an app access
# token the portal no longer accepts (refresh it once and retry), and an unknown or used auth code.
ZZD_CODE_INVALID = "240111"  # "code失效或不存在": the auth code is unknown, expired or already used
ZZD_TOKEN_INVALID = "240133"  # "应用accessToken失效或不存在": our app access token is no longer accepted

# Never trust a token up to its last second: the portal's clock and ours differ and the request
# takes time to arrive. Five minutes, or a tenth of the lifetime for unusually short-lived tokens.
ZZD_TOKEN_SAFETY_MARGIN_SECONDS = 300.0
ZZD_TOKEN_SAFETY_MARGIN_FRACTION = 0.1

# The HMAC headers of every call to the ZZD open platform.
ZZD_SIGNATURE_VERSION = "1.0"
ZZD_HEADER_TIMESTAMP = "X-Hmac-Auth-Timestamp"
ZZD_HEADER_VERSION = "X-Hmac-Auth-Version"
ZZD_HEADER_NONCE = "X-Hmac-Auth-Nonce"
ZZD_HEADER_API_KEY = "apiKey"
ZZD_HEADER_IP = "X-Hmac-Auth-IP"
ZZD_HEADER_MAC = "X-Hmac-Auth-MAC"
ZZD_HEADER_SIGNATURE = "X-Hmac-Auth-Signature"


def zzd_timestamp(epoch_seconds: float) -> str:
    """The X-Hmac-Auth-Timestamp header: local time in UTC+8, ``YYYY-MM-DDTHH:MM:SS.000+08:00``."""
    return datetime.fromtimestamp(epoch_seconds, tz=CHINA_STANDARD_TIME).strftime("%Y-%m-%dT%H:%M:%S.000+08:00")


def zzd_nonce(epoch_seconds: float) -> str:
    """The X-Hmac-Auth-Nonce header, unique per request: the time in ms and four random digits."""
    return f"{int(epoch_seconds * 1000)}{secrets.randbelow(10_000):04d}"


def zzd_signing_text(method: str, timestamp: str, nonce: str, path: str, params: Mapping[str, str]) -> str:
    """What is signed: ``METHOD\nTIMESTAMP\nNONCE\nPATH``, then ``\n`` and the parameters sorted
    by name as ``k=v&k=v`` (values as sent, not URL-encoded) when there are any. `path` is the
    API's path without the host and without the query string."""
    text = f"{method.upper()}\n{timestamp}\n{nonce}\n{path}"
    if params:
        text += "\n" + "&".join(f"{name}={params[name]}" for name in sorted(params))
    return text


def zzd_signature(app_secret: str, method: str, timestamp: str, nonce: str, path: str,
                  params: Mapping[str, str]) -> str:
    """X-Hmac-Auth-Signature: base64(HMAC-SHA256(app secret, the signing text))."""
    text = zzd_signing_text(method, timestamp, nonce, path, params)
    digest = hmac.new(app_secret.encode(), text.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def zzd_signed_headers(*, app_key: str, app_secret: str, method: str, path: str, params: Mapping[str, str],
                       epoch_seconds: float, client_ip: str, client_mac: str,
                       nonce: str | None = None) -> dict[str, str]:
    """The headers that authenticate one call to the ZZD open platform."""
    timestamp = zzd_timestamp(epoch_seconds)
    nonce = nonce or zzd_nonce(epoch_seconds)
    return {
        ZZD_HEADER_TIMESTAMP: timestamp,
        ZZD_HEADER_VERSION: ZZD_SIGNATURE_VERSION,
        ZZD_HEADER_NONCE: nonce,
        ZZD_HEADER_API_KEY: app_key,
        ZZD_HEADER_IP: client_ip,
        ZZD_HEADER_MAC: client_mac,
        ZZD_HEADER_SIGNATURE: zzd_signature(app_secret, method, timestamp, nonce, path, params),
    }


def local_ip_towards(base_url: str) -> str:
    """The address this host uses to reach `base_url` (a UDP "connect" sends nothing)."""
    url = httpx.URL(base_url)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect((url.host, port))
            return probe.getsockname()[0]
    except OSError:
        return "127.0.0.1"


def local_mac() -> str:
    node = uuid.getnode()
    return ":".join(f"{(node >> shift) & 0xFF:02x}" for shift in range(40, -1, -8))


@dataclass(frozen=True)
class _AccessToken:
    value: str
    usable_until: float  # on the client's monotonic clock


class ZzdClient:
    """Signed calls to the ZZD open platform, with the app access token cached.

    Tokens live for hours (7200 s typically) and the token endpoint is rate limited, so the token
    is cached and shared by all calls of the process and fetched again before it expires; a lock
    makes concurrent calls wait for one token request instead of each making their own.

    Answers are read at both levels: the platform's (``success``, ``errorCode``: the call itself
    was refused — signature, key, time, nonce) and the business call's (``content.success``,
    ``content.responseCode``). A refusal of the call itself raises :attr:`refused` (the gateway's
    login makes it a refused login) and is logged as an error, for ops.
    """

    TOKEN_PATH = "/gettoken.json"
    WORK_NOTICE_PATH = "/message/workNotification"
    refused: type[PortalRefused] = PortalRefused

    def __init__(
        self,
        base_url: str,
        app_key: str,
        app_secret: str,
        http: httpx.Client,
        monotonic: Callable[[], float] = time.monotonic,
        *,
        wall_clock: Callable[[], float] = time.time,
        client_ip: str = "",
        client_mac: str = "",
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._app_key = app_key
        self._app_secret = app_secret
        self._http = http
        self._monotonic = monotonic
        self._wall_clock = wall_clock
        self._client_ip = client_ip
        self._client_mac = client_mac
        self._token_lock = threading.Lock()
        self._token: _AccessToken | None = None

    # --- the signed call ---

    def _signed_call(self, method: str, path: str, params: Mapping[str, str]) -> dict[str, Any]:
        if not self._client_ip:
            self._client_ip = local_ip_towards(self._base_url)
        if not self._client_mac:
            self._client_mac = local_mac()
        headers = zzd_signed_headers(
            app_key=self._app_key, app_secret=self._app_secret, method=method, path=path, params=params,
            epoch_seconds=self._wall_clock(), client_ip=self._client_ip, client_mac=self._client_mac,
        )
        url = self._base_url + path
        if method == "GET":
            return answer_json(ZZD, path, lambda: self._http.get(url, params=dict(params), headers=headers))
        return answer_json(ZZD, path, lambda: self._http.post(url, data=dict(params), headers=headers))

    def _content(self, payload: dict[str, Any], path: str, *, ours: bool) -> dict[str, Any]:
        """The business answer (`content`) of a call, once both levels are read.

        `ours`: a business refusal is about our app (the token call) and raised; otherwise the
        content is returned whatever its success, for the caller to judge.
        """
        if not isinstance(payload.get("success"), bool):
            raise malformed(ZZD, path, "no success flag")
        if payload["success"] is not True:
            # The open platform refused the call itself: signature, key, time, nonce, address.
            code, message = zzd_error_code(payload), zzd_error_message(payload)
            log_call_refused(path, code, message)
            raise self.refused(
                f"the ZZD open platform refused the platform's signed request ({message}, code {code}); "
                "the ZZD app key, secret or the server's clock need an administrator",
                portal=ZZD, portal_code=code,
            )
        content = payload.get("content")
        if not isinstance(content, dict) or not isinstance(content.get("success"), bool):
            raise malformed(ZZD, path, "no content")
        if content["success"] is True or not ours:
            return content
        code, message = zzd_error_code(payload), zzd_error_message(payload)
        log_call_refused(path, code, message)
        raise self.refused(
            f"ZZD refused the platform's app credentials ({message}, code {code}); tell an administrator",
            portal=ZZD, portal_code=code,
        )

    # --- the app access token ---

    def _access_token(self) -> str:
        with self._token_lock:
            now = self._monotonic()
            if self._token is not None and now < self._token.usable_until:
                return self._token.value
            self._token = self._request_token(requested_at=now)
            return self._token.value

    def _forget_token(self, stale_value: str) -> None:
        # Only drop the token we saw refused: another thread may already have replaced it.
        with self._token_lock:
            if self._token is not None and self._token.value == stale_value:
                self._token = None

    def _request_token(self, requested_at: float) -> _AccessToken:
        payload = self._signed_call("GET", self.TOKEN_PATH, {"appkey": self._app_key, "appsecret": self._app_secret})
        data = self._content(payload, self.TOKEN_PATH, ours=True).get("data")
        if not isinstance(data, dict):
            raise malformed(ZZD, self.TOKEN_PATH, "no data")
        token_value = data.get("accessToken")
        raw_lifetime = data.get("expiresIn")
        try:
            # The documentation shows expiresIn both as a number and as a string.
            lifetime = float(raw_lifetime) if isinstance(raw_lifetime, int | float | str) else 0.0
        except ValueError:
            lifetime = 0.0
        if not isinstance(token_value, str) or not token_value or not (0 < lifetime < math.inf):
            raise malformed(ZZD, self.TOKEN_PATH, "no accessToken/expiresIn")
        margin = min(ZZD_TOKEN_SAFETY_MARGIN_SECONDS, lifetime * ZZD_TOKEN_SAFETY_MARGIN_FRACTION)
        # Counted from before the request was sent, so time spent in transit is on the safe side.
        return _AccessToken(value=token_value, usable_until=requested_at + lifetime - margin)

    # --- the work notice ---

    def send_work_notice(self, *, receiver_ids: list[str], tenant_id: str, biz_msg_id: str,
                         msg: Mapping[str, Any]) -> dict[str, Any]:
        """Send a work notice (工作通知) to the staff of ``receiver_ids`` (ZZD account ids).
        ``biz_msg_id`` is ours for the message: the portal delivers one message per id, so a resend
        after a fault it did not report to us is not delivered twice. Raises :attr:`refused` when
        the portal refuses it, PortalUnavailable when it cannot be used."""
        params = {"receiverIds": ",".join(receiver_ids), "tenantId": tenant_id, "bizMsgId": biz_msg_id,
                  "msg": json.dumps(msg, ensure_ascii=False, separators=(",", ":"))}
        content = self._content(self._signed_call("POST", self.WORK_NOTICE_PATH, params), self.WORK_NOTICE_PATH,
                                ours=False)
        if content["success"] is not True:
            code, message = zzd_response_code(content), str(content.get("responseMessage") or "no reason given")
            logger.warning("portal refused a work notice", extra={"portal": ZZD, "portal_code": code,
                                                                  "portal_message": message,
                                                                  "biz_msg_id": biz_msg_id})
            raise PortalRefused(f"ZZD refused the work notice: {message}", portal=ZZD, portal_code=code)
        data = content.get("data")
        return data if isinstance(data, dict) else {}


def log_call_refused(endpoint: str, portal_code: str | None, portal_message: str) -> None:
    # Our own request or app was refused: nothing works until the configuration (or clock) is fixed.
    logger.error(
        "portal refused the platform's call",
        extra={"portal": ZZD, "portal_endpoint": endpoint, "portal_code": portal_code,
               "portal_message": portal_message},
    )


def zzd_response_code(content: Mapping[str, Any]) -> str | None:
    code = content.get("responseCode")
    return None if code is None else str(code)


def zzd_error_code(payload: Mapping[str, Any]) -> str | None:
    """The business code (content.responseCode) if any, else the platform's errorCode."""
    content = payload.get("content")
    if isinstance(content, dict) and content.get("responseCode") is not None:
        return str(content["responseCode"])
    error_code = payload.get("errorCode")
    return None if error_code is None else str(error_code)


def zzd_error_message(payload: Mapping[str, Any]) -> str:
    """The business message (content.responseMessage) if any, else the platform's errorMsg."""
    content = payload.get("content")
    if isinstance(content, dict) and content.get("responseMessage"):
        return str(content["responseMessage"])
    return str(payload.get("errorMsg") or "no reason given")
