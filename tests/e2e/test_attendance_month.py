"""End to end: a month of a small project's attendance through HTTP with the manual clock —
check-ins, a suspension, leave, a patrol — and exactly the warnings the regulation names
(Art. 26, 35, 42, 47), published on the bus."""

import time
import uuid
from datetime import date, timedelta

import pytest

pytestmark = pytest.mark.e2e

SITE = (30.0312, 120.8803)


def local(day: date, clock: str) -> str:
    return f"{day.isoformat()}T{clock}:00+08:00"


@pytest.fixture(scope="module")
def small_project(client):
    """A small works project below the tender threshold (Art. 26): the contractor's project
    manager and the supervisor's chief engineer check in; the owner's lead patrols."""
    back_office = client.zzd_login("10001")
    client.set_clock(back_office, local(date(2026, 11, 30), "09:00"))
    group = client.ok("GET", "/zzd/v1/units?kind=leading_group", back_office)[0]["id"]

    def unit(**body):
        return client.ok("POST", "/zzd/v1/units", back_office, 201, json=body)["id"]

    water = unit(kind="industry_authority", name="区水利局", parent_id=group, industry="water")
    supervising = unit(kind="supervising_unit", name="区水利管理中心", parent_id=water)
    line = unit(kind="line", name="农村水利条线", parent_id=supervising)
    owner = unit(kind="owner", name="东关街道")
    contractor = unit(kind="contractor", name="东关水利建设", credit_code="913306045000000005")
    supervisor = unit(kind="supervisor", name="东关监理", credit_code="913306046000000006")

    def person(name, portal, external, unit_id, post):
        identity = {"zzd_account_id": external} if portal == "zzd" else {"zlb_user_id": external}
        user = client.ok("POST", "/zzd/v1/users", back_office, 201, json={"name": name, "portal": portal, **identity})
        client.ok("POST", f"/zzd/v1/users/{user['id']}/posts", back_office, 201,
                  json={"unit_id": unit_id, "post": post})
        return user["id"]

    person("水利主管", "zzd", "40001", supervising, "chief")
    person("水利条线", "zzd", "40002", line, "line_head")
    person("街道总管", "zzd", "40003", owner, "chief")
    lead = person("街道负责人", "zzd", "40004", owner, "owner_project_lead")
    manager = person("施工负责人", "zlb", "zlb-50001", contractor, "project_manager")
    engineer = person("总监", "zlb", "zlb-50002", supervisor, "chief_engineer")
    project = client.ok("POST", "/zzd/v1/projects", back_office, 201, json={
        "name": "东关河道清淤", "industry": "water", "kind": "village", "contract_amount": "800000",
        "below_threshold": True, "geofence": {"center": list(SITE), "radius_m": 150},
        "planned_start": "2026-12-01", "planned_end": "2027-03-31"})
    pid = project["id"]
    chain = f"/zzd/v1/projects/{pid}/assignments"
    client.ok("POST", chain, back_office, json={"level": "supervising_unit", "target_id": supervising})
    client.ok("POST", chain, client.zzd_login("40001"), json={"level": "line", "target_id": line})
    client.ok("POST", chain, client.zzd_login("40002"), json={"level": "owner", "target_id": owner})
    client.ok("POST", chain, client.zzd_login("40003"), json={"level": "owner_project_lead", "target_id": lead})
    owner_lead = client.zzd_login("40004")
    contract = client.ok("POST", "/zzd/v1/files", owner_lead, 201,
                         files={"file": ("contract.pdf", b"%PDF-1.4 small works", "application/pdf")})
    for firm, role in ((contractor, "contractor"), (supervisor, "supervisor")):
        client.ok("POST", f"/zzd/v1/projects/{pid}/participants", owner_lead, 201,
                  json={"unit_id": firm, "role": role, "contract_file_id": contract["id"]})
    client.ok("POST", f"/zzd/v1/projects/{pid}/personnel", owner_lead, 201,
              json={"user_id": manager, "post": "project_manager"})
    client.ok("POST", f"/zzd/v1/projects/{pid}/personnel", owner_lead, 201,
              json={"user_id": engineer, "post": "chief_engineer"})
    client.set_clock(back_office, local(date(2026, 12, 1), "07:30"))
    assert client.ok("POST", f"/zzd/v1/projects/{pid}/construction-start", owner_lead)["status"] == "in_construction"
    # The attendance service learns of the roster and the start from the workflow's events.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        people = client.ok("GET", f"/zzd/v1/projects/{pid}/attendance?month=2026-12", owner_lead)["people"]
        if len(people) == 2:
            break
        time.sleep(0.2)
    assert {p["person_id"] for p in people} == {manager, engineer}
    return {"id": pid, "manager": manager, "engineer": engineer, "lead": lead, "back_office": back_office,
            "owner_lead": owner_lead, "owner_chief": client.zzd_login("40003"),
            "manager_token": client.zlb_login("zlb-50001"), "engineer_token": client.zlb_login("zlb-50002")}


def test_a_month_of_attendance(client, small_project, attendance_events):
    project, back_office = small_project, small_project["back_office"]
    pid = project["id"]
    step = {"n": 0, "now": None}

    def at(day: date, clock: str):
        step["now"] = local(day, clock)
        client.set_clock(back_office, step["now"])

    def check_in(token, expect="accepted"):
        step["n"] += 1
        jitter = step["n"] * 2e-6  # phones never repeat a position to the last decimal
        answer = client.check_in(token, {
            "project_id": pid, "lat": SITE[0] + jitter, "lng": SITE[1] - jitter, "accuracy_m": 12,
            "client_time": step["now"], "client_request_id": uuid.uuid4().hex,
            "device": {"id": f"phone-{token['Authorization'][-12:]}", "platform": "android", "mock_location": False}})
        assert answer["outcome"] == expect, answer
        return answer

    def wait_for_status(status):
        """The attendance service learns of a suspension or resumption from the workflow's events."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            seen = client.ok("GET", f"/zzd/v1/projects/{pid}/attendance?month=2026-12", project["owner_lead"])
            if seen["status"] == status:
                return
            time.sleep(0.1)
        raise AssertionError(f"attendance never saw the project {status}")

    def warnings():
        return client.ok("GET", f"/zzd/v1/projects/{pid}/attendance-warnings", project["owner_lead"])

    def rules_raised():
        return sorted((w["rule_id"], w["person_id"]) for w in warnings())

    suspended = {date(2026, 12, 10), date(2026, 12, 11), date(2026, 12, 12)}
    leave = {date(2026, 12, 21), date(2026, 12, 22)}
    day = date(2026, 12, 1)
    while day <= date(2026, 12, 31):
        at(day, "08:00")
        if day == date(2026, 12, 1):
            # The owner's lead patrols for 15 minutes on the first morning (Art. 26).
            at(day, "08:20")
            patrol = client.ok("POST", "/zzd/v1/patrols", project["owner_lead"], 201, json={
                "project_id": pid, "points": [
                    {"time": local(day, "08:02"), "lat": SITE[0], "lng": SITE[1]},
                    {"time": local(day, "08:10"), "lat": SITE[0] + 0.0003, "lng": SITE[1]},
                    {"time": local(day, "08:17"), "lat": SITE[0], "lng": SITE[1] + 0.0003}]})
            assert patrol["valid"] is True
        if day == date(2026, 12, 8):
            # Seven days since the patrol ended at 08:17 on Dec 1: not yet overdue at 08:00.
            assert ("art26.patrol-overdue", project["lead"]) not in rules_raised()
        if day == date(2026, 12, 10):
            at(day, "09:00")
            client.ok("POST", f"/zzd/v1/projects/{pid}/suspension", project["owner_chief"],
                      json={"since": local(day, "08:45"), "reason": "河道水位上涨，停工"})
            wait_for_status("suspended")
        if day in suspended:
            refused = check_in(project["manager_token"], expect="rejected")
            assert refused["reason"] == "project_suspended"
            day += timedelta(days=1)
            continue
        if day == date(2026, 12, 13):
            client.ok("POST", f"/zzd/v1/projects/{pid}/resumption", project["owner_lead"])
            wait_for_status("in_construction")
        if day == date(2026, 12, 18):
            request = client.ok("POST", "/zlb/v1/leave-requests", project["manager_token"], 201, json={
                "project_id": pid, "start_date": "2026-12-21", "end_date": "2026-12-22", "reason": "家中有事"})
            form = client.ok("POST", "/zzd/v1/files", project["owner_chief"], 201,
                             files={"file": ("approval.pdf", b"%PDF-1.4 approved", "application/pdf")})
            client.ok("POST", f"/zzd/v1/leave-requests/{request['id']}/decision", project["owner_chief"],
                      json={"decision": "approve", "approval_file_ids": [form["id"]]})
        if day not in leave:
            check_in(project["manager_token"])
        if day <= date(2026, 12, 5):
            check_in(project["engineer_token"])
        at(day, "12:30")
        if day not in leave:
            check_in(project["manager_token"])
        if day <= date(2026, 12, 5):
            check_in(project["engineer_token"])
        if day == date(2026, 12, 7):
            # Dec 6 ended without the engineer: one missed day is no warning yet (Art. 42).
            assert not any(rule == "art42.consecutive-absence" for rule, _ in rules_raised())
        day += timedelta(days=1)

    at(date(2027, 1, 1), "08:00")  # December has ended
    raised = rules_raised()
    engineer, manager, lead = project["engineer"], project["manager"], project["lead"]
    # The engineer stopped after Dec 5: one absence warning for the streak, one for the month's rate.
    assert raised.count(("art42.consecutive-absence", engineer)) == 1
    assert raised.count(("art42.monthly-rate", engineer)) == 1
    # The manager checked in every construction day and was on approved leave otherwise.
    assert ("art42.consecutive-absence", manager) not in raised
    assert ("art42.monthly-rate", manager) not in raised
    # The lead patrolled once: overdue from Dec 8, then every further 7 active days.
    assert raised.count(("art26.patrol-overdue", lead)) >= 2
    assert not any(rule == "art47.suspected-spoofing" for rule, _ in raised)
    absence = next(w for w in warnings() if w["rule_id"] == "art42.consecutive-absence")
    assert absence["detail"]["streak_start"] == "2026-12-06"

    month = client.ok("GET", f"/zzd/v1/projects/{pid}/attendance?month=2026-12", project["owner_lead"])
    rows = {row["person_id"]: row for row in month["people"]}
    # 31 days, less Dec 10-12 suspended (Dec 13 resumed at 08:00 local counts as suspended too)
    assert rows[manager]["construction_days"] == 31 - 4 - 2
    assert rows[manager]["rate"] == 1.0, rows[manager]
    assert rows[manager]["leave_days"] == ["2026-12-21", "2026-12-22"]
    assert rows[engineer]["valid_day_count"] == 5
    assert rows[engineer]["rate"] == round(5 / 27, 4) and rows[engineer]["meets_threshold"] is False
    mine = client.ok("GET", "/zlb/v1/me/attendance?month=2026-12", project["manager_token"])
    assert mine[0]["valid_day_count"] == 25

    deadline = time.monotonic() + 20  # the relay publishes a moment after each commit
    while True:
        published = attendance_events(["warning.raised"], seconds=1)
        published_warnings = [body for kind, body in published if kind == "warning.raised"]
        checkins = sum(1 for kind, _ in published if kind == "checkin.recorded")
        if (len(published_warnings) >= len(raised) and checkins >= 26 * 2 + 5 * 2) or time.monotonic() > deadline:
            break
    assert len(published_warnings) == len(raised)
    assert {w["article"] for w in published_warnings} == {"Art. 42", "Art. 26"}
    assert all(w["must_act"] for w in published_warnings)
    # Two check-ins on each of the 26 days outside the suspension and the leave (Dec 13, the day
    # of resumption, is recorded but not counted) and on the engineer's five days.
    assert checkins == 26 * 2 + 5 * 2


def test_refusals_on_the_attendance_routes(client, small_project):
    pid = small_project["id"]
    body = {"project_id": pid, "lat": 95, "lng": SITE[1], "accuracy_m": 5, "client_time": "2027-01-01T08:00:00",
            "client_request_id": "abc", "device": {"id": "x", "platform": "android", "mock_location": False}}
    error = client.refused("POST", "/zlb/v1/checkins", small_project["manager_token"], 422, json=body)
    assert {d["field"] for d in error["details"]} >= {"lat", "client_time", "client_request_id", "device.id"}
    client.refused("POST", "/zlb/v1/checkins", small_project["owner_lead"], 403, json=body)
    client.refused("GET", f"/zzd/v1/projects/{pid}/attendance?month=2026-13", small_project["owner_lead"], 422)
    stranger = client.zzd_login("40001")  # the supervising unit sees it; the line's head of another does not
    assert client.ok("GET", f"/zzd/v1/projects/{pid}/attendance?month=2026-12", stranger)["project_id"] == pid
    client.refused("PUT", f"/zzd/v1/projects/{pid}/attendance-policy", stranger, 403, json={"spoofing": "block"})


def wait_for_attendance_status(client, project, status):
    """The attendance service learns of a lifecycle move from the workflow's events."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        seen = client.ok("GET", f"/zzd/v1/projects/{project['id']}/attendance?month=2027-01", project["owner_lead"])
        if seen["status"] == status:
            return
        time.sleep(0.1)
    raise AssertionError(f"attendance never saw the project {status}")


def test_the_owner_deciding_a_leave_opens_its_documents_nobody_else_outside_it(client, small_project):
    project = small_project
    pid, back_office = project["id"], project["back_office"]
    client.set_clock(back_office, local(date(2027, 1, 1), "13:00"))
    certificate = client.ok("POST", "/zlb/v1/files", project["manager_token"], 201, files={
        "file": ("hospital.pdf", b"%PDF-1.4 certificate of the district hospital", "application/pdf")})["id"]
    asked = client.ok("POST", "/zlb/v1/leave-requests", project["manager_token"], 201, json={
        "project_id": pid, "start_date": "2027-01-03", "end_date": "2027-01-03", "reason": "复诊",
        "document_file_ids": [certificate]})
    listed = client.ok("GET", f"/zzd/v1/projects/{pid}/leave-requests", project["owner_chief"])
    assert [(row["document_file_ids"], row["status"]) for row in listed if row["id"] == asked["id"]] == [
        ([certificate], "pending")]
    for decider in (project["owner_chief"], project["owner_lead"]):
        assert client.ok("GET", f"/zzd/v1/files/{certificate}", decider)["filename"] == "hospital.pdf"
    assert client.ok("GET", f"/zzd/v1/files/{certificate}", back_office)["id"] == certificate
    # Those who see the project but do not decide its leave: the supervising unit, the line, the
    # other firm; they do not list its leave either.
    for viewer in (client.zzd_login("40001"), client.zzd_login("40002")):
        client.refused("GET", f"/zzd/v1/files/{certificate}", viewer, 404)
        client.refused("GET", f"/zzd/v1/projects/{pid}/leave-requests", viewer, 403)
    client.refused("GET", f"/zlb/v1/files/{certificate}", project["engineer_token"], 404)
    form = client.ok("POST", "/zzd/v1/files", project["owner_chief"], 201,
                     files={"file": ("approval.pdf", b"%PDF-1.4 leave approved", "application/pdf")})["id"]
    client.ok("POST", f"/zzd/v1/leave-requests/{asked['id']}/decision", project["owner_chief"],
              json={"decision": "approve", "approval_file_ids": [form]})
    assert client.ok("GET", f"/zzd/v1/files/{form}", project["owner_lead"])["id"] == form
    assert client.ok("GET", f"/zlb/v1/files/{form}", project["manager_token"])["id"] == form  # the person on leave
    client.refused("GET", f"/zlb/v1/files/{form}", project["engineer_token"], 404)
    client.refused("GET", f"/zzd/v1/files/{form}", client.zzd_login("40002"), 404)


def test_the_month_the_project_leaves_construction_has_its_month_end_rate(client, small_project,
                                                                          attendance_events):
    project = small_project
    pid, back_office = project["id"], project["back_office"]
    step = {"n": 0}

    def at(day: date, clock: str):
        client.set_clock(back_office, local(day, clock))
        return local(day, clock)

    def check_in(now: str, expect="accepted"):
        step["n"] += 1
        jitter = step["n"] * 3e-6 + 1e-4
        answer = client.check_in(project["manager_token"], {
            "project_id": pid, "lat": SITE[0] + jitter, "lng": SITE[1] - jitter, "accuracy_m": 10,
            "client_time": now, "client_request_id": uuid.uuid4().hex,
            "device": {"id": f"phone-{project['manager_token']['Authorization'][-12:]}", "platform": "android",
                       "mock_location": False}})
        assert answer["outcome"] == expect, answer
        return answer

    # January 2027: the manager attends Jan 1 and 2, may be on leave on Jan 3 (the test before
    # approved it), misses Jan 4; the engineer attends no more. On Jan 5 the contractor starts the
    # village's completion acceptance (Art. 31): construction ends that day (Art. 25).
    check_in(at(date(2027, 1, 1), "13:05"))  # the clock is past the test before
    check_in(at(date(2027, 1, 1), "17:35"))
    check_in(at(date(2027, 1, 2), "08:05"))
    check_in(at(date(2027, 1, 2), "12:35"))
    check_in(at(date(2027, 1, 5), "08:05"))
    at(date(2027, 1, 5), "10:00")
    client.ok("POST", "/zlb/v1/acceptances", project["manager_token"], 201,
              json={"project_id": pid, "variant": "village_self"})
    wait_for_attendance_status(client, project, "completion_acceptance")
    refused = check_in(at(date(2027, 1, 5), "14:10"), expect="rejected")
    assert refused["reason"] == "project_not_in_construction"
    at(date(2027, 1, 31), "09:00")
    january = [w for w in client.ok("GET", f"/zzd/v1/projects/{pid}/attendance-warnings", project["owner_lead"])
               if w["rule_id"] == "art42.monthly-rate" and w["detail"]["month"] == "2027-01"]
    assert january == []  # not before the month has ended
    at(date(2027, 2, 1), "08:00")
    january = {w["person_id"]: w["detail"] for w in client.ok(
        "GET", f"/zzd/v1/projects/{pid}/attendance-warnings", project["owner_lead"])
        if w["rule_id"] == "art42.monthly-rate" and w["detail"]["month"] == "2027-01"}
    leave_days = client.ok("GET", f"/zzd/v1/projects/{pid}/attendance?month=2027-01",
                           project["owner_lead"])["people"]
    on_leave = {row["person_id"]: row["leave_days"] for row in leave_days}[project["manager"]]
    # Built Jan 1-4; the manager's construction days leave out its approved leave.
    assert january[project["manager"]]["construction_days"] == 4 - len(on_leave)
    assert january[project["manager"]]["valid_days"] == 2
    assert (january[project["engineer"]]["construction_days"], january[project["engineer"]]["valid_days"]) == (4, 0)
    # No absence warning for the days after construction ended.
    absences = [w for w in client.ok("GET", f"/zzd/v1/projects/{pid}/attendance-warnings", project["owner_lead"])
                if w["rule_id"] == "art42.consecutive-absence" and w["detail"]["streak_end"] >= "2027-01-05"]
    assert absences == []
    deadline = time.monotonic() + 20  # the relay publishes a moment after the commit
    while True:
        published = sum(1 for kind, body in attendance_events([], seconds=0.5) if kind == "warning.raised"
                        and body["rule_id"] == "art42.monthly-rate" and body["detail"]["month"] == "2027-01")
        if published >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert published == 2
