"""Every number a caller sends has a maximum: paging, row ids, months and times are refused with
422 naming the field before any service is called, instead of overflowing in a database."""

from __future__ import annotations

import pytest

from common.contracts.types import MAX_OFFSET, MAX_ROW_ID


@pytest.fixture
def zzd(auth_headers) -> dict:
    return auth_headers("zzd", user_id="u-zzd")


@pytest.fixture
def zlb(auth_headers) -> dict:
    return auth_headers("zlb", user_id="u-zlb")


@pytest.fixture
def back_office(fake, auth_headers) -> dict:
    # The back office's posts are looked up in the registry on every request (older gateways read
    # them from the token: both are given).
    fake.answer("workflow", "identity_by_user_id",
                lambda user_id: {"user_id": user_id, "portal": "zzd", "roles": ["leading_group"]})
    return auth_headers("zzd", roles=["leading_group"], user_id="u-lead")


def _refused(response, field: str) -> str:
    """The 422 envelope naming the query parameter ``field`` (``query.<name>``); its reason."""
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    [detail] = [item for item in error["details"] if item["field"] == f"query.{field}"]
    assert detail["reason"]
    return detail["reason"]


# --- paging -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("face, path", [("zzd", "/zzd/v1/projects"), ("zlb", "/zlb/v1/me/projects")])
@pytest.mark.parametrize("offset", ["100000000000000000000", str(MAX_OFFSET + 1)])
def test_an_offset_past_its_maximum_is_422_and_no_service_is_called(client, fake, auth_headers, face, path, offset):
    response = client.get(path, params={"offset": offset}, headers=auth_headers(face))

    reason = _refused(response, "offset")
    assert str(MAX_OFFSET) in reason
    assert fake.calls_to("list_projects") == []


@pytest.mark.parametrize("limit, reason", [("501", "500"), ("0", "1"), ("99999999999999999999999", "500")])
def test_a_limit_out_of_range_is_422(client, fake, zzd, limit, reason):
    response = client.get("/zzd/v1/projects", params={"limit": limit}, headers=zzd)

    assert reason in _refused(response, "limit")
    assert fake.calls_to("list_projects") == []


def test_the_largest_page_is_passed_on(client, fake, zzd):
    fake.answer("workflow", "list_projects", [])

    response = client.get("/zzd/v1/projects", params={"limit": 500, "offset": MAX_OFFSET}, headers=zzd)

    assert response.status_code == 200
    [call] = fake.calls_to("list_projects")
    assert call.args == (None, 500, MAX_OFFSET)


def test_paging_defaults_are_documented_with_their_bounds(client):
    parameters = {p["name"]: p["schema"] for p in
                  client.get("/openapi.json").json()["paths"]["/zzd/v1/projects"]["get"]["parameters"]}

    assert {key: parameters["limit"][key] for key in ("minimum", "maximum", "default")} == \
        {"minimum": 1, "maximum": 500, "default": 100}
    assert {key: parameters["offset"][key] for key in ("minimum", "maximum", "default")} == \
        {"minimum": 0, "maximum": MAX_OFFSET, "default": 0}


# Every list that pages: (face, path, its query, the RPC, the arguments before the page, default, maximum).
PAGED_LISTS = [
    ("zzd", "/zzd/v1/units", {"kind": "owner"}, "list_units", ("owner",), 100, 500),
    ("zzd", "/zzd/v1/users", {"unit_id": "u-1"}, "list_users", ("u-1",), 100, 500),
    ("zzd", "/zzd/v1/projects/p-1/leave-requests", {}, "project_leave_requests", ("p-1",), 100, 500),
    ("zzd", "/zzd/v1/projects/p-1/attendance-warnings", {}, "project_warnings", ("p-1",), 100, 500),
    ("zlb", "/zlb/v1/me/attendance", {"month": "2027-03"}, "my_attendance", ("2027-03",), 100, 100),
    ("zzd", "/zzd/v1/projects/p-1/attendance/u-1/positions", {"month": "2027-03"}, "person_positions",
     ("p-1", "u-1", "2027-03"), 200, 1000),
    ("zzd", "/zzd/v1/projects/p-1/acceptances", {}, "list_acceptances", ("p-1",), 100, 100),
    ("zzd", "/zzd/v1/projects/p-1/deadlines", {}, "project_deadlines", ("p-1",), 100, 500),
    ("zzd", "/zzd/v1/projects/p-1/changes", {}, "list_changes", ("p-1",), 100, 100),
    ("zlb", "/zlb/v1/projects/p-1/changes", {}, "list_changes", ("p-1",), 100, 100),
    ("zzd", "/zzd/v1/supplementary-registrations", {"status": "pending"}, "list_supplementary_registrations",
     ("pending",), 100, 500),
    ("zzd", "/zzd/v1/projects/p-1/concealed-works", {}, "list_concealed_works", ("p-1",), 100, 500),
    ("zlb", "/zlb/v1/projects/p-1/concealed-works", {}, "list_concealed_works", ("p-1",), 100, 500),
    ("zzd", "/zzd/v1/projects/p-1/supervision-records", {}, "list_supervision_records", ("p-1",), 100, 500),
    ("zlb", "/zlb/v1/projects/p-1/supervision-records", {}, "list_supervision_records", ("p-1",), 100, 500),
    ("zzd", "/zzd/v1/projects/p-1/subcontracts", {}, "list_subcontracts", ("p-1",), 100, 500),
    ("zlb", "/zlb/v1/projects/p-1/subcontracts", {}, "list_subcontracts", ("p-1",), 100, 500),
]
PAGED_IDS = [f"{face} {path}" for face, path, *_ in PAGED_LISTS]
ATTENDANCE_LISTS = dict.fromkeys(("project_leave_requests", "project_warnings", "my_attendance", "person_positions"),
                                 "attendance")


@pytest.mark.parametrize("face, path, query, method, before, default, maximum", PAGED_LISTS, ids=PAGED_IDS)
def test_every_list_passes_its_page_on_with_its_default(client, fake, auth_headers, face, path, query, method,
                                                        before, default, maximum):
    empty = {"logs": [], "standby_records": [], "notices": []} if method == "list_supervision_records" else []
    fake.answer(ATTENDANCE_LISTS.get(method, "workflow"), method, empty)
    headers = auth_headers(face)

    for params in (query, {**query, "limit": maximum, "offset": MAX_OFFSET}):
        assert client.get(path, params=params, headers=headers).status_code == 200

    assert [call.args for call in fake.calls_to(method)] == [(*before, default, 0), (*before, maximum, MAX_OFFSET)]


@pytest.mark.parametrize("face, path, query, method, before, default, maximum", PAGED_LISTS, ids=PAGED_IDS)
def test_every_list_refuses_a_page_past_its_bounds(client, fake, auth_headers, face, path, query, method, before,
                                                   default, maximum):
    headers = auth_headers(face)
    for field, value in (("limit", maximum + 1), ("limit", 0), ("offset", MAX_OFFSET + 1), ("offset", -1)):
        _refused(client.get(path, params={**query, field: value}, headers=headers), field)
    assert fake.calls_to(method) == []


@pytest.mark.parametrize("limit", ["101", "0", "1" + "0" * 30])
def test_the_public_finder_bounds_its_limit(client, fake, limit):
    response = client.get("/public/v1/projects", params={"q": "堤防", "limit": limit})

    _refused(response, "limit")
    assert fake.calls == []


# --- the audit trail ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("before_id", ["99999999999999999999999", str(MAX_ROW_ID + 1), "0"])
def test_an_audit_cursor_out_of_the_id_range_is_422(client, fake, back_office, before_id):
    response = client.get("/admin/v1/audit/workflow", params={"before_id": before_id}, headers=back_office)

    _refused(response, "before_id")
    assert fake.calls_to("audit_trail") == []


def test_the_largest_audit_cursor_is_passed_on(client, fake, back_office):
    fake.answer("workflow", "audit_trail", [])

    response = client.get("/admin/v1/audit/workflow", params={"before_id": MAX_ROW_ID, "limit": 1000},
                          headers=back_office)

    assert response.status_code == 200
    [call] = fake.calls_to("audit_trail")
    assert call.args[0]["before_id"] == MAX_ROW_ID
    assert call.args[0]["limit"] == 1000


@pytest.mark.parametrize("field, value, reason", [
    ("limit", "1001", "1000"),
    ("since", "9999-12-31T00:00:00+08:00", "between 2000 and 2100"),
    ("until", "2027-01-01T00:00:00", "timezone"),
])
def test_audit_query_numbers_and_times_are_bounded(client, fake, back_office, field, value, reason):
    response = client.get("/admin/v1/audit/workflow", params={field: value}, headers=back_office)

    assert reason in _refused(response, field)
    assert fake.calls_to("audit_trail") == []


# --- months ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("month, reason", [
    ("9999-01", "between 2000 and 2100"),
    ("0000-01", "between 2000 and 2100"),
    ("2027-13", "YYYY-MM"),
    ("2027-1", "YYYY-MM"),
    ("20270-01", "7 characters"),
])
def test_a_month_out_of_the_platforms_years_is_422(client, fake, zzd, zlb, month, reason):
    for path, headers in (("/zzd/v1/projects/p-1/attendance", zzd), ("/zzd/v1/projects/p-1/attendance/u-1/positions",
                                                                      zzd), ("/zlb/v1/me/attendance", zlb)):
        response = client.get(path, params={"month": month}, headers=headers)
        assert reason in _refused(response, "month"), path
    assert fake.calls == []


def test_a_month_of_the_platforms_years_is_passed_on(client, fake, zzd, answers):
    fake.answer("attendance", "project_attendance", answers.project_attendance)

    response = client.get("/zzd/v1/projects/p-1/attendance", params={"month": "2100-12"}, headers=zzd)

    assert response.status_code == 200
    assert fake.calls_to("project_attendance")[0].args == ("p-1", "2100-12")


def test_every_integer_query_or_path_parameter_has_a_maximum(client):
    """No route takes an integer the caller may push past a database's range."""
    unbounded = []
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                schemas = parameter["schema"].get("anyOf", [parameter["schema"]])
                for schema in schemas:
                    if schema.get("type") in ("integer", "number") and "maximum" not in schema:
                        unbounded.append(f"{method.upper()} {path} {parameter['name']}")
    assert unbounded == []


# --- the rule settings' body: the one body without a model of its own ---------------------------------------


@pytest.mark.parametrize("body, field, reason", [
    ('{"x\\ud800": 1}', None, "unicode string"),  # a setting named with a lone surrogate (was a 500)
    ('{"acceptance_days_small": "\\udc00"}', "acceptance_days_small", "valid Unicode"),
    ('{"acceptance_days_small": Infinity}', "acceptance_days_small", "finite"),
    ('{"acceptance_days_small": [1, NaN]}', "acceptance_days_small", "finite"),
    ("{}", "body", "at least 1 item"),
    ('{"' + "x" * 101 + '": 1}', None, "at most 100 characters"),
])
def test_rule_settings_changes_are_plain_json_with_named_figures(client, fake, back_office, body, field, reason):
    response = client.put("/admin/v1/settings/workflow", content=body,
                          headers={**back_office, "content-type": "application/json"})

    assert response.status_code == 422, response.text
    [detail] = response.json()["error"]["details"]
    assert field is None or detail["field"] == field
    assert reason in detail["reason"]
    assert fake.calls_to("update_rule_settings") == []


def test_rule_settings_changes_are_passed_on_as_given(client, fake, back_office, answers):
    fake.answer("workflow", "update_rule_settings", lambda changes: answers.settings(**changes))
    changes = {"acceptance_days_small": 21, "monthly_rate_threshold": 0.75, "flags": ["a", True, None]}

    response = client.put("/admin/v1/settings/workflow", json=changes, headers=back_office)

    assert response.status_code == 200
    assert fake.calls_to("update_rule_settings")[0].args == (changes,)
