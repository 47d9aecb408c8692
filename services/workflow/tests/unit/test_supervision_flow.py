"""Supervision logs and stand-by records (Art. 22–23, 46), supervision notices (Art. 45),
subcontracts (Art. 36) and readiness at the planned start (Art. 24), on a real (SQLite)
database: who may do what on which project, every illegal step refused without a change, and
each warning exactly when due, once."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from common.errors import IllegalStep, InvalidInput, NotFound, PermissionDenied
from common.principal import Principal
from common.rule_settings import update_rules
from common.schema import audit_entry, outbox_message
from workflow.domain.deadlines import NOTICE_RECTIFICATION, NOTICE_VERIFICATION, READINESS, SUPERVISION_LOG
from workflow.domain.rules import WorkflowRules
from workflow.persistence.models import Project
from workflow.service import WorkflowService
from workflow.usecases import common, deadlines, processes, registry, supervision

DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)
# 2026-12-01 09:00 in the district (the fixtures' NOW); its local day ends at 16:00 UTC.
END_OF_DEC_1 = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
NOW_OF_FIXTURES = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def project_body(planned_start: str) -> dict:
    return dict(name="曹娥江堤防加固工程", industry="housing", kind="government", contract_amount="12500000",
                below_threshold=False, geofence={"center": [30.03, 120.87], "radius_m": 300},
                planned_start=planned_start, planned_end="2027-06-30")


def at(session, user, when, portal="zlb"):
    return registry.Call(session, when, Principal(user_id=user, portal=portal))


@pytest.fixture
def staffed(session, now):
    """A project of the demo district with its firms and key people, not yet started."""

    def make(planned_start: str = "2026-12-01", *, without: str | None = None) -> str:
        back_office = at(session, "demo-leading-group-chief", now, "zzd")
        pid = registry.register_project(back_office, project_body(planned_start))["id"]
        registry.assign_project(back_office, pid, {"level": "supervising_unit", "target_id": "demo-supervising"})
        registry.assign_project(at(session, "demo-supervising-chief", now, "zzd"), pid,
                                {"level": "line", "target_id": "demo-line-municipal"})
        registry.assign_project(at(session, "demo-line-head", now, "zzd"), pid,
                                {"level": "owner", "target_id": "demo-owner"})
        registry.assign_project(at(session, "demo-owner-chief", now, "zzd"), pid,
                                {"level": "owner_project_lead", "target_id": "demo-owner-lead"})
        lead = at(session, "demo-owner-lead", now, "zzd")
        contract = upload(session, "demo-owner-lead", now)
        for unit, role in (("demo-contractor", "contractor"), ("demo-supervisor", "supervisor")):
            registry.add_participant(lead, pid, {"unit_id": unit, "role": role, "contract_file_id": contract})
        for user, post in (("demo-project-manager", "project_manager"), ("demo-safety-officer", "safety_officer"),
                           ("demo-chief-engineer", "chief_engineer"), ("demo-inspector", "inspector")):
            if post != without:
                registry.assign_personnel(lead, pid, {"user_id": user, "post": post})
        return pid

    return make


@pytest.fixture
def in_construction(session, now, staffed):
    def make() -> str:
        pid = staffed()
        registry.start_construction(at(session, "demo-owner-lead", now, "zzd"), pid)
        return pid

    return make


def upload(session, user, when) -> str:
    return registry.record_file(at(session, user, when), {"sha256": "e" * 64, "size": 5,
                                                          "content_type": "image/jpeg", "filename": "p.jpg"})["id"]


def warnings(session, rule_id: str | None = None) -> list[dict]:
    """The warnings raised, or those of one rule."""
    return [row.payload for row in session.execute(
        sa.select(outbox_message).where(outbox_message.c.event_type == "warning.raised")
        .order_by(outbox_message.c.id)) if rule_id is None or row.payload["rule_id"] == rule_id]


def trail(session, entity_id) -> list[str]:
    return list(session.execute(sa.select(audit_entry.c.action).where(audit_entry.c.entity_id == entity_id)
                                .order_by(audit_entry.c.id)).scalars())


def changes(session) -> tuple[int, int]:
    """What an illegal step must leave as it was: the audit trail and the outbox."""
    return tuple(session.execute(sa.select(sa.func.count()).select_from(table)).scalar()
                 for table in (audit_entry, outbox_message))


def log_body(pid, day, **extra) -> dict:
    return {"project_id": pid, "log_date": day, "weather": "晴", "content": "基础钢筋绑扎，旁站混凝土浇筑", **extra}


def watches(session, user, when, pid, subject_type="supervision_log") -> list[tuple[str, str | None]]:
    return [(d["status"], d["next_due_at"]) for d in deadlines.project_deadlines(at(session, user, when, "zzd"), pid)
            if d["subject_type"] == subject_type]


def notice_deadlines(session, pid) -> list[tuple[str, str, str | None, list[str]]]:
    """The notices' deadlines of the project: (rule, status, the unit that must act, rungs fired)."""
    return [(d["rule_id"], d["status"], d["responsible_unit_id"], d["fired"]) for d in deadlines.project_deadlines(
        at(session, "demo-owner-chief", NOW_OF_FIXTURES, "zzd"), pid) if d["subject_type"] == "supervision_notice"]


def second_contractor(session, now, pid) -> str:
    """A second contractor registered on the project, with a project manager of its own."""
    back_office = at(session, "demo-leading-group-chief", now, "zzd")
    unit = registry.register_unit(back_office, {"kind": "contractor", "name": "第二施工单位",
                                                "credit_code": "913306047000000007"})["id"]
    registry.register_user(back_office, {"name": "二标项目经理", "portal": "zlb", "zlb_user_id": "zlb-second-manager"},
                           user_id="second-manager")
    registry.grant_post(back_office, "second-manager", {"unit_id": unit, "post": "project_manager"})
    registry.add_participant(at(session, "demo-owner-lead", now, "zzd"), pid, {
        "unit_id": unit, "role": "contractor", "contract_file_id": upload(session, "demo-owner-lead", now)})
    return unit


def put_on_project(session, now, pid, user, post) -> None:
    """The owner's project lead puts one more of the firms' people on the project (Art. 21, 26)."""
    registry.assign_personnel(at(session, "demo-owner-lead", now, "zzd"), pid, {"user_id": user, "post": post})


def other_firm(session, now, kind, credit_code, user_id, post) -> None:
    """A firm of the district that takes no part in the test's project."""
    back_office = at(session, "demo-leading-group-chief", now, "zzd")
    unit = registry.register_unit(back_office, {"kind": kind, "name": f"其他{kind}", "credit_code": credit_code})
    registry.register_user(back_office, {"name": "外单位", "portal": "zlb", "zlb_user_id": f"zlb-{user_id}"},
                           user_id=user_id)
    registry.grant_post(back_office, user_id, {"unit_id": unit["id"], "post": post})


# --- supervision logs (Art. 22–23, 46) -------------------------------------------------------------------


def test_a_log_closes_the_watch_and_the_next_is_due_an_interval_after_the_logged_day(session, in_construction,
                                                                                      now):
    pid = in_construction()
    put_on_project(session, now, pid, "demo-specialist-engineer", "specialist_engineer")
    first_watch = common.start_log_watch(session, pid, now)
    assert common.start_log_watch(session, pid, now).id == first_watch.id  # one watch per project
    inspector = at(session, "demo-inspector", now + 8 * 3600 * SECOND)
    log = supervision.record_supervision(inspector, log_body(pid, "2026-12-01"))
    assert (log["kind"], log["supervisor_unit_id"], log["log_date"]) == ("log", "demo-supervisor", "2026-12-01")
    assert trail(session, log["id"]) == ["supervision_log.recorded"]
    # Logged on 1 December: the next log is due by the end of 2 December, local time.
    assert watches(session, "demo-owner-chief", now, pid) == [
        ("satisfied", None), ("open", "2026-12-03T00:00:00+08:00")]
    assert deadlines.sweep(session, END_OF_DEC_1 + DAY - SECOND) == 0  # day N-1: nothing
    assert deadlines.sweep(session, END_OF_DEC_1 + DAY) == 1  # day N: the warning
    assert deadlines.sweep(session, END_OF_DEC_1 + 5 * DAY) == 0  # once
    [warning] = warnings(session)
    assert (warning["rule_id"], warning["article"], warning["must_act"]) == (
        "art46.supervision-log", "Art. 22, 46", "demo-supervisor")
    # A late log still moves the watch on from its own day.
    supervision.record_supervision(at(session, "demo-specialist-engineer", now + 3 * DAY), log_body(pid, "2026-12-04"))
    assert watches(session, "demo-owner-chief", now, pid)[-1] == ("open", "2026-12-06T00:00:00+08:00")


def test_one_log_per_day_and_no_log_of_a_day_to_come(session, in_construction, now):
    pid = in_construction()
    inspector = at(session, "demo-inspector", now)
    before = changes(session)
    with pytest.raises(InvalidInput) as unknown:
        supervision.record_supervision(inspector, log_body(pid, "2026-12-01", file_ids=["no-such-file"]))
    assert unknown.value.details == [{"field": "file_ids", "reason": "no such file: no-such-file"}]
    with pytest.raises(InvalidInput):
        supervision.record_supervision(inspector, log_body(pid, "2026-12-01", kind="diary"))
    assert changes(session) == before
    supervision.record_supervision(inspector, log_body(pid, "2026-12-01"))
    before = changes(session)
    with pytest.raises(IllegalStep, match="already recorded"):
        supervision.record_supervision(at(session, "demo-chief-engineer", now), log_body(pid, "2026-12-01"))
    with pytest.raises(InvalidInput) as future:
        supervision.record_supervision(inspector, log_body(pid, "2026-12-02"))
    assert future.value.details[0]["field"] == "log_date"
    with pytest.raises(InvalidInput, match="construction started on 2026-12-01"):
        supervision.record_supervision(inspector, log_body(pid, "2026-11-30"))
    assert changes(session) == before


def test_only_the_projects_supervisor_people_record_logs(session, staffed, in_construction, now):
    pid = in_construction()
    for user, error in (("demo-project-manager", PermissionDenied), ("demo-supervisor-chief", PermissionDenied),
                        ("demo-owner-chief", PermissionDenied), ("demo-designer-chief", NotFound)):
        with pytest.raises(error):
            supervision.record_supervision(at(session, user, now), log_body(pid, "2026-12-01"))
    other_firm(session, now, "supervisor", "913306049000000009", "other-inspector", "inspector")
    with pytest.raises(NotFound):  # a supervisor of another project does not even see this one
        supervision.record_supervision(at(session, "other-inspector", now), log_body(pid, "2026-12-01"))
    not_started = staffed()
    with pytest.raises(IllegalStep, match="awarded"):
        supervision.record_supervision(at(session, "demo-inspector", now), log_body(not_started, "2026-12-01"))


def test_stand_by_records_need_their_part_and_files_and_leave_the_log_watch_alone(session, in_construction, now):
    pid = in_construction()
    common.start_log_watch(session, pid, now)
    inspector = at(session, "demo-inspector", now)
    with pytest.raises(InvalidInput) as no_part:
        supervision.record_supervision(inspector, log_body(pid, "2026-12-01", kind="standby"))
    assert no_part.value.details[0]["field"] == "part"
    with pytest.raises(InvalidInput) as no_files:
        supervision.record_supervision(inspector, log_body(pid, "2026-12-01", kind="standby", part="承台混凝土浇筑"))
    assert no_files.value.details[0]["field"] == "file_ids"
    photo = upload(session, "demo-inspector", now)
    for part in ("承台混凝土浇筑", "桩基钢筋笼吊放"):  # several stand-by records on one day
        supervision.record_supervision(inspector, log_body(pid, "2026-12-01", kind="standby", part=part,
                                                           file_ids=[photo]))
    assert watches(session, "demo-owner-chief", now, pid) == [("open", "2026-12-02T09:00:00+08:00")]
    records = supervision.supervision_records(at(session, "demo-owner-chief", now, "zzd"), pid)
    # Recorded at the same instant: their order is the id's, stable but not the order of entry.
    assert sorted(r["part"] for r in records["standby_records"]) == ["承台混凝土浇筑", "桩基钢筋笼吊放"]
    assert records["logs"] == []
    assert deadlines.sweep(session, now + DAY) == 1  # no log yet: the warning


def test_a_log_filled_in_for_an_earlier_day_does_not_move_the_watch_back(session, in_construction, now):
    pid = in_construction()
    supervision.record_supervision(at(session, "demo-inspector", now + 2 * DAY), log_body(pid, "2026-12-03"))
    supervision.record_supervision(at(session, "demo-inspector", now + 2 * DAY), log_body(pid, "2026-12-02"))
    # The watch construction started is closed by the log of the 3rd; the one it started stays.
    assert watches(session, "demo-owner-chief", now, pid) == [
        ("satisfied", None), ("open", "2026-12-05T00:00:00+08:00")]
    records = supervision.supervision_records(at(session, "demo-project-manager", now + 2 * DAY), pid)
    assert [r["log_date"] for r in records["logs"]] == ["2026-12-02", "2026-12-03"]


def test_a_missed_log_warns_the_supervisor_firm_by_name(session, in_construction, now, sweep):
    pid = in_construction()
    assert sweep(now + 2 * DAY)[SUPERVISION_LOG] == 1
    [warning] = warnings(session, SUPERVISION_LOG)
    assert warning["project_id"] == pid
    # The watch has no unit of its own: the project's supervisor must act, and the warning names it
    # as the firm (scoring deducts from the firm it names, Art. 46).
    assert (warning["must_act"], warning["firm_id"]) == ("demo-supervisor", "demo-supervisor")


def test_once_the_project_leaves_construction_no_log_is_due(session, in_construction, now, sweep):
    pid = in_construction()
    assert watches(session, "demo-owner-chief", now, pid) == [("open", "2026-12-02T09:00:00+08:00")]
    processes.start_acceptance(at(session, "demo-project-manager", now), {"project_id": pid, "variant": "government"})
    # Completion acceptance stopped the watch itself: nothing is left to stop.
    assert watches(session, "demo-owner-chief", now, pid) == [("cancelled", None)]
    assert common.stop_log_watch(session, pid, now) == 0
    # The supervisor may still log the completion works, but no next log falls due.
    supervision.record_supervision(at(session, "demo-inspector", now), log_body(pid, "2026-12-01"))
    assert watches(session, "demo-owner-chief", now, pid) == [("cancelled", None)]
    assert sweep(now + 30 * DAY)[SUPERVISION_LOG] == 0
    assert warnings(session, SUPERVISION_LOG) == []


# --- supervision notices (Art. 45) ----------------------------------------------------------------------


def notice_body(pid, days=5, **extra) -> dict:
    return {"project_id": pid, "subject": "钢筋保护层厚度不足", "requirement": "按图纸返工并报验",
            "rectify_within_days": days, **extra}


def test_a_notice_rectified_after_a_rejection_closes_without_a_warning(session, in_construction, now, sweep):
    pid = in_construction()
    put_on_project(session, now, pid, "demo-specialist-engineer", "specialist_engineer")
    put_on_project(session, now, pid, "demo-technical-lead", "technical_lead")
    notice = supervision.issue_notice(at(session, "demo-chief-engineer", now), notice_body(pid, days=5))
    assert (notice["status"], notice["contractor_unit_id"]) == ("awaiting_rectification", "demo-contractor")
    photo = upload(session, "demo-project-manager", now)
    manager = at(session, "demo-project-manager", now + DAY)
    answered = supervision.submit_rectification(manager, notice["id"], {"description": "已返工", "file_ids": [photo]})
    assert answered["status"] == "awaiting_verification"
    with pytest.raises(IllegalStep):  # one answer at a time
        supervision.submit_rectification(manager, notice["id"], {"description": "已返工", "file_ids": [photo]})
    rejected = supervision.verify_rectification(at(session, "demo-specialist-engineer", now + 2 * DAY), notice["id"],
                                                {"verdict": "rejected", "note": "保护层仍不足"})
    assert rejected["status"] == "awaiting_rectification"
    supervision.submit_rectification(at(session, "demo-technical-lead", now + 3 * DAY), notice["id"],
                                     {"description": "再次返工", "file_ids": [photo]})
    accepted = supervision.verify_rectification(at(session, "demo-chief-engineer", now + 4 * DAY), notice["id"],
                                                {"verdict": "accepted", "note": "整改到位"})
    assert accepted["status"] == "rectified"
    assert [(r["verdict"], r["submitted_by"]) for r in accepted["rectifications"]] == [
        ("rejected", "demo-project-manager"), ("accepted", "demo-technical-lead")]
    before = changes(session)
    with pytest.raises(IllegalStep):  # a second decision on a decided notice
        supervision.verify_rectification(at(session, "demo-chief-engineer", now + 4 * DAY), notice["id"],
                                         {"verdict": "rejected", "note": "再看看"})
    with pytest.raises(IllegalStep):
        supervision.submit_rectification(manager, notice["id"], {"description": "再次", "file_ids": [photo]})
    assert changes(session) == before
    assert sweep(now + 30 * DAY)[NOTICE_RECTIFICATION] == 0
    assert warnings(session, NOTICE_RECTIFICATION) == []
    # The contractor's rectification, and the supervisor's verification of each answer.
    assert notice_deadlines(session, pid) == [(NOTICE_RECTIFICATION, "satisfied", "demo-contractor", []),
                                              (NOTICE_VERIFICATION, "satisfied", "demo-supervisor", []),
                                              (NOTICE_VERIFICATION, "satisfied", "demo-supervisor", [])]
    [listed] = supervision.supervision_records(at(session, "demo-owner-chief", now, "zzd"), pid)["notices"]
    assert [r["verdict"] for r in listed["rectifications"]] == ["rejected", "accepted"]
    assert trail(session, notice["id"]) == [
        "supervision_notice.issued", "supervision_notice.rectification_submitted", "supervision_notice.verified",
        "supervision_notice.rectification_submitted", "supervision_notice.verified"]


def test_a_notice_not_rectified_in_its_days_warns_on_the_day_once(session, in_construction, now, sweep):
    pid = in_construction()
    notice = supervision.issue_notice(at(session, "demo-chief-engineer", now), notice_body(pid, days=3))
    photo = upload(session, "demo-project-manager", now)
    supervision.submit_rectification(at(session, "demo-project-manager", now + DAY), notice["id"],
                                     {"description": "已整改", "file_ids": [photo]})
    supervision.verify_rectification(at(session, "demo-chief-engineer", now + 2 * DAY), notice["id"],
                                     {"verdict": "rejected", "note": "未整改到位"})
    # The day the answer awaited verification does not count; the rejection gives the contractor
    # back the two days it had left, and does not restart the three the notice gave.
    assert sweep(now + 4 * DAY - SECOND)[NOTICE_RECTIFICATION] == 0
    assert sweep(now + 4 * DAY)[NOTICE_RECTIFICATION] == 1
    assert sweep(now + 10 * DAY)[NOTICE_RECTIFICATION] == 0
    [warning] = warnings(session, NOTICE_RECTIFICATION)
    assert (warning["rule_id"], warning["article"], warning["must_act"], warning["firm_id"],
            warning["detail"]["subject_id"], warning["detail"]["due_at"]) == (
        "art45.notice-rectification", "Art. 45", "demo-contractor", "demo-contractor", notice["id"],
        "2026-12-05T09:00:00+08:00")
    assert warnings(session, NOTICE_VERIFICATION) == []  # verified the day after the answer


def test_an_answer_awaiting_verification_holds_the_contractors_days(session, in_construction, now, sweep):
    # Tried on the platform: rectified on day 1 of 2, verified on day 3 — the contractor was warned.
    pid = in_construction()
    notice = supervision.issue_notice(at(session, "demo-chief-engineer", now), notice_body(pid, days=2))
    photo = upload(session, "demo-project-manager", now)
    supervision.submit_rectification(at(session, "demo-project-manager", now + DAY), notice["id"],
                                     {"description": "已整改", "file_ids": [photo]})
    held = {d["rule_id"]: d for d in deadlines.project_deadlines(at(session, "demo-owner-chief", now, "zzd"), pid)
            if d["subject_id"] == notice["id"]}
    assert held[NOTICE_RECTIFICATION]["next_due_at"] is None  # not known while the answer awaits verification
    assert held[NOTICE_RECTIFICATION]["holds"] == [{"since": "2026-12-02T09:00:00+08:00", "until": None}]
    # The supervisor's own days: three by default (Art. 23, 45; a platform default).
    assert held[NOTICE_VERIFICATION]["next_due_at"] == "2026-12-05T09:00:00+08:00"
    assert held[NOTICE_VERIFICATION]["responsible_unit_id"] == "demo-supervisor"
    fired = sweep(now + 3 * DAY - SECOND)  # the notice's two days are long past, the supervisor's three not
    assert (fired[NOTICE_RECTIFICATION], fired[NOTICE_VERIFICATION]) == (0, 0)
    supervision.verify_rectification(at(session, "demo-chief-engineer", now + 3 * DAY), notice["id"],
                                     {"verdict": "accepted", "note": "整改到位"})
    assert sweep(now + 30 * DAY)[NOTICE_RECTIFICATION] == 0
    assert warnings(session, NOTICE_RECTIFICATION) == []
    assert warnings(session, NOTICE_VERIFICATION) == []
    assert notice_deadlines(session, pid) == [(NOTICE_RECTIFICATION, "satisfied", "demo-contractor", []),
                                              (NOTICE_VERIFICATION, "satisfied", "demo-supervisor", [])]


def test_a_late_verification_warns_the_supervisor_once_and_not_the_contractor(session, in_construction, now,
                                                                                sweep):
    update_rules(session, WorkflowRules, {"notice_verification_days": 1},
                 principal=Principal(user_id="demo-leading-group-chief", portal="zzd"), at=now)
    pid = in_construction()
    notice = supervision.issue_notice(at(session, "demo-chief-engineer", now), notice_body(pid, days=2))
    photo = upload(session, "demo-project-manager", now)
    supervision.submit_rectification(at(session, "demo-project-manager", now + DAY), notice["id"],
                                     {"description": "已整改", "file_ids": [photo]})
    assert sweep(now + 2 * DAY - SECOND)[NOTICE_VERIFICATION] == 0
    fired = sweep(now + 2 * DAY)
    assert (fired[NOTICE_VERIFICATION], fired[NOTICE_RECTIFICATION]) == (1, 0)
    assert sweep(now + 5 * DAY)[NOTICE_VERIFICATION] == 0  # once
    [warning] = warnings(session, NOTICE_VERIFICATION)
    assert (warning["article"], warning["must_act"], warning["firm_id"], warning["detail"]["subject_id"],
            warning["detail"]["due_at"]) == (
        "Art. 23, 45", "demo-supervisor", "demo-supervisor", notice["id"], "2026-12-03T09:00:00+08:00")
    supervision.verify_rectification(at(session, "demo-chief-engineer", now + 5 * DAY), notice["id"],
                                     {"verdict": "accepted", "note": "整改到位"})
    assert sweep(now + 30 * DAY)[NOTICE_RECTIFICATION] == 0
    assert warnings(session, NOTICE_RECTIFICATION) == []
    assert notice_deadlines(session, pid) == [(NOTICE_RECTIFICATION, "satisfied", "demo-contractor", []),
                                              (NOTICE_VERIFICATION, "satisfied", "demo-supervisor", ["warning"])]


def test_a_suspension_during_the_hold_counts_once(session, in_construction, now, sweep):
    pid = in_construction()
    notice = supervision.issue_notice(at(session, "demo-chief-engineer", now), notice_body(pid, days=2))
    photo = upload(session, "demo-project-manager", now)
    supervision.submit_rectification(at(session, "demo-project-manager", now + DAY), notice["id"],
                                     {"description": "已整改", "file_ids": [photo]})
    lead = at(session, "demo-owner-lead", now + 2 * DAY, "zzd")
    registry.suspend_project(lead, pid, {"since": (now + 2 * DAY).isoformat(), "reason": "暴雨停工"})
    registry.resume_project(at(session, "demo-owner-lead", now + 4 * DAY, "zzd"), pid)
    # Rejected on day 5: the contractor has the one day it had left, from then.
    supervision.verify_rectification(at(session, "demo-chief-engineer", now + 5 * DAY), notice["id"],
                                     {"verdict": "rejected", "note": "未整改到位"})
    assert sweep(now + 6 * DAY - SECOND)[NOTICE_RECTIFICATION] == 0
    assert sweep(now + 6 * DAY)[NOTICE_RECTIFICATION] == 1


def test_the_warning_names_the_contractor_the_notice_is_addressed_to(session, in_construction, now, sweep):
    pid = in_construction()
    second = second_contractor(session, now, pid)
    notice = supervision.issue_notice(at(session, "demo-chief-engineer", now),
                                      notice_body(pid, days=2, contractor_unit_id=second))
    assert notice_deadlines(session, pid) == [(NOTICE_RECTIFICATION, "open", second, [])]
    assert sweep(now + 2 * DAY)[NOTICE_RECTIFICATION] == 1
    [warning] = warnings(session, NOTICE_RECTIFICATION)
    assert (warning["must_act"], warning["firm_id"], warning["detail"]["subject_id"]) == (second, second, notice["id"])


def test_one_holding_the_post_in_both_contractors_answers_only_for_the_one_it_serves(session, in_construction,
                                                                                       now):
    pid = in_construction()
    second = second_contractor(session, now, pid)
    # The first contractor's project manager, on the project for it, takes the same post in the second.
    registry.grant_post(at(session, "demo-leading-group-chief", now, "zzd"), "demo-project-manager",
                        {"unit_id": second, "post": "project_manager"})
    to_second = supervision.issue_notice(at(session, "demo-chief-engineer", now),
                                         notice_body(pid, contractor_unit_id=second))
    photo = upload(session, "demo-project-manager", now)
    before = changes(session)
    with pytest.raises(PermissionDenied):
        supervision.submit_rectification(at(session, "demo-project-manager", now), to_second["id"],
                                         {"description": "已整改", "file_ids": [photo]})
    assert changes(session) == before
    # The second contractor's own project manager, once on the project, answers it.
    put_on_project(session, now, pid, "second-manager", "project_manager")
    own_photo = upload(session, "second-manager", now)
    answered = supervision.submit_rectification(at(session, "second-manager", now), to_second["id"],
                                                {"description": "已整改", "file_ids": [own_photo]})
    assert answered["status"] == "awaiting_verification"
    to_first = supervision.issue_notice(at(session, "demo-chief-engineer", now),
                                        notice_body(pid, contractor_unit_id="demo-contractor"))
    assert supervision.submit_rectification(at(session, "demo-project-manager", now), to_first["id"], {
        "description": "已整改", "file_ids": [photo]})["status"] == "awaiting_verification"


def test_who_issues_answers_and_verifies_a_notice(session, in_construction, now):
    pid = in_construction()
    for user in ("demo-inspector", "demo-project-manager", "demo-supervisor-chief"):
        with pytest.raises(PermissionDenied):
            supervision.issue_notice(at(session, user, now), notice_body(pid))
    for days in (0, 91):
        with pytest.raises(InvalidInput):
            supervision.issue_notice(at(session, "demo-chief-engineer", now), notice_body(pid, days=days))
    with pytest.raises(InvalidInput, match="contractor_unit_id"):
        supervision.issue_notice(at(session, "demo-chief-engineer", now),
                                 notice_body(pid, contractor_unit_id="demo-designer"))
    # The supervisor's specialist engineer issues notices on the project once put on it.
    with pytest.raises(PermissionDenied):
        supervision.issue_notice(at(session, "demo-specialist-engineer", now), notice_body(pid))
    put_on_project(session, now, pid, "demo-specialist-engineer", "specialist_engineer")
    notice = supervision.issue_notice(at(session, "demo-specialist-engineer", now), notice_body(pid))
    photo = upload(session, "demo-project-manager", now)
    before = changes(session)
    with pytest.raises(IllegalStep, match="no rectification to verify"):
        supervision.verify_rectification(at(session, "demo-chief-engineer", now), notice["id"],
                                         {"verdict": "accepted", "note": "合格"})
    for user in ("demo-chief-engineer", "demo-owner-chief"):
        with pytest.raises(PermissionDenied):
            supervision.submit_rectification(at(session, user, now), notice["id"],
                                             {"description": "已整改", "file_ids": [photo]})
    with pytest.raises(InvalidInput) as no_evidence:  # the answer carries its evidence
        supervision.submit_rectification(at(session, "demo-project-manager", now), notice["id"],
                                         {"description": "已整改", "file_ids": []})
    assert no_evidence.value.details[0]["field"] == "file_ids"
    with pytest.raises(InvalidInput) as unknown:
        supervision.submit_rectification(at(session, "demo-project-manager", now), notice["id"],
                                         {"description": "已整改", "file_ids": [photo, "lost-photo"]})
    assert unknown.value.details == [{"field": "file_ids", "reason": "no such file: lost-photo"}]
    assert changes(session) == before
    supervision.submit_rectification(at(session, "demo-project-manager", now), notice["id"],
                                     {"description": "已整改", "file_ids": [photo]})
    for user in ("demo-project-manager", "demo-inspector"):
        with pytest.raises(PermissionDenied):
            supervision.verify_rectification(at(session, user, now), notice["id"],
                                             {"verdict": "accepted", "note": "合格"})
    with pytest.raises(NotFound):
        supervision.submit_rectification(at(session, "demo-project-manager", now), "no-such-notice",
                                         {"description": "已整改", "file_ids": [photo]})
    other_firm(session, now, "contractor", "913306048000000008", "other-manager", "project_manager")
    with pytest.raises(NotFound):  # a contractor of another project does not see the notice
        supervision.submit_rectification(at(session, "other-manager", now), notice["id"],
                                         {"description": "已整改", "file_ids": [photo]})


def test_a_refusal_to_rectify_goes_to_the_industry_authority_once(session, in_construction, now):
    pid = in_construction()
    notice = supervision.issue_notice(at(session, "demo-chief-engineer", now), notice_body(pid, days=3))
    with pytest.raises(PermissionDenied):
        supervision.escalate_notice(at(session, "demo-project-manager", now), notice["id"], {"note": "拒不整改"})
    escalated = supervision.escalate_notice(at(session, "demo-chief-engineer", now + DAY), notice["id"],
                                            {"note": "施工单位拒不整改"})
    assert escalated["escalated_by"] == "demo-chief-engineer"
    [warning] = warnings(session)
    assert (warning["rule_id"], warning["article"], warning["must_act"], warning["firm_id"]) == (
        "art45.refused-rectification", "Art. 45", "demo-housing", "demo-contractor")
    assert warning["detail"]["notice_id"] == notice["id"]
    with pytest.raises(IllegalStep, match="already reported"):
        supervision.escalate_notice(at(session, "demo-chief-engineer", now + DAY), notice["id"], {"note": "再次"})
    # The contractor may still comply; the notice's own deadline runs on.
    photo = upload(session, "demo-project-manager", now)
    supervision.submit_rectification(at(session, "demo-project-manager", now + 2 * DAY), notice["id"],
                                     {"description": "已整改", "file_ids": [photo]})
    assert trail(session, notice["id"])[1] == "supervision_notice.escalated"


def test_a_refusal_goes_to_the_owner_where_the_industry_has_no_authority(session, in_construction, now):
    pid = in_construction()
    session.get(Project, pid).industry = "water"  # the district has registered no water authority
    notice = supervision.issue_notice(at(session, "demo-chief-engineer", now), notice_body(pid))
    photo = upload(session, "demo-project-manager", now)
    supervision.submit_rectification(at(session, "demo-project-manager", now), notice["id"],
                                     {"description": "已整改", "file_ids": [photo]})
    with pytest.raises(IllegalStep, match="awaiting_verification"):  # it answered: no refusal
        supervision.escalate_notice(at(session, "demo-chief-engineer", now), notice["id"], {"note": "拒不整改"})
    supervision.verify_rectification(at(session, "demo-chief-engineer", now), notice["id"],
                                     {"verdict": "rejected", "note": "未整改"})
    supervision.escalate_notice(at(session, "demo-chief-engineer", now), notice["id"], {"note": "拒不整改"})
    assert warnings(session)[0]["must_act"] == "demo-owner"


def test_the_supervision_records_are_listed_in_the_projects_scope(session, in_construction, now):
    pid = in_construction()
    supervision.record_supervision(at(session, "demo-inspector", now), log_body(pid, "2026-12-01"))
    supervision.issue_notice(at(session, "demo-chief-engineer", now), notice_body(pid))
    for user, portal in (("demo-owner-chief", "zzd"), ("demo-line-head", "zzd"), ("demo-housing-chief", "zzd"),
                         ("demo-project-manager", "zlb")):
        records = supervision.supervision_records(at(session, user, now, portal), pid)
        assert (len(records["logs"]), len(records["notices"])) == (1, 1)
    for user in ("demo-parks-line-head", "demo-designer-chief"):
        with pytest.raises(NotFound):
            supervision.supervision_records(at(session, user, now), pid)


def test_each_list_of_the_supervision_records_pages_oldest_first(session, in_construction, now):
    pid = in_construction()
    later = now + 3 * DAY
    inspector = at(session, "demo-inspector", later)
    logs = [supervision.record_supervision(inspector, log_body(pid, day))["id"]
            for day in ("2026-12-03", "2026-12-01", "2026-12-02")]
    photo = upload(session, "demo-inspector", later)
    standby = [supervision.record_supervision(at(session, "demo-inspector", later + n * SECOND), log_body(
        pid, "2026-12-02", kind="standby", part=f"桩基{n}", file_ids=[photo]))["id"] for n in range(3)]
    notices = [supervision.issue_notice(at(session, "demo-chief-engineer", later + n * SECOND),
                                        notice_body(pid, subject=f"问题{n}"))["id"] for n in range(3)]

    def page(limit=100, offset=0) -> tuple[list[str], list[str], list[str]]:
        records = supervision.supervision_records(at(session, "demo-owner-chief", later, "zzd"), pid, limit, offset)
        return tuple([item["id"] for item in records[name]] for name in ("logs", "standby_records", "notices"))

    in_order = ([logs[1], logs[2], logs[0]], standby, notices)  # logs by their day, the others as recorded
    assert page() == in_order
    assert page(2, 0) == tuple(ids[:2] for ids in in_order)
    assert page(2, 2) == tuple(ids[2:] for ids in in_order)
    assert page(500, 3) == ([], [], [])


# --- subcontracts (Art. 36) ---------------------------------------------------------------------------


def subcontract_body(pid, contract, **extra) -> dict:
    return {"project_id": pid, "subcontractor_name": "绍兴钢构工程有限公司",
            "subcontractor_credit_code": "91330604MA2BX0001K", "scope": "钢结构雨棚制作安装",
            "contract_file_id": contract, **extra}


def test_the_contractor_registers_a_subcontract_once(session, in_construction, now):
    pid = in_construction()
    contract = upload(session, "demo-project-manager", now)
    manager = at(session, "demo-project-manager", now)
    subcontract = supervision.register_subcontract(manager, subcontract_body(pid, contract, amount="350000.50"))
    assert (subcontract["contractor_unit_id"], subcontract["amount"]) == ("demo-contractor", "350000.50")
    assert trail(session, subcontract["id"]) == ["subcontract.registered"]
    listed = supervision.list_subcontracts(at(session, "demo-owner-chief", now, "zzd"), pid)
    assert [s["id"] for s in listed] == [subcontract["id"]]
    before = changes(session)
    with pytest.raises(IllegalStep, match="already registered"):
        supervision.register_subcontract(at(session, "demo-contractor-chief", now), subcontract_body(pid, contract))
    with pytest.raises(InvalidInput, match="itself"):
        supervision.register_subcontract(manager, subcontract_body(
            pid, contract, subcontractor_credit_code="913306041000000001"))
    with pytest.raises(InvalidInput) as missing:
        supervision.register_subcontract(manager, subcontract_body(pid, "no-such-contract"))
    assert missing.value.details == [{"field": "contract_file_id", "reason": "no such file: no-such-contract"}]
    for bad in ({"subcontractor_credit_code": "91330604MA2BX0001"}, {"subcontractor_credit_code": "91330604MA2BX0001I"},
                {"amount": "-1"}, {"amount": "1.001"}, {"scope": ""}):
        with pytest.raises(InvalidInput):
            supervision.register_subcontract(manager, subcontract_body(pid, contract, **bad))
    assert changes(session) == before


def test_only_the_projects_contractor_registers_subcontracts_before_completion(session, in_construction, now):
    pid = in_construction()
    contract = upload(session, "demo-project-manager", now)
    for user in ("demo-technical-lead", "demo-chief-engineer", "demo-owner-lead"):
        with pytest.raises(PermissionDenied):
            supervision.register_subcontract(at(session, user, now), subcontract_body(pid, contract))
    other_firm(session, now, "contractor", "913306048000000008", "other-manager", "project_manager")
    with pytest.raises(NotFound):
        supervision.register_subcontract(at(session, "other-manager", now), subcontract_body(pid, contract))
    with pytest.raises(NotFound):
        supervision.list_subcontracts(at(session, "other-manager", now), pid)
    processes.start_acceptance(at(session, "demo-project-manager", now), {"project_id": pid, "variant": "government"})
    with pytest.raises(IllegalStep, match="completion_acceptance"):
        supervision.register_subcontract(at(session, "demo-project-manager", now), subcontract_body(pid, contract))


# --- readiness at the planned start (Art. 24) -----------------------------------------------------------

PLANNED_START = datetime(2026, 12, 9, 16, 0, tzinfo=UTC)  # 2026-12-10 00:00 in the district


def test_a_project_ready_before_its_planned_start_raises_nothing(session, staffed, now, sweep):
    pid = staffed(planned_start="2026-12-10")  # the last key person registered closed the watch
    assert watches(session, "demo-owner-chief", now, pid, "readiness") == [("satisfied", None)]
    assert sweep(PLANNED_START + DAY)[READINESS] == 0


def test_what_is_missing_at_the_planned_start_is_a_warning_then(session, staffed, now, sweep):
    pid = staffed(planned_start="2026-12-10", without="inspector")  # its registration started the watch
    assert watches(session, "demo-owner-chief", now, pid, "readiness") == [("open", "2026-12-10T00:00:00+08:00")]
    assert sweep(PLANNED_START - SECOND)[READINESS] == 0  # before the planned start: nothing
    assert sweep(PLANNED_START)[READINESS] == 1  # at it: the warning
    assert sweep(PLANNED_START + 10 * DAY)[READINESS] == 0  # once
    [warning] = warnings(session, READINESS)
    assert (warning["rule_id"], warning["article"], warning["must_act"], warning["detail"]["due_at"]) == (
        "art24.readiness-at-planned-start", "Art. 24", "demo-owner", "2026-12-10T00:00:00+08:00")
    # Construction never started: no log was ever due.
    assert warnings(session, SUPERVISION_LOG) == []


def test_construction_started_before_the_planned_start_raises_nothing(session, staffed, now, sweep):
    pid = staffed(planned_start="2026-12-10")
    registry.start_construction(at(session, "demo-owner-lead", now + 2 * DAY, "zzd"), pid)
    # Starting construction closed the watch its registration started: nothing is left open.
    assert watches(session, "demo-owner-chief", now, pid, "readiness") == [("satisfied", None)]
    assert common.satisfy_readiness(session, pid, now + 2 * DAY) == 0
    assert sweep(PLANNED_START + 10 * DAY)[READINESS] == 0
    assert warnings(session, READINESS) == []
    # What runs instead is the log watch construction started, and no log came.
    assert [w["rule_id"] for w in warnings(session)] == [SUPERVISION_LOG]


def test_subcontracts_page_oldest_first(session, in_construction, now):
    pid = in_construction()
    registered = [supervision.register_subcontract(
        at(session, "demo-project-manager", now + n * SECOND),
        subcontract_body(pid, upload(session, "demo-project-manager", now), scope=f"分包范围{n}"))["id"]
        for n in range(3)]
    owner = at(session, "demo-owner-chief", now + DAY, "zzd")
    assert [s["id"] for s in supervision.list_subcontracts(owner, pid)] == registered
    assert [s["id"] for s in supervision.list_subcontracts(owner, pid, 2, 0)] == registered[:2]
    assert [s["id"] for s in supervision.list_subcontracts(owner, pid, 2, 2)] == registered[2:]
    assert supervision.list_subcontracts(owner, pid, 500, 3) == []


@pytest.mark.parametrize("limit, offset, field", [(0, 0, "limit"), (501, 0, "limit"), ("5", 0, "limit"),
                                                  (5, -1, "offset"), (5, 10**7, "offset")])
def test_a_page_of_records_or_subcontracts_out_of_bounds_is_invalid_input(session, in_construction, now, limit,
                                                                          offset, field):
    pid = in_construction()
    owner = at(session, "demo-owner-chief", now, "zzd")
    for list_page in (supervision.supervision_records, supervision.list_subcontracts):
        with pytest.raises(InvalidInput) as refused:
            list_page(owner, pid, limit, offset)
        assert refused.value.details[0]["field"] == field


# --- warning rules the back office switches off (Art. 8) --------------------------------------------------


def switch_off(session, now, *rule_ids) -> None:
    update_rules(session, WorkflowRules, {"warnings_switched_off": list(rule_ids)},
                 principal=Principal(user_id="demo-leading-group-chief", portal="zzd"), at=now,
                 choices=WorkflowService.setting_choices)  # as the service's update_rule_settings


def test_a_switched_off_deadline_rule_fires_its_rung_once_without_a_warning_while_others_warn(
        session, in_construction, now, sweep):
    pid = in_construction()
    switch_off(session, now, SUPERVISION_LOG)
    notice = supervision.issue_notice(at(session, "demo-chief-engineer", now), notice_body(pid, days=1))
    fired = sweep(now + 2 * DAY)
    assert (fired[SUPERVISION_LOG], fired[NOTICE_RECTIFICATION]) == (1, 1)  # both rungs fired
    assert warnings(session, SUPERVISION_LOG) == []  # only the switched-off rule is silent
    [warning] = warnings(session, NOTICE_RECTIFICATION)
    assert warning["detail"]["subject_id"] == notice["id"]
    # Switched on again: the rung that fired is not raised later.
    switch_off(session, now + 2 * DAY)
    assert sweep(now + 2 * DAY + SECOND)[SUPERVISION_LOG] == 0
    assert warnings(session, SUPERVISION_LOG) == []
    actions = session.execute(sa.select(audit_entry.c.after).where(audit_entry.c.action == "rule_settings.changed")
                              .order_by(audit_entry.c.id)).scalars().all()
    assert actions == [{"warnings_switched_off": [SUPERVISION_LOG]}, {"warnings_switched_off": []}]


def test_a_switched_off_refusal_warning_is_not_raised_but_the_escalation_is_recorded(session, in_construction,
                                                                                       now):
    pid = in_construction()
    switch_off(session, now, "art45.refused-rectification")
    notice = supervision.issue_notice(at(session, "demo-chief-engineer", now), notice_body(pid, days=3))
    escalated = supervision.escalate_notice(at(session, "demo-chief-engineer", now + DAY), notice["id"],
                                            {"note": "施工单位拒不整改"})
    assert escalated["escalated_by"] == "demo-chief-engineer"
    assert warnings(session) == []
    assert "supervision_notice.escalated" in trail(session, notice["id"])


def test_a_rule_of_another_service_cannot_be_switched_off_here(session, now):
    with pytest.raises(InvalidInput) as caught:
        switch_off(session, now, SUPERVISION_LOG, "art42.monthly-rate")  # an attendance rule
    [detail] = caught.value.details
    assert detail["field"] == "warnings_switched_off" and "art42.monthly-rate" in detail["reason"]
    assert session.execute(sa.select(audit_entry).where(audit_entry.c.action == "rule_settings.changed")).first() \
        is None
