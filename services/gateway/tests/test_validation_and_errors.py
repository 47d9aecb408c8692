"""First validation at the gateway, and the one table from errors to HTTP answers."""

from __future__ import annotations

import copy

import pytest
from nameko.exceptions import RemoteError, RpcTimeout, UnknownService, deserialize, serialize

from common.errors import IllegalStep, InvalidInput, NotFound, PermissionDenied
from gateway.rpc import BrokerUnavailable, ReplyLost

PROJECT = {
    "name": "Shangyu riverside road",
    "industry": "municipal",
    "kind": "government",
    "contract_amount": "1250000.00",
    "below_threshold": False,
    "geofence": {"center": [30.0, 120.87], "radius_m": 300},
    "planned_start": "2027-01-10",
    "planned_end": "2027-12-20",
}


def _project(**changes) -> dict:
    body = copy.deepcopy(PROJECT)
    body.update(changes)
    return body


@pytest.fixture
def zzd(auth_headers) -> dict:
    return auth_headers("zzd", roles=["leading_group"], user_id="u-lead")


def _fields(response) -> list[str]:
    return [item["field"] for item in response.json()["error"]["details"]]


# --- validation -----------------------------------------------------------------------------------------------


def test_a_valid_project_reaches_the_service_as_json(client, fake, zzd, answers):
    fake.answer("workflow", "register_project", answers.project("p-1"))

    response = client.post("/zzd/v1/projects", json=PROJECT, headers=zzd)

    assert response.status_code == 201
    assert response.json() == answers.project("p-1")
    [call] = fake.calls
    assert call.method == "register_project"
    sent = call.args[0]
    assert sent["name"] == PROJECT["name"]
    assert sent["geofence"] == {"center": [30.0, 120.87], "radius_m": 300.0}
    assert sent["planned_start"] == "2027-01-10"
    assert "intake" not in sent  # only what the caller set travels


def test_an_unknown_field_is_422_naming_it_and_the_service_is_not_called(client, fake, zzd):
    response = client.post("/zzd/v1/projects", json=_project(colour="red"), headers=zzd)

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert "colour" in _fields(response)
    assert fake.calls == []


@pytest.mark.parametrize("geofence", [
    {"polygon": [[30.0, 120.0], [30.0, 120.01], [30.01, 120.01]], "center": [30.0, 120.0], "radius_m": 100},
    {"center": [95.0, 120.0], "radius_m": 100},
    {"polygon": [[30.0, 120.0], [95.0, 120.01], [30.01, 120.01]]},
    {"center": [30.0, 120.0]},
    {"polygon": [[30.0, 120.0], [30.0, 120.0], [30.0, 120.0]]},
], ids=["polygon_and_centre", "centre_lat_95", "polygon_lat_95", "centre_without_radius", "degenerate_polygon"])
def test_a_bad_geofence_is_422(client, fake, zzd, geofence):
    response = client.post("/zzd/v1/projects", json=_project(geofence=geofence), headers=zzd)

    assert response.status_code == 422
    assert any(field.startswith("geofence") for field in _fields(response))
    assert fake.calls == []


def test_planned_end_before_planned_start_is_422(client, fake, zzd):
    response = client.post("/zzd/v1/projects", json=_project(planned_start="2027-06-01", planned_end="2027-05-31"),
                           headers=zzd)

    assert response.status_code == 422
    reasons = " ".join(item["reason"] for item in response.json()["error"]["details"])
    assert "planned_end" in reasons
    assert fake.calls == []


def test_a_clock_time_without_offset_is_422(client, fake, zzd):
    response = client.put("/admin/v1/clock", json={"now": "2027-03-01T09:00:00"}, headers=zzd)

    assert response.status_code == 422
    assert "now" in _fields(response)
    assert fake.calls == []


def test_an_unknown_assignment_level_is_422(client, fake, zzd):
    response = client.post("/zzd/v1/projects/p-1/assignments", json={"level": "mayor", "target_id": "u-2"},
                           headers=zzd)

    assert response.status_code == 422
    assert "level" in _fields(response)
    assert fake.calls == []


# --- the error table ------------------------------------------------------------------------------------------


def _over_the_wire(error: Exception) -> Exception:
    """What the real ServiceClient raises: the service's exception serialized by nameko and rebuilt."""
    return deserialize(serialize(error))


@pytest.mark.parametrize("wire", [False, True], ids=["raised", "over_the_wire"])
def test_invalid_input_from_the_service_is_422_with_its_details(client, fake, zzd, wire):
    error = InvalidInput.field("target_id", "no such unit")
    fake.answer("workflow", "assign_project", _over_the_wire(error) if wire else error)

    response = client.post("/zzd/v1/projects/p-1/assignments",
                           json={"level": "supervising_unit", "target_id": "unit-x"}, headers=zzd)

    assert response.status_code == 422
    error_body = response.json()["error"]
    assert error_body["code"] == "invalid_input"
    assert error_body["details"] == [{"field": "target_id", "reason": "no such unit"}]
    [call] = fake.calls
    assert call.args == ("p-1", {"level": "supervising_unit", "target_id": "unit-x"})


@pytest.mark.parametrize(("error", "status", "code"), [
    (NotFound("project p-1 not found"), 404, "not_found"),
    (PermissionDenied("not your project"), 403, "forbidden"),
    (IllegalStep("the project is already assigned to a supervising unit"), 409, "conflict"),
], ids=["not_found", "permission_denied", "illegal_step"])
@pytest.mark.parametrize("wire", [False, True], ids=["raised", "over_the_wire"])
def test_domain_errors_map_to_their_status_with_the_message(client, fake, zzd, error, status, code, wire):
    fake.answer("workflow", "get_project", _over_the_wire(error) if wire else error)

    response = client.get("/zzd/v1/projects/p-1", headers=zzd)

    assert response.status_code == status
    assert response.json() == {"error": {"code": code, "message": error.message, "details": None}}


def test_an_rpc_timeout_is_504(client, fake, zzd):
    fake.answer("workflow", "get_project", RpcTimeout())

    response = client.get("/zzd/v1/projects/p-1", headers=zzd)

    assert response.status_code == 504
    assert response.json()["error"]["code"] == "timeout"


def test_an_unknown_service_is_503(client, fake, zzd):
    fake.answer("workflow", "get_project", UnknownService("workflow"))

    response = client.get("/zzd/v1/projects/p-1", headers=zzd)

    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "service_unavailable"
    assert "workflow" in error["message"]


def test_the_unknown_service_message_reads_well(client, fake, zzd):
    """str(UnknownService) is already "Unknown service `workflow`", so the gateway's
    f"service {error} is not running" stutters."""
    fake.answer("workflow", "get_project", UnknownService("workflow"))

    message = client.get("/zzd/v1/projects/p-1", headers=zzd).json()["error"]["message"]

    assert "Unknown service" not in message
    assert message == "service workflow is not running"


def test_a_remote_error_is_500_with_a_generic_message_and_no_traceback(client, fake, zzd):
    leaked = 'Traceback (most recent call last):\n  File "/srv/workflow/registry.py", line 12\nKeyError: db_password'
    fake.answer("workflow", "get_project", RemoteError("KeyError", leaked))

    response = client.get("/zzd/v1/projects/p-1", headers=zzd)

    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "internal"
    assert error["details"] is None
    for fragment in ("Traceback", "registry.py", "db_password", "KeyError"):
        assert fragment not in response.text


def test_an_unexpected_service_exception_over_the_wire_is_a_remote_error_500(client, fake, zzd):
    fake.answer("workflow", "get_project", _over_the_wire(ValueError("secret internals")))

    response = client.get("/zzd/v1/projects/p-1", headers=zzd)

    assert response.status_code == 500
    assert "secret internals" not in response.text


def test_a_service_without_its_database_answers_503_and_says_nothing_changed(client, fake, zzd):
    fake.answer("workflow", "get_project",
                RemoteError("OperationalError", "(psycopg2.OperationalError) connection to server refused"))

    response = client.get("/zzd/v1/projects/p-1", headers=zzd)

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert "psycopg2" not in response.text


def test_a_broker_that_did_not_take_the_request_is_503(client, fake, zzd):
    fake.answer("workflow", "get_project", BrokerUnavailable("Server unexpectedly closed connection"))

    response = client.get("/zzd/v1/projects/p-1", headers=zzd)

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"


def test_an_answer_lost_after_the_broker_took_the_request_is_504_and_says_it_may_have_run(client, fake, zzd):
    fake.answer("workflow", "get_project", ReplyLost("Server unexpectedly closed connection"))

    response = client.get("/zzd/v1/projects/p-1", headers=zzd)

    assert response.status_code == 504
    assert "may have been carried out" in response.json()["error"]["message"]


def test_a_service_whose_own_call_to_another_timed_out_is_504(client, fake, zzd):
    fake.answer("workflow", "get_project", RemoteError("RpcTimeout", "share_files: no answer within 3.0 s"))

    response = client.get("/zzd/v1/projects/p-1", headers=zzd)

    assert response.status_code == 504


@pytest.mark.parametrize("path", ["/zzd/v1/projects/%00", "/public/v1/projects?q=a%00b"])
def test_a_nul_character_in_the_url_is_refused_before_any_service(client, fake, path):
    answer = client.get(path, headers={})
    assert answer.status_code == 422
    assert answer.json()["error"]["details"] == [{"field": "url", "reason": "NUL character"}]
    assert fake.calls == []


def test_a_nul_character_in_a_json_body_is_refused(client, fake, auth_headers):
    headers = {**auth_headers("zzd", ["leading_group"]), "content-type": "application/json"}
    answer = client.post("/zzd/v1/units", headers=headers, content=b'{"kind": "owner", "name": "a\\u0000b"}')
    assert answer.status_code == 422
    assert answer.json()["error"]["details"] == [{"field": "body", "reason": "NUL character"}]
    assert fake.calls == []


def test_a_clock_far_in_the_future_is_refused(client, fake, auth_headers):
    answer = client.put("/admin/v1/clock", headers=auth_headers("zzd", ["leading_group"]),
                        json={"now": "9999-12-31T20:00:00+00:00"})
    assert answer.status_code == 422
    assert fake.calls == []
