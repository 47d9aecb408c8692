"""Fixtures of the end-to-end tests: every service and the gateway started by the same launcher
as `make run`, on PostgreSQL and a RabbitMQ vhost of this run, with stand-ins of the ZZD and ZLB
portals; a module's tests share one platform."""

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from kombu import Connection, Exchange, Queue

from gateway.portal_standins import serve_in_thread, zlb_standin_app, zzd_standin_app

ROOT = Path(__file__).resolve().parents[2]
ZZD_APP = ("e2e-app-key", "e2e-app-secret")
ZLB_APP = ("e2e-service", "e2e-password")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def portals():
    """Stand-ins of ZZD and ZLB; tests hand out one-time codes and tickets through them."""
    zzd = zzd_standin_app(*ZZD_APP, users={})
    zlb = zlb_standin_app(*ZLB_APP, tickets={})
    with serve_in_thread(zzd) as zzd_url, serve_in_thread(zlb) as zlb_url:
        yield {"zzd": (zzd, zzd_url), "zlb": (zlb, zlb_url)}


@pytest.fixture(scope="module")
def platform(amqp_uri, postgres_database, portals, tmp_path_factory):
    var = tmp_path_factory.mktemp("platform")
    port = free_port()
    env = {
        **os.environ,
        "SUPERVISION_AMQP_URI": amqp_uri,
        "SUPERVISION_WORKFLOW_DATABASE_URL": postgres_database("workflow_e2e"),
        "SUPERVISION_WORKFLOW_METRICS_PORT": str(free_port()),
        "SUPERVISION_ATTENDANCE_DATABASE_URL": postgres_database("attendance_e2e"),
        "SUPERVISION_ATTENDANCE_METRICS_PORT": str(free_port()),
        "SUPERVISION_COMPLAINTS_DATABASE_URL": postgres_database("complaints_e2e"),
        "SUPERVISION_COMPLAINTS_METRICS_PORT": str(free_port()),
        "SUPERVISION_NOTIFICATION_DATABASE_URL": postgres_database("notification_e2e"),
        "SUPERVISION_NOTIFICATION_METRICS_PORT": str(free_port()),
        "SUPERVISION_SCORING_DATABASE_URL": postgres_database("scoring_e2e"),
        "SUPERVISION_SCORING_METRICS_PORT": str(free_port()),
        "SUPERVISION_VAR_DIR": str(var),
        "SUPERVISION_GATEWAY_FILE_STORE_DIR": str(var / "files"),
        "SUPERVISION_MANUAL_CLOCK": "true",
        "SUPERVISION_GATEWAY_DEV_LOGIN": "false",
        "SUPERVISION_GATEWAY_ZZD_BASE_URL": portals["zzd"][1],
        "SUPERVISION_GATEWAY_ZZD_APP_KEY": ZZD_APP[0],
        "SUPERVISION_GATEWAY_ZZD_APP_SECRET": ZZD_APP[1],
        "SUPERVISION_GATEWAY_ZLB_BASE_URL": portals["zlb"][1],
        "SUPERVISION_GATEWAY_ZLB_SERVICE_CODE": ZLB_APP[0],
        "SUPERVISION_GATEWAY_ZLB_SERVICE_PASSWORD": ZLB_APP[1],
        # Notices go to the same stand-ins, which record them (work_notices, messages), not to the
        # development file the launcher turns on for `make run`.
        "SUPERVISION_NOTIFICATION_DEV_FILE": "false",
        "SUPERVISION_NOTIFICATION_ZZD_BASE_URL": portals["zzd"][1],
        "SUPERVISION_NOTIFICATION_ZZD_APP_KEY": ZZD_APP[0],
        "SUPERVISION_NOTIFICATION_ZZD_APP_SECRET": ZZD_APP[1],
        "SUPERVISION_NOTIFICATION_ZLB_BASE_URL": portals["zlb"][1],
        "SUPERVISION_NOTIFICATION_ZLB_SERVICE_CODE": ZLB_APP[0],
        "SUPERVISION_NOTIFICATION_ZLB_SERVICE_PASSWORD": ZLB_APP[1],
        "SUPERVISION_LOG_FORMAT": "json",
        # Every answer of every e2e test must be described by its route's response model.
        "SUPERVISION_CONTRACT_STRICT": "true",
    }
    subprocess.run([sys.executable, "-m", "workflow.bootstrap", "--group-name", "上虞区双查双保领导小组",
                    "--chief-name", "王明", "--zzd-account-id", "10001"], env=env, check=True, capture_output=True)
    log = (var / "platform.log").open("wb")
    launcher = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "run_platform.py"), "--port", str(port),
                                 "--seed", "none"], env=env, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert launcher.poll() is None, (var / "platform.log").read_text()[-4000:]
        try:
            if httpx.get(f"{base_url}/readyz", timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    else:
        launcher.terminate()
        raise AssertionError("the platform did not become ready:\n" + (var / "platform.log").read_text()[-4000:])
    metrics_urls = {name.removeprefix("SUPERVISION_").removesuffix("_METRICS_PORT").lower():
                    f"http://127.0.0.1:{value}/metrics"
                    for name, value in env.items()
                    if name.startswith("SUPERVISION_") and name.endswith("_METRICS_PORT")}
    yield {"base_url": base_url, "amqp_uri": amqp_uri, "metrics_urls": metrics_urls,
           "workflow_database_url": env["SUPERVISION_WORKFLOW_DATABASE_URL"]}
    launcher.terminate()
    launcher.wait(timeout=60)


def listen(platform, service: str):
    """A queue of the test's own on a service's events, declared before anything happens."""
    connection = Connection(platform["amqp_uri"])
    queue = Queue(f"e2e-events-{uuid.uuid4().hex}", Exchange(f"{service}.events", type="topic", durable=True),
                  routing_key="#", auto_delete=True)(connection.default_channel)
    queue.declare()
    received: list[tuple[str, dict]] = []

    def drain(until_types: list[str], seconds: float = 15) -> list[tuple[str, dict]]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            message = queue.get(no_ack=True)
            if message is None:
                if all(any(kind == wanted for kind, _ in received) for wanted in until_types):
                    break
                time.sleep(0.05)
                continue
            received.append((message.delivery_info["routing_key"], json.loads(message.body)))
        return received

    return drain, connection


@pytest.fixture(scope="module")
def published(platform):
    drain, connection = listen(platform, "workflow")
    yield drain
    connection.release()


@pytest.fixture(scope="module")
def attendance_events(platform):
    drain, connection = listen(platform, "attendance")
    yield drain
    connection.release()


@pytest.fixture(scope="module")
def client(platform, portals):
    return Client(platform["base_url"], portals)


class Clock:
    """The manual platform clock, moved through the back office."""

    def __init__(self, client, back_office, start):
        self.client, self.back_office, self.now = client, back_office, start

    def set(self, when) -> None:
        self.now = when
        self.client.set_clock(self.back_office, when.isoformat())

    def days_later(self, days: float, base) -> None:
        from datetime import timedelta

        self.set(base + timedelta(days=days))


class Client:
    def __init__(self, base_url: str, portals: dict):
        self.http = httpx.Client(base_url=base_url, timeout=30)
        self.portals = portals

    def zzd_login(self, account_id: str) -> dict:
        app, _ = self.portals["zzd"]
        code = f"code-{uuid.uuid4().hex}"
        app.state.portal.pending_codes[code] = {"accountId": account_id, "lastName": "测试"}
        answer = self.http.post("/auth/v1/zzd/login", json={"auth_code": code})
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def zlb_login(self, user_id: str) -> dict:
        app, _ = self.portals["zlb"]
        ticket = f"ST-{uuid.uuid4().hex}"
        app.state.portal.pending_tickets[ticket] = {"userid": user_id, "username": "测试"}
        answer = self.http.post("/auth/v1/zlb/login", json={"ticket": ticket})
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def ok(self, method: str, path: str, headers: dict, expected: int = 200, **kwargs):
        answer = self.http.request(method, path, headers=headers, **kwargs)
        assert answer.status_code == expected, f"{method} {path}: {answer.status_code} {answer.text}"
        return answer.json()

    def set_clock(self, back_office: dict, now: str) -> dict:
        """Set the platform time and follow the services' catch-up to its end, as the back
        office does (200 when they caught up at once, 202 and GET /admin/v1/clock otherwise)."""
        answer = self.http.put("/admin/v1/clock", headers=back_office, json={"now": now})
        assert answer.status_code in (200, 202), f"PUT /admin/v1/clock: {answer.status_code} {answer.text}"
        view, deadline = answer.json(), time.monotonic() + 120
        while not view["caught_up"]:
            assert time.monotonic() < deadline, f"the services did not catch up with {now}: {view}"
            time.sleep(0.3)
            view = self.ok("GET", "/admin/v1/clock", back_office)
        assert view["consistent"] and view["now"] is not None, view
        return view

    def refused(self, method: str, path: str, headers: dict | None, status: int, **kwargs) -> dict:
        answer = self.http.request(method, path, headers=headers or {}, **kwargs)
        assert answer.status_code == status, f"{method} {path}: {answer.status_code} {answer.text}"
        return answer.json()["error"]

    def clock(self, back_office: dict, start) -> Clock:
        return Clock(self, back_office, start)

    def register_district(self, back_office: dict, *, industry: str, names: dict, credit_codes: tuple[str, str],
                          people: list[tuple[str, str, str, str, str]]) -> dict:
        """A branch of the organisation tree under the leading group, with its people (key, portal,
        external id, unit key, post), each logged in: ``{"ids": ..., "tokens": ...}``."""
        group = self.ok("GET", "/zzd/v1/units?kind=leading_group", back_office)[0]["id"]

        def unit(**body):
            return self.ok("POST", "/zzd/v1/units", back_office, 201, json=body)["id"]

        ids = {"group": group}
        ids["authority"] = unit(kind="industry_authority", name=names["authority"], parent_id=group,
                                industry=industry)
        ids["supervising"] = unit(kind="supervising_unit", name=names["supervising"], parent_id=ids["authority"])
        ids["line"] = unit(kind="line", name=names["line"], parent_id=ids["supervising"])
        ids["owner"] = unit(kind="owner", name=names["owner"])
        ids["contractor"] = unit(kind="contractor", name=names["contractor"], credit_code=credit_codes[0])
        ids["supervisor"] = unit(kind="supervisor", name=names["supervisor"], credit_code=credit_codes[1])
        tokens = {"back_office": back_office}
        for key, portal, external, unit_key, post in people:
            identity = {"zzd_account_id": external} if portal == "zzd" else {"zlb_user_id": external}
            user = self.ok("POST", "/zzd/v1/users", back_office, 201,
                           json={"name": key, "portal": portal, **identity})
            self.ok("POST", f"/zzd/v1/users/{user['id']}/posts", back_office, 201,
                    json={"unit_id": ids[unit_key], "post": post})
            ids[key] = user["id"]
            tokens[key] = self.zzd_login(external) if portal == "zzd" else self.zlb_login(external)
        return {"ids": ids, "tokens": tokens}
