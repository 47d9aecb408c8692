"""The scene of the browser tests, set through the gateway as the demo users would: two projects of
the demo district, one down the municipal line and built (firms, key people, construction start,
check-ins, two days of absences that raise warnings), one at the parks line; and a clue triaged
and sent to the municipal line, for the case desk."""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta

# A Monday: the week of the home page's warnings begins on it.
START = datetime.fromisoformat("2027-03-01T08:00:00+08:00")
SITE = (30.0301, 120.8702)
BACK_OFFICE = "demo-leading-group-chief"
LEAD = "demo-owner-lead"
KEY_PEOPLE = [("demo-project-manager", "project_manager"), ("demo-safety-officer", "safety_officer"),
              ("demo-chief-engineer", "chief_engineer"), ("demo-inspector", "inspector")]


def eventually(probe, seconds: float = 60, every: float = 0.3):
    """The first true answer of ``probe()`` within ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        answer = probe()
        if answer or time.monotonic() > deadline:
            return answer
        time.sleep(every)


def set_clock(api, when: datetime) -> None:
    view = api.call(BACK_OFFICE, "PUT", "/admin/v1/clock", expected=(200, 202), json={"now": when.isoformat()})
    assert eventually(lambda: api.call(BACK_OFFICE, "GET", "/admin/v1/clock")["caught_up"], 120), view


def register(api, name: str, line: str, *, center: tuple[float, float]) -> str:
    project = api.call(BACK_OFFICE, "POST", "/zzd/v1/projects", 201, json={
        "name": name, "industry": "housing", "kind": "government", "contract_amount": "12500000.00",
        "below_threshold": False, "geofence": {"center": list(center), "radius_m": 300},
        "planned_start": "2027-03-01", "planned_end": "2027-12-31"})
    pid = project["id"]
    api.call(BACK_OFFICE, "POST", f"/zzd/v1/projects/{pid}/assignments",
             json={"level": "supervising_unit", "target_id": "demo-supervising"})
    api.call("demo-supervising-chief", "POST", f"/zzd/v1/projects/{pid}/assignments",
             json={"level": "line", "target_id": line})
    return pid


def check_in(api, person: str, pid: str, at: datetime) -> dict:
    """A check-in inside the fence; the intake may answer 200 (decided) or 202 (queued)."""
    answer = api.http.post("/zlb/v1/checkins", headers=api.login(person), params={"wait_ms": 1000}, json={
        "project_id": pid, "lat": SITE[0], "lng": SITE[1], "accuracy_m": 8, "client_time": at.isoformat(),
        "client_request_id": uuid.uuid4().hex, "device": {"id": f"phone-{person}", "platform": "android",
                                                            "mock_location": False}})
    assert answer.status_code in (200, 202), answer.text
    return answer.json()


def seed_scene(api) -> dict:
    set_clock(api, START)
    built = register(api, "曹娥江堤防加固工程", "demo-line-municipal", center=SITE)
    parks = register(api, "百官街道口袋公园", "demo-line-parks", center=(30.0420, 120.8830))
    api.call("demo-line-head", "POST", f"/zzd/v1/projects/{built}/assignments",
             json={"level": "owner", "target_id": "demo-owner"})
    api.call("demo-owner-chief", "POST", f"/zzd/v1/projects/{built}/assignments",
             json={"level": "owner_project_lead", "target_id": LEAD})
    contract = api.call(LEAD, "POST", "/zzd/v1/files", 201,
                        files={"file": ("contract.pdf", b"%PDF-1.4 contract", "application/pdf")})["id"]
    for firm in ("contractor", "supervisor"):
        api.call(LEAD, "POST", f"/zzd/v1/projects/{built}/participants", 201,
                 json={"unit_id": f"demo-{firm}", "role": firm, "contract_file_id": contract})
    for person, post in KEY_PEOPLE:
        api.call(LEAD, "POST", f"/zzd/v1/projects/{built}/personnel", 201, json={"user_id": person, "post": post})
    api.call(LEAD, "POST", f"/zzd/v1/projects/{built}/construction-start")
    # The attendance service learns of the start from the workflow's events.
    assert eventually(lambda: api.call(BACK_OFFICE, "GET", "/zzd/v1/stats/attendance-today")["projects"])
    # The first day, the project manager and the chief engineer check in twice, five hours apart:
    # a valid day (Art. 26); the others never do.
    present = ("demo-project-manager", "demo-chief-engineer")
    for when in (START, START + timedelta(hours=5)):
        if when != START:
            set_clock(api, when)
        for person in present:
            check_in(api, person, built, when)
    # Two days on, the days before are evaluated: who missed both is warned (Art. 42).
    now = START + timedelta(days=2, hours=2)
    set_clock(api, now)
    for person in present:
        check_in(api, person, built, now)
    assert eventually(lambda: api.call(BACK_OFFICE, "GET", "/zzd/v1/stats/attendance-today")["on_site"] == 2)
    clue = api.call("demo-supervising-chief", "POST", "/zzd/v1/clues", 201, json={
        "project_id": built, "category": "quality", "text": "堤防迎水坡混凝土浇筑后出现裂缝", "file_ids": []})
    api.call(BACK_OFFICE, "POST", f"/zzd/v1/cases/{clue['id']}/triage",
             json={"category": "quality", "discipline": False, "project_id": built})
    api.call(BACK_OFFICE, "POST", f"/zzd/v1/cases/{clue['id']}/dispatch",
             json={"unit_id": "demo-line-municipal", "text": "请条线核查"})
    return {"built": built, "parks": parks, "clue": clue["id"], "now": now}
