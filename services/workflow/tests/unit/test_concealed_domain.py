"""The rules of concealed works (Art. 28) and of photo evidence (issue item 10), at their edges."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from common.contracts.registry import Post, UnitKind
from common.errors import IllegalStep, InvalidInput, PermissionDenied
from common.scope import Actor, PostHeld, UnitFacts
from workflow.domain import concealed as cw
from workflow.domain import deadlines as dl
from workflow.domain.projects import ProjectFacts, ProjectStatus
from workflow.domain.rules import WorkflowRules

TODAY = date(2026, 12, 1)
PLANNED = date(2026, 12, 3)
RULES = WorkflowRules()
CONTRACTOR, SUPERVISOR, OWNER = UnitFacts("c1", UnitKind.CONTRACTOR), UnitFacts("s1", UnitKind.SUPERVISOR), \
    UnitFacts("o1", UnitKind.OWNER)
# The key people on the project, each on the post it holds there for its firm: (user id, unit id,
# post) as person() names them.
ON_PROJECT = frozenset((f"{unit.id}-{post}", unit.id, str(post)) for unit, post in (
    (CONTRACTOR, Post.PROJECT_MANAGER), (CONTRACTOR, Post.TECHNICAL_LEAD), (SUPERVISOR, Post.CHIEF_ENGINEER),
    (SUPERVISOR, Post.SPECIALIST_ENGINEER), (SUPERVISOR, Post.INSPECTOR)))
PROJECT = ProjectFacts(id="p1", industry="housing", kind="government", contract_amount=Decimal("1000000"),
                       status=ProjectStatus.IN_CONSTRUCTION, owner_id="o1", owner_project_lead_id="o1-lead",
                       participant_unit_ids=frozenset({"c1", "s1"}), personnel=ON_PROJECT)
ALL_PHOTOS = {"before": ["f1"], "after": ["f2"], "with_scale": ["f3"]}
SITE = {"center": [30.03, 120.87], "radius_m": 300}
M_PER_DEG_LAT = 2 * 3.141592653589793 * 6371008.8 / 360


def person(unit: UnitFacts, post: Post, user_id: str | None = None) -> Actor:
    return Actor(user_id=user_id or f"{unit.id}-{post}", posts=(PostHeld(unit, post),))


MANAGER, INSPECTOR, OWNER_STAFF = (person(CONTRACTOR, Post.PROJECT_MANAGER), person(SUPERVISOR, Post.INSPECTOR),
                                   person(OWNER, Post.STAFF))
OWNER_LEAD, OWNER_CHIEF = person(OWNER, Post.OWNER_PROJECT_LEAD, "o1-lead"), person(OWNER, Post.CHIEF)


# --- application (Art. 28(1)) ---------------------------------------------------------------


@pytest.mark.parametrize("planned", [TODAY, TODAY + timedelta(days=1), TODAY + timedelta(days=2)])
def test_the_contractor_applies_from_today_to_2_days_ahead(planned):
    assert cw.decide_application(MANAGER, PROJECT, planned, TODAY, RULES) == "c1"


@pytest.mark.parametrize("planned", [TODAY - timedelta(days=1), TODAY + timedelta(days=3)])
def test_earlier_or_later_is_refused_naming_planned_date(planned):
    with pytest.raises(InvalidInput) as refused:
        cw.decide_application(MANAGER, PROJECT, planned, TODAY, RULES)
    assert [d["field"] for d in refused.value.details] == ["planned_date"]


def test_the_days_ahead_come_from_the_settings():
    assert cw.decide_application(MANAGER, PROJECT, TODAY + timedelta(days=3), TODAY,
                                 WorkflowRules(concealed_apply_days_before=3)) == "c1"


@pytest.mark.parametrize("actor", [
    person(CONTRACTOR, Post.TECHNICAL_LEAD), INSPECTOR, OWNER_STAFF,
    person(UnitFacts("c2", UnitKind.CONTRACTOR), Post.PROJECT_MANAGER),  # a contractor not on the project
], ids=["technical-lead", "supervisor", "owner", "other-contractor"])
def test_only_the_project_manager_or_chief_of_a_participating_contractor_applies(actor):
    with pytest.raises(PermissionDenied):
        cw.decide_application(actor, PROJECT, PLANNED, TODAY, RULES)
    assert cw.decide_application(person(CONTRACTOR, Post.CHIEF), PROJECT, PLANNED, TODAY, RULES) == "c1"


@pytest.mark.parametrize("status", [ProjectStatus.AWARDED, ProjectStatus.SUSPENDED,
                                    ProjectStatus.COMPLETION_ACCEPTANCE])
def test_only_a_project_in_construction_takes_applications(status):
    project = ProjectFacts(**{**PROJECT.__dict__, "status": status})
    with pytest.raises(IllegalStep, match="in construction"):
        cw.decide_application(MANAGER, project, PLANNED, TODAY, RULES)


def test_the_inspection_deadline_warns_at_the_end_of_the_planned_local_day():
    start = cw.inspection_day_start(PLANNED)
    assert start == datetime(2026, 12, 2, 16, 0, tzinfo=UTC)  # 3 December, 00:00 in the district
    rule = dl.deadline_rules(RULES)[dl.CONCEALED_INSPECTION]
    last_moment = datetime(2026, 12, 3, 15, 59, 59, tzinfo=UTC)  # 23:59:59 on the planned day
    assert dl.rungs_due(rule, start, [], last_moment, set()) == []
    assert [r.name for r in dl.rungs_due(rule, start, [], last_moment + timedelta(seconds=1), set())] == ["warning"]


# --- inspection (Art. 28(2)) ------------------------------------------------------------------


@pytest.mark.parametrize("post", [Post.CHIEF_ENGINEER, Post.SPECIALIST_ENGINEER, Post.INSPECTOR])
def test_the_supervisors_engineers_and_inspector_inspect_on_the_day(post):
    assert cw.decide_inspection(person(SUPERVISOR, post), PROJECT, cw.AWAITING_INSPECTION, PLANNED, PLANNED,
                                ALL_PHOTOS) == "s1"


@pytest.mark.parametrize("actor", [person(SUPERVISOR, Post.CHIEF), MANAGER, OWNER_STAFF,
                                   person(UnitFacts("s2", UnitKind.SUPERVISOR), Post.INSPECTOR)],
                         ids=["supervisor-chief", "contractor", "owner", "other-supervisor"])
def test_nobody_else_inspects(actor):
    with pytest.raises(PermissionDenied):
        cw.decide_inspection(actor, PROJECT, cw.AWAITING_INSPECTION, PLANNED, PLANNED, ALL_PHOTOS)


def test_a_firms_people_not_on_this_project_neither_apply_nor_inspect_its_chief_still_applies():
    # The right post in a firm taking part, but on another project: refused.
    manager_elsewhere = person(CONTRACTOR, Post.PROJECT_MANAGER, "c1-manager-elsewhere")
    with pytest.raises(PermissionDenied):
        cw.decide_application(manager_elsewhere, PROJECT, PLANNED, TODAY, RULES)
    for post in (Post.CHIEF_ENGINEER, Post.SPECIALIST_ENGINEER, Post.INSPECTOR):
        with pytest.raises(PermissionDenied):
            cw.decide_inspection(person(SUPERVISOR, post, f"s1-{post}-elsewhere"), PROJECT, cw.AWAITING_INSPECTION,
                                 PLANNED, PLANNED, ALL_PHOTOS)
    # Released from the project, its own project manager and inspector no longer act on it.
    released = ProjectFacts(**{**PROJECT.__dict__, "personnel": ON_PROJECT - {
        (MANAGER.user_id, "c1", "project_manager"), (INSPECTOR.user_id, "s1", "inspector")}})
    with pytest.raises(PermissionDenied):
        cw.decide_application(MANAGER, released, PLANNED, TODAY, RULES)
    with pytest.raises(PermissionDenied):
        cw.decide_inspection(INSPECTOR, released, cw.AWAITING_INSPECTION, PLANNED, PLANNED, ALL_PHOTOS)
    # A person counts on the post held on this project: the technical lead here, though the firm's
    # project manager elsewhere, does not apply here.
    both = Actor("c1-technical_lead", (PostHeld(CONTRACTOR, Post.TECHNICAL_LEAD),
                                       PostHeld(CONTRACTOR, Post.PROJECT_MANAGER)))
    with pytest.raises(PermissionDenied):
        cw.decide_application(both, PROJECT, PLANNED, TODAY, RULES)
    # The contractor's chief applies for its firm without being on the project; the supervisor's
    # chief, who is not among those who inspect, is still refused.
    unstaffed = ProjectFacts(**{**PROJECT.__dict__, "personnel": frozenset()})
    assert cw.decide_application(person(CONTRACTOR, Post.CHIEF), unstaffed, PLANNED, TODAY, RULES) == "c1"
    with pytest.raises(PermissionDenied):
        cw.decide_inspection(person(SUPERVISOR, Post.CHIEF), unstaffed, cw.AWAITING_INSPECTION, PLANNED, PLANNED,
                             ALL_PHOTOS)


@pytest.mark.parametrize(("today", "reason"), [(PLANNED - timedelta(days=1), "not come yet"),
                                               (PLANNED + timedelta(days=1), "has passed")])
def test_the_inspection_is_on_the_planned_day_only(today, reason):
    with pytest.raises(IllegalStep, match=reason):
        cw.decide_inspection(INSPECTOR, PROJECT, cw.AWAITING_INSPECTION, PLANNED, today, ALL_PHOTOS)


@pytest.mark.parametrize("status", [cw.AWAITING_REVIEW, cw.REVIEWED])
def test_a_second_inspection_is_an_illegal_step(status):
    with pytest.raises(IllegalStep, match="already recorded"):
        cw.decide_inspection(INSPECTOR, PROJECT, status, PLANNED, PLANNED, ALL_PHOTOS)


def test_every_missing_photo_kind_is_named():
    with pytest.raises(InvalidInput) as refused:
        cw.decide_inspection(INSPECTOR, PROJECT, cw.AWAITING_INSPECTION, PLANNED, PLANNED,
                             {"before": ["f1"], "after": [], "with_scale": []})
    assert [d["field"] for d in refused.value.details] == ["photos.after", "photos.with_scale"]
    with pytest.raises(InvalidInput) as refused:
        cw.check_photo_kinds({})
    assert [d["field"] for d in refused.value.details] == ["photos.before", "photos.after", "photos.with_scale"]


def test_one_photo_cannot_stand_for_two_kinds():
    with pytest.raises(InvalidInput) as refused:
        cw.check_photo_kinds({"before": ["f1"], "after": ["f1"], "with_scale": ["f3"]})
    assert refused.value.details == [{"field": "photos.after", "reason": "photo f1 is already given as before"}]


# --- review (Art. 28(3)) -----------------------------------------------------------------------


def test_the_owner_reviews_an_ordinary_part_without_standing_by():
    cw.decide_review(OWNER_LEAD, PROJECT, cw.AWAITING_REVIEW, False, False, [])
    cw.decide_review(OWNER_CHIEF, PROJECT, cw.AWAITING_REVIEW, False, False, [])


def test_an_important_part_needs_the_owners_presence_and_a_photo_of_it():
    with pytest.raises(InvalidInput) as refused:
        cw.decide_review(OWNER_LEAD, PROJECT, cw.AWAITING_REVIEW, True, False, [])
    assert [d["field"] for d in refused.value.details] == ["owner_present", "presence_photo_ids"]
    with pytest.raises(InvalidInput) as refused:
        cw.decide_review(OWNER_LEAD, PROJECT, cw.AWAITING_REVIEW, True, True, [])
    assert [d["field"] for d in refused.value.details] == ["presence_photo_ids"]
    cw.decide_review(OWNER_LEAD, PROJECT, cw.AWAITING_REVIEW, True, True, ["p1"])


def test_presence_photos_without_presence_contradict_each_other():
    with pytest.raises(InvalidInput) as refused:
        cw.decide_review(OWNER_LEAD, PROJECT, cw.AWAITING_REVIEW, False, False, ["p1"])
    assert refused.value.details[0]["field"] == "owner_present"


@pytest.mark.parametrize(("status", "reason"), [(cw.AWAITING_INSPECTION, "not recorded the inspection"),
                                                (cw.REVIEWED, "already recorded")])
def test_a_review_before_the_inspection_or_a_second_one_is_an_illegal_step(status, reason):
    with pytest.raises(IllegalStep, match=reason):
        cw.decide_review(OWNER_LEAD, PROJECT, status, False, False, [])


@pytest.mark.parametrize("actor", [
    INSPECTOR, MANAGER, person(UnitFacts("o2", UnitKind.OWNER), Post.CHIEF), OWNER_STAFF,
    person(OWNER, Post.OWNER_PROJECT_LEAD, "o1-other-lead"),  # the owner's lead of another project
], ids=["supervisor", "contractor", "other-owner", "owner-staff", "owner-lead-of-another-project"])
def test_only_the_projects_owner_reviews(actor):
    with pytest.raises(PermissionDenied):
        cw.decide_review(actor, PROJECT, cw.AWAITING_REVIEW, False, False, [])


# --- photo evidence (issue item 10) ----------------------------------------------------------------


def on_site_on_the_day(**changes) -> cw.PhotoEvidence:
    fields = {"taken_at": datetime(2026, 12, 3, 2, 0, tzinfo=UTC), "lat": 30.03, "lng": 120.87, **changes}
    return cw.PhotoEvidence(**fields)


def flags_for(evidence: cw.PhotoEvidence | None, geofence: dict = SITE) -> list[dict]:
    known = {} if evidence is None else {"f1": evidence}
    return cw.photo_flags({"before": ["f1"], "after": [], "with_scale": []}, known, PLANNED, geofence, 500)


def test_a_photo_taken_on_site_on_the_day_is_not_flagged():
    assert flags_for(on_site_on_the_day()) == []


@pytest.mark.parametrize(("taken_at", "flagged"), [
    (datetime(2026, 12, 2, 16, 0, tzinfo=UTC), False),  # 00:00 on the planned day in the district
    (datetime(2026, 12, 3, 15, 59, tzinfo=UTC), False),  # 23:59 on the planned day
    (datetime(2026, 12, 2, 15, 59, tzinfo=UTC), True),  # 23:59 the day before
    (datetime(2026, 12, 3, 16, 0, tzinfo=UTC), True),  # 00:00 the day after
])
def test_the_day_is_the_districts_calendar_day(taken_at, flagged):
    flags = flags_for(on_site_on_the_day(taken_at=taken_at))
    assert [f["reasons"] for f in flags] == ([["other_day"]] if flagged else [])


def test_no_exif_time_is_flagged_whether_the_row_is_missing_or_empty():
    assert flags_for(None)[0]["reasons"] == ["no_exif"]
    assert flags_for(cw.PhotoEvidence(lat=30.03, lng=120.87))[0]["reasons"] == ["no_exif"]


def test_a_photo_without_position_is_not_flagged_for_place():
    assert flags_for(on_site_on_the_day(lat=None, lng=None)) == []


def test_more_than_500_m_outside_the_site_is_elsewhere():
    # 300 m radius + 450 m outside: not flagged; + 550 m: flagged
    near = on_site_on_the_day(lat=30.03 + 750 / M_PER_DEG_LAT)
    far = on_site_on_the_day(lat=30.03 + 850 / M_PER_DEG_LAT, taken_at=datetime(2026, 11, 1, 2, 0, tzinfo=UTC))
    assert flags_for(near) == []
    [flag] = flags_for(far)
    assert flag == {"file_id": "f1", "kind": "before", "reasons": ["other_day", "elsewhere"],
                    "taken_at": "2026-11-01T10:00:00+08:00", "distance_m": 550}


def test_every_kind_is_checked_and_named():
    photos = {"before": ["f1"], "after": ["f2"], "with_scale": ["f3"]}
    evidence = {"f1": on_site_on_the_day(), "f2": on_site_on_the_day()}
    assert [(f["file_id"], f["kind"]) for f in cw.photo_flags(photos, evidence, PLANNED, SITE, 500)] == [
        ("f3", "with_scale")]
