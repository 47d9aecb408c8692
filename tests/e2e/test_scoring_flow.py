"""End to end: scoring through HTTP with the manual clock — the attendance and workflow warnings of a
project nobody attends deduct from the firms (Art. 42, 46), the contractor contests its deduction and
the industry authority upholds the objection, which restores the points with a new entry (Art. 37);
an outside system with its key catches up over /partner/v1/score-changes and, with its own durable
queue (scripts/score_subscriber.py), receives the same changes from the exchange, each once and in
order (Art. 37(3)); a revoked key is refused."""

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SITE = (30.0412, 120.8703)
SETUP, STARTED, LATER = "2027-03-01T09:00:00+08:00", "2027-03-02T07:30:00+08:00", "2027-03-05T08:00:00+08:00"


def subscriber(platform, queue: str, idle: float) -> subprocess.Popen:
    amqp = platform["amqp_uri"].replace("pyamqp://", "amqp://")
    return subprocess.Popen([sys.executable, str(ROOT / "scripts" / "score_subscriber.py"), "--amqp", amqp,
                             "--queue", queue, "--idle-seconds", str(idle)], stdout=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def feed_queue(platform):
    """The tender system's own durable queue, bound before anything is scored."""
    queue = f"tender-{uuid.uuid4().hex[:8]}"
    assert subscriber(platform, queue, 0.5).wait(timeout=30) == 0
    return queue


@pytest.fixture(scope="module")
def district(client, feed_queue):
    back_office = client.zzd_login("10001")
    client.set_clock(back_office, SETUP)
    people = [("authority_chief", "zzd", "61001", "authority", "chief"),
              ("supervising_chief", "zzd", "61002", "supervising", "chief"),
              ("line_head", "zzd", "61003", "line", "line_head"),
              ("owner_chief", "zzd", "61004", "owner", "chief"),
              ("lead", "zzd", "61005", "owner", "owner_project_lead"),
              ("manager", "zlb", "zlb-71001", "contractor", "project_manager"),
              ("engineer", "zlb", "zlb-71002", "supervisor", "chief_engineer")]
    names = {"authority": "区住建局", "supervising": "区建管中心", "line": "房建条线", "owner": "城投公司",
             "contractor": "上虞建工", "supervisor": "上虞监理"}
    made = client.register_district(back_office, industry="housing", names=names,
                                    credit_codes=("913306049000000009", "913306040000000010"), people=people)
    ids, tokens = made["ids"], made["tokens"]
    project = client.ok("POST", "/zzd/v1/projects", back_office, 201, json={
        "name": "城东安置房", "industry": "housing", "kind": "village", "contract_amount": "800000",
        "below_threshold": True, "geofence": {"center": list(SITE), "radius_m": 150},
        "planned_start": "2027-03-02", "planned_end": "2027-12-31"})
    pid = project["id"]
    chain = f"/zzd/v1/projects/{pid}/assignments"
    client.ok("POST", chain, back_office, json={"level": "supervising_unit", "target_id": ids["supervising"]})
    client.ok("POST", chain, tokens["supervising_chief"], json={"level": "line", "target_id": ids["line"]})
    client.ok("POST", chain, tokens["line_head"], json={"level": "owner", "target_id": ids["owner"]})
    client.ok("POST", chain, tokens["owner_chief"], json={"level": "owner_project_lead", "target_id": ids["lead"]})
    contract = client.ok("POST", "/zzd/v1/files", tokens["lead"], 201,
                         files={"file": ("contract.pdf", b"%PDF-1.4 contract", "application/pdf")})
    for firm in ("contractor", "supervisor"):
        client.ok("POST", f"/zzd/v1/projects/{pid}/participants", tokens["lead"], 201,
                  json={"unit_id": ids[firm], "role": firm, "contract_file_id": contract["id"]})
    for person, post in (("manager", "project_manager"), ("engineer", "chief_engineer")):
        client.ok("POST", f"/zzd/v1/projects/{pid}/personnel", tokens["lead"], 201,
                  json={"user_id": ids[person], "post": post})
    client.set_clock(back_office, STARTED)
    assert client.ok("POST", f"/zzd/v1/projects/{pid}/construction-start", tokens["lead"])["status"] == \
        "in_construction"
    return {"ids": ids, "tokens": tokens, "project_id": pid}


def until(check, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.3)


def partner_feed(client, key: str) -> list[dict]:
    """The whole feed, page by page (two a page), following ``next_cursor``."""
    changes, after = [], 0
    while True:
        page = client.ok("GET", "/partner/v1/score-changes", {"X-API-Key": key}, params={"after": after, "limit": 2})
        changes += page["changes"]
        if not page["changes"]:
            return changes
        assert page["next_cursor"] == page["changes"][-1]["sequence"]
        after = page["next_cursor"]


def test_warnings_deduct_an_objection_restores_and_outside_systems_see_each_change_once_in_order(
        client, platform, district, feed_queue):
    ids, tokens = district["ids"], district["tokens"]
    authority = tokens["authority_chief"]
    # Three construction days pass without a check-in or a supervision log (Art. 42, 46).
    client.set_clock(tokens["back_office"], LATER)

    def ledger(subject):
        answer = client.http.get(f"/zzd/v1/scores/{subject}/ledger", headers=authority)
        return answer.json() if answer.status_code == 200 else []

    contractor = until(lambda: [e for e in ledger(ids["contractor"]) if e["rule_id"] == "art42.consecutive-absence"])
    assert contractor, ledger(ids["contractor"])
    supervisor = until(lambda: {e["rule_id"] for e in ledger(ids["supervisor"])}
                       >= {"art42.consecutive-absence", "art46.supervision-log"} and ledger(ids["supervisor"]))
    assert supervisor, [(e["rule_id"], e["points"]) for e in ledger(ids["supervisor"])]
    absence = contractor[0]
    assert (absence["points"], absence["conduct"], absence["article"], absence["source_type"],
            absence["project_id"], absence["evidence"]["rule_id"]) == (
        "-1.00", "missed_attendance", "Art. 42", "warning", district["project_id"], "art42.consecutive-absence")
    log_entry = next(e for e in supervisor if e["rule_id"] == "art46.supervision-log")
    assert (log_entry["points"], log_entry["conduct"], log_entry["source_type"]) == (
        "-1.00", "missing_records", "warning")
    # The firm reads its own scores and ledger on the enterprise face; another face's ledger is not its own.
    mine = client.ok("GET", "/zlb/v1/me/scores", tokens["manager"])
    assert {s["subject_id"] for s in mine["scores"]} == {ids["contractor"], ids["manager"]}
    assert absence["id"] in {e["id"] for e in mine["ledger"]}
    firm_score = next(s for s in mine["scores"] if s["subject_id"] == ids["contractor"])
    assert (firm_score["composite"], firm_score["colour"]) == ("99.00", "green")
    refused = client.refused("POST", f"/zlb/v1/score-entries/{log_entry['id']}/objections", tokens["manager"], 404,
                             json={"reasons": "not ours to contest"})
    assert refused["code"] == "not_found"

    # The contractor contests; the housing authority upholds; a new entry gives the point back.
    objection = client.ok("POST", f"/zlb/v1/score-entries/{absence['id']}/objections", tokens["manager"], 201,
                          json={"reasons": "项目经理当日在监理例会，有签到表", "file_ids": []})
    assert objection["status"] == "pending"
    assert objection["id"] in {o["id"] for o in client.ok("GET", "/zzd/v1/objections?status=pending", authority)}
    decided = client.ok("POST", f"/zzd/v1/objections/{objection['id']}/decision", authority,
                        json={"upheld": True, "note": "签到表属实，恢复扣分"})
    assert decided["status"] == "upheld" and decided["restoration_entry_id"]
    entries = {e["id"]: e for e in ledger(ids["contractor"])}
    restoration = entries[decided["restoration_entry_id"]]
    assert (restoration["points"], restoration["restores_entry_id"], restoration["source_type"]) == (
        "1.00", absence["id"], "objection")
    assert entries[absence["id"]]["objection"]["status"] == "upheld"  # the entry stays, with its objection
    mine = client.ok("GET", "/zlb/v1/me/scores", tokens["manager"])
    assert next(s for s in mine["scores"] if s["subject_id"] == ids["contractor"])["composite"] == "100.00"

    # The tender system's key: the feed from the beginning, gap-free, each change once.
    created = client.ok("POST", "/admin/v1/partners", tokens["back_office"], 201,
                        json={"name": "招投标系统", "system": "tender"})
    key = created["key"]

    def settled():
        first = partner_feed(client, key)
        time.sleep(1)
        return first if first and first == partner_feed(client, key) else None

    feed = until(settled)
    assert [c["sequence"] for c in feed] == list(range(1, len(feed) + 1))
    assert len({c["payload"]["event_id"] for c in feed}) == len(feed)
    firm_changes = [(c["payload"]["composite"], c["payload"]["cause"], c["payload"]["entry_id"]) for c in feed
                    if c["payload"]["subject_id"] == ids["contractor"] and c["payload"]["cause"] == "ledger_entry"]
    assert firm_changes[-2:] == [("99.00", "ledger_entry", absence["id"]),
                                 ("100.00", "ledger_entry", restoration["id"])]
    assert {c["routing_key"] for c in feed} >= {"score.changed.firm", "score.changed.person"}

    # The same changes reached the system's own queue, once each and in order.
    lines = [json.loads(line) for line in subscriber(platform, feed_queue, 3).communicate(timeout=60)[0].splitlines()]
    assert [(line["sequence"], line["routing_key"], line["event_id"]) for line in lines] == [
        (c["sequence"], c["routing_key"], c["payload"]["event_id"]) for c in feed]

    # Revoked, the key is refused; so is a wrong one, and none at all.
    client.ok("POST", f"/admin/v1/partners/{created['id']}/revocation", tokens["back_office"])
    for headers in ({"X-API-Key": key}, {"X-API-Key": key + "x"}, {}):
        assert client.http.get("/partner/v1/score-changes", headers=headers).status_code == 401
