"""Concealed works (Art. 28) end to end on a real (SQLite) database: application, inspection
with photos, owner review, their deadlines exactly when due and once, photo evidence flags
(issue item 10), and every refusal changing nothing."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from common.errors import IllegalStep, InvalidInput, NotFound, PermissionDenied
from common.principal import Principal
from common.schema import audit_entry, outbox_message, rule_setting
from workflow.domain.deadlines import CONCEALED_INSPECTION, CONCEALED_REVIEW
from workflow.usecases import concealed, registry
from workflow.usecases import deadlines as deadline_usecases

DAY = timedelta(days=1)
# The fixture's platform time is 1 December 2026, 09:00 in the district; the work is on the 3rd.
PLANNED = "2026-12-03"
ON_THE_DAY = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)  # 10:00 in the district
END_OF_THE_DAY = datetime(2026, 12, 3, 16, 0, tzinfo=UTC)  # midnight after it in the district
SITE = {"center": [30.03, 120.87], "radius_m": 300}
PHOTO_EVIDENCE = "art28.photo-evidence-suspect"
# What these tests are about: the project also runs its Art. 24 readiness and Art. 46 log watches.
CONCEALED_DEADLINES = (CONCEALED_INSPECTION, CONCEALED_REVIEW)
CONCEALED_WARNINGS = (*CONCEALED_DEADLINES, PHOTO_EVIDENCE)


@pytest.fixture
def in_construction(session, as_user):
    """A project of the demo district, staffed and in construction (as in the acceptance tests)."""

    def make(start: bool = True) -> str:
        back_office = as_user("demo-leading-group-chief")
        pid = registry.register_project(back_office, dict(
            name="隐蔽工程测试", industry="housing", kind="government", contract_amount="12500000",
            below_threshold=False, geofence=SITE, planned_start="2026-12-01", planned_end="2027-06-30"))["id"]
        registry.assign_project(back_office, pid, {"level": "supervising_unit", "target_id": "demo-supervising"})
        registry.assign_project(as_user("demo-supervising-chief"), pid,
                                {"level": "line", "target_id": "demo-line-municipal"})
        registry.assign_project(as_user("demo-line-head"), pid, {"level": "owner", "target_id": "demo-owner"})
        registry.assign_project(as_user("demo-owner-chief"), pid,
                                {"level": "owner_project_lead", "target_id": "demo-owner-lead"})
        lead = as_user("demo-owner-lead")
        contract = upload(session, "demo-owner-lead", lead.now, "application/pdf")
        for unit, role in (("demo-contractor", "contractor"), ("demo-supervisor", "supervisor")):
            registry.add_participant(lead, pid, {"unit_id": unit, "role": role, "contract_file_id": contract})
        for user, post in (("demo-project-manager", "project_manager"), ("demo-safety-officer", "safety_officer"),
                           ("demo-chief-engineer", "chief_engineer"), ("demo-inspector", "inspector")):
            registry.assign_personnel(lead, pid, {"user_id": user, "post": post})
        if start:
            registry.start_construction(lead, pid)
        return pid

    return make


def at(session, user, now, portal="zzd"):
    return registry.Call(session, now, Principal(user_id=user, portal=portal))


def upload(session, user, now, content_type="image/jpeg") -> str:
    return registry.record_file(at(session, user, now), {"sha256": "e" * 64, "size": 100, "content_type": content_type,
                                                         "filename": "f"})["id"]


def photo(session, now, taken_at=ON_THE_DAY, lat=30.03, lng=120.87, user="demo-inspector") -> str:
    """An uploaded JPEG with the EXIF the gateway read from it."""
    file_id = upload(session, user, now)
    concealed.record_photo_metadata(at(session, user, now, "zlb"), file_id, {
        "taken_at": None if taken_at is None else taken_at.isoformat(), "lat": lat, "lng": lng})
    return file_id


def photos(session, now, **exif) -> dict:
    return {kind: [photo(session, now, **exif)] for kind in ("before", "after", "with_scale")}


def apply(session, pid, now, planned=PLANNED, important=False, user="demo-project-manager", **extra):
    return concealed.apply_concealed_work(at(session, user, now, "zlb"), {
        "project_id": pid, "part": "地下室底板钢筋", "planned_date": planned, "important": important, **extra})


def inspect(session, work_id, body_photos, now=ON_THE_DAY, user="demo-inspector", result="passed"):
    return concealed.record_concealed_inspection(at(session, user, now, "zlb"), work_id,
                                                 {"result": result, "note": "旁站验收合格", "photos": body_photos})


def review(session, work_id, now, user="demo-owner-chief", **body):
    return concealed.review_concealed_work(at(session, user, now), work_id,
                                           {"verdict": "accepted", "note": "影像资料清晰", **body})


def warnings(session, rules=CONCEALED_WARNINGS):
    """The warnings raised of the concealed-work rules (of all rules with ``rules=None``)."""
    return [row.payload for row in session.execute(
        sa.select(outbox_message).where(outbox_message.c.event_type == "warning.raised").order_by(outbox_message.c.id))
        if rules is None or row.payload["rule_id"] in rules]


def concealed_deadlines(session, pid, now, rules=CONCEALED_DEADLINES):
    """The project's concealed-work deadlines (all its deadlines with ``rules=None``)."""
    return [d for d in deadline_usecases.project_deadlines(at(session, "demo-owner-chief", now), pid)
            if rules is None or d["rule_id"] in rules]


def deadlines(session, pid, now, rules=CONCEALED_DEADLINES):
    return [(d["rule_id"], d["status"]) for d in concealed_deadlines(session, pid, now, rules)]


def trail(session, entity_id):
    return [(row.action, row.principal_id) for row in session.execute(
        sa.select(audit_entry).where(audit_entry.c.entity_id == entity_id).order_by(audit_entry.c.id))]


def state(session, pid):
    """What a refused request must leave untouched."""
    return (concealed.list_concealed_works(at(session, "demo-owner-chief", ON_THE_DAY), pid),
            deadlines(session, pid, ON_THE_DAY, rules=None), len(warnings(session, rules=None)),
            session.execute(sa.select(sa.func.count()).select_from(audit_entry)).scalar())


# --- the whole process ---------------------------------------------------------------------------


def test_application_inspection_and_review_with_their_deadlines_and_records(session, in_construction, now, sweep):
    pid = in_construction()
    applied = apply(session, pid, now)
    assert applied["status"] == "awaiting_inspection"
    assert applied["application"]["contractor_id"] == "demo-contractor"
    assert deadlines(session, pid, now) == [("art28.concealed.inspection", "open")]
    [inspection_deadline] = concealed_deadlines(session, pid, now)
    assert inspection_deadline["started_at"] == "2026-12-03T00:00:00+08:00"
    assert inspection_deadline["next_due_at"] == "2026-12-04T00:00:00+08:00"

    inspected = inspect(session, applied["id"], photos(session, now))
    assert inspected["status"] == "awaiting_review"
    assert inspected["inspection"]["supervisor_id"] == "demo-supervisor"
    assert inspected["inspection"]["photo_flags"] == []
    assert deadlines(session, pid, ON_THE_DAY) == [("art28.concealed.inspection", "satisfied"),
                                                   ("art28.concealed.owner-review", "open")]

    reviewed = review(session, applied["id"], ON_THE_DAY + DAY)
    assert reviewed["status"] == "reviewed"
    assert reviewed["review"]["verdict"] == "accepted" and reviewed["review"]["owner_present"] is False
    assert deadlines(session, pid, ON_THE_DAY + DAY) == [("art28.concealed.inspection", "satisfied"),
                                                         ("art28.concealed.owner-review", "satisfied")]
    fired = sweep(ON_THE_DAY + 30 * DAY)
    assert (fired[CONCEALED_INSPECTION], fired[CONCEALED_REVIEW]) == (0, 0)  # nothing left to warn of
    assert warnings(session) == []

    [listed] = concealed.list_concealed_works(at(session, "demo-line-head", ON_THE_DAY + DAY), pid)
    assert listed == reviewed
    assert set(listed) >= {"application", "inspection", "review"}
    assert trail(session, applied["id"]) == [("concealed_work.applied", "demo-project-manager"),
                                             ("concealed_work.inspected", "demo-inspector"),
                                             ("concealed_work.reviewed", "demo-owner-chief")]


def test_no_inspection_on_the_day_warns_at_its_end_once(session, in_construction, now, sweep):
    pid = in_construction()
    applied = apply(session, pid, now)
    assert sweep(END_OF_THE_DAY - timedelta(seconds=1))[CONCEALED_INSPECTION] == 0  # 23:59:59: nothing
    assert sweep(END_OF_THE_DAY)[CONCEALED_INSPECTION] == 1  # midnight: the warning
    assert sweep(END_OF_THE_DAY + 10 * DAY)[CONCEALED_INSPECTION] == 0  # once
    [warning] = warnings(session)
    assert (warning["rule_id"], warning["article"], warning["must_act"]) == (
        "art28.concealed.inspection", "Art. 28", "demo-supervisor")
    assert warning["detail"]["subject_id"] == applied["id"]
    # the day has passed: the inspection can no longer be recorded for it
    with pytest.raises(IllegalStep, match="has passed"):
        inspect(session, applied["id"], photos(session, now), now=END_OF_THE_DAY)


def test_no_owner_review_warns_after_the_review_days_once(session, in_construction, now, sweep):
    pid = in_construction()
    applied = apply(session, pid, now)
    inspect(session, applied["id"], photos(session, now))
    assert sweep(ON_THE_DAY + 3 * DAY - timedelta(seconds=1))[CONCEALED_REVIEW] == 0
    assert sweep(ON_THE_DAY + 3 * DAY)[CONCEALED_REVIEW] == 1
    assert sweep(ON_THE_DAY + 9 * DAY)[CONCEALED_REVIEW] == 0
    assert [(w["rule_id"], w["must_act"]) for w in warnings(session)] == [
        ("art28.concealed.owner-review", "demo-owner")]
    # a late review is still recorded, and closes the deadline
    review(session, applied["id"], ON_THE_DAY + 4 * DAY)
    assert deadlines(session, pid, ON_THE_DAY + 4 * DAY)[-1] == ("art28.concealed.owner-review", "satisfied")


def test_an_important_part_is_reviewed_with_the_owners_presence(session, in_construction, now):
    pid = in_construction()
    applied = apply(session, pid, now, important=True)
    inspect(session, applied["id"], photos(session, now))
    before = state(session, pid)
    with pytest.raises(InvalidInput) as refused:
        review(session, applied["id"], ON_THE_DAY)
    assert [d["field"] for d in refused.value.details] == ["owner_present", "presence_photo_ids"]
    with pytest.raises(InvalidInput) as refused:
        review(session, applied["id"], ON_THE_DAY, owner_present=True, presence_photo_ids=["no-such-file"])
    assert refused.value.details == [{"field": "presence_photo_ids", "reason": "no such file: no-such-file"}]
    assert state(session, pid) == before
    presence = photo(session, ON_THE_DAY, user="demo-owner-lead")
    reviewed = review(session, applied["id"], ON_THE_DAY, user="demo-owner-lead", owner_present=True,
                      presence_photo_ids=[presence])
    assert reviewed["review"]["owner_present"] is True
    assert reviewed["review"]["presence_photo_ids"] == [presence]


# --- applications refused ------------------------------------------------------------------------


@pytest.mark.parametrize("planned", ["2026-11-30", "2026-12-04"])
def test_a_date_outside_the_2_days_ahead_is_refused_naming_planned_date(session, in_construction, now, planned):
    pid = in_construction()
    with pytest.raises(InvalidInput) as refused:
        apply(session, pid, now, planned=planned)
    assert [d["field"] for d in refused.value.details] == ["planned_date"]
    assert concealed.list_concealed_works(at(session, "demo-owner-chief", now), pid) == []
    assert deadlines(session, pid, now) == []


def test_the_days_ahead_follow_the_back_offices_setting(session, in_construction, now):
    pid = in_construction()
    session.execute(sa.insert(rule_setting).values(name="concealed_apply_days_before", value=3, updated_at=now))
    assert apply(session, pid, now, planned="2026-12-04")["status"] == "awaiting_inspection"


def test_the_project_must_be_in_construction(session, in_construction, now):
    not_started = in_construction(start=False)
    with pytest.raises(IllegalStep, match="in construction"):
        apply(session, not_started, now)
    pid = in_construction()
    registry.suspend_project(at(session, "demo-owner-chief", now), pid,
                             {"since": now.isoformat(), "reason": "停工待图"})
    with pytest.raises(IllegalStep, match="suspended"):
        apply(session, pid, now)


def test_application_files_must_exist(session, in_construction, now):
    pid = in_construction()
    with pytest.raises(InvalidInput) as refused:
        apply(session, pid, now, file_ids=["missing"])
    assert refused.value.details == [{"field": "file_ids", "reason": "no such file: missing"}]
    drawing = upload(session, "demo-project-manager", now, "application/pdf")
    assert apply(session, pid, now, file_ids=[drawing])["application"]["file_ids"] == [drawing]


@pytest.mark.parametrize(("user", "error"), [
    ("demo-technical-lead", PermissionDenied), ("demo-inspector", PermissionDenied),
    ("demo-owner-chief", PermissionDenied),
    ("demo-designer-chief", NotFound),  # a firm not on the project does not see it
])
def test_only_the_contractors_project_manager_or_chief_applies(session, in_construction, now, user, error):
    pid = in_construction()
    with pytest.raises(error):
        apply(session, pid, now, user=user)
    assert apply(session, pid, now, user="demo-contractor-chief")["application"]["by"] == "demo-contractor-chief"


def test_a_malformed_application_is_refused_field_by_field(session, in_construction, now):
    pid = in_construction()
    with pytest.raises(InvalidInput) as refused:
        concealed.apply_concealed_work(at(session, "demo-project-manager", now, "zlb"),
                                       {"project_id": pid, "part": "", "planned_date": "3 Dec", "extra": 1})
    assert {d["field"] for d in refused.value.details} == {"part", "planned_date", "important", "extra"}


# --- inspections refused -------------------------------------------------------------------------


def test_missing_photo_kinds_are_refused_naming_them(session, in_construction, now):
    pid = in_construction()
    applied = apply(session, pid, now)
    before = state(session, pid)
    with pytest.raises(InvalidInput) as refused:
        inspect(session, applied["id"], {"before": [photo(session, now)]})
    assert [d["field"] for d in refused.value.details] == ["photos.after", "photos.with_scale"]
    assert state(session, pid)[:3] == before[:3]


def test_photos_must_be_uploaded_images(session, in_construction, now):
    pid = in_construction()
    applied = apply(session, pid, now)
    good = photos(session, now)
    with pytest.raises(InvalidInput) as refused:
        inspect(session, applied["id"], {**good, "before": ["missing"]})
    assert refused.value.details == [{"field": "photos.before", "reason": "no such file: missing"}]
    document = upload(session, "demo-inspector", now, "application/pdf")
    with pytest.raises(InvalidInput) as refused:
        inspect(session, applied["id"], {**good, "with_scale": [document]})
    assert refused.value.details == [{"field": "photos.with_scale", "reason": f"file {document} is application/pdf"}]
    assert concealed.list_concealed_works(at(session, "demo-owner-chief", now), pid)[0]["inspection"] is None


def test_the_inspection_is_on_the_planned_day(session, in_construction, now):
    pid = in_construction()
    applied = apply(session, pid, now)
    with pytest.raises(IllegalStep, match="not come yet"):
        inspect(session, applied["id"], photos(session, now), now=ON_THE_DAY - DAY)
    # the planned day runs in the district's time: 23:59 on the 3rd is still the day
    late = inspect(session, applied["id"], photos(session, now), now=END_OF_THE_DAY - timedelta(minutes=1))
    assert late["inspection"]["at"] == "2026-12-03T23:59:00+08:00"


@pytest.mark.parametrize(("user", "error"), [
    ("demo-project-manager", PermissionDenied), ("demo-owner-chief", PermissionDenied),
    ("demo-supervisor-chief", PermissionDenied),  # the firm's administrator does not stand by on site
    ("demo-parks-line-head", NotFound),  # another line does not see the project
])
def test_only_the_supervisors_engineers_and_inspector_inspect(session, in_construction, now, user, error):
    pid = in_construction()
    applied = apply(session, pid, now)
    with pytest.raises(error):
        inspect(session, applied["id"], photos(session, now), user=user)
    # The supervisor's specialist engineer inspects once the owner's lead has put them on the project.
    with pytest.raises(PermissionDenied):
        inspect(session, applied["id"], photos(session, now), user="demo-specialist-engineer")
    registry.assign_personnel(at(session, "demo-owner-lead", now), pid,
                              {"user_id": "demo-specialist-engineer", "post": "specialist_engineer"})
    assert inspect(session, applied["id"], photos(session, now),
                   user="demo-specialist-engineer")["inspection"]["by"] == "demo-specialist-engineer"


def test_a_second_inspection_is_an_illegal_step_and_changes_nothing(session, in_construction, now):
    pid = in_construction()
    applied = apply(session, pid, now)
    first = inspect(session, applied["id"], photos(session, now))
    before = state(session, pid)
    with pytest.raises(IllegalStep, match="already recorded"):
        inspect(session, applied["id"], photos(session, now), user="demo-chief-engineer", result="failed")
    assert state(session, pid)[:3] == before[:3]
    assert concealed.list_concealed_works(at(session, "demo-owner-chief", now), pid)[0] == first


def test_an_unknown_concealed_work_is_not_found(session, in_construction, now):
    in_construction()
    with pytest.raises(NotFound):
        inspect(session, "nope", photos(session, now))
    with pytest.raises(NotFound):
        review(session, "nope", ON_THE_DAY)


# --- photo evidence (issue item 10) ----------------------------------------------------------------


def test_suspect_photos_are_flagged_and_warned_of_but_the_inspection_stands(session, in_construction, now):
    pid = in_construction()
    applied = apply(session, pid, now)
    taken_the_day_before = photo(session, now, taken_at=ON_THE_DAY - DAY)
    far_away = photo(session, now, lat=30.10)  # about 7.5 km north of the site
    no_exif = upload(session, "demo-inspector", now)  # a JPEG whose EXIF was never recorded
    good = photo(session, now)
    inspected = inspect(session, applied["id"], {"before": [taken_the_day_before, good], "after": [far_away],
                                                 "with_scale": [no_exif]})
    assert inspected["status"] == "awaiting_review"
    flags = inspected["inspection"]["photo_flags"]
    assert [(f["file_id"], f["kind"], f["reasons"]) for f in flags] == [
        (taken_the_day_before, "before", ["other_day"]), (far_away, "after", ["elsewhere"]),
        (no_exif, "with_scale", ["no_exif"])]
    assert flags[1]["distance_m"] > 7000
    [warning] = warnings(session, rules=None)
    assert (warning["rule_id"], warning["article"], warning["project_id"], warning["firm_id"],
            warning["must_act"]) == ("art28.photo-evidence-suspect", "Art. 28", pid, "demo-supervisor", "demo-owner")
    assert warning["detail"]["concealed_work_id"] == applied["id"]
    assert warning["detail"]["photo_flags"] == flags


def test_photos_taken_on_the_day_on_site_raise_no_warning(session, in_construction, now):
    pid = in_construction()
    applied = apply(session, pid, now)
    inspect(session, applied["id"], photos(session, now, taken_at=END_OF_THE_DAY - timedelta(seconds=1), lat=None,
                                           lng=None))
    assert warnings(session, rules=None) == []


def test_a_photos_exif_is_recorded_once_by_its_uploader(session, now):
    file_id = upload(session, "demo-inspector", now)
    inspector = at(session, "demo-inspector", now, "zlb")
    body = {"taken_at": "2026-12-03T10:00:00+08:00", "lat": 30.03, "lng": 120.87}
    with pytest.raises(PermissionDenied):
        concealed.record_photo_metadata(at(session, "demo-project-manager", now, "zlb"), file_id, body)
    recorded = concealed.record_photo_metadata(inspector, file_id, body)
    assert recorded == {"file_id": file_id, **body}
    with pytest.raises(IllegalStep, match="already recorded"):
        concealed.record_photo_metadata(inspector, file_id, {**body, "lat": 31.0})
    assert trail(session, file_id) == [("file.uploaded", "demo-inspector"),
                                       ("file.photo_metadata_recorded", "demo-inspector")]


def test_photo_exif_that_is_not_one_is_refused(session, now):
    inspector = at(session, "demo-inspector", now, "zlb")
    jpeg = upload(session, "demo-inspector", now)
    with pytest.raises(NotFound):
        concealed.record_photo_metadata(inspector, "nope", {})
    with pytest.raises(InvalidInput, match="not a photo"):
        concealed.record_photo_metadata(inspector, upload(session, "demo-inspector", now, "application/pdf"), {})
    for body, field in (({"lat": 30.0}, ""), ({"taken_at": "2026-12-03T10:00:00"}, "taken_at"),
                        ({"lat": 91, "lng": 120}, "lat"), ({"altitude": 3}, "altitude")):
        with pytest.raises(InvalidInput) as refused:
            concealed.record_photo_metadata(inspector, jpeg, body)
        assert refused.value.details[0]["field"] == field
    # a JPEG without EXIF is recorded as knowing nothing
    assert concealed.record_photo_metadata(inspector, jpeg, {})["taken_at"] is None


# --- reviews refused -------------------------------------------------------------------------------


def test_a_review_before_the_inspection_or_a_second_one_is_an_illegal_step(session, in_construction, now):
    pid = in_construction()
    applied = apply(session, pid, now)
    with pytest.raises(IllegalStep, match="not recorded the inspection"):
        review(session, applied["id"], now)
    inspect(session, applied["id"], photos(session, now))
    first = review(session, applied["id"], ON_THE_DAY)
    before = state(session, pid)
    with pytest.raises(IllegalStep, match="already recorded"):
        review(session, applied["id"], ON_THE_DAY + DAY, verdict="rejected")
    assert state(session, pid) == before
    assert concealed.list_concealed_works(at(session, "demo-owner-chief", now), pid)[0] == first


@pytest.mark.parametrize(("user", "error"), [
    ("demo-inspector", PermissionDenied), ("demo-project-manager", PermissionDenied),
    ("demo-line-head", PermissionDenied),  # the line sees the project but is not its owner
    ("demo-parks-line-head", NotFound),
])
def test_only_the_owner_reviews(session, in_construction, now, user, error):
    pid = in_construction()
    applied = apply(session, pid, now)
    inspect(session, applied["id"], photos(session, now))
    with pytest.raises(error):
        review(session, applied["id"], ON_THE_DAY, user=user)
    assert review(session, applied["id"], ON_THE_DAY, user="demo-owner-lead")["review"]["by"] == "demo-owner-lead"


def test_the_list_follows_the_data_scope(session, in_construction, now):
    pid = in_construction()
    apply(session, pid, now)
    assert len(concealed.list_concealed_works(at(session, "demo-inspector", now, "zlb"), pid)) == 1
    with pytest.raises(NotFound):
        concealed.list_concealed_works(at(session, "demo-parks-line-head", now), pid)
    with pytest.raises(NotFound):
        concealed.list_concealed_works(at(session, "demo-designer-chief", now, "zlb"), pid)


def test_the_list_pages_by_planned_day_then_application(session, in_construction, now):
    pid = in_construction()
    later = [apply(session, pid, now, part=f"梁板钢筋{n}")["id"] for n in range(2)]  # one instant: the id decides
    earlier = apply(session, pid, now + DAY, planned="2026-12-02", part="地梁钢筋")["id"]
    owner = at(session, "demo-owner-chief", now + DAY)
    expected = [earlier, *sorted(later)]
    assert [w["id"] for w in concealed.list_concealed_works(owner, pid)] == expected
    assert [w["id"] for w in concealed.list_concealed_works(owner, pid, 2, 0)] == expected[:2]
    assert [w["id"] for w in concealed.list_concealed_works(owner, pid, 2, 2)] == expected[2:]
    assert concealed.list_concealed_works(owner, pid, 500, 3) == []


@pytest.mark.parametrize("limit, offset, field", [(0, 0, "limit"), (501, 0, "limit"), (None, 0, "limit"),
                                                  (10, -1, "offset"), (10, 1.5, "offset")])
def test_a_page_out_of_bounds_is_invalid_input_naming_the_field(session, in_construction, now, limit, offset, field):
    pid = in_construction()
    with pytest.raises(InvalidInput) as refused:
        concealed.list_concealed_works(at(session, "demo-owner-chief", now), pid, limit, offset)
    assert refused.value.details[0]["field"] == field
