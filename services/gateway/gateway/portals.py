"""Login adapters for the two government portals our users arrive from.

People working for the administration sign in through 浙政钉 (ZZD, the government DingTalk);
enterprises and citizens sign in through 浙里办 (ZLB, the provincial government-services SSO).
Both hand our front end a one-time credential (a ZZD auth code, a ZLB ticket); the gateway trades
it, server to server, for the user's portal identity. The adapters below do only that trade and
turn every outcome into one of three things the gateway can act on:

* a `PortalIdentity` - the portal vouched for this user;
* `PortalLoginFailed` - the portal refused the login: the credential (expired, already used,
  forged), or - logged as an error for ops - the platform's own signed call or app credentials
  (ZZD: wrong key or secret, a clock out of the portal's window);
* `PortalUnavailable` - we could not get a usable answer (network, timeout, 5xx, malformed data):
  retrying the same login later may work, and ops should look at it.

Credentials (app secret, service password, tokens, auth codes, tickets, signs) are never logged.
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
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx

logger = logging.getLogger(__name__)


class _UrlsWithoutQuery(logging.Filter):
    """httpx logs every request's URL at INFO, and the ZZD token request carries the app secret in
    its query string (the portal's protocol): httpx's records show URLs without their query."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(arg, httpx.URL) and arg.query for arg in record.args):
            record.args = tuple(arg.copy_with(query=None) if isinstance(arg, httpx.URL) else arg
                                for arg in record.args)
        return True


logging.getLogger("httpx").addFilter(_UrlsWithoutQuery())

ZZD = "zzd"
ZLB = "zlb"

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

ZLB_SUCCESS = "0"
# ZLB's `time` parameter is wall-clock time in China Standard Time, whatever the host's zone is.
CHINA_STANDARD_TIME = timezone(timedelta(hours=8), name="UTC+08:00")


@dataclass(frozen=True)
class PortalIdentity:
    """Who the portal says the user is; `external_id` is stable per portal, `name` is for display."""

    portal: str
    external_id: str
    name: str | None


class PortalLoginFailed(Exception):
    """The portal refused the user's code or ticket; only a fresh portal login can help."""

    def __init__(self, message: str, *, portal: str, portal_code: str | None = None) -> None:
        super().__init__(message)
        self.portal = portal
        self.portal_code = portal_code


class PortalUnavailable(Exception):
    """No usable answer from the portal: unreachable, too slow, broken, or rejecting our app itself."""

    def __init__(self, message: str, *, portal: str) -> None:
        super().__init__(message)
        self.portal = portal


def _post_form_for_json(
    http: httpx.Client, portal: str, base_url: str, endpoint: str, form: Mapping[str, str]
) -> dict[str, Any]:
    """POST a form to base_url + endpoint; the JSON object answered, or PortalUnavailable."""
    return _answer_json(portal, endpoint, lambda: http.post(base_url + endpoint, data=dict(form)))


def _answer_json(portal: str, endpoint: str, send: Callable[[], httpx.Response]) -> dict[str, Any]:
    """Send one request and return the JSON object answered, or raise PortalUnavailable.

    Both portals report business failures inside a JSON body, so only transport failures, 5xx and
    bodies that are not a JSON object count as "unavailable" here; the caller judges the content.
    Only `endpoint` (a fixed path) is logged: parameters carry secrets and one-time credentials.
    """
    try:
        response = send()
    except httpx.TimeoutException as exc:
        _log_unavailable(portal, endpoint, "timeout", error_type=type(exc).__name__)
        raise PortalUnavailable(f"{portal} did not answer {endpoint} in time", portal=portal) from exc
    except httpx.HTTPError as exc:
        _log_unavailable(portal, endpoint, "transport error", error_type=type(exc).__name__)
        raise PortalUnavailable(
            f"{portal} could not be reached at {endpoint}: {type(exc).__name__}", portal=portal
        ) from exc

    if response.status_code >= 500:
        _log_unavailable(portal, endpoint, "server error", http_status=response.status_code)
        raise PortalUnavailable(f"{portal} answered HTTP {response.status_code} on {endpoint}", portal=portal)
    try:
        payload = response.json()
        # Some ZLB deployments answer a JSON *string* that itself holds the JSON object.
        if isinstance(payload, str):
            payload = json.loads(payload)
    except ValueError as exc:
        _log_unavailable(portal, endpoint, "body is not JSON", http_status=response.status_code)
        raise PortalUnavailable(f"{portal} answered non-JSON data on {endpoint}", portal=portal) from exc
    if not isinstance(payload, dict):
        _log_unavailable(portal, endpoint, "body is not a JSON object", http_status=response.status_code)
        raise PortalUnavailable(f"{portal} answered malformed data on {endpoint}", portal=portal)
    return payload


def _log_unavailable(portal: str, endpoint: str, reason: str, **details: Any) -> None:
    logger.error(
        "portal unavailable",
        extra={"portal": portal, "portal_endpoint": endpoint, "reason": reason, **details},
    )


def _log_refused(portal: str, portal_code: str | None, portal_message: str) -> None:
    # A refused code is usually the user's doing (reload, double click, stale link): a warning, not an error.
    logger.warning(
        "portal refused login",
        extra={"portal": portal, "portal_code": portal_code, "portal_message": portal_message},
    )


def _malformed(portal: str, endpoint: str, what: str) -> PortalUnavailable:
    _log_unavailable(portal, endpoint, f"malformed answer: {what}")
    return PortalUnavailable(f"{portal} answered malformed data on {endpoint}: {what}", portal=portal)


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
    usable_until: float  # on the adapter's monotonic clock


class ZzdAdapter:
    """Trades a 浙政钉 auth code (the micro-app's in-app login) for the user's identity.

    Every call to the open platform is signed with the app key and secret (:func:`zzd_signed_headers`).
    The user call needs an app access token (``GET /gettoken.json``). Tokens live for hours (7200 s
    typically) and the token endpoint is rate limited, so the token is cached and shared by all
    logins of the process and fetched again before it expires; a lock makes concurrent logins wait
    for one token request instead of each making their own.

    Answers are read at both levels: the platform's (``success``, ``errorCode``: the call itself
    was refused — signature, key, time, nonce) and the business call's (``content.success``,
    ``content.responseCode``). Either refusal is a refused login (:class:`PortalLoginFailed`) with
    the portal's code logged; a refusal of our own signed request or app credentials is logged as
    an error, for ops, since no user can log in until it is fixed.
    """

    TOKEN_PATH = "/gettoken.json"
    USER_PATH = "/rpc/oauth2/dingtalk_app_user.json"

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

    def identify(self, auth_code: str) -> PortalIdentity:
        """Return who the portal says the holder of `auth_code` is.

        Raises PortalLoginFailed if ZZD refuses the code or our signed call, PortalUnavailable if
        ZZD cannot be used.
        """
        if not auth_code:
            raise PortalLoginFailed("empty ZZD auth code", portal=ZZD)
        token = self._access_token()
        content = self._user_content(token, auth_code)
        if _zzd_response_code(content) == ZZD_TOKEN_INVALID:
            # The portal can revoke a token before its announced expiry (secret rotated, portal
            # restarted). The code was not consumed by a call the portal refused, so retry once
            # with a fresh token; a second refusal means the problem is ours, not the user's.
            self._forget_token(token)
            token = self._access_token()
            content = self._user_content(token, auth_code)
            if _zzd_response_code(content) == ZZD_TOKEN_INVALID:
                _log_unavailable(ZZD, self.USER_PATH, "fresh access token refused")
                raise PortalUnavailable("ZZD refused a freshly issued access token", portal=ZZD)
        return self._identity_from(content)

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
            return _answer_json(ZZD, path, lambda: self._http.get(url, params=dict(params), headers=headers))
        return _answer_json(ZZD, path, lambda: self._http.post(url, data=dict(params), headers=headers))

    def _content(self, payload: dict[str, Any], path: str, *, ours: bool) -> dict[str, Any]:
        """The business answer (`content`) of a call, once both levels are read.

        A token refusal is returned (not raised) so that `identify` can refresh the token and retry.
        `ours`: a business refusal is about our app (the token call), not the user's code.
        """
        if not isinstance(payload.get("success"), bool):
            raise _malformed(ZZD, path, "no success flag")
        if payload["success"] is not True:
            # The open platform refused the call itself: signature, key, time, nonce, address.
            code, message = _zzd_error_code(payload), _zzd_error_message(payload)
            _log_call_refused(path, code, message)
            raise PortalLoginFailed(
                f"the ZZD open platform refused the platform's signed request ({message}, code {code}); "
                "the ZZD app key, secret or the server's clock need an administrator",
                portal=ZZD, portal_code=code,
            )
        content = payload.get("content")
        if not isinstance(content, dict) or not isinstance(content.get("success"), bool):
            raise _malformed(ZZD, path, "no content")
        if content["success"] is True:
            return content
        code, message = _zzd_error_code(payload), _zzd_error_message(payload)
        if ours:
            _log_call_refused(path, code, message)
            raise PortalLoginFailed(
                f"ZZD refused the platform's app credentials ({message}, code {code}); tell an administrator",
                portal=ZZD, portal_code=code,
            )
        if code == ZZD_TOKEN_INVALID:
            return content
        _log_refused(ZZD, code, message)
        raise PortalLoginFailed(f"ZZD refused the auth code: {message}", portal=ZZD, portal_code=code)

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
            raise _malformed(ZZD, self.TOKEN_PATH, "no data")
        token_value = data.get("accessToken")
        raw_lifetime = data.get("expiresIn")
        try:
            # The documentation shows expiresIn both as a number and as a string.
            lifetime = float(raw_lifetime) if isinstance(raw_lifetime, int | float | str) else 0.0
        except ValueError:
            lifetime = 0.0
        if not isinstance(token_value, str) or not token_value or not (0 < lifetime < math.inf):
            raise _malformed(ZZD, self.TOKEN_PATH, "no accessToken/expiresIn")
        margin = min(ZZD_TOKEN_SAFETY_MARGIN_SECONDS, lifetime * ZZD_TOKEN_SAFETY_MARGIN_FRACTION)
        # Counted from before the request was sent, so time spent in transit is on the safe side.
        return _AccessToken(value=token_value, usable_until=requested_at + lifetime - margin)

    # --- the user ---

    def _user_content(self, token: str, auth_code: str) -> dict[str, Any]:
        payload = self._signed_call("POST", self.USER_PATH, {"access_token": token, "auth_code": auth_code})
        return self._content(payload, self.USER_PATH, ours=False)

    def _identity_from(self, content: dict[str, Any]) -> PortalIdentity:
        data = content.get("data")
        if not isinstance(data, dict):
            raise _malformed(ZZD, self.USER_PATH, "no data")
        account_id = data.get("accountId")
        # bool is an int subclass; a boolean accountId is garbage, not account 1.
        if isinstance(account_id, bool) or not isinstance(account_id, int | str) or account_id == "":
            raise _malformed(ZZD, self.USER_PATH, "no accountId")
        name = next((value for value in (data.get("lastName"), data.get("nickNameCn"))
                     if isinstance(value, str) and value), None)
        return PortalIdentity(portal=ZZD, external_id=str(account_id), name=name)


def _log_call_refused(endpoint: str, portal_code: str | None, portal_message: str) -> None:
    # Our own request or app was refused: no one can log in until the configuration (or clock) is fixed.
    logger.error(
        "portal refused the platform's call",
        extra={"portal": ZZD, "portal_endpoint": endpoint, "portal_code": portal_code,
               "portal_message": portal_message},
    )


def _zzd_response_code(content: Mapping[str, Any]) -> str | None:
    code = content.get("responseCode")
    return None if code is None else str(code)


def _zzd_error_code(payload: Mapping[str, Any]) -> str | None:
    """The business code (content.responseCode) if any, else the platform's errorCode."""
    content = payload.get("content")
    if isinstance(content, dict) and content.get("responseCode") is not None:
        return str(content["responseCode"])
    error_code = payload.get("errorCode")
    return None if error_code is None else str(error_code)


def _zzd_error_message(payload: Mapping[str, Any]) -> str:
    """The business message (content.responseMessage) if any, else the platform's errorMsg."""
    content = payload.get("content")
    if isinstance(content, dict) and content.get("responseMessage"):
        return str(content["responseMessage"])
    return str(payload.get("errorMsg") or "no reason given")


class ZlbAdapter:
    """Trades a 浙里办 SSO ticket for the user's identity ("simpleauth" protocol).

    Every call is signed with MD5(servicecode + servicepwd + time); ZLB rejects times too far from
    its own clock, which is why the clock is injectable (tests) and expressed in UTC+8 (protocol).
    """

    SIMPLEAUTH_PATH = "/sso/servlet/simpleauth"

    def __init__(
        self,
        base_url: str,
        service_code: str,
        service_password: str,
        http: httpx.Client,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._service_code = service_code
        self._service_password = service_password
        self._http = http
        self._wall_clock = wall_clock

    def identify(self, ticket: str) -> PortalIdentity:
        """Return who the portal says the holder of `ticket` is.

        Raises PortalLoginFailed if ZLB refuses the ticket (or a later step), PortalUnavailable if
        ZLB cannot be used.
        """
        if not ticket:
            raise PortalLoginFailed("empty ZLB ticket", portal=ZLB)
        validation = self._call("ticketValidation", {"st": ticket})
        session_token = validation.get("token")
        if not isinstance(session_token, str) or not session_token:
            raise _malformed(ZLB, self.SIMPLEAUTH_PATH, "ticketValidation gave no token")
        user_info = self._call("getUserInfo", {"token": session_token})
        user_id = user_info.get("userid")
        if isinstance(user_id, bool) or not isinstance(user_id, str | int) or user_id == "":
            raise _malformed(ZLB, self.SIMPLEAUTH_PATH, "getUserInfo gave no userid")
        user_name = user_info.get("username")
        return PortalIdentity(
            portal=ZLB,
            external_id=str(user_id),
            name=user_name if isinstance(user_name, str) and user_name else None,
        )

    def _call(self, method: str, arguments: Mapping[str, str]) -> dict[str, Any]:
        """One signed simpleauth call; returns the answer when result == "0", raises otherwise."""
        signed_at = zlb_timestamp(self._wall_clock())
        form = {
            "method": method,
            "servicecode": self._service_code,
            "time": signed_at,
            "sign": zlb_sign(self._service_code, self._service_password, signed_at),
            "datatype": "json",
            **arguments,
        }
        answer = _post_form_for_json(self._http, ZLB, self._base_url, self.SIMPLEAUTH_PATH, form)
        if "result" not in answer:
            raise _malformed(ZLB, self.SIMPLEAUTH_PATH, f"{method} gave no result")
        result = str(answer["result"])
        if result != ZLB_SUCCESS:
            # Any non-zero result is a refusal. A bad sign or time (our configuration or clock) also
            # lands here; the code is kept on the exception and in the log so ops can tell them apart.
            message = str(answer.get("errmsg") or "no reason given")
            _log_refused(ZLB, result, message)
            raise PortalLoginFailed(f"ZLB refused {method}: {message}", portal=ZLB, portal_code=result)
        return answer


def zlb_timestamp(epoch_seconds: float) -> str:
    """The `time` parameter of a simpleauth call: yyyyMMddHHmmss in UTC+8."""
    return datetime.fromtimestamp(epoch_seconds, tz=CHINA_STANDARD_TIME).strftime("%Y%m%d%H%M%S")


def zlb_sign(service_code: str, service_password: str, timestamp: str) -> str:
    """The `sign` parameter of a simpleauth call: lowercase hex MD5 of code + password + time.

    MD5 is what the ZLB protocol prescribes; `usedforsecurity=False` keeps it working on
    FIPS-restricted hosts, where a plain hashlib.md5() call is refused.
    """
    material = f"{service_code}{service_password}{timestamp}".encode()
    return hashlib.md5(material, usedforsecurity=False).hexdigest()
