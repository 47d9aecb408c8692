"""Fixtures of the end-to-end tests: every service and the gateway started by the same launcher
as `make run`, on PostgreSQL and a RabbitMQ vhost of this run, with stand-ins of the ZZD and ZLB
portals; a module's tests share one platform."""

import json
import time
import uuid

import httpx
import pytest
from kombu import Connection, Exchange, Queue

from testkit.launch import ROOT, ZLB_APP, ZZD_APP, free_port, portal_standins, running_platform

__all__ = ["ROOT", "ZLB_APP", "ZZD_APP", "free_port"]  # test_gateway_fuzz starts a platform of its own


@pytest.fixture(scope="module")
def portals():
    """Stand-ins of ZZD and ZLB; tests hand out one-time codes and tickets through them."""
    with portal_standins() as standins:
        yield standins


@pytest.fixture(scope="module")
def platform(amqp_uri, postgres_database, portals, tmp_path_factory):
    with running_platform(amqp_uri, postgres_database, portals, tmp_path_factory.mktemp("platform"), label="e2e",
                          bootstrap_args=["--group-name", "上虞区双查双保领导小组", "--chief-name", "王明",
                                          "--zzd-account-id", "10001"]) as started:
        yield started


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

    def check_in(self, headers: dict, body: dict) -> dict:
        """Check in as the ZLB client does: ask to wait for the decision (200), or follow the status
        URL of the 202 until the attendance service decided it."""
        answer = self.http.post("/zlb/v1/checkins?wait_ms=1000", headers=headers, json=body)
        assert answer.status_code in (200, 202), f"POST /zlb/v1/checkins: {answer.status_code} {answer.text}"
        deadline = time.monotonic() + 30
        while answer.json()["status"] == "pending":
            assert time.monotonic() < deadline, f"check-in never decided: {answer.json()}"
            time.sleep(0.1)
            answer = self.http.get(answer.json()["status_url"], headers=headers)
            assert answer.status_code == 200, f"GET check-in status: {answer.status_code} {answer.text}"
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
