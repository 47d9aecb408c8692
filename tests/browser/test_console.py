"""The district console in Chromium, on the demo district and the scene of district.py: a line
head's scope, a project's page and attendance grid, the home page's figures as the API counts them,
and a case passed down, handled and verified through the desk."""

import re

import pytest
from playwright.sync_api import expect

from testkit.browser_pages import log_in

pytestmark = pytest.mark.browser


def test_a_line_head_sees_only_the_lines_projects_listed_and_mapped_and_may_switch_to_english(new_page, api, scene):
    page = new_page()
    log_in(page, "demo-line-head")
    expect(page.get_by_test_id("who")).to_contain_text("陈条线")
    assert page.get_by_test_id("menu-backOffice").count() == 0  # the leading group's only

    page.get_by_test_id("menu-projects").click()
    shown = page.get_by_test_id("project-name")
    shown.first.wait_for()

    # Other tests may add projects to the municipal line: the list is the API's, with the scene's
    # project of the line and never the parks line's.
    listed = api.call("demo-line-head", "GET", "/zzd/v1/projects")
    names = sorted(shown.all_inner_texts())
    assert names == sorted(project["name"] for project in listed)
    assert "曹娥江堤防加固工程" in names and "百官街道口袋公园" not in names
    page.get_by_test_id("menu-map").click()
    expect(page.get_by_test_id(f"site-{scene['built']}")).to_be_visible()
    assert page.get_by_test_id(f"site-{scene['parks']}").count() == 0
    page.get_by_test_id("locale").get_by_text("English").click()
    expect(page.get_by_test_id("menu-projects")).to_have_text("Projects")


def test_a_project_page_shows_its_chain_and_its_attendance_grid(new_page, api, scene, screenshot):
    page = new_page()
    log_in(page, "demo-line-head")
    page.get_by_test_id("menu-projects").click()
    page.get_by_test_id("project-name").get_by_text("曹娥江堤防加固工程").click()

    expect(page.get_by_test_id("project-title")).to_have_text("曹娥江堤防加固工程")
    expect(page.get_by_test_id("chain")).to_contain_text("市政工程条线")
    expect(page.get_by_test_id("chain")).to_contain_text("曹娥街道办事处")
    page.get_by_role("tab", name="考勤").click()
    page.get_by_test_id("attendance-person").first.wait_for()

    month = api.call("demo-line-head", "GET", f"/zzd/v1/projects/{scene['built']}/attendance",
                     params={"month": scene["now"].strftime("%Y-%m")})
    shown = page.get_by_test_id("attendance-valid-days").all_inner_texts()
    assert sorted(shown) == sorted(f"{person['valid_day_count']} / {person['construction_days']}"
                                   for person in month["people"])
    assert len(shown) == len(month["people"]) == 4
    assert page.locator("td.valid").count() == sum(person["valid_day_count"] for person in month["people"]) == 2
    assert page.locator("td.missing").count() == sum(streak["days"] for person in month["people"]
                                                     for streak in person["missing_streaks"])
    screenshot(page, "console-project")


def test_the_home_page_charts_the_figures_the_api_counts(new_page, api, scene, screenshot):
    page = new_page()
    log_in(page, "demo-leading-group-chief")
    figures = {name: api.call("demo-leading-group-chief", "GET", f"/zzd/v1/stats/{name}")
               for name in ("projects", "attendance-today", "warnings-this-week", "open-cases", "firm-colours")}
    for card in ("projects", "attendance", "warnings", "cases", "colours"):
        page.get_by_test_id(f"card-{card}").locator("canvas").first.wait_for()

    projects = sum(row["count"] for row in figures["projects"]["rows"])
    attendance = figures["attendance-today"]
    warned = sum(row["count"] for row in figures["warnings-this-week"]["rows"])
    # The scene's two projects at least (other tests may add theirs), its people and warnings: not zeros.
    assert (projects >= 2, attendance["expected"] > 0, warned > 0) == (True, True, True), (projects, attendance)
    expect(page.get_by_test_id("figure-projects-total")).to_have_text(str(projects))
    expect(page.get_by_test_id("figure-attendance")).to_have_text(f"{attendance['on_site']} / {attendance['expected']}")
    expect(page.get_by_test_id("figure-warnings-total")).to_have_text(str(warned))
    expect(page.get_by_test_id("figure-cases-open")).to_have_text(
        str(sum(row["open"] for row in figures["open-cases"]["rows"])))
    expect(page.get_by_test_id("figure-cases-overdue")).to_have_text(
        str(sum(row["overdue"] for row in figures["open-cases"]["rows"])))
    for row in figures["firm-colours"]["rows"]:
        expect(page.get_by_test_id(f"figure-colour-{row['colour']}")).to_have_text(
            re.compile(rf"\s{row['count']}$"))
    screenshot(page, "console-home")

    # A bar opens the cases it counts: the open ones of its level, and as many.
    levels = figures["open-cases"]["rows"]
    index, opened = next((index, row) for index, row in enumerate(levels) if row["open"])
    click_bar(page.get_by_test_id("card-cases").locator("canvas").first, index, len(levels))
    expect(page).to_have_url(re.compile(rf"/console/cases\?.*level={opened['level'] or 'none'}"))
    expect(page.get_by_test_id("case-summary")).to_have_count(opened["open"])


def click_bar(canvas, index: int, categories: int) -> None:
    """Click the first series' bar of a category of Home.vue's bar charts, near its foot: the plot
    lies 40 px from the left, 16 from the right and 56 above the bottom; two series share a band,
    the first from 10 % to 10 + 35 % of it (ECharts' default gaps)."""
    box = canvas.bounding_box()
    band = (box["width"] - 56) / categories
    canvas.click(position={"x": 40 + band * (index + 0.27), "y": box["height"] - 56 - 3})


def take_step(page, step: str, text: str, *, unit: str | None = None, file: tuple | None = None) -> None:
    page.get_by_test_id(f"step-{step}").click()
    dialog = page.get_by_test_id("step-dialog")
    if unit:
        dialog.get_by_test_id("step-unit").click()
        page.locator(".el-select-dropdown__item:visible", has_text=unit).click()
    dialog.get_by_test_id("step-text").fill(text)
    if file:
        dialog.get_by_test_id("step-files").set_input_files(
            files=[{"name": file[0], "mimeType": "application/pdf", "buffer": file[1]}])
    dialog.get_by_test_id("step-submit").click()
    dialog.wait_for(state="hidden")


def open_case(page, view: str, text: str) -> None:
    page.goto(f"/console/cases?view={view}")
    page.get_by_test_id("case-summary").get_by_text(text).click()
    page.get_by_test_id("case-drawer").get_by_test_id("case-status").wait_for()


def test_a_case_is_passed_down_handled_and_verified_through_the_desk(new_page, api, scene):
    clue = "堤防迎水坡混凝土浇筑后出现裂缝"
    line_head, owner = new_page(), new_page()
    log_in(line_head, "demo-line-head")
    log_in(owner, "demo-owner-chief")

    open_case(line_head, "mine", clue)
    take_step(line_head, "dispatch", "请建设单位整改", unit="曹娥街道办事处")
    open_case(owner, "mine", clue)
    take_step(owner, "accept", "已签收")
    take_step(owner, "handle", "责令施工单位凿除返工")
    take_step(owner, "report", "返工完成，附整改报告", file=("rectification.pdf", b"%PDF-1.4 rectification"))
    expect(owner.get_by_test_id("case-status")).to_have_text("已上报")
    open_case(line_head, "verify", clue)
    take_step(line_head, "verify", "现场核实已整改")

    expect(line_head.get_by_test_id("case-status")).to_have_text("已办结")
    case = api.call("demo-leading-group-chief", "GET", f"/zzd/v1/cases/{scene['clue']}")
    assert case["status"] == "closed" and case["finding"] == "substantiated"
    steps = [(item["step"], item["text"]) for item in case["history"]][-5:]
    assert steps == [("dispatched", "请建设单位整改"), ("accepted", "已签收"), ("handled", "责令施工单位凿除返工"),
                     ("reported", "返工完成，附整改报告"), ("verified", "现场核实已整改")]
    assert len(case["history"][-2]["file_ids"]) == 1
