"""The HTTP side of cases (issue 9): the complaint window, Open311 GeoReport v2 and the government
and enterprise faces of cases, against the fake services — what is refused before any service is
called (422 with the field), what is sent on, and that no public answer tells who complained."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from common.errors import NotFound, PermissionDenied, TooManyRequests

AT = "2027-03-01T09:00:00+08:00"
LATER = "2027-03-02T10:00:00+08:00"
CODE = "SYABCDE-FGHJK-MNPQR-STUVW"
CATEGORIES = [
    {"code": "quality", "name_zh": "工程质量", "name_en": "Construction quality", "description": "Defects."},
    {"code": "discipline", "name_zh": "涉纪问题", "name_en": "Discipline", "description": "Misconduct."},
]
SECRET_PEOPLE = ("张三", "13912345678")
SAFETY_FORM = {"service_code": "safety", "address_string": "江扬路", "description": "脚手架没有防护网"}


def followed(status: str = "in_progress", replies=()) -> dict:
    """follow_complaint's answer: the public status plus what Open311 shows."""
    return {"tracking_code": CODE, "status": status, "category": "quality", "filed_at": AT, "updated_at": LATER,
            "replies": [{"at": LATER, "text": text} for text in replies], "service_code": "quality",
            "description": "工地夜间施工噪音扰民", "lat": 30.03, "lng": 120.87, "address": "百官街道",
            "requested_at": AT}


def case(case_id: str = "c-1", **fields) -> dict:
    return {"id": case_id, "kind": "complaint", "category": "quality", "status": "received", "discipline": False,
            "summary": "工程质量: 墙体开裂", "text": "墙体开裂", "project_id": "p-1", "industry": "housing",
            "location": None, "warning_id": None, "rule_id": None, "article": None, "subject_unit_id": None,
            "subject_unit_name": None, "subject_person_id": None, "holder_unit_id": None, "holder_unit_name": None,
            "due_at": LATER, "overdue": False, "opened_at": AT, "closed_at": None, "finding": None,
            "responsible_unit_id": None, "responsible_person_id": None, "complaint_count": 1, **fields}


ANONYMOUS = {"project_id": "p-1", "category": "quality", "text": "墙体开裂，无人处理", "anonymous": True}


# --- the complaint window --------------------------------------------------------------------------------------


def test_a_complaint_is_sent_on_with_its_channel_and_a_hashed_client_key(client, fake, jwt_secret):
    fake.answer("complaints", "file_complaint", {"tracking_code": CODE, "status": "received"})
    body = {**ANONYMOUS, "anonymous": False, "contact": {"name": "张三", "phone": "13912345678"},
            "photo_file_ids": ["f-1"]}

    response = client.post("/public/v1/complaints", json=body)

    assert response.status_code == 201, response.text
    assert response.json() == {"tracking_code": CODE, "status": "received"}
    (call,) = fake.calls_to("file_complaint")
    data, key = call.args
    assert data == {**body, "channel": "window"}
    assert key == hmac.new(jwt_secret.encode(), b"testclient", hashlib.sha256).hexdigest()
    assert "testclient" not in json.dumps(call.args)
    assert call.principal.user_id is None


@pytest.mark.parametrize("change, field", [
    ({"anonymous": False}, "contact"),
    ({"contact": {"name": "张三", "phone": "13912345678"}}, "contact"),
    ({"anonymous": False, "contact": {"name": "张三", "phone": "12345"}}, "contact.phone"),
    ({"anonymous": False, "contact": {"name": "", "phone": "13912345678"}}, "contact.name"),
    ({"project_id": None}, "location"),
    ({"text": "短"}, "text"),
    ({"text": "x" * 2001}, "text"),
    ({"category": "noise"}, "category"),
    ({"photo_file_ids": [f"f-{n}" for n in range(10)]}, "photo_file_ids"),
    ({"address": "x" * 201}, "address"),
    ({"location": {"lat": 91, "lng": 120.0}}, "location.lat"),
    ({"media_url": "javascript:alert(1)"}, "media_url"),
    ({"text": "墙体开裂\u0000无人处理"}, "url"),
    ({"handler": "u-1"}, "handler"),
])
def test_a_bad_complaint_is_422_naming_the_field_and_nothing_is_filed(client, fake, change, field):
    body = {key: value for key, value in {**ANONYMOUS, **change}.items() if value is not None}

    response = client.post("/public/v1/complaints", json=body)

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert field in {detail["field"] for detail in error["details"]} or (
        field == "url" and error["details"][0]["field"] == "body")
    assert fake.calls_to("file_complaint") == []


def test_a_place_alone_is_enough(client, fake):
    fake.answer("complaints", "file_complaint", {"tracking_code": CODE, "status": "received"})
    body = {"address": "百官街道江扬路口", "category": "environment", "text": "夜间施工噪音扰民", "anonymous": True}

    assert client.post("/public/v1/complaints", json=body).status_code == 201
    nowhere = client.post("/public/v1/complaints", json={**body, "address": None})
    assert nowhere.status_code == 422 and nowhere.json()["error"]["details"][0]["field"] == "location"
    assert client.post("/public/v1/complaints", json={
        key: value for key, value in {**body, "location": {"lat": 30.03, "lng": 120.87}}.items()
        if key != "address"}).status_code == 201


def test_a_client_cannot_set_the_channel(client, fake):
    fake.answer("complaints", "file_complaint", {"tracking_code": CODE, "status": "received"})

    client.post("/public/v1/complaints", json={**ANONYMOUS, "channel": "open311"})

    assert fake.calls_to("file_complaint")[0].args[0]["channel"] == "window"


def test_the_rate_limit_of_the_service_is_429_with_its_reason(client, fake):
    fake.answer("complaints", "file_complaint", TooManyRequests(
        "at most 5 complaints an hour from one client; try again later",
        [{"field": "client", "reason": "rate limit", "retry_after_s": 3600}]))

    response = client.post("/public/v1/complaints", json=ANONYMOUS)

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert "5 complaints an hour" in response.json()["error"]["message"]


def _keys(fake) -> list[str]:
    return [call.args[1] for call in fake.calls_to("file_complaint")]


def test_x_forwarded_for_counts_only_behind_a_trusted_proxy(make_client, fake):
    fake.answer("complaints", "file_complaint", {"tracking_code": CODE, "status": "received"})
    direct = make_client()
    for address in ("203.0.113.7", "198.51.100.9"):
        direct.post("/public/v1/complaints", json=ANONYMOUS, headers={"x-forwarded-for": address})
    assert len(set(_keys(fake))) == 1  # a client cannot pick its key by writing the header

    fake.calls.clear()
    proxied = make_client(behind_trusted_proxy=True)
    for forwarded in ("203.0.113.7", "1.1.1.1, 198.51.100.9", "2.2.2.2, 198.51.100.9"):
        proxied.post("/public/v1/complaints", json=ANONYMOUS, headers={"x-forwarded-for": forwarded})
    first, second, third = _keys(fake)
    assert first != second and second == third  # the proxy's (last) address counts, not the client's own words


def test_following_a_complaint_shows_only_the_public_fields(client, fake):
    fake.answer("complaints", "follow_complaint", followed(replies=["已转建设单位处理"]))

    response = client.get(f"/public/v1/complaints/{CODE}")

    assert response.status_code == 200, response.text
    assert response.json() == {"tracking_code": CODE, "status": "in_progress", "category": "quality",
                               "filed_at": AT, "updated_at": LATER,
                               "replies": [{"at": LATER, "text": "已转建设单位处理"}]}
    assert fake.calls_to("follow_complaint")[0].args == (CODE,)


def test_an_unknown_or_malformed_tracking_code(client, fake):
    fake.answer("complaints", "follow_complaint", NotFound("no complaint with this tracking code"))

    assert client.get(f"/public/v1/complaints/{CODE}").status_code == 404
    assert client.get("/public/v1/complaints/short").status_code == 422
    assert client.get("/public/v1/complaints/SY%3Cscript%3E-ABCDEFGH").status_code == 422


# --- Open311 GeoReport v2 -------------------------------------------------------------------------------------


def test_the_categories_are_the_open311_services(client, fake):
    fake.answer("complaints", "complaint_categories", CATEGORIES)

    response = client.get("/public/v1/open311/v2/services.json?jurisdiction_id=shangyu")

    assert response.status_code == 200
    first, discipline = response.json()
    assert first == {"service_code": "quality", "service_name": "工程质量 Construction quality",
                     "description": "Defects.", "metadata": False, "type": "realtime",
                     "keywords": "quality,工程质量,Construction quality", "group": "工程建设 Construction"}
    assert discipline["group"] == "涉纪 Discipline"


def test_a_georeport_request_is_filed_as_a_complaint(client, fake):
    fake.answer("complaints", "file_complaint", {"tracking_code": CODE, "status": "received"})

    response = client.post("/public/v1/open311/v2/requests.json", data={
        "service_code": "environment", "lat": "30.03", "long": "120.87", "address_string": "百官街道",
        "description": "夜间施工噪音扰民", "media_url": "https://example.org/p.jpg", "first_name": "三",
        "last_name": "张", "phone": "13912345678", "email": "z@example.org", "jurisdiction_id": "x",
        "account_id": "acc-1", "api_key": "k"})

    assert response.status_code == 201, response.text
    assert response.json() == [{"service_request_id": CODE, "account_id": None, "service_notice": response.json()[0][
        "service_notice"]}]
    data, _key = fake.calls_to("file_complaint")[0].args
    assert data == {"category": "environment", "text": "夜间施工噪音扰民", "anonymous": False,
                    "location": {"lat": 30.03, "lng": 120.87}, "address": "百官街道",
                    "media_url": "https://example.org/p.jpg", "contact": {"name": "三 张", "phone": "13912345678"},
                    "channel": "open311"}


def test_a_georeport_request_without_name_and_phone_is_anonymous(client, fake):
    fake.answer("complaints", "file_complaint", {"tracking_code": CODE, "status": "received"})

    response = client.post("/public/v1/open311/v2/requests.json",
                           data=SAFETY_FORM)

    assert response.status_code == 201, response.text
    data, _key = fake.calls_to("file_complaint")[0].args
    assert data["anonymous"] is True and "contact" not in data


@pytest.mark.parametrize("form, field", [
    ({"service_code": "noise"}, "service_code"),
    ({"lat": "30.03", "address_string": None}, "long"),
    ({"lat": "north"}, "lat"),
    ({"phone": "13912345678"}, "first_name"),
    ({"first_name": "张"}, "phone"),
    ({"first_name": "张", "phone": "999"}, "phone"),
    ({"description": "短"}, "description"),
    ({"address_string": None}, "lat"),
    ({"media_url": "ftp://example.org/x"}, "media_url"),
    ({"description": "脚手架%00没有防护网"}, "description"),
])
def test_a_bad_georeport_request_is_422_naming_the_georeport_field(client, fake, form, field):
    data = {key: value for key, value in {"service_code": "safety", "address_string": "江扬路",
                                          "description": "脚手架没有防护网", **form}.items() if value is not None}
    if "%00" in data["description"]:
        data["description"] = data["description"].replace("%00", "\x00")

    response = client.post("/public/v1/open311/v2/requests.json", data=data)

    assert response.status_code == 422, response.text
    assert field in {detail["field"] for detail in response.json()["error"]["details"]}
    assert fake.calls_to("file_complaint") == []


def test_the_rate_limit_also_holds_for_open311(client, fake):
    fake.answer("complaints", "file_complaint", TooManyRequests("at most 5 complaints an hour from one client"))

    response = client.post("/public/v1/open311/v2/requests.json",
                           data=SAFETY_FORM)

    assert response.status_code == 429


def test_one_request_in_georeport_shape(client, fake):
    fake.answer("complaints", "complaint_categories", CATEGORIES)
    fake.answer("complaints", "follow_complaint", followed("closed", ["已整改", "已核实办结"]))

    response = client.get(f"/public/v1/open311/v2/requests/{CODE}.json")

    assert response.status_code == 200, response.text
    assert response.json() == [{
        "service_request_id": CODE, "status": "closed", "status_notes": "已核实办结",
        "service_name": "工程质量 Construction quality", "service_code": "quality",
        "description": "工地夜间施工噪音扰民",
        "requested_datetime": AT, "updated_datetime": LATER, "address": "百官街道", "lat": 30.03, "long": 120.87}]
    assert "agency_responsible" not in response.json()[0]


def test_requests_are_found_only_by_their_ids(client, fake):
    fake.answer("complaints", "complaint_categories", CATEGORIES)

    def follow(code):
        if code != CODE:
            raise NotFound("no complaint with this tracking code")
        return followed("received")

    fake.answer("complaints", "follow_complaint", follow)

    found = client.get(f"/public/v1/open311/v2/requests.json?service_request_id={CODE},SYUNKNOWN-00000,{CODE}")
    assert found.status_code == 200
    assert [(r["service_request_id"], r["status"]) for r in found.json()] == [(CODE, "open")]

    listing = client.get("/public/v1/open311/v2/requests.json?start_date=2027-01-01T00:00:00Z")
    assert listing.status_code == 422
    assert listing.json()["error"]["details"][0]["field"] == "query.service_request_id"
    many = ",".join(f"SYCODE{n:04d}" for n in range(21))
    assert client.get(f"/public/v1/open311/v2/requests.json?service_request_id={many}").status_code == 422
    fake.answer("complaints", "follow_complaint", NotFound("no complaint with this tracking code"))
    assert client.get(f"/public/v1/open311/v2/requests/{CODE}.json").status_code == 404


def test_no_public_answer_names_a_complainant_or_a_handler(client, fake):
    # Even if a service answer carried more than it should, the public routes pass on only their fields.
    leaky = {**followed("in_progress", ["处理中"]), "contact": {"name": SECRET_PEOPLE[0], "phone": SECRET_PEOPLE[1]},
             "holder_unit_id": "u-owner", "by_user_id": "u-handler", "complainant": SECRET_PEOPLE[0]}
    fake.answer("complaints", "follow_complaint", leaky)
    fake.answer("complaints", "complaint_categories", CATEGORIES)

    answers = [client.get(f"/public/v1/complaints/{CODE}"), client.get(f"/public/v1/open311/v2/requests/{CODE}.json"),
               client.get(f"/public/v1/open311/v2/requests.json?service_request_id={CODE}")]

    for answer in answers:
        assert answer.status_code == 200, answer.text
        for secret in (*SECRET_PEOPLE, "u-owner", "u-handler"):
            assert secret not in answer.text


# --- the government and enterprise faces ----------------------------------------------------------------------


def test_the_steps_in_the_url_are_the_services_step_words(client, fake, auth_headers):
    headers = auth_headers("zzd")
    fake.answer("complaints", "take_step", lambda case_id, step, data: case(case_id, status="not_ours"))

    response = client.post("/zzd/v1/cases/c-1/not-ours", headers=headers, json={"text": "不属于本单位"})

    assert response.status_code == 200, response.text
    assert fake.calls_to("take_step")[0].args == ("c-1", "not_ours", {"text": "不属于本单位"})
    for step in ("triage", "dispatch", "accept", "handle", "report", "verify", "return", "escalate", "close"):
        assert client.post(f"/zzd/v1/cases/c-1/{step}", headers=headers, json={}).status_code == 200
    assert [call.args[1] for call in fake.calls_to("take_step")][1:] == [
        "triage", "dispatch", "accept", "handle", "report", "verify", "return", "escalate", "close"]


@pytest.mark.parametrize("path, body, field", [
    ("/zzd/v1/cases/c-1/approve", {}, "step"),
    ("/zzd/v1/cases/c-1/not_ours", {}, "step"),
    ("/zzd/v1/cases/c-1/report", {"finding": "true"}, "finding"),
    ("/zzd/v1/cases/c-1/dispatch", {"unit_id": ""}, "unit_id"),
    ("/zzd/v1/cases/c-1/handle", {"file_ids": [f"f-{n}" for n in range(21)]}, "file_ids"),
    ("/zzd/v1/cases/c-1/handle", {"public_reply": "x" * 1001}, "public_reply"),
    ("/zzd/v1/cases/c-1/triage", {"category": "noise"}, "category"),
    ("/zzd/v1/cases/c-1/accept", {"holder": "u-1"}, "holder"),
    ("/zzd/v1/clues", {"category": "quality", "text": "短"}, "text"),
])
def test_a_bad_step_or_clue_is_422_naming_the_field(client, fake, auth_headers, path, body, field):
    response = client.post(path, headers=auth_headers("zzd"), json=body)

    assert response.status_code == 422, response.text
    assert field in {detail["field"].split(".", 1)[-1] if detail["field"].startswith("path.") else detail["field"]
                     for detail in response.json()["error"]["details"]}
    assert fake.calls == []


def test_a_step_not_the_callers_is_403_and_an_illegal_one_409(client, fake, auth_headers):
    from common.errors import IllegalStep

    fake.answer("complaints", "take_step", PermissionDenied("only the unit holding the case may take this step"))
    assert client.post("/zzd/v1/cases/c-1/accept", headers=auth_headers("zzd"), json={}).status_code == 403
    fake.answer("complaints", "take_step", IllegalStep("the case is closed"))
    assert client.post("/zzd/v1/cases/c-1/accept", headers=auth_headers("zzd"), json={}).status_code == 409


def test_the_case_list_sends_its_filters_and_page(client, fake, auth_headers):
    fake.answer("complaints", "list_cases", [case()])

    response = client.get("/zzd/v1/cases?kind=warning&status=escalated&overdue=true&unit_id=u-1&limit=10&offset=20",
                          headers=auth_headers("zzd"))

    assert response.status_code == 200, response.text
    assert fake.calls_to("list_cases")[0].args == (
        {"kind": "warning", "status": "escalated", "overdue": True, "unit_id": "u-1"}, 10, 20)
    assert client.get("/zzd/v1/cases?kind=rumour", headers=auth_headers("zzd")).status_code == 422
    assert client.get("/zzd/v1/cases?limit=501", headers=auth_headers("zzd")).status_code == 422


def test_the_case_list_sends_the_filters_of_the_consoles_figures(client, fake, auth_headers):
    fake.answer("complaints", "list_cases", [case()])

    response = client.get("/zzd/v1/cases?open=true&level=owner&opened_from=2027-03-01T00:00:00%2B08:00",
                          headers=auth_headers("zzd"))

    assert response.status_code == 200, response.text
    assert fake.calls_to("list_cases")[0].args == (
        {"open": True, "level": "owner", "opened_from": "2027-03-01T00:00:00+08:00"}, 100, 0)
    for query, field in (("opened_from=monday", "opened_from"), ("opened_from=2027-03-01T00:00:00", "opened_from"),
                         ("opened_from=1999-12-31T00:00:00%2B08:00", "opened_from"), ("open=perhaps", "open"),
                         (f"level={'x' * 33}", "level")):
        refused = client.get(f"/zzd/v1/cases?{query}", headers=auth_headers("zzd"))
        assert refused.status_code == 422, query
        assert field in refused.text, query
    assert len(fake.calls_to("list_cases")) == 1


def test_a_case_with_its_history(client, fake, auth_headers):
    history = [{"step": "received", "status": "received", "at": AT, "by_user_id": None, "acting_unit_id": None,
                "to_unit_id": None, "text": None, "file_ids": [], "public_reply": None, "on_time": None}]
    fake.answer("complaints", "get_case", case(history=history))

    response = client.get("/zzd/v1/cases/c-1", headers=auth_headers("zzd"))

    assert response.status_code == 200
    assert response.json()["history"] == history


def test_who_complained_is_for_the_intake_and_refused_to_others(client, fake, auth_headers):
    fake.answer("complaints", "complainants", [{"name": "张三", "phone": "13912345678", "anonymous": False,
                                                "filed_at": AT, "channel": "window"}])
    response = client.get("/zzd/v1/cases/c-1/complainants", headers=auth_headers("zzd"))
    assert response.status_code == 200
    assert response.json() == {"case_id": "c-1", "complainants": [
        {"name": "张三", "phone": "13912345678", "anonymous": False, "filed_at": AT, "channel": "window"}]}

    fake.answer("complaints", "complainants", PermissionDenied("only the complaint intake and discipline inspection "
                                                               "read who complained"))
    assert client.get("/zzd/v1/cases/c-1/complainants", headers=auth_headers("zzd")).status_code == 403
    assert client.get("/zzd/v1/cases/c-1/complainants", headers=auth_headers("zlb")).status_code == 403


def test_the_statistics(client, fake, auth_headers):
    headers = auth_headers("zzd")
    fake.answer("complaints", "case_stats", [{"key": "warning", "count": 3}, {"key": "complaint", "count": 1}])
    fake.answer("complaints", "warning_stats", [{"key": "2027-03", "count": 3}])
    fake.answer("complaints", "step_times", [{"step": "accept", "median_hours": 5.5, "count": 4}])
    fake.answer("complaints", "on_time_shares", [{"unit_id": "u-1", "unit_name": "建设单位", "steps": 4,
                                                  "on_time": 3, "share": 0.75}])
    fake.answer("complaints", "overdue_cases", [case(overdue=True)])

    assert client.get("/zzd/v1/stats/cases?by=kind", headers=headers).json() == {
        "by": "kind", "rows": [{"key": "warning", "count": 3}, {"key": "complaint", "count": 1}]}
    assert client.get("/zzd/v1/stats/warnings?by=month", headers=headers).json()["rows"][0]["count"] == 3
    assert client.get("/zzd/v1/stats/step-times", headers=headers).json()["steps"][0]["median_hours"] == 5.5
    assert client.get("/zzd/v1/stats/on-time", headers=headers).json()["units"][0]["share"] == 0.75
    assert client.get("/zzd/v1/stats/overdue?limit=5", headers=headers).json()[0]["overdue"] is True
    assert fake.calls_to("overdue_cases")[0].args == (5, 0)
    for path in ("/zzd/v1/stats/cases?by=person", "/zzd/v1/stats/warnings?by=kind", "/zzd/v1/stats/cases"):
        response = client.get(path, headers=headers)
        assert response.status_code == 422 and response.json()["error"]["details"][0]["field"] == "query.by"


def test_a_firm_sees_its_cases_on_its_own_face_only(client, fake, auth_headers):
    fake.answer("complaints", "my_cases", [case(kind="warning", rule_id="art26.absence")])

    response = client.get("/zlb/v1/me/cases?limit=5&offset=5", headers=auth_headers("zlb", user_id="u-pm"))

    assert response.status_code == 200
    assert fake.calls_to("my_cases")[0].args == (5, 5)
    assert fake.calls_to("my_cases")[0].principal.user_id == "u-pm"
    assert client.get("/zlb/v1/me/cases", headers=auth_headers("zzd")).status_code == 403
    assert client.get("/zzd/v1/cases", headers=auth_headers("zlb")).status_code == 403
