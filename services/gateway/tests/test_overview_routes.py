"""The console's figures (/zzd/v1/stats/...) against the fake services: each asked of the service
that owns the records with the caller, answered in its shape; a ZLB token and a bad year refused
before any service is asked."""

from __future__ import annotations

import pytest

FIGURES = [
    ("/zzd/v1/stats/projects", "workflow", "project_counts",
     [{"status": "in_construction", "industry": "housing", "count": 3}],
     {"rows": [{"status": "in_construction", "industry": "housing", "count": 3}]}),
    ("/zzd/v1/stats/attendance-today", "attendance", "attendance_today",
     {"day": "2027-03-01", "expected": 4, "on_site": 3,
      "projects": [{"project_id": "p-1", "name": "堤防加固", "expected": 4, "on_site": 3}]}, None),
    ("/zzd/v1/stats/warnings-this-week", "complaints", "warnings_this_week",
     {"since": "2027-03-01T00:00:00+08:00", "rows": [{"rule_id": "art42.consecutive-absence", "count": 2}]}, None),
    ("/zzd/v1/stats/open-cases", "complaints", "open_cases_by_level",
     [{"level": "owner", "open": 2, "overdue": 1}], {"rows": [{"level": "owner", "open": 2, "overdue": 1}]}),
    ("/zzd/v1/stats/open-warnings", "complaints", "open_warnings_by_project",
     [{"project_id": "p-1", "count": 2}], {"rows": [{"project_id": "p-1", "count": 2}]}),
    ("/zzd/v1/stats/firm-colours", "scoring", "firm_colours",
     {"year": 2027, "rows": [{"colour": "green", "count": 5}, {"colour": "red", "count": 1}]}, None),
]


@pytest.mark.parametrize(("path", "service", "method", "answer", "expected"), FIGURES)
def test_a_figure_is_asked_of_its_service_for_the_caller(client, fake, auth_headers, path, service, method, answer,
                                                         expected):
    fake.answer(service, method, answer)
    line_head = auth_headers("zzd", roles=["line"], user_id="u-line-head")

    response = client.get(path, headers=line_head)

    assert (response.status_code, response.json()) == (200, expected or answer), response.text
    (call,) = fake.calls_to(method)
    assert (call.service, call.principal.user_id) == (service, "u-line-head")


def test_the_colours_of_another_year_are_asked_for_and_a_year_out_of_range_is_refused(client, fake, auth_headers):
    fake.answer("scoring", "firm_colours", {"year": 2026, "rows": []})
    chief = auth_headers("zzd", roles=["leading_group"])

    assert client.get("/zzd/v1/stats/firm-colours", headers=chief, params={"year": 2026}).status_code == 200
    refused = client.get("/zzd/v1/stats/firm-colours", headers=chief, params={"year": 1800})

    assert refused.status_code == 422 and refused.json()["error"]["details"][0]["field"] == "query.year"
    assert [call.args for call in fake.calls_to("firm_colours")] == [(2026,)]


def test_a_firms_token_is_refused_on_the_government_figures(client, fake, auth_headers):
    firm = auth_headers("zlb", roles=["contractor"], user_id="u-pm")

    assert client.get("/zzd/v1/stats/projects", headers=firm).status_code == 403
    assert fake.calls == []


@pytest.mark.parametrize(("path", "service", "method", "answer"), [
    ("/zzd/v1/stats/attendance-today", "attendance", "attendance_today",
     {"day": "2027-03-01", "expected": 0, "on_site": 0, "projects": []}),
    ("/zzd/v1/stats/open-warnings", "complaints", "open_warnings_by_project", []),
])
def test_a_figure_per_project_is_bounded_by_a_limit_with_a_maximum(client, fake, auth_headers, path, service,
                                                                     method, answer):
    fake.answer(service, method, answer)
    chief = auth_headers("zzd", roles=["leading_group"])

    assert client.get(path, headers=chief).status_code == 200
    assert client.get(path, headers=chief, params={"limit": 50}).status_code == 200
    refused = client.get(path, headers=chief, params={"limit": 2001})

    assert refused.status_code == 422 and refused.json()["error"]["details"][0]["field"] == "query.limit"
    assert [call.kwargs["limit"] for call in fake.calls_to(method)] == [1000, 50]


def test_the_scores_list_is_filtered_by_colour_by_the_service_and_a_colour_unknown_is_refused(client, fake,
                                                                                               auth_headers):
    fake.answer("scoring", "list_scores", [])
    chief = auth_headers("zzd", roles=["leading_group"])

    assert client.get("/zzd/v1/scores", headers=chief, params={"colour": "red", "limit": 20,
                                                               "offset": 40}).status_code == 200
    refused = client.get("/zzd/v1/scores", headers=chief, params={"colour": "purple"})

    assert refused.status_code == 422 and refused.json()["error"]["details"][0]["field"] == "query.colour"
    (call,) = fake.calls_to("list_scores")
    assert (call.args[-2:], call.kwargs["colour"]) == ((20, 40), "red")


def test_the_platforms_date_and_week_come_from_the_services_clock(client, fake, auth_headers):
    fake.answer("attendance", "platform_time", "2027-03-03T23:30:00+08:00")  # a Wednesday night in Shangyu
    line_head = auth_headers("zzd", roles=["line"], user_id="u-line-head")

    response = client.get("/zzd/v1/stats/today", headers=line_head)

    assert (response.status_code, response.json()) == (200, {"now": "2027-03-03T23:30:00+08:00", "day": "2027-03-03",
                                                             "week_began": "2027-03-01"}), response.text
    assert [call.service for call in fake.calls_to("platform_time")] == ["attendance"]


def test_the_zlb_face_has_the_platforms_date_too(client, fake, auth_headers):
    fake.answer("attendance", "platform_time", "2027-02-28T23:59:00+08:00")  # a Sunday, the month's last day
    firm = auth_headers("zlb", roles=["contractor"], user_id="u-pm")

    response = client.get("/zlb/v1/today", headers=firm)

    assert (response.status_code, response.json()["day"], response.json()["week_began"]) == (
        200, "2027-02-28", "2027-02-22"), response.text
    assert fake.calls_to("platform_time")[0].principal.user_id == "u-pm"
