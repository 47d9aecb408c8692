"""The portal login adapters against the local stand-ins, over real HTTP on 127.0.0.1.

Decision documented here: a wrong ZZD app secret raises PortalUnavailable, not PortalLoginFailed.
The user's auth code is not at fault and a new portal login would fail the same way; the gateway
must answer "portal unavailable" and ops must fix the configuration.
"""

from __future__ import annotations

import itertools
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import Response

from gateway.portal_standins import (
    ZLB_SIGN_INVALID,
    ZLB_TICKET_INVALID,
    ZLB_TIME_OUT_OF_WINDOW,
    ZlbStandinState,
    ZzdStandinState,
    serve_in_thread,
    zlb_standin_app,
    zzd_standin_app,
)
from gateway.portals import (
    ZZD_CODE_INVALID,
    PortalIdentity,
    PortalLoginFailed,
    PortalUnavailable,
    ZlbAdapter,
    ZzdAdapter,
    zlb_sign,
    zlb_timestamp,
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

# Short enough that the timeout tests stay fast, long enough for a loaded CI machine on loopback.
CLIENT_TIMEOUT_SECONDS = 2.0
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


def test_zzd_wrong_app_secret_is_unavailable_and_not_logged(
    zzd: RunningZzd, http: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    wrong_secret = "not-the-zzd-secret"
    caplog.set_level(logging.DEBUG, logger="gateway.portals")

    with pytest.raises(PortalUnavailable, match="SignatureDoesNotMatch"):
        zzd_adapter(zzd.base_url, http, app_secret=wrong_secret).identify("code-zhang")

    assert zzd.state.user_info_requests == 0
    assert "code-zhang" in zzd.state.pending_codes
    assert caplog.records, "the failure must be logged for ops"
    assert caplog.records[-1].portal == "zzd"  # structured, not only in the message
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
        answer = httpx.post(base_url + "/gettoken.json", data={"appkey": APP_KEY, "appsecret": APP_SECRET})
        port = httpx.URL(base_url).port
        (server_thread,) = [thread for thread in threading.enumerate() if thread.name == f"standin-{port}"]

    assert answer.json()["success"] is True
    assert not server_thread.is_alive()
    with pytest.raises(httpx.ConnectError):
        httpx.get(base_url + "/", timeout=CLIENT_TIMEOUT_SECONDS)
