"""The H5 pages of the two portals on a phone-sized page: a contractor opened from 浙里办 checks in
with the phone's position inside the site and outside it and reads each answer in words; an owner's
project lead opened from 浙政钉 finds a leave request among the tasks and approves it with the
signed form."""

import time
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SITE = (30.0205, 120.8712)  # the centre of the project's fence, radius 150 m
OUTSIDE = (SITE[0] + 0.01, SITE[1])  # about 1.1 km north
PHONE = {"width": 390, "height": 844}
PROJECT_NAME = "百官街道人民路管网改造"
MANAGER_NAME = "蒋建国"
MANAGER_ZLB_ID = "zlb-h5-test-manager"


@pytest.fixture(scope="module")
def platform_now(api):
    """The platform's time: the manual clock's if the back office set it, else the real time."""
    now = api.call("demo-leading-group-chief", "GET", "/admin/v1/clock")["now"]
    return datetime.fromisoformat(now) if now else None


@pytest.fixture(scope="module")
def site_project(api, platform_now):
    """A small works project of the demo district in construction, built by a firm of its own whose
    project manager has never checked in anywhere (no phone bound to him, no earlier position: his
    first check-in raises no risk signal whatever other tests did), with the demo supervisor's
    chief engineer on the roster too."""
    today = (platform_now or datetime.now().astimezone()).date()
    firm = api.call("demo-leading-group-chief", "POST", "/zzd/v1/units", 201, json={
        "kind": "contractor", "name": "上虞城建市政工程有限公司", "credit_code": "913306047000000007"})["id"]
    manager = api.call("demo-leading-group-chief", "POST", "/zzd/v1/users", 201, json={
        "name": MANAGER_NAME, "portal": "zlb", "zlb_user_id": MANAGER_ZLB_ID})["id"]
    api.call("demo-leading-group-chief", "POST", f"/zzd/v1/users/{manager}/posts", 201,
             json={"unit_id": firm, "post": "project_manager"})
    project = api.call("demo-leading-group-chief", "POST", "/zzd/v1/projects", 201, json={
        "name": PROJECT_NAME, "industry": "housing", "kind": "government", "contract_amount": "800000",
        "below_threshold": True, "geofence": {"center": list(SITE), "radius_m": 150},
        "planned_start": today.isoformat(), "planned_end": (today + timedelta(days=120)).isoformat()})
    pid = project["id"]
    chain = f"/zzd/v1/projects/{pid}/assignments"
    for user, level, target in (("demo-leading-group-chief", "supervising_unit", "demo-supervising"),
                                ("demo-supervising-chief", "line", "demo-line-municipal"),
                                ("demo-line-head", "owner", "demo-owner"),
                                ("demo-owner-chief", "owner_project_lead", "demo-owner-lead")):
        api.call(user, "POST", chain, json={"level": level, "target_id": target})
    contract = api.call("demo-owner-lead", "POST", "/zzd/v1/files", 201,
                        files={"file": ("contract.pdf", b"%PDF-1.4 contract", "application/pdf")})
    for unit, role in ((firm, "contractor"), ("demo-supervisor", "supervisor")):
        api.call("demo-owner-lead", "POST", f"/zzd/v1/projects/{pid}/participants", 201,
                 json={"unit_id": unit, "role": role, "contract_file_id": contract["id"]})
    for user, post in ((manager, "project_manager"), ("demo-chief-engineer", "chief_engineer")):
        api.call("demo-owner-lead", "POST", f"/zzd/v1/projects/{pid}/personnel", 201,
                 json={"user_id": user, "post": post})
    api.call("demo-owner-lead", "POST", f"/zzd/v1/projects/{pid}/construction-start")
    # The attendance service learns of the project, its roster and its start from the workflow's
    # events: until the project arrives there it answers 404.
    month, seen = f"{today:%Y-%m}", None
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        answer = api.http.get(f"/zzd/v1/projects/{pid}/attendance", params={"month": month},
                              headers=api.login("demo-owner-lead"))
        assert answer.status_code in (200, 404), answer.text
        seen = answer.json()
        if answer.status_code == 200 and seen["status"] == "in_construction" and len(seen["people"]) == 2:
            break
        time.sleep(0.2)
    else:
        raise AssertionError(f"attendance never saw the project's roster: {seen}")
    return {"id": pid, "today": today, "manager": manager}


def phone_page(new_page, platform_now):
    page = new_page()
    page.set_viewport_size(PHONE)
    if platform_now is not None:
        # The phone's clock shows the platform's time, as a real phone's shows the real one: the
        # check-in compares them (clock_skew).
        page.clock.set_fixed_time(platform_now)
    return page


def open_from_portal(page, portals, portal: str, account: str, *, in_hash: bool = False) -> None:
    """Open the H5 app as its portal does: with a one-time ticket (ZLB) or auth code (ZZD) for the
    portal's account in the URL's query, or in the hash route's query (``in_hash``)."""
    app, _ = portals[portal]
    code = uuid.uuid4().hex
    if portal == "zlb":
        app.state.portal.pending_tickets[code] = {"userid": account, "username": account}
    else:
        app.state.portal.pending_codes[code] = {"accountId": account, "lastName": account}
    name = "ticket" if portal == "zlb" else "auth_code"
    page.goto(f"/h5/{portal}/#/?{name}={code}" if in_hash else f"/h5/{portal}/?{name}={code}")
    page.get_by_test_id("who").wait_for()
    assert code not in page.url  # the used code leaves the address bar


def decided_answer(page):
    """The answer shown once the check-in is decided (the page follows one the intake queued)."""
    answer = page.locator("[data-testid=checkin-answer]:not([data-status=pending])")
    answer.wait_for(timeout=45_000)
    return answer


def test_a_contractor_checks_in_inside_and_outside_the_fence_and_reads_the_answers(
        new_page, portals, site_project, platform_now, screenshot):
    page = phone_page(new_page, platform_now)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": SITE[0], "longitude": SITE[1], "accuracy": 12})
    open_from_portal(page, portals, "zlb", MANAGER_ZLB_ID)
    assert MANAGER_NAME in page.get_by_test_id("who").inner_text()

    page.get_by_test_id("project").filter(has_text=PROJECT_NAME).get_by_test_id("project-checkin").click()
    page.get_by_test_id("checkin-submit").click()
    answer = decided_answer(page)
    assert answer.get_attribute("data-status") == "accepted", answer.inner_text()
    assert answer.get_by_test_id("checkin-title").inner_text() == "打卡成功"
    assert "您在项目场地范围内" in answer.get_by_test_id("checkin-words").inner_text()
    screenshot(page, "h5-checkin")

    page.context.set_geolocation({"latitude": OUTSIDE[0], "longitude": OUTSIDE[1], "accuracy": 12})
    page.get_by_test_id("checkin-submit").click()
    refused = decided_answer(page)
    assert refused.get_attribute("data-status") == "rejected", refused.inner_text()
    assert refused.get_by_test_id("checkin-title").inner_text() == "打卡未成功"
    words = refused.get_by_test_id("checkin-words").inner_text()
    assert "您不在项目场地范围内（距场地边界约" in words, words
    metres = int(words.split("距场地边界约")[1].split("米")[0])
    assert 900 < metres < 1100, words  # 0.01° of latitude is 1.11 km from the centre, 150 m of it inside

    page.get_by_test_id("tabbar").get_by_text("我的考勤").click()
    month = page.get_by_test_id("month-project").filter(has_text=PROJECT_NAME)
    month.get_by_test_id("month-checkin").nth(1).wait_for()
    # Both at the same platform instant when the manual clock stands still: in either order.
    assert sorted(row.inner_text().split("\n")[-1] for row in month.get_by_test_id("month-checkin").all()) == [
        "打卡成功", "打卡未成功"]


def test_my_month_opens_on_the_platforms_month_whatever_the_phones_clock(new_page, portals, site_project,
                                                                         platform_now):
    page = new_page()
    page.set_viewport_size(PHONE)
    page.clock.set_fixed_time(datetime(2020, 6, 15, 12, tzinfo=UTC))  # a phone years off
    open_from_portal(page, portals, "zlb", MANAGER_ZLB_ID)

    page.get_by_test_id("tabbar").get_by_text("我的考勤").click()

    platform_month = (platform_now or datetime.now(timezone(timedelta(hours=8)))).strftime("%Y-%m")
    expect(page.get_by_test_id("month")).to_have_text(platform_month)


def test_an_owners_project_lead_approves_a_leave_request_from_the_task_list(
        new_page, portals, api, site_project, platform_now):
    start = site_project["today"] + timedelta(days=2)
    leave = api.call(site_project["manager"], "POST", "/zlb/v1/leave-requests", 201, json={
        "project_id": site_project["id"], "start_date": start.isoformat(), "end_date": start.isoformat(),
        "reason": "参加区住建局安全培训"})
    page = phone_page(new_page, platform_now)
    # The demo users' ZZD account ids; the code in the hash route, where a hash-routed app may get it.
    open_from_portal(page, portals, "zzd", "zzd-demo-owner-lead", in_hash=True)

    task = page.get_by_test_id("task-leave").filter(has_text=MANAGER_NAME)
    assert PROJECT_NAME in task.inner_text()
    task.click()
    assert "参加区住建局安全培训" in page.get_by_test_id("leave-detail").inner_text()
    page.get_by_test_id("files").locator("input[type=file]").set_input_files(
        files=[{"name": "approval.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 signed form"}])
    page.get_by_test_id("leave-approve").and_(page.locator(":not([disabled])")).click()
    page.locator("[data-testid=leave-decided][data-status=approved]").wait_for()

    decided = api.call("demo-owner-lead", "GET", f"/zzd/v1/projects/{site_project['id']}/leave-requests")
    [approved] = [row for row in decided if row["id"] == leave["id"]]
    assert (approved["status"], approved["decided_by"], len(approved["approval_file_ids"])) == (
        "approved", "demo-owner-lead", 1)
    waiting = api.call("demo-owner-lead", "GET", "/zzd/v1/me/leave-requests")
    assert approved["id"] not in [row["id"] for row in waiting]

