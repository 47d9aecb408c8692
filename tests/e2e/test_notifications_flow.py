"""End to end: a workflow warning tells the people who must act through the ZZD stand-in. A project
left without its firms at its planned start raises the Art. 24 warning when the back office moves
the manual clock past that day; the owner's chief and the project's owner's project lead each get
exactly one work notice for it — not again when the clock moves on — and the back office sees the
deliveries in its log (/admin/v1/notifications)."""

import json
import time
from datetime import datetime, timedelta

import pytest

pytestmark = pytest.mark.e2e

START = datetime.fromisoformat("2027-03-01T09:00:00+08:00")
PLANNED_START = "2027-03-15"
RULE = "art24.readiness-at-planned-start"
ACCOUNTS = {"owner_chief": "81004", "lead": "81005", "line_head": "81003", "supervising_chief": "81002"}


@pytest.fixture(scope="module")
def district(client):
    back_office = client.zzd_login("10001")
    client.set_clock(back_office, START.isoformat())
    people = [(key, "zzd", account, {"owner_chief": "owner", "lead": "owner", "line_head": "line",
                                     "supervising_chief": "supervising"}[key],
               {"owner_chief": "chief", "lead": "owner_project_lead", "line_head": "line_head",
                "supervising_chief": "chief"}[key]) for key, account in ACCOUNTS.items()]
    names = {"authority": "区住建局", "supervising": "区城市建设管理中心", "line": "市政条线", "owner": "城投集团",
             "contractor": "市政建设公司", "supervisor": "市政监理公司"}
    return client.register_district(back_office, industry="housing", names=names,
                                    credit_codes=("913306047100000007", "913306048100000008"), people=people)


def placed_project(client, district) -> str:
    """A project down the chain to the owner's project lead, with no firm registered."""
    ids, tokens = district["ids"], district["tokens"]
    pid = client.ok("POST", "/zzd/v1/projects", tokens["back_office"], 201, json={
        "name": "百官街道雨污分流工程", "industry": "housing", "kind": "government", "contract_amount": "8600000.00",
        "below_threshold": False, "geofence": {"center": [30.03, 120.87], "radius_m": 300},
        "planned_start": PLANNED_START, "planned_end": "2027-12-31"})["id"]
    chain = f"/zzd/v1/projects/{pid}/assignments"
    client.ok("POST", chain, tokens["back_office"], json={"level": "supervising_unit", "target_id": ids["supervising"]})
    client.ok("POST", chain, tokens["supervising_chief"], json={"level": "line", "target_id": ids["line"]})
    client.ok("POST", chain, tokens["line_head"], json={"level": "owner", "target_id": ids["owner"]})
    client.ok("POST", chain, tokens["owner_chief"], json={"level": "owner_project_lead", "target_id": ids["lead"]})
    return pid


def warning_notices(portals) -> dict[str, list[str]]:
    """The work notices of the Art. 24 warning the stand-in delivered: receiver → their bizMsgIds."""
    app, _ = portals["zzd"]
    found: dict[str, list[str]] = {}
    for biz_msg_id, params in list(app.state.portal.work_notices.items()):
        content = json.loads(params["msg"])["text"]["content"]
        if content.startswith(f"预警 {RULE}"):
            for receiver in params["receiverIds"].split(","):
                found.setdefault(receiver, []).append(biz_msg_id)
    return found


def wait_for_notices(portals, receivers: int, seconds: float = 20) -> dict[str, list[str]]:
    deadline = time.monotonic() + seconds
    while True:
        found = warning_notices(portals)
        if len(found) >= receivers or time.monotonic() > deadline:
            return found
        time.sleep(0.25)


def test_a_warning_reaches_the_owners_chief_and_lead_once_and_the_back_office_sees_it(client, district, portals):
    ids, tokens = district["ids"], district["tokens"]
    pid = placed_project(client, district)
    assert warning_notices(portals) == {}

    client.set_clock(tokens["back_office"], f"{PLANNED_START}T09:00:00+08:00")  # the planned start day began

    deadlines = client.ok("GET", f"/zzd/v1/projects/{pid}/deadlines", tokens["owner_chief"])
    assert [(d["rule_id"], d["fired"]) for d in deadlines if d["fired"]] == [(RULE, ["warning"])]
    notices = wait_for_notices(portals, receivers=2)
    assert sorted(notices) == [ACCOUNTS["owner_chief"], ACCOUNTS["lead"]]
    assert all(len(messages) == 1 for messages in notices.values()), notices

    # The clock moves on and the services work through it again: nobody is told twice.
    client.set_clock(tokens["back_office"], (datetime.fromisoformat(f"{PLANNED_START}T09:00:00+08:00")
                                             + timedelta(hours=1)).isoformat())
    time.sleep(6)  # longer than the notification service's sending timer
    assert warning_notices(portals) == notices

    # The back office's log: one sent work notice per person, under the message id the portal saw.
    for person in ("owner_chief", "lead"):
        log = client.ok("GET", "/admin/v1/notifications", tokens["back_office"],
                        params={"recipient_user_id": ids[person], "status": "sent", "limit": 200})
        warnings = [d for d in log if d["kind"] == "warning" and d["project_id"] == pid]
        assert [(d["channel"], d["address"], d["id"]) for d in warnings] == [
            ("zzd", ACCOUNTS[person], notices[ACCOUNTS[person]][0])]
        detail = client.ok("GET", f"/admin/v1/notifications/{warnings[0]['id']}", tokens["back_office"])
        assert [attempt["outcome"] for attempt in detail["attempt_log"]] == ["sent"]
    client.refused("GET", "/admin/v1/notifications", tokens["owner_chief"], 403)
    client.refused("POST", f"/admin/v1/notifications/{warnings[0]['id']}/resend", tokens["back_office"], 409)
