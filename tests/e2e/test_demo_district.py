"""End to end: the larger demo district (scripts/demo_district.py) in miniature — three projects and
the first days of the month — seeded through the platform's own routes and the manual clock, with
the portal stand-ins in place of the dev login; what it seeded is then read back through the API."""

import importlib.util
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def load_demo():
    spec = importlib.util.spec_from_file_location("demo_district", ROOT / "scripts" / "demo_district.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["demo_district"] = module
    spec.loader.exec_module(module)
    return module


def test_a_tiny_district_seeded_through_the_api_shows_its_figures(client, platform):
    demo = load_demo()

    def portal_login(http, person):
        login = client.zzd_login if person.portal == "zzd" else client.zlb_login
        return login(person.external_id)["Authorization"].removeprefix("Bearer ")

    back_office = demo.Person(key="back-office", name="王明", portal="zzd", unit_key="leading_group", post="chief",
                              external_id="10001")
    said: list[str] = []
    summary = demo.seed_district(platform["base_url"], projects=3, days=6, concurrency=4, login=portal_login,
                                 back_office=back_office, out=lambda line, flush=False: said.append(line))
    assert any("done in" in line for line in said), said

    headers = client.zzd_login("10001")
    projects = client.ok("GET", "/zzd/v1/projects", headers)
    assert len(projects) == 3
    assert {p["industry"] for p in projects} == {"housing", "municipal", "landscaping"}
    assert all(p["name"].startswith("百官街道") for p in projects)  # the first township's works
    started = [p for p in projects if p["status"] == "in_construction"]
    assert len(started) == 2
    month = started[0]["construction_started_on"][:7]
    # Its people checked in on the days walked: the platform counts their valid days.
    valid_days = sum(person["valid_day_count"]
                     for project in started
                     for person in client.ok("GET", f"/zzd/v1/projects/{project['id']}/attendance?month={month}",
                                             headers)["people"])
    assert valid_days >= 2
    # Each warning the services raised opened its case (the attendance service's own list against
    # the complaints service's); no supervisor kept a log, so each project under way was warned the
    # day after it started (Art. 46); and the warned firms lost points.
    today = date.fromisoformat(client.ok("GET", "/admin/v1/clock", headers)["now"][:10])
    attendance_rules = {"art42.consecutive-absence", "art42.monthly-rate", "art26.patrol-overdue",
                        "art47.suspected-spoofing"}
    for project in started:
        raised = client.ok("GET", f"/zzd/v1/projects/{project['id']}/attendance-warnings", headers)
        opened = client.ok("GET", f"/zzd/v1/cases?project_id={project['id']}&kind=warning", headers)
        assert sorted((w["rule_id"], w["person_id"]) for w in raised) == sorted(
            (c["rule_id"], c["subject_person_id"]) for c in opened if c["rule_id"] in attendance_rules)
        if date.fromisoformat(project["construction_started_on"]) <= today - timedelta(days=2):
            assert [c["rule_id"] for c in opened].count("art46.supervision-log") == 1
    scores = client.ok("GET", "/zzd/v1/scores?kind=firm", headers)
    assert any(float(score["composite"]) < 100 for score in scores), scores
    # The closing summary reads the console's figures: the same projects.
    line = next(line for line in summary if line.startswith("projects: "))
    assert line.startswith("projects: 3 (")
    assert all(f"{status} {count}" in line for status, count in Counter(p["status"] for p in projects).items())

    # A second run on the same platform refuses, and says why.
    with pytest.raises(demo.AlreadySeeded, match="already on this platform"):
        demo.seed_district(platform["base_url"], projects=3, days=6, login=portal_login, back_office=back_office,
                           out=lambda line, flush=False: None)
