"""End to end (issue 9): cases through HTTP on the whole platform, with the manual clock.

- An anonymous complaint about a project, and a named one filed through Open311 and linked to it,
  are triaged by the back office's intake, dispatched down the chain to the owner, accepted,
  handled, reported, verified by the level above and closed, while the complainants follow them by
  tracking code and by Open311; no role down the chain reads who complained. The anonymous one
  carries a photo uploaded without a login, which the owner handling the case sees and an owner
  off the case does not.
- A discipline complaint reaches discipline inspection only.
- A warning raised by a deadline opens a case held by the owner; left past the accept limit, it
  escalates one level up.
"""

import json
import time
from datetime import datetime, timedelta

import pytest

pytestmark = pytest.mark.e2e

START = datetime.fromisoformat("2027-03-01T09:00:00+08:00")
PHONE = "13957512345"
SECRETS = (PHONE, "投诉 李")  # the Open311 complainant's phone and name (first_name last_name)
ANONYMOUS_TEXT = "曹娥江堤防工地混凝土浇筑后墙体出现裂缝，无人处理"
PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4  # a JPEG by its first bytes


def eventually(attempt, seconds: float = 20):
    """What ``attempt`` answers once it answers something true: the complaints service learns of the
    registry and of warnings from events, a moment after they happen."""
    deadline = time.monotonic() + seconds
    while True:
        found = attempt()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.3)


@pytest.fixture(scope="module")
def district(client):
    back_office = client.zzd_login("10001")
    client.set_clock(back_office, START.isoformat())
    people = [("intake", "zzd", "81000", "group", "complaint_intake"),
              ("authority_chief", "zzd", "81001", "authority", "chief"),
              ("supervising_chief", "zzd", "81002", "supervising", "chief"),
              ("line_head", "zzd", "81003", "line", "line_head"),
              ("owner_chief", "zzd", "81004", "owner", "chief"),
              ("lead", "zzd", "81005", "owner", "owner_project_lead"),
              ("manager", "zlb", "zlb-91001", "contractor", "project_manager"),
              ("safety", "zlb", "zlb-91002", "contractor", "safety_officer"),
              ("chief_engineer", "zlb", "zlb-91003", "supervisor", "chief_engineer"),
              ("inspector", "zlb", "zlb-91004", "supervisor", "inspector")]
    names = {"authority": "区住建局", "supervising": "区城建中心", "line": "房建条线", "owner": "曹娥街道",
             "contractor": "上虞建工", "supervisor": "正信监理"}
    built = client.register_district(back_office, industry="housing", names=names,
                                     credit_codes=("913306041000000091", "913306042000000092"), people=people)
    ids, tokens = built["ids"], built["tokens"]
    ids["discipline"] = client.ok("POST", "/zzd/v1/units", back_office, 201,
                                  json={"kind": "discipline", "name": "区纪委派驻纪检组"})["id"]
    staff = client.ok("POST", "/zzd/v1/users", back_office, 201,
                      json={"name": "纪检员", "portal": "zzd", "zzd_account_id": "81009"})["id"]
    client.ok("POST", f"/zzd/v1/users/{staff}/posts", back_office, 201,
              json={"unit_id": ids["discipline"], "post": "staff"})
    tokens["discipline"] = client.zzd_login("81009")
    ids["other_owner"] = client.ok("POST", "/zzd/v1/units", back_office, 201,
                                   json={"kind": "owner", "name": "百官街道"})["id"]
    other = client.ok("POST", "/zzd/v1/users", back_office, 201,
                      json={"name": "另一建设单位负责人", "portal": "zzd", "zzd_account_id": "81010"})["id"]
    client.ok("POST", f"/zzd/v1/users/{other}/posts", back_office, 201,
              json={"unit_id": ids["other_owner"], "post": "chief"})
    tokens["other_owner_chief"] = client.zzd_login("81010")
    built["project"] = build_project(client, built)
    return built


def build_project(client, district) -> str:
    ids, tokens = district["ids"], district["tokens"]
    project = client.ok("POST", "/zzd/v1/projects", tokens["back_office"], 201, json={
        "name": "曹娥江堤防加固工程", "industry": "housing", "kind": "government", "contract_amount": "12500000",
        "below_threshold": False, "geofence": {"center": [30.03, 120.87], "radius_m": 300},
        "planned_start": "2027-03-15", "planned_end": "2027-12-31"})
    pid = project["id"]
    chain = f"/zzd/v1/projects/{pid}/assignments"
    client.ok("POST", chain, tokens["back_office"], json={"level": "supervising_unit", "target_id": ids["supervising"]})
    client.ok("POST", chain, tokens["supervising_chief"], json={"level": "line", "target_id": ids["line"]})
    client.ok("POST", chain, tokens["line_head"], json={"level": "owner", "target_id": ids["owner"]})
    client.ok("POST", chain, tokens["owner_chief"], json={"level": "owner_project_lead", "target_id": ids["lead"]})
    contract = client.ok("POST", "/zzd/v1/files", tokens["lead"], 201,
                         files={"file": ("contract.pdf", b"%PDF-1.4 contract", "application/pdf")})
    for firm in ("contractor", "supervisor"):
        client.ok("POST", f"/zzd/v1/projects/{pid}/participants", tokens["lead"], 201,
                  json={"unit_id": ids[firm], "role": firm, "contract_file_id": contract["id"]})
    for person, post in (("manager", "project_manager"), ("safety", "safety_officer"),
                         ("chief_engineer", "chief_engineer"), ("inspector", "inspector")):
        client.ok("POST", f"/zzd/v1/projects/{pid}/personnel", tokens["lead"], 201,
                  json={"user_id": ids[person], "post": post})
    client.ok("POST", f"/zzd/v1/projects/{pid}/construction-start", tokens["lead"])
    return pid


def file_complaint(client, body: dict) -> dict:
    """File a complaint; the complaints service may not have the project in its copy yet."""
    def attempt():
        answer = client.http.post("/public/v1/complaints", json=body)
        if answer.status_code == 422 and "project_id" in answer.text:
            return None
        assert answer.status_code == 201, answer.text
        return answer.json()

    receipt = eventually(attempt)
    assert receipt, "the complaints service never learnt of the project"
    return receipt


def followed(client, code: str) -> dict:
    return client.ok("GET", f"/public/v1/complaints/{code}", {})


def open311(client, code: str) -> dict:
    (one,) = client.ok("GET", f"/public/v1/open311/v2/requests/{code}.json", {})
    return one


def step(client, token, case_id, name, **body) -> dict:
    return client.ok("POST", f"/zzd/v1/cases/{case_id}/{name}", token, json=body)


def cases_of(client, token, **filters) -> list[dict]:
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    return client.ok("GET", f"/zzd/v1/cases?{query}", token)


def test_an_anonymous_complaint_goes_down_the_chain_and_back_while_its_complainants_follow_it(client, district):
    ids, tokens, pid = district["ids"], district["tokens"], district["project"]
    intake = tokens["intake"]

    # The public: an anonymous complaint through the window, a named one through Open311.
    refused = client.refused("POST", "/public/v1/complaints", None, 422,
                             json={"project_id": pid, "category": "quality", "text": ANONYMOUS_TEXT})
    assert refused["details"][0]["field"] == "contact"
    photo_id = client.ok("POST", "/public/v1/complaint-photos", {}, 201,
                         files={"file": ("crack.jpg", PHOTO, "image/jpeg")})["photo_id"]
    receipt = file_complaint(client, {"project_id": pid, "category": "quality", "text": ANONYMOUS_TEXT,
                                      "anonymous": True, "photo_file_ids": [photo_id]})
    assert receipt["status"] == "received"
    code = receipt["tracking_code"]
    services = {s["service_code"] for s in client.ok("GET", "/public/v1/open311/v2/services.json", {})}
    assert services == {"quality", "safety", "attendance", "wages", "environment", "contract", "discipline", "other"}
    (named,) = client.ok("POST", "/public/v1/open311/v2/requests.json", {}, 201, data={
        "service_code": "quality", "lat": "30.0301", "long": "120.8702", "description": "同一工地墙体裂缝，请尽快处理",
        "first_name": "投诉", "last_name": "李", "phone": PHONE})
    named_code = named["service_request_id"]
    secrets = SECRETS

    assert followed(client, code)["status"] == "received"
    assert open311(client, named_code)["status"] == "open"

    # The back office's intake finds one case for both (same project and category), and triages it.
    found = eventually(lambda: cases_of(client, intake, kind="complaint", project_id=pid))
    assert len(found) == 1, (found, cases_of(client, tokens["back_office"]), cases_of(client, intake))
    (case,) = found
    assert case["complaint_count"] == 2
    case_id = case["id"]
    people = client.ok("GET", f"/zzd/v1/cases/{case_id}/complainants", intake)
    assert sorted((p["anonymous"], p["channel"], p["phone"]) for p in people["complainants"]) == [
        (False, "open311", PHONE), (True, "window", None)]
    step(client, intake, case_id, "triage", category="quality", discipline=False, project_id=pid,
         public_reply="已受理，转相关单位核查")
    assert followed(client, code)["status"] == "in_progress"

    # Down the chain: the leading group to the line, the line to the owner.
    step(client, intake, case_id, "dispatch", unit_id=ids["line"], text="请条线核查")
    early = client.http.post(f"/zzd/v1/cases/{case_id}/accept", headers=tokens["owner_chief"], json={})
    assert early.status_code in (403, 404), early.text  # not the owner's yet
    step(client, tokens["line_head"], case_id, "dispatch", unit_id=ids["owner"], text="请建设单位处理")
    step(client, tokens["owner_chief"], case_id, "accept", text="已接收")
    # The owner handling the case sees the complainant's photo; an owner off the case does not.
    (photo,) = client.ok("GET", f"/zzd/v1/cases/{case_id}/photos", tokens["owner_chief"])
    assert (photo["id"], photo["content_type"], photo["size"]) == (photo_id, "image/jpeg", len(PHOTO))
    seen = client.http.get(f"/zzd/v1/cases/{case_id}/photos/{photo_id}", headers=tokens["owner_chief"])
    assert (seen.status_code, seen.content, seen.headers["content-type"]) == (200, PHOTO, "image/jpeg")
    client.refused("GET", f"/zzd/v1/cases/{case_id}/photos/{photo_id}", tokens["other_owner_chief"], 404)
    evidence = client.ok("POST", "/zzd/v1/files", tokens["owner_chief"], 201,
                         files={"file": ("repair.pdf", b"%PDF-1.4 repair", "application/pdf")})["id"]
    step(client, tokens["owner_chief"], case_id, "handle", text="责令施工单位返工", file_ids=[evidence],
         public_reply="已责令施工单位对裂缝返工处理")
    step(client, tokens["owner_chief"], case_id, "report", text="返工完成", file_ids=[evidence],
         finding="substantiated", responsible_unit_id=ids["contractor"])
    client.refused("POST", f"/zzd/v1/cases/{case_id}/verify", tokens["owner_chief"], 403, json={})
    assert followed(client, code)["status"] == "in_progress"

    # The level above (the line, which sent it) verifies: the case is closed.
    closed = step(client, tokens["line_head"], case_id, "verify", text="现场核实已整改",
                  public_reply="经核实已整改完毕，投诉属实")
    assert closed["status"] == "closed"
    assert closed["finding"] == "substantiated"
    client.refused("POST", f"/zzd/v1/cases/{case_id}/accept", tokens["owner_chief"], 409, json={})

    # The complainants follow it to its close, with the public replies; nothing about people.
    public = followed(client, code)
    assert public["status"] == "closed"
    assert "经核实已整改完毕，投诉属实" in [reply["text"] for reply in public["replies"]]
    assert "已责令施工单位对裂缝返工处理" in [reply["text"] for reply in public["replies"]]
    geo = open311(client, named_code)
    assert geo["status"] == "closed" and geo["status_notes"] == "经核实已整改完毕，投诉属实"
    assert "agency_responsible" not in geo
    both = client.ok("GET", f"/public/v1/open311/v2/requests.json?service_request_id={code},{named_code}", {})
    assert {r["service_request_id"] for r in both} == {code, named_code}
    client.refused("GET", "/public/v1/open311/v2/requests.json", None, 422)
    for answer in (public, geo, both):
        text = json.dumps(answer, ensure_ascii=False)
        assert not any(secret in text for secret in secrets)
        assert ids["owner"] not in text and ids["line"] not in text

    # The whole history for whoever may see the case.
    history = client.ok("GET", f"/zzd/v1/cases/{case_id}", tokens["line_head"])["history"]
    assert [item["step"] for item in history][-7:] == ["triaged", "dispatched", "dispatched", "accepted", "handled",
                                                       "reported", "verified"]
    assert [item["to_unit_id"] for item in history if item["step"] == "dispatched"] == [ids["line"], ids["owner"]]

    # No role down the chain, nor the firm, reads who complained, in any answer.
    for role in ("line_head", "owner_chief", "lead", "supervising_chief"):
        error = client.http.get(f"/zzd/v1/cases/{case_id}/complainants", headers=tokens[role])
        assert error.status_code in (403, 404), (role, error.text)
        for path in (f"/zzd/v1/cases/{case_id}", f"/zzd/v1/cases?project_id={pid}"):
            answer = client.http.get(path, headers=tokens[role])
            assert not any(secret in answer.text for secret in secrets), (role, path)
    client.refused("GET", f"/zzd/v1/cases/{case_id}/complainants", tokens["manager"], 403)
    firm = client.http.get("/zlb/v1/me/cases", headers=tokens["manager"])
    assert firm.status_code == 200, firm.text
    assert not any(secret in firm.text for secret in secrets)

    # The back office's statistics count it.
    by_status = client.ok("GET", "/zzd/v1/stats/cases?by=kind", tokens["back_office"])
    assert {row["key"]: row["count"] for row in by_status["rows"]}.get("complaint", 0) >= 1
    client.ok("GET", "/zzd/v1/stats/step-times", tokens["back_office"])
    client.ok("GET", "/zzd/v1/stats/on-time", tokens["back_office"])


def test_a_discipline_complaint_reaches_discipline_inspection_only(client, district):
    ids, tokens, pid = district["ids"], district["tokens"], district["project"]
    intake = tokens["intake"]
    code = file_complaint(client, {"project_id": pid, "category": "discipline", "anonymous": True,
                                   "text": "街道干部在工程验收中收受施工单位礼金"})["tracking_code"]
    (case,) = eventually(lambda: cases_of(client, intake, kind="complaint", project_id=pid, status="received"))
    assert case["discipline"] is True
    case_id = case["id"]
    step(client, intake, case_id, "triage", category="discipline", discipline=True)
    client.refused("POST", f"/zzd/v1/cases/{case_id}/dispatch", intake, 409, json={"unit_id": ids["owner"]})
    step(client, intake, case_id, "dispatch", unit_id=ids["discipline"])

    # Discipline inspection sees it, and who complained; no level of the chain does.
    assert client.ok("GET", f"/zzd/v1/cases/{case_id}", tokens["discipline"])["holder_unit_id"] == ids["discipline"]
    assert case_id in {c["id"] for c in cases_of(client, tokens["discipline"])}
    client.ok("GET", f"/zzd/v1/cases/{case_id}/complainants", tokens["discipline"])
    for role in ("authority_chief", "supervising_chief", "line_head", "owner_chief", "lead"):
        client.refused("GET", f"/zzd/v1/cases/{case_id}", tokens[role], 404)
        assert case_id not in {c["id"] for c in cases_of(client, tokens[role])}
    assert case_id not in {c["id"] for c in client.ok("GET", "/zlb/v1/me/cases", tokens["manager"])}

    step(client, tokens["discipline"], case_id, "accept")
    closed = step(client, tokens["discipline"], case_id, "close", finding="unsubstantiated", text="经查不属实",
                  public_reply="经核查，反映问题不属实")
    assert closed["status"] == "closed"
    assert followed(client, code)["status"] == "closed"


def test_a_deadline_warning_opens_a_case_at_the_owner_which_escalates_when_left(client, district):
    ids, tokens, pid = district["ids"], district["tokens"], district["project"]
    clock = client.clock(tokens["back_office"], START)
    acceptance = client.ok("POST", "/zlb/v1/acceptances", tokens["manager"], 201,
                           json={"project_id": pid, "variant": "government"})
    checked_at = START + timedelta(hours=2)
    clock.set(checked_at)
    client.ok("POST", f"/zlb/v1/acceptances/{acceptance['id']}/check", tokens["chief_engineer"],
              json={"passed": True, "opinion": "具备验收条件"})

    # The owner lets the 20 days of Art. 31 pass: the warning opens a case the owner holds.
    raised_at = checked_at + timedelta(days=20)
    clock.set(raised_at)
    rule = "art31.acceptance.government-small"
    (case,) = eventually(lambda: cases_of(client, tokens["owner_chief"], kind="warning", project_id=pid,
                                          rule_id=rule))
    assert case["rule_id"] == rule
    assert case["article"] == "Art. 31"
    assert case["holder_unit_id"] == ids["owner"]
    assert case["status"] != "escalated"
    warnings = client.ok("GET", "/zzd/v1/stats/warnings?by=rule", tokens["back_office"])
    assert rule in {row["key"] for row in warnings["rows"]}

    # Left past the accept limit (2 days by default): one level up, the line; counted late.
    settings = client.ok("GET", "/admin/v1/settings/complaints", tokens["back_office"])
    limit = settings["accept_days"]["value"]
    clock.set(raised_at + timedelta(days=limit, hours=1))
    escalated = eventually(lambda: (lambda c: c if c["status"] == "escalated" else None)(
        client.ok("GET", f"/zzd/v1/cases/{case['id']}", tokens["line_head"])))
    assert escalated, client.ok("GET", f"/zzd/v1/cases/{case['id']}", tokens["back_office"])
    assert escalated["holder_unit_id"] == ids["line"]
    assert escalated["history"][-1]["step"] == "escalated"
    overdue = client.ok("GET", "/zzd/v1/stats/overdue", tokens["back_office"])
    assert all(item["overdue"] for item in overdue)


def test_a_flood_from_one_client_is_throttled(client, district):
    # The clock stands hours past every earlier complaint: the hour's allowance is whole again.
    limit = client.ok("GET", "/admin/v1/settings/complaints",
                      district["tokens"]["back_office"])["complaints_per_client_per_hour"]["value"]
    body = {"address": "百官街道江扬路", "category": "environment", "text": "夜间施工噪音扰民", "anonymous": True}
    for _ in range(limit):
        client.ok("POST", "/public/v1/complaints", {}, 201, json=body)
    error = client.refused("POST", "/public/v1/complaints", None, 429, json=body)
    assert error["code"] == "rate_limited"
    client.refused("POST", "/public/v1/open311/v2/requests.json", None, 429,
                   data={"service_code": "environment", "address_string": "江扬路", "description": "夜间施工噪音扰民"})
