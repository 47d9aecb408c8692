"""The back office's clock and settings, and the public window."""

from __future__ import annotations

import pytest

from common.principal import ANONYMOUS


@pytest.fixture
def lead(auth_headers) -> dict:
    return auth_headers("zzd", roles=["leading_group"], user_id="u-lead")


# --- back office ------------------------------------------------------------------------------------------------


def test_setting_the_clock_fans_out_to_every_configured_service(make_client, fake, lead):
    client = make_client(services=["workflow", "attendance"])
    fake.answer("workflow", "set_platform_time", lambda now: now)
    fake.answer("attendance", "set_platform_time", lambda now: now)

    response = client.put("/admin/v1/clock", json={"now": "2027-03-01T09:00:00+08:00"}, headers=lead)

    assert response.status_code == 200
    calls = fake.calls_to("set_platform_time")
    assert [call.service for call in calls] == ["workflow", "attendance"]
    assert all(call.args == ("2027-03-01T09:00:00+08:00",) for call in calls)
    assert all(call.principal.user_id == "u-lead" and call.principal.is_back_office for call in calls)
    assert response.json() == {"now": "2027-03-01T09:00:00+08:00",
                               "services": {"workflow": "2027-03-01T09:00:00+08:00",
                                            "attendance": "2027-03-01T09:00:00+08:00"}}


def test_setting_the_clock_needs_the_leading_group(make_client, fake, auth_headers):
    client = make_client(services=["workflow", "attendance"])

    response = client.put("/admin/v1/clock", json={"now": "2027-03-01T09:00:00+08:00"},
                          headers=auth_headers("zzd", roles=["line"]))

    assert response.status_code == 403
    assert fake.calls == []


def test_reading_the_clock_asks_every_service(make_client, fake, lead):
    client = make_client(services=["workflow", "attendance"])
    fake.answer("workflow", "platform_time", "2027-03-01T09:00:00+08:00")
    fake.answer("attendance", "platform_time", "2027-03-01T09:00:01+08:00")

    response = client.get("/admin/v1/clock", headers=lead)

    assert response.status_code == 200
    assert response.json() == {"workflow": "2027-03-01T09:00:00+08:00", "attendance": "2027-03-01T09:00:01+08:00"}


def test_updating_settings_passes_the_changes_to_the_named_service(make_client, fake, lead):
    client = make_client(services=["workflow", "attendance"])
    fake.answer("attendance", "update_rule_settings", lambda changes: {"changed": sorted(changes)})

    response = client.put("/admin/v1/settings/attendance", json={"absence_days": 4}, headers=lead)

    assert response.status_code == 200
    assert response.json() == {"changed": ["absence_days"]}
    [call] = fake.calls
    assert (call.service, call.method, call.args) == ("attendance", "update_rule_settings", ({"absence_days": 4},))


# --- public window ----------------------------------------------------------------------------------------------


def test_public_project_search_needs_no_token_and_calls_as_anonymous(client, fake):
    fake.answer("workflow", "public_projects", [{"id": "p-1", "name": "x road"}])

    response = client.get("/public/v1/projects", params={"q": "x"})

    assert response.status_code == 200
    assert response.json() == [{"id": "p-1", "name": "x road"}]
    [call] = fake.calls
    assert (call.service, call.method, call.args) == ("workflow", "public_projects", ("x", 20))
    assert call.principal == ANONYMOUS


def test_public_project_search_ignores_a_token(client, fake, auth_headers):
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
