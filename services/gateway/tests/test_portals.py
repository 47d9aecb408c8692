"""The portal login adapters against the local stand-ins, over real HTTP on 127.0.0.1.

The ZZD stand-in verifies the HMAC-SHA256 signature of every call (and its timestamp window and
nonce) exactly as the adapter computes it, so these tests prove the signing: a call signed with
another secret, or a parameter changed after signing, is refused.

Decision documented here: a call the ZZD open platform refuses (a wrong app key or secret, a bad
signature, a clock out of its window) is a refused login (PortalLoginFailed, 401 at the gateway
with a message saying an administrator must act), logged as an error with the portal's code for
ops; only no usable answer at all (network, timeout, 5xx, malformed data) is PortalUnavailable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest
from fastapi import Response

from common.portals.zlb import zlb_sign, zlb_timestamp
from common.portals.zzd import ZZD_CODE_INVALID, zzd_signed_headers, zzd_signing_text, zzd_timestamp
from gateway.portal_standins import (
    ZLB_SIGN_INVALID,
    ZLB_TICKET_INVALID,
    ZLB_TIME_OUT_OF_WINDOW,
    ZZD_HEADERS_MISSING,
    ZZD_NONCE_REUSED,
    ZZD_SIGNATURE_MISMATCH,
    ZZD_TIMESTAMP_OUT_OF_WINDOW,
    ZlbStandinState,
    ZzdStandinState,
    serve_in_thread,
    zlb_standin_app,
    zzd_standin_app,
)
from gateway.portals import (
    PortalIdentity,
    PortalLoginFailed,
    PortalUnavailable,
    ZlbAdapter,
    ZzdAdapter,
)

APP_KEY = "shangyu-supervision"
APP_SECRET = "zzd-app-secret-for-tests"
SERVICE_CODE = "syjdpt"
SERVICE_PASSWORD = "zlb-service-password-for-tests"

ZZD_USERS = {
    "code-zhang": {"accountId": 12345, "lastName": "张三", "employeeCode": "GE_0001"},
    "code-li": {"accountId": 67890, "lastName": "李四", "employeeCode": "GE_0002"},
}
ZLB_TICKETS = {
    "ticket-wang": {"userid": "zlb-u-1", "username": "王五"},
    "ticket-zhao": {"userid": "zlb-u-2", "username": "赵六"},
}

# Long enough for a loaded CI machine on loopback (8 logins at once on a 2-core machine under a load
# of 10 took over 2 s); the timeout tests use their own short one.
CLIENT_TIMEOUT_SECONDS = 15.0
SHORT_TIMEOUT_SECONDS = 0.2


@dataclass
class RunningZzd:
    base_url: str
    state: ZzdStandinState


@dataclass
class RunningZlb:
    base_url: str
    state: ZlbStandinState


class FakeMonotonic:
    """A monotonic clock the test moves by hand, to cross token lifetimes without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=CLIENT_TIMEOUT_SECONDS) as client:
        yield client


class Switchboard:
    """The ASGI app of the module's one server: forwards to the stand-in the current test installed.

    Starting and stopping uvicorn costs ~0.2 s (its loop polls for shutdown every 0.1 s), so the
    module shares one server while every test still gets a fresh stand-in with fresh state.
    """

    def __init__(self) -> None:
        self.current_app: Any = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if self.current_app is None:
            await Response("no stand-in installed", status_code=404)(scope, receive, send)
        else:
            await self.current_app(scope, receive, send)


@pytest.fixture(scope="module")
def standin_server() -> Iterator[tuple[Switchboard, str]]:
    switchboard = Switchboard()
    with serve_in_thread(switchboard) as base_url:
        yield switchboard, base_url


@pytest.fixture
def serve(standin_server: tuple[Switchboard, str]) -> Iterator[Callable[[Any], str]]:
    """Install a stand-in app on the shared server for this test; returns the base URL."""
    switchboard, base_url = standin_server

    def install(app: Any) -> str:
        switchboard.current_app = app
        return base_url

    yield install
    switchboard.current_app = None


@pytest.fixture
def zzd(serve: Callable[[Any], str]) -> RunningZzd:
    app = zzd_standin_app(APP_KEY, APP_SECRET, ZZD_USERS)
    return RunningZzd(serve(app), app.state.portal)


@pytest.fixture
def zlb(serve: Callable[[Any], str]) -> RunningZlb:
    app = zlb_standin_app(SERVICE_CODE, SERVICE_PASSWORD, ZLB_TICKETS)
    return RunningZlb(serve(app), app.state.portal)


def zzd_adapter(base_url: str, http: httpx.Client, **overrides: Any) -> ZzdAdapter:
    arguments: dict[str, Any] = {"app_key": APP_KEY, "app_secret": APP_SECRET, **overrides}
    return ZzdAdapter(base_url, http=http, **arguments)


def zlb_adapter(base_url: str, http: httpx.Client, **overrides: Any) -> ZlbAdapter:
    arguments: dict[str, Any] = {"service_code": SERVICE_CODE, "service_password": SERVICE_PASSWORD, **overrides}
    return ZlbAdapter(base_url, http=http, **arguments)


def closed_port_url() -> str:
    """A 127.0.0.1 URL nothing listens on: bind a free port, then release it unused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@contextmanager
def silent_server() -> Iterator[str]:
    """A port whose connections are accepted (by the kernel backlog) but never answered."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def logged_text(caplog: pytest.LogCaptureFixture) -> str:
    """Every captured record with all its attributes, `extra` included, as one string."""
    return "\n".join(repr(vars(record)) for record in caplog.records)


# --- ZZD ---------------------------------------------------------------------------------------


def test_zzd_login_returns_the_portal_identity(zzd: RunningZzd, http: httpx.Client) -> None:
    identity = zzd_adapter(zzd.base_url, http).identify("code-zhang")

    assert identity == PortalIdentity(portal="zzd", external_id="12345", name="张三")


def test_zzd_token_is_fetched_once_for_several_logins(zzd: RunningZzd, http: httpx.Client) -> None:
    adapter = zzd_adapter(zzd.base_url, http)

    adapter.identify("code-zhang")
    adapter.identify("code-li")

    assert zzd.state.token_requests == 1
    assert zzd.state.user_info_requests == 2


def test_zzd_concurrent_logins_share_one_token_request(serve: Callable[[Any], str], http: httpx.Client) -> None:
    codes = {f"code-{n}": {"accountId": n, "lastName": f"用户{n}"} for n in range(8)}
    app = zzd_standin_app(APP_KEY, APP_SECRET, codes)
    adapter = zzd_adapter(serve(app), http)
    start_together = threading.Barrier(len(codes))

    def login(code: str) -> PortalIdentity:
        start_together.wait()
        return adapter.identify(code)

    with ThreadPoolExecutor(max_workers=len(codes)) as pool:
        identities = list(pool.map(login, codes))

    assert sorted(identity.external_id for identity in identities) == [str(n) for n in range(8)]
    assert app.state.portal.token_requests == 1


@pytest.mark.parametrize(
    ("token_ttl", "still_cached_at", "refetched_at"),
    [
        (7200, 6899, 6901),  # long-lived token: 5-minute margin
        (100, 89, 91),  # short-lived token: 10 % margin is the smaller one
    ],
)
def test_zzd_token_is_refetched_before_it_expires(
    serve: Callable[[Any], str], http: httpx.Client, token_ttl: int, still_cached_at: float, refetched_at: float
) -> None:
    app = zzd_standin_app(APP_KEY, APP_SECRET, ZZD_USERS | {"code-wu": {"accountId": 3, "lastName": "吴"}}, token_ttl)
    clock = FakeMonotonic()
    started = clock.now
    adapter = zzd_adapter(serve(app), http, monotonic=clock)
    adapter.identify("code-zhang")

    clock.now = started + still_cached_at
    adapter.identify("code-li")
    assert app.state.portal.token_requests == 1

    clock.now = started + refetched_at
    adapter.identify("code-wu")
    assert app.state.portal.token_requests == 2


def test_zzd_revoked_token_is_refreshed_once_and_login_succeeds(zzd: RunningZzd, http: httpx.Client) -> None:
    adapter = zzd_adapter(zzd.base_url, http)
    adapter.identify("code-zhang")
    zzd.state.expire_tokens()

    identity = adapter.identify("code-li")

    assert identity == PortalIdentity(portal="zzd", external_id="67890", name="李四")
    assert zzd.state.token_requests == 2
    assert zzd.state.user_info_requests == 3  # first login, refused call, retried call


def test_zzd_token_refused_even_when_fresh_is_unavailable(serve: Callable[[Any], str], http: httpx.Client) -> None:
    # Every reading of the stand-in's clock is 10 000 s after the previous one: any token it
    # issues is already expired when presented, so the single retry cannot help.
    leaping_clock = itertools.count(start=0, step=10_000).__next__
    app = zzd_standin_app(APP_KEY, APP_SECRET, ZZD_USERS, monotonic=leaping_clock)
    with pytest.raises(PortalUnavailable):
        zzd_adapter(serve(app), http).identify("code-zhang")

    assert app.state.portal.token_requests == 2  # one retry, not a loop
    assert "code-zhang" in app.state.portal.pending_codes  # refused calls did not burn the code


def test_zzd_unknown_code_is_refused_with_the_portal_message(zzd: RunningZzd, http: httpx.Client) -> None:
    with pytest.raises(PortalLoginFailed, match="code失效或不存在") as refused:
        zzd_adapter(zzd.base_url, http).identify("code-nobody")

    assert refused.value.portal == "zzd"
    assert refused.value.portal_code == ZZD_CODE_INVALID


def test_zzd_code_works_only_once(zzd: RunningZzd, http: httpx.Client) -> None:
    adapter = zzd_adapter(zzd.base_url, http)
    adapter.identify("code-zhang")

    with pytest.raises(PortalLoginFailed):
        adapter.identify("code-zhang")


def test_zzd_empty_code_is_refused_without_calling_the_portal(zzd: RunningZzd, http: httpx.Client) -> None:
    with pytest.raises(PortalLoginFailed):
        zzd_adapter(zzd.base_url, http).identify("")

    assert zzd.state.token_requests == 0


def test_zzd_wrong_app_secret_is_a_refused_login_logged_for_ops_without_secrets(
    zzd: RunningZzd, http: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    wrong_secret = "not-the-zzd-secret"
    caplog.set_level(logging.DEBUG)

    with pytest.raises(PortalLoginFailed, match=r"SignatureDoesNotMatch.*administrator") as refused:
        zzd_adapter(zzd.base_url, http, app_secret=wrong_secret).identify("code-zhang")

    assert refused.value.portal_code == ZZD_SIGNATURE_MISMATCH
    assert zzd.state.refused_calls == [ZZD_SIGNATURE_MISMATCH]
    assert zzd.state.user_info_requests == 0
    assert "code-zhang" in zzd.state.pending_codes
    [error] = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert (error.portal, error.portal_code) == ("zzd", ZZD_SIGNATURE_MISMATCH)  # structured, for ops
    for secret in (wrong_secret, APP_SECRET, "code-zhang"):
        assert secret not in logged_text(caplog)


def test_zzd_unreachable_portal_is_unavailable(http: httpx.Client) -> None:
    with pytest.raises(PortalUnavailable):
        zzd_adapter(closed_port_url(), http).identify("code-zhang")


def test_zzd_silent_portal_times_out_as_unavailable() -> None:
    with silent_server() as base_url, httpx.Client(timeout=SHORT_TIMEOUT_SECONDS) as impatient_http:
        started = time.monotonic()
        with pytest.raises(PortalUnavailable, match="in time"):
            zzd_adapter(base_url, impatient_http).identify("code-zhang")

    assert time.monotonic() - started < 2


@pytest.mark.parametrize(
    "broken_answer",
    [
        pytest.param(Response("<html>502 Bad Gateway</html>", status_code=502, media_type="text/html"), id="5xx"),
        pytest.param(Response("<html>维护中</html>", status_code=200, media_type="text/html"), id="non-json"),
        pytest.param(Response('["not", "an", "object"]', media_type="application/json"), id="json-not-object"),
        pytest.param(
            Response('{"success": true, "content": {"success": true, "data": {}}}', media_type="application/json"),
            id="json-without-token",
        ),
    ],
)
def test_zzd_broken_answers_are_unavailable(zzd: RunningZzd, http: httpx.Client, broken_answer: Response) -> None:
    zzd.state.canned_response = broken_answer

    with pytest.raises(PortalUnavailable):
        zzd_adapter(zzd.base_url, http).identify("code-zhang")


def test_zzd_user_info_without_account_id_is_unavailable(serve: Callable[[Any], str], http: httpx.Client) -> None:
    app = zzd_standin_app(APP_KEY, APP_SECRET, {"code-anonymous": {"lastName": "无名"}})

    with pytest.raises(PortalUnavailable, match="accountId"):
        zzd_adapter(serve(app), http).identify("code-anonymous")


def test_zzd_name_falls_back_to_the_nickname(serve: Callable[[Any], str], http: httpx.Client) -> None:
    app = zzd_standin_app(APP_KEY, APP_SECRET, {"code-nick": {"accountId": 7, "nickNameCn": "小王"}})

    assert zzd_adapter(serve(app), http).identify("code-nick").name == "小王"


# --- ZZD: the signature of every call ------------------------------------------------------------


class Recorder:
    """An httpx request hook keeping every request the adapter sends."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> None:
        request.read()
        self.requests.append(request)


def test_zzd_signing_text_and_signature_follow_the_portal() -> None:
    text = zzd_signing_text("post", "2026-12-01T09:00:00.000+08:00", "17646000000001234",
                            "/rpc/oauth2/dingtalk_app_user.json", {"auth_code": "c 1", "access_token": "t"})
    assert text == ("POST\n2026-12-01T09:00:00.000+08:00\n17646000000001234\n"
                    "/rpc/oauth2/dingtalk_app_user.json\naccess_token=t&auth_code=c 1")
    assert zzd_signing_text("GET", "ts", "n", "/x.json", {}) == "GET\nts\nn\n/x.json"  # no parameters, no \n

    headers = zzd_signed_headers(app_key="k", app_secret="s", method="GET", path="/gettoken.json",
                                 params={"appsecret": "s", "appkey": "k"}, epoch_seconds=0,
                                 client_ip="10.0.0.8", client_mac="aa:bb:cc:dd:ee:ff", nonce="00001")
    signed = "GET\n1970-01-01T08:00:00.000+08:00\n00001\n/gettoken.json\nappkey=k&appsecret=s"
    expected = base64.b64encode(hmac.new(b"s", signed.encode(), hashlib.sha256).digest()).decode()
    assert headers == {
        "X-Hmac-Auth-Timestamp": "1970-01-01T08:00:00.000+08:00", "X-Hmac-Auth-Version": "1.0",
        "X-Hmac-Auth-Nonce": "00001", "apiKey": "k", "X-Hmac-Auth-IP": "10.0.0.8",
        "X-Hmac-Auth-MAC": "aa:bb:cc:dd:ee:ff", "X-Hmac-Auth-Signature": expected,
    }


def test_zzd_every_call_is_signed_and_the_standin_accepts_the_signature(zzd: RunningZzd) -> None:
    recorder = Recorder()
    with httpx.Client(timeout=CLIENT_TIMEOUT_SECONDS, event_hooks={"request": [recorder]}) as http:
        identity = zzd_adapter(zzd.base_url, http, client_ip="10.1.2.3", client_mac="02:00:00:00:00:01")
        assert identity.identify("code-zhang").external_id == "12345"

    token_call, user_call = recorder.requests
    assert (token_call.method, token_call.url.path) == ("GET", "/gettoken.json")
    assert dict(token_call.url.params) == {"appkey": APP_KEY, "appsecret": APP_SECRET}
    assert (user_call.method, user_call.url.path) == ("POST", "/rpc/oauth2/dingtalk_app_user.json")
    assert user_call.headers["content-type"] == "application/x-www-form-urlencoded"
    assert dict(parse_qsl(user_call.content.decode()))["auth_code"] == "code-zhang"
    for call in recorder.requests:
        assert call.headers["apiKey"] == APP_KEY
        assert call.headers["X-Hmac-Auth-Version"] == "1.0"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+08:00", call.headers["X-Hmac-Auth-Timestamp"])
        assert re.fullmatch(r"\d{17}", call.headers["X-Hmac-Auth-Nonce"])  # ms since the epoch + 4 digits
        assert (call.headers["X-Hmac-Auth-IP"], call.headers["X-Hmac-Auth-MAC"]) == ("10.1.2.3", "02:00:00:00:00:01")
    assert token_call.headers["X-Hmac-Auth-Nonce"] != user_call.headers["X-Hmac-Auth-Nonce"]
    assert zzd.state.verified_calls == 2
    assert zzd.state.refused_calls == []


def test_zzd_caller_address_is_found_when_not_configured(zzd: RunningZzd) -> None:
    recorder = Recorder()
    with httpx.Client(timeout=CLIENT_TIMEOUT_SECONDS, event_hooks={"request": [recorder]}) as http:
        zzd_adapter(zzd.base_url, http).identify("code-zhang")

    headers = recorder.requests[0].headers
    assert headers["X-Hmac-Auth-IP"] == "127.0.0.1"  # the address that reaches the stand-in
    assert re.fullmatch(r"([0-9a-f]{2}:){5}[0-9a-f]{2}", headers["X-Hmac-Auth-MAC"])


class Tampering(httpx.BaseTransport):
    """Changes a request after the adapter signed it, as someone on the way could."""

    def __init__(self, path: str, change: Callable[[dict[str, str]], dict[str, str]]) -> None:
        self._inner = httpx.HTTPTransport()
        self._path, self._change = path, change

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == self._path:
            headers = {name: value for name, value in request.headers.items() if name.lower() != "content-length"}
            if request.method == "GET":
                url = request.url.copy_with(params=self._change(dict(request.url.params)))
                request = httpx.Request("GET", url, headers=headers)
            else:
                body = urlencode(self._change(dict(parse_qsl(request.read().decode()))))
                request = httpx.Request(request.method, request.url, headers=headers, content=body.encode())
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


@pytest.mark.parametrize(("path", "change"), [
    ("/rpc/oauth2/dingtalk_app_user.json", lambda form: {**form, "auth_code": "code-li"}),
    ("/rpc/oauth2/dingtalk_app_user.json", lambda form: {**form, "extra": "1"}),
    ("/gettoken.json", lambda params: {**params, "appkey": "someone-else"}),
], ids=["auth-code-swapped", "parameter-added", "token-query-changed"])
def test_zzd_a_parameter_changed_after_signing_is_refused(zzd: RunningZzd, path: str, change: Any) -> None:
    with httpx.Client(timeout=CLIENT_TIMEOUT_SECONDS, transport=Tampering(path, change)) as http, \
            pytest.raises(PortalLoginFailed) as refused:
        zzd_adapter(zzd.base_url, http).identify("code-zhang")

    assert refused.value.portal_code == ZZD_SIGNATURE_MISMATCH
    assert zzd.state.refused_calls == [ZZD_SIGNATURE_MISMATCH]
    assert set(zzd.state.pending_codes) == {"code-zhang", "code-li"}  # nobody logged in


def test_zzd_wrong_app_key_is_refused(zzd: RunningZzd, http: httpx.Client) -> None:
    with pytest.raises(PortalLoginFailed) as refused:
        zzd_adapter(zzd.base_url, http, app_key="not-our-app").identify("code-zhang")

    assert refused.value.portal_code == ZZD_SIGNATURE_MISMATCH


def test_zzd_a_clock_out_of_the_portals_window_is_refused(zzd: RunningZzd, http: httpx.Client) -> None:
    ten_minutes_slow: Callable[[], float] = lambda: time.time() - 600  # noqa: E731

    with pytest.raises(PortalLoginFailed, match="clock") as refused:
        zzd_adapter(zzd.base_url, http, wall_clock=ten_minutes_slow).identify("code-zhang")

    assert refused.value.portal_code == ZZD_TIMESTAMP_OUT_OF_WINDOW


def test_zzd_a_replayed_call_is_refused(zzd: RunningZzd) -> None:
    recorder = Recorder()
    with httpx.Client(timeout=CLIENT_TIMEOUT_SECONDS, event_hooks={"request": [recorder]}) as http:
        zzd_adapter(zzd.base_url, http).identify("code-zhang")
        token_call = recorder.requests[0]

        replayed = http.send(httpx.Request("GET", token_call.url, headers=token_call.headers))

    assert replayed.json() == {"success": False, "errorCode": ZZD_NONCE_REUSED, "errorMsg": "nonce 已使用"}


def test_zzd_an_unsigned_call_is_refused(zzd: RunningZzd, http: httpx.Client) -> None:
    answer = http.get(zzd.base_url + "/gettoken.json", params={"appkey": APP_KEY, "appsecret": APP_SECRET})

    assert answer.json()["success"] is False
    assert answer.json()["errorCode"] == ZZD_HEADERS_MISSING
    assert zzd.state.issued_tokens == {}


def test_zzd_login_logs_no_secret(zzd: RunningZzd, http: httpx.Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    zzd_adapter(zzd.base_url, http).identify("code-zhang")

    logged = logged_text(caplog) + caplog.text
    assert "/gettoken.json" in logged  # httpx's request log is kept, without the query string
    for secret in (APP_SECRET, "code-zhang", *zzd.state.issued_tokens):
        assert secret not in logged


def test_zzd_timestamp_is_china_standard_time() -> None:
    assert zzd_timestamp(0) == "1970-01-01T08:00:00.000+08:00"
    assert zzd_timestamp(1_800_000_000.9) == "2027-01-15T16:00:00.000+08:00"


# --- ZZD through the gateway's login route ------------------------------------------------------


def test_zzd_login_through_the_gateway_is_a_token(zzd: RunningZzd, make_client, fake) -> None:
    client = make_client(zzd_base_url=zzd.base_url, zzd_app_key=APP_KEY, zzd_app_secret=APP_SECRET)
    fake.answer("workflow", "identity_by_portal",
                {"user_id": "u-zhang", "name": "张三", "portal": "zzd", "roles": ["line"]})

    response = client.post("/auth/v1/zzd/login", json={"auth_code": "code-zhang"})

    assert response.status_code == 200, response.text
    assert fake.calls[0].args == ("zzd", "12345")


@pytest.mark.parametrize("settings", [
    {"zzd_app_secret": "not-the-zzd-secret"},
    {"zzd_app_key": "not-our-app"},
], ids=["wrong-secret", "wrong-key"])
def test_zzd_a_refused_signature_is_a_clean_401_at_the_gateway(zzd: RunningZzd, make_client, fake,
                                                              settings: dict[str, str]) -> None:
    client = make_client(**{"zzd_base_url": zzd.base_url, "zzd_app_key": APP_KEY, "zzd_app_secret": APP_SECRET,
                            **settings})

    response = client.post("/auth/v1/zzd/login", json={"auth_code": "code-zhang"})

    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "login_failed"
    assert "signed request" in error["message"] and "administrator" in error["message"]
    assert ZZD_SIGNATURE_MISMATCH in error["message"]
    assert "not-the-zzd-secret" not in response.text and APP_SECRET not in response.text
    assert fake.calls == []


def test_zzd_an_unknown_code_is_a_clean_401_at_the_gateway(zzd: RunningZzd, make_client, fake) -> None:
    client = make_client(zzd_base_url=zzd.base_url, zzd_app_key=APP_KEY, zzd_app_secret=APP_SECRET)

    response = client.post("/auth/v1/zzd/login", json={"auth_code": "code-nobody"})

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "login_failed"
    assert "code失效或不存在" in response.json()["error"]["message"]


# --- ZLB ---------------------------------------------------------------------------------------


def test_zlb_login_returns_the_portal_identity(zlb: RunningZlb, http: httpx.Client) -> None:
    identity = zlb_adapter(zlb.base_url, http).identify("ticket-wang")

    assert identity == PortalIdentity(portal="zlb", external_id="zlb-u-1", name="王五")
    assert zlb.state.calls == {"ticketValidation": 1, "getUserInfo": 1}


def test_zlb_bad_sign_is_refused(zlb: RunningZlb, http: httpx.Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="gateway.portals")

    with pytest.raises(PortalLoginFailed) as refused:
        zlb_adapter(zlb.base_url, http, service_password="wrong-password").identify("ticket-wang")

    assert refused.value.portal_code == ZLB_SIGN_INVALID
    assert "ticket-wang" in zlb.state.pending_tickets  # a refused call must not burn the ticket
    for secret in ("wrong-password", SERVICE_PASSWORD, "ticket-wang"):
        assert secret not in logged_text(caplog)


def test_zlb_stale_time_is_refused(zlb: RunningZlb, http: httpx.Client) -> None:
    ten_minutes_slow: Callable[[], float] = lambda: time.time() - 600  # noqa: E731

    with pytest.raises(PortalLoginFailed) as refused:
        zlb_adapter(zlb.base_url, http, wall_clock=ten_minutes_slow).identify("ticket-wang")

    assert refused.value.portal_code == ZLB_TIME_OUT_OF_WINDOW


def test_zlb_ticket_works_only_once(zlb: RunningZlb, http: httpx.Client) -> None:
    adapter = zlb_adapter(zlb.base_url, http)
    adapter.identify("ticket-wang")

    with pytest.raises(PortalLoginFailed, match="ticket") as refused:
        adapter.identify("ticket-wang")

    assert refused.value.portal_code == ZLB_TICKET_INVALID


def test_zlb_unknown_ticket_is_refused(zlb: RunningZlb, http: httpx.Client) -> None:
    with pytest.raises(PortalLoginFailed) as refused:
        zlb_adapter(zlb.base_url, http).identify("ticket-forged")

    assert refused.value.portal == "zlb"
    assert refused.value.portal_code == ZLB_TICKET_INVALID


def test_zlb_unreachable_portal_is_unavailable(http: httpx.Client) -> None:
    with pytest.raises(PortalUnavailable):
        zlb_adapter(closed_port_url(), http).identify("ticket-wang")


def test_zlb_slow_portal_times_out_as_unavailable(zlb: RunningZlb) -> None:
    zlb.state.delay_seconds = 0.5

    with httpx.Client(timeout=SHORT_TIMEOUT_SECONDS) as impatient_http, pytest.raises(PortalUnavailable):
        zlb_adapter(zlb.base_url, impatient_http).identify("ticket-wang")


@pytest.mark.parametrize(
    "broken_answer",
    [
        pytest.param(Response("Service Unavailable", status_code=503), id="5xx"),
        pytest.param(Response("<xml>result=0</xml>", media_type="application/xml"), id="non-json"),
        pytest.param(Response('{"errmsg": "成功"}', media_type="application/json"), id="json-without-result"),
    ],
)
def test_zlb_broken_answers_are_unavailable(zlb: RunningZlb, http: httpx.Client, broken_answer: Response) -> None:
    zlb.state.canned_response = broken_answer

    with pytest.raises(PortalUnavailable):
        zlb_adapter(zlb.base_url, http).identify("ticket-wang")


def test_zlb_sign_and_time_follow_the_protocol() -> None:
    assert zlb_timestamp(0) == "19700101080000"  # the epoch, in UTC+8
    assert zlb_sign("a", "b", "c") == "900150983cd24fb0d6963f7d28e17f72"  # md5("abc")


# --- the stand-in server itself -------------------------------------------------------------------


def test_serve_in_thread_answers_inside_and_stops_on_exit() -> None:
    app = zzd_standin_app(APP_KEY, APP_SECRET, {})
    with serve_in_thread(app) as base_url:
        params = {"appkey": APP_KEY, "appsecret": APP_SECRET}
        headers = zzd_signed_headers(app_key=APP_KEY, app_secret=APP_SECRET, method="GET", path="/gettoken.json",
                                     params=params, epoch_seconds=time.time(), client_ip="127.0.0.1", client_mac="")
        answer = httpx.get(base_url + "/gettoken.json", params=params, headers=headers)
        port = httpx.URL(base_url).port
        (server_thread,) = [thread for thread in threading.enumerate() if thread.name == f"standin-{port}"]

    assert answer.json()["success"] is True
    assert not server_thread.is_alive()
    with pytest.raises(httpx.ConnectError):
        httpx.get(base_url + "/", timeout=CLIENT_TIMEOUT_SECONDS)
