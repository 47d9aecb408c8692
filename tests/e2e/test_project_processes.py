"""End to end: a project of each kind — government under and over 20 million yuan, and a
village project — from award to settlement audit through HTTP with the manual clock, with the
warnings of Art. 31 and 32 published exactly when due."""

import time
from datetime import datetime, timedelta

import pytest

pytestmark = pytest.mark.e2e

START = datetime.fromisoformat("2027-03-01T09:00:00+08:00")


@pytest.fixture(scope="module")
def district(client):
    """The tree of one district with its people, made through HTTP once for the module."""
    back_office = client.zzd_login("10001")
    client.set_clock(back_office, START.isoformat())
    people = [("authority_chief", "zzd", "60001", "authority", "chief"),
              ("supervising_chief", "zzd", "60002", "supervising", "chief"),
              ("line_head", "zzd", "60003", "line", "line_head"),
              ("owner_chief", "zzd", "60004", "owner", "chief"),
              ("lead", "zzd", "60005", "owner", "owner_project_lead"),
              ("manager", "zlb", "zlb-70001", "contractor", "project_manager"),
              ("safety", "zlb", "zlb-70002", "contractor", "safety_officer"),
              ("chief_engineer", "zlb", "zlb-70003", "supervisor", "chief_engineer"),
              ("inspector", "zlb", "zlb-70004", "supervisor", "inspector")]
    names = {
        "authority": "区交通局",
        "supervising": "区公路中心",
        "line": "公路条线",
        "owner": "交投集团",
        "contractor": "路桥公司",
        "supervisor": "路桥监理",
    }
    return client.register_district(back_office, industry="transport", names=names,
                                    credit_codes=("913306047000000007", "913306048000000008"), people=people)


def build_project(client, district, amount: str, kind: str) -> str:
    ids, tokens = district["ids"], district["tokens"]
    project = client.ok("POST", "/zzd/v1/projects", tokens["back_office"], 201, json={
        "name": f"{kind}-{amount}", "industry": "transport", "kind": kind, "contract_amount": amount,
        "below_threshold": False, "geofence": {"center": [30.0, 120.9], "radius_m": 400},
        "planned_start": "2027-03-15", "planned_end": "2027-12-31"})
    pid = project["id"]
    chain = f"/zzd/v1/projects/{pid}/assignments"
    client.ok("POST", chain, tokens["back_office"], json={"level": "supervising_unit", "target_id": ids["supervising"]})
    client.ok("POST", chain, tokens["supervising_chief"], json={"level": "line", "target_id": ids["line"]})
    client.ok("POST", chain, tokens["line_head"], json={"level": "owner", "target_id": ids["owner"]})
    client.ok("POST", chain, tokens["owner_chief"], json={"level": "owner_project_lead", "target_id": ids["lead"]})
    contract = client.ok("POST", "/zzd/v1/files", tokens["lead"], 201,
                         files={"file": ("contract.pdf", f"%PDF-1.4 {pid}".encode(), "application/pdf")})
    for firm in ("contractor", "supervisor"):
        client.ok("POST", f"/zzd/v1/projects/{pid}/participants", tokens["lead"], 201,
                  json={"unit_id": ids[firm], "role": firm, "contract_file_id": contract["id"]})
    refused = client.refused("POST", f"/zzd/v1/projects/{pid}/construction-start", tokens["lead"], 409)
    assert {d["field"] for d in refused["details"]} == {
        "personnel:project_manager", "personnel:safety_officer", "personnel:chief_engineer", "personnel:inspector"}
    for person, post in (("manager", "project_manager"), ("safety", "safety_officer"),
                         ("chief_engineer", "chief_engineer"), ("inspector", "inspector")):
        client.ok("POST", f"/zzd/v1/projects/{pid}/personnel", tokens["lead"], 201,
                  json={"user_id": ids[person], "post": post})
    client.ok("POST", f"/zzd/v1/projects/{pid}/construction-start", tokens["lead"])
    return pid


def published_for(published, pid: str, event_type: str, expected: int, seconds: float = 15) -> list[dict]:
    """The project's events of a type, waiting for as many as expected: the relay publishes a
    moment after the commit."""
    deadline = time.monotonic() + seconds
    while True:
        found = [body for kind, body in published([event_type], seconds=1)
                 if kind == event_type and body["project_id"] == pid]
        if len(found) >= expected or time.monotonic() > deadline:
            return found


def warnings_of(client, token, pid):
    deadlines = client.ok("GET", f"/zzd/v1/projects/{pid}/deadlines", token)
    return [(d["rule_id"], sorted(d["fired"])) for d in deadlines if d["fired"]]


def records(client, token):
    return client.ok("POST", "/zzd/v1/files", token, 201,
                     files={"file": ("records.pdf", b"%PDF-1.4 records", "application/pdf")})["id"]


@pytest.mark.parametrize("amount, window, audit_window, rule", [
    ("12500000", 20, 60, "small"),
    ("26000000", 60, 180, "large"),
])
def test_a_government_project_from_award_to_settlement_audit(client, district, published, amount, window,
                                                             audit_window, rule):
    tokens = district["tokens"]
    clock = client.clock(tokens["back_office"], START)
    clock.set(START)
    pid = build_project(client, district, amount, "government")
    acceptance = client.ok("POST", "/zlb/v1/acceptances", tokens["manager"], 201,
                           json={"project_id": pid, "variant": "government"})
    client.refused("POST", f"/zzd/v1/acceptances/{acceptance['id']}/accept", tokens["owner_chief"], 409,
                   json={"conclusion": "合格", "record_file_ids": [records(client, tokens["owner_chief"])]})
    checked_at = START + timedelta(hours=2)
    clock.set(checked_at)
    client.ok("POST", f"/zlb/v1/acceptances/{acceptance['id']}/check", tokens["chief_engineer"],
              json={"passed": True, "opinion": "具备验收条件"})
    clock.days_later(window - 0.01, checked_at)
    assert warnings_of(client, tokens["owner_chief"], pid) == []
    clock.days_later(window, checked_at)
    assert warnings_of(client, tokens["owner_chief"], pid) == [(f"art31.acceptance.government-{rule}", ["warning"])]
    accepted_at = checked_at + timedelta(days=window + 1)
    clock.set(accepted_at)
    client.ok("POST", f"/zzd/v1/acceptances/{acceptance['id']}/accept", tokens["owner_chief"],
              json={"conclusion": "验收合格", "record_file_ids": [records(client, tokens["owner_chief"])]})
    assert client.ok("GET", f"/zzd/v1/projects/{pid}", tokens["lead"])["status"] == "final_acceptance"
    clock.days_later(audit_window - 0.01, accepted_at)
    assert len(warnings_of(client, tokens["owner_chief"], pid)) == 1
    clock.days_later(audit_window, accepted_at)
    assert warnings_of(client, tokens["owner_chief"], pid)[-1] == (f"art32.settlement-audit.{rule}", ["warning"])
    audited = client.ok("POST", f"/zzd/v1/projects/{pid}/settlement-audit", tokens["lead"],
                        json={"record_file_ids": [records(client, tokens["lead"])]})
    assert audited["status"] == "settlement_audit"
    raised = published_for(published, pid, "warning.raised", 2)
    assert [(w["rule_id"], w["article"], w["must_act"]) for w in raised] == [
        (f"art31.acceptance.government-{rule}", "Art. 31", district["ids"]["owner"]),
        (f"art32.settlement-audit.{rule}", "Art. 32", district["ids"]["owner"])]


def test_a_village_project_with_the_township_reminder_at_7_days(client, district, published):
    tokens, ids = district["tokens"], district["ids"]
    clock = client.clock(tokens["back_office"], START)
    clock.set(START)
    pid = build_project(client, district, "900000", "village")
    own = client.ok("POST", "/zlb/v1/acceptances", tokens["manager"], 201,
                    json={"project_id": pid, "variant": "village_self"})
    clock.days_later(14, START)
    client.ok("POST", f"/zzd/v1/acceptances/{own['id']}/accept", tokens["owner_chief"],
              json={"conclusion": "自验合格", "record_file_ids": [records(client, tokens["owner_chief"])]})
    asked = START + timedelta(days=14, hours=1)
    clock.set(asked)
    township = client.ok("POST", "/zzd/v1/acceptances", tokens["owner_chief"], 201,
                         json={"project_id": pid, "variant": "village_township"})
    clock.days_later(6.9, asked)
    assert warnings_of(client, tokens["owner_chief"], pid) == []
    clock.days_later(7, asked)
    assert warnings_of(client, tokens["owner_chief"], pid) == [("art31.acceptance.village-township", ["reminder"])]
    clock.days_later(15, asked)
    assert warnings_of(client, tokens["owner_chief"], pid) == [
        ("art31.acceptance.village-township", ["reminder", "warning"])]
    client.ok("POST", f"/zzd/v1/acceptances/{township['id']}/accept", tokens["supervising_chief"],
              json={"conclusion": "复验合格", "record_file_ids": [records(client, tokens["supervising_chief"])]})
    client.ok("POST", f"/zzd/v1/projects/{pid}/settlement-audit", tokens["lead"],
              json={"record_file_ids": [records(client, tokens["lead"])]})
    reminders = published_for(published, pid, "deadline.reminder_reached", 1)
    assert [(r["rule_id"], r["must_act"]) for r in reminders] == [
        ("art31.acceptance.village-township", ids["supervising"])]
    assert client.ok("GET", f"/zzd/v1/projects/{pid}", tokens["lead"])["status"] == "settlement_audit"
