"""The back office's clock and settings, and the public window."""

from __future__ import annotations

import pytest
from nameko.exceptions import UnknownService

from common.errors import IllegalStep
from common.principal import ANONYMOUS


@pytest.fixture
def lead(auth_headers) -> dict:
    return auth_headers("zzd", roles=["leading_group"], user_id="u-lead")


# --- back office ------------------------------------------------------------------------------------------------


class ServiceClock:
    """What one service answers about its clock in these tests."""

    def __init__(self, now: str, steps_to_catch_up: int = 0, refuse=None):
        self.now, self.steps_left, self.refuse = now, steps_to_catch_up, refuse
        self.set_to: list[str] = []
        self.held = False

    def install(self, fake, service: str) -> None:
        fake.answer(service, "clock_status", self.status)
        fake.answer(service, "set_platform_time", self.set)
        fake.answer(service, "release_catch_up", self.release)

    def status(self) -> dict:
        caught_up = self.steps_left == 0
        self.steps_left = max(0, self.steps_left - 1)
        return {"now": self.now, "caught_up": caught_up}

    def set(self, now: str, if_now: str | None = None, hold_seconds: float = 0.0) -> str:
        if self.refuse is not None and now != self.now:
            raise self.refuse
        if if_now is not None and if_now != self.now:
            raise IllegalStep("the platform time changed meanwhile")
        self.set_to.append(now)
        self.now, self.held = now, hold_seconds > 0
        return now

    def release(self) -> None:
        self.held = False


NEW_TIME = "2027-03-01T09:00:00+08:00"
OLD_TIME = "2027-02-01T09:00:00+08:00"


def test_setting_the_clock_sets_every_service_and_waits_for_their_catch_up(make_client, fake, lead):
    client = make_client(services=["workflow", "attendance"])
    clocks = {"workflow": ServiceClock(OLD_TIME, steps_to_catch_up=2), "attendance": ServiceClock(OLD_TIME)}
    for service, clock in clocks.items():
        clock.install(fake, service)

    response = client.put("/admin/v1/clock", json={"now": NEW_TIME}, headers=lead)

    assert response.status_code == 200
    assert response.json() == {"now": NEW_TIME, "consistent": True, "caught_up": True,
                               "services": {service: {"now": NEW_TIME, "caught_up": True} for service in clocks}}
    calls = fake.calls_to("set_platform_time")
    assert sorted(call.service for call in calls) == ["attendance", "workflow"]
    assert all(call.args == (NEW_TIME,) and call.kwargs["if_now"] == OLD_TIME and call.kwargs["hold_seconds"] > 0
               for call in calls)
    assert all(call.principal.user_id == "u-lead" and call.principal.is_back_office for call in calls)
    # held from catching up until every service had the time, then released
    assert sorted(call.service for call in fake.calls_to("release_catch_up")) == ["attendance", "workflow"]
    assert not any(clock.held for clock in clocks.values())


def test_a_catch_up_longer_than_the_wait_answers_202_to_follow(make_client, fake, lead, monkeypatch):
    client = make_client(services=["workflow", "attendance"])
    client.app.state.settings.clock_wait_seconds = 0
    ServiceClock(OLD_TIME, steps_to_catch_up=100).install(fake, "workflow")
    ServiceClock(OLD_TIME).install(fake, "attendance")

    response = client.put("/admin/v1/clock", json={"now": NEW_TIME}, headers=lead)

    assert response.status_code == 202
    assert response.headers["location"] == "/admin/v1/clock"
    assert response.json()["caught_up"] is False
    assert response.json()["services"]["workflow"] == {"now": NEW_TIME, "caught_up": False}


def test_one_service_refusing_the_time_leaves_every_service_where_it_was(make_client, fake, lead):
    client = make_client(services=["workflow", "attendance"])
    workflow = ServiceClock(OLD_TIME)
    attendance = ServiceClock(OLD_TIME, refuse=IllegalStep("the manual clock is not enabled on this platform"))
    workflow.install(fake, "workflow")
    attendance.install(fake, "attendance")

    response = client.put("/admin/v1/clock", json={"now": NEW_TIME}, headers=lead)

    assert response.status_code == 409
    assert workflow.now == OLD_TIME and workflow.set_to == [NEW_TIME, OLD_TIME]
    assert attendance.now == OLD_TIME
    assert fake.calls_to("release_catch_up") == []


def test_a_service_whose_answer_was_lost_is_put_back_too(make_client, fake, lead):
    """A timeout leaves unknown whether the service took the time: it is put back all the same."""
    from nameko.exceptions import RpcTimeout

    client = make_client(services=["workflow", "attendance"])
    workflow = ServiceClock(OLD_TIME)
    workflow.install(fake, "workflow")
    attendance = ServiceClock(OLD_TIME)
    attendance.install(fake, "attendance")

    def took_it_but_the_answer_was_lost(now, if_now=None, hold_seconds=0.0):
        attendance.set(now, if_now, hold_seconds)
        raise RpcTimeout(10)

    fake.answer("attendance", "set_platform_time", took_it_but_the_answer_was_lost)

    response = client.put("/admin/v1/clock", json={"now": NEW_TIME}, headers=lead)

    assert response.status_code == 504
    assert workflow.now == OLD_TIME
    assert [call.args for call in fake.calls_to("set_platform_time") if call.service == "attendance"] == [
        (NEW_TIME,), (OLD_TIME,)]


def test_a_service_that_does_not_answer_changes_nothing(make_client, fake, lead):
    client = make_client(services=["workflow", "attendance"])
    workflow = ServiceClock(OLD_TIME)
    workflow.install(fake, "workflow")
    fake.answer("attendance", "clock_status", UnknownService("attendance"))

    response = client.put("/admin/v1/clock", json={"now": NEW_TIME}, headers=lead)

    assert response.status_code == 503
    assert fake.calls_to("set_platform_time") == []


def test_setting_the_clock_needs_the_leading_group(make_client, fake, auth_headers):
    client = make_client(services=["workflow", "attendance"])

    response = client.put("/admin/v1/clock", json={"now": "2027-03-01T09:00:00+08:00"},
                          headers=auth_headers("zzd", roles=["line"]))

    assert response.status_code == 403
    assert fake.calls == []


def test_reading_the_clock_shows_each_service_and_whether_they_agree(make_client, fake, lead):
    client = make_client(services=["workflow", "attendance"])
    ServiceClock(NEW_TIME).install(fake, "workflow")
    ServiceClock("2027-03-01T09:00:01+08:00").install(fake, "attendance")

    response = client.get("/admin/v1/clock", headers=lead)

    assert response.status_code == 200
    assert response.json() == {"now": None, "consistent": False, "caught_up": True, "services": {
        "workflow": {"now": NEW_TIME, "caught_up": True},
        "attendance": {"now": "2027-03-01T09:00:01+08:00", "caught_up": True}}}


def test_updating_settings_passes_the_changes_to_the_named_service(make_client, fake, lead, answers):
    client = make_client(services=["workflow", "attendance"])
    fake.answer("attendance", "update_rule_settings", lambda changes: answers.settings(**changes))

    response = client.put("/admin/v1/settings/attendance", json={"absence_days": 4}, headers=lead)

    assert response.status_code == 200
    assert response.json() == answers.settings(absence_days=4)
    [call] = fake.calls
    assert (call.service, call.method, call.args) == ("attendance", "update_rule_settings", ({"absence_days": 4},))


def test_the_settings_show_each_rule_with_who_changed_it_last_and_the_warning_rules_to_switch(
        make_client, fake, lead, answers):
    client = make_client(services=["workflow", "attendance"])
    switched = {**answers.setting(["art31.acceptance.government-small"], default=[], article="Art. 8",
                                  changed_by="u-lead", changed_at="2027-03-01T09:00:00+08:00"),
                "minimum": None, "maximum": None,
                "choices": {"art31.acceptance.government-small": "Art. 31", "art45.refused-rectification": "Art. 45"}}
    fake.answer("workflow", "get_rule_settings",
                {"acceptance_days_small": answers.setting(20), "warnings_switched_off": switched})

    response = client.get("/admin/v1/settings/workflow", headers=lead)

    assert response.status_code == 200
    body = response.json()
    assert body["warnings_switched_off"] == switched
    assert (body["acceptance_days_small"]["changed_by"], body["acceptance_days_small"]["changed_at"]) == (None, None)
    view = client.get("/openapi.json").json()["components"]["schemas"]["RuleSettingView"]
    assert {"choices", "changed_by", "changed_at"} <= set(view["required"])
    assert view["properties"]["changed_at"]["anyOf"][0]["format"] == "date-time"


# --- public window ----------------------------------------------------------------------------------------------


def test_public_project_search_needs_no_token_and_calls_as_anonymous(client, fake, answers):
    fake.answer("workflow", "public_projects", [answers.public_project("p-1", "x road")])

    response = client.get("/public/v1/projects", params={"q": "x"})

    assert response.status_code == 200
    assert response.json() == [answers.public_project("p-1", "x road")]
    [call] = fake.calls
    assert (call.service, call.method, call.args) == ("workflow", "public_projects", ("x", 20))
    assert call.principal == ANONYMOUS


def test_public_project_search_ignores_a_token(client, fake, auth_headers):
    fake.answer("workflow", "public_projects", [])
    response = client.get("/public/v1/projects", params={"q": "x"}, headers=auth_headers("zzd", ["leading_group"]))

    assert response.status_code == 200
    assert fake.calls[0].principal == ANONYMOUS


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "x" * 101}, {"q": "x", "limit": 0}, {"q": "x", "limit": 101}],
                         ids=["missing_q", "empty_q", "long_q", "limit_0", "limit_101"])
def test_public_project_search_validates_its_query(client, fake, params):
    response = client.get("/public/v1/projects", params=params)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"
    assert fake.calls == []
