"""Check-ins, leave, the owner's settings and the month, on a real (SQLite) database."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from attendance.domain.evaluations import AttendanceWarning
from attendance.persistence.models import Checkin, DeviceBinding
from attendance.usecases import registry_copy
from attendance.usecases.common import raise_warning, require_project, suspension_intervals
from attendance.usecases.devices import approve_device_change
from attendance.usecases.leave import decide_leave, project_leave_requests, request_leave
from attendance.usecases.project_settings import declare_non_working_days, set_phases, set_policy
from attendance.usecases.views import list_warnings, my_attendance, person_positions, project_attendance
from common import events
from common.errors import IllegalStep, InvalidInput, NotFound, PermissionDenied
from common.schema import outbox_message

START = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 08:00 local
PROJECT = "p-dike"


def hours(n: float) -> datetime:
    return START + timedelta(hours=n)


def checkin(call, *, lat=30.03, lng=120.87, device="phone-pm-1", mock=False, request_id=None, project=PROJECT,
            client_time=None):
    return call.check_in({
        "project_id": project, "lat": lat, "lng": lng, "accuracy_m": 8,
        "client_time": (client_time or call.now).isoformat(), "client_request_id": request_id or uuid.uuid4().hex,
        "device": {"id": device, "platform": "android", "mock_location": mock}})


def staged(session, event_type):
    return [row.payload for row in session.execute(
        sa.select(outbox_message).where(outbox_message.c.event_type == event_type))]


def test_two_checkins_four_hours_apart_make_a_valid_day(session, call_as):
    first = checkin(call_as("pm", hours(0)))
    assert first["outcome"] == "accepted" and first["recorded_at"] == "2026-12-01T08:00:00+08:00"
    checkin(call_as("pm", hours(3) + timedelta(minutes=59)))
    month = my_attendance(call_as("pm", hours(4)), "2026-12")[0]
    assert month["valid_days"] == []
    checkin(call_as("pm", hours(4)))
    month = my_attendance(call_as("pm", hours(5)), "2026-12")[0]
    assert month["valid_days"] == ["2026-12-01"] and month["rate"] == 1.0
    recorded = staged(session, "checkin.recorded")
    assert len(recorded) == 3
    # The same spot twice is a risk flag: those check-ins are flagged as well as recorded.
    assert [event["checkin_id"] for event in staged(session, "checkin.flagged")] == [
        event["checkin_id"] for event in recorded if event["outcome"] == "flagged"] != []


def test_a_retried_checkin_is_recorded_once(session, call_as):
    request_id = uuid.uuid4().hex
    first = checkin(call_as("pm", hours(0)), request_id=request_id)
    again = checkin(call_as("pm", hours(0) + timedelta(seconds=5)), request_id=request_id)
    assert again["id"] == first["id"]
    assert session.execute(sa.select(sa.func.count()).select_from(Checkin)).scalar_one() == 1


def test_a_check_in_off_the_roster_is_rejected_and_counts_for_nothing(session, call_as):
    stranger = checkin(call_as("owner-chief", hours(0), portal="zlb"), device="phone-owner-chief")
    assert (stranger["outcome"], stranger["reason"], stranger["status"]) == ("rejected", "not_on_roster", "rejected")
    unknown_project = checkin(call_as("pm", hours(0)), project="nowhere")
    assert (unknown_project["outcome"], unknown_project["reason"]) == ("rejected", "not_on_roster")
    assert staged(session, "checkin.recorded") == []
    assert session.get(DeviceBinding, "owner-chief") is None and session.get(DeviceBinding, "pm") is None
    # The person's next check-in on the right project is judged as if the rejected ones never were.
    assert checkin(call_as("pm", hours(0) + timedelta(seconds=1)))["outcome"] == "accepted"


def test_an_invalid_check_in_stores_nothing(session, call_as):
    with pytest.raises(InvalidInput) as invalid:
        call_as("pm", hours(0)).check_in({"project_id": PROJECT, "lat": 95, "lng": 120, "accuracy_m": 5,
                                          "client_time": "2026-12-01T08:00:00", "client_request_id": "x" * 10,
                                          "device": {}})
    assert {item["field"] for item in invalid.value.details} >= {"lat", "client_time", "device.id"}
    assert session.execute(sa.select(sa.func.count()).select_from(Checkin)).scalar_one() == 0


def test_outside_the_site_is_rejected_with_the_distance(session, call_as):
    answer = checkin(call_as("pm", hours(0)), lat=30.05)
    assert answer["outcome"] == "rejected" and answer["reason"] == "outside_site"
    assert answer["distance_outside_m"] > 1500
    assert staged(session, "checkin.recorded") == []


def test_the_first_device_binds_and_another_is_flagged(session, call_as):
    checkin(call_as("pm", hours(0)), device="phone-pm-1")
    assert session.get(DeviceBinding, "pm").device_id == "phone-pm-1"
    answer = checkin(call_as("pm", hours(4)), device="phone-new-9", lat=30.0301)
    assert answer["outcome"] == "flagged" and answer["flags"] == ["unbound_device"]
    # Both facts: recorded (as every accepted check-in) and flagged (for those who act on flags).
    assert [event["outcome"] for event in staged(session, "checkin.recorded")] == ["accepted", "flagged"]
    [flagged] = staged(session, "checkin.flagged")
    assert (flagged["checkin_id"], flagged["flags"]) == (answer["id"], ["unbound_device"])
    warning = staged(session, "warning.raised")[0]
    assert warning["rule_id"] == "art47.suspected-spoofing" and warning["article"] == "Art. 47"
    assert warning["must_act"] == "owner" or warning["must_act"] == "owner"
    # The owner lets the person use the new phone.
    approve_device_change(call_as("owner-chief", hours(5)), PROJECT,
                          {"person_id": "pm", "device_id": "phone-new-9", "platform": "ios"})
    assert checkin(call_as("pm", hours(24)), device="phone-new-9", lat=30.0302)["outcome"] == "accepted"


def test_checkins_are_counted_by_outcome_once_each(session, call_as):
    from prometheus_client import REGISTRY

    def counts() -> dict:
        return {outcome: REGISTRY.get_sample_value("supervision_checkins_total", {"outcome": outcome}) or 0
                for outcome in ("accepted", "flagged", "rejected")}

    before = counts()
    request_id = uuid.uuid4().hex
    checkin(call_as("pm", hours(0)), request_id=request_id)
    checkin(call_as("pm", hours(0) + timedelta(seconds=5)), request_id=request_id)  # a retry
    checkin(call_as("pm", hours(1)), lat=30.05)
    checkin(call_as("pm", hours(4)), device="phone-new-9", lat=30.0301)
    after = counts()
    assert {outcome: after[outcome] - before[outcome] for outcome in after} == {
        "accepted": 1, "flagged": 1, "rejected": 1}


def test_the_owner_may_block_suspected_spoofing(session, call_as):
    with pytest.raises(PermissionDenied):
        set_policy(call_as("line-head", hours(0)), PROJECT, {"spoofing": "block"})
    set_policy(call_as("owner-chief", hours(0)), PROJECT, {"spoofing": "block"})
    answer = checkin(call_as("pm", hours(0)), mock=True)
    assert answer["outcome"] == "rejected" and answer["reason"] == "suspected_spoofing"
    assert answer["flags"] == ["mock_location"]
    assert len(staged(session, "warning.raised")) == 1


def test_a_suspended_project_takes_no_checkins_and_its_days_do_not_count(session, call_as):
    registry_copy.apply_suspension(session, events.ProjectSuspended(occurred_at=hours(1), project_id=PROJECT,
                                                                    since=hours(1), reason="暴雨"))
    assert checkin(call_as("pm", hours(2)))["reason"] == "project_suspended"
    registry_copy.apply_resumption(session, events.ProjectResumed(occurred_at=hours(48), project_id=PROJECT,
                                                                  resumed_at=hours(48)))
    month = my_attendance(call_as("pm", hours(24 * 4)), "2026-12")[0]
    # Dec 1-3 touched by the suspension; Dec 4 missed; Dec 5 (today) is not over.
    assert (month["construction_days"], month["valid_day_count"]) == (1, 0)


class Files:
    """The workflow's file records as the leave sees them: which files may be named, and with whom
    each was shared."""

    def __init__(self, uploaded):
        self.uploaded, self.shared = set(uploaded), []

    def __call__(self, project_id, file_ids, audiences):
        missing = [file_id for file_id in file_ids if file_id not in self.uploaded]
        if not missing:
            self.shared.append((project_id, list(file_ids), list(audiences)))
        return missing


def test_leave_is_asked_in_advance_and_approved_by_the_owner_with_the_form(session, call_as):
    files = Files({"f1", "form"})
    pm = call_as("pm", hours(0))
    with pytest.raises(InvalidInput, match="start_date"):
        request_leave(pm, {"project_id": PROJECT, "start_date": "2026-12-01", "end_date": "2026-12-02",
                           "reason": "病假"}, share_files=files)
    leave = request_leave(pm, {"project_id": PROJECT, "start_date": "2026-12-02", "end_date": "2026-12-03",
                               "reason": "病假", "document_file_ids": ["f1"]}, share_files=files)
    with pytest.raises(InvalidInput):
        decide_leave(call_as("owner-chief", hours(1)), leave["id"], {"decision": "approve"},
                     share_files=files)
    with pytest.raises(NotFound):
        decide_leave(call_as("stranger", hours(1)), leave["id"],
                     {"decision": "approve", "approval_file_ids": ["form"]}, share_files=files)
    with pytest.raises(PermissionDenied):
        decide_leave(call_as("line-head", hours(1)), leave["id"],
                     {"decision": "approve", "approval_file_ids": ["form"]}, share_files=files)
    with pytest.raises(InvalidInput) as unknown:
        decide_leave(call_as("owner-chief", hours(1)), leave["id"],
                     {"decision": "approve", "approval_file_ids": ["not-a-file"]}, share_files=files)
    assert unknown.value.details == [{"field": "approval_file_ids", "reason": "no such file: not-a-file"}]
    decided = decide_leave(call_as("owner-chief", hours(1)), leave["id"],
                           {"decision": "approve", "approval_file_ids": ["form"]}, share_files=files)
    assert decided["status"] == "approved"
    # The documents open to the owner deciding the leave, the approval form to it and the person.
    assert files.shared == [(PROJECT, ["f1"], ["role:owner"]), (PROJECT, ["form"], ["role:owner", "user:pm"])]
    with pytest.raises(IllegalStep):
        decide_leave(call_as("owner-chief", hours(2)), leave["id"], {"decision": "refuse"},
                     share_files=files)
    checkin(call_as("pm", hours(0)))
    checkin(call_as("pm", hours(4)))
    month = my_attendance(call_as("pm", hours(24 * 3 + 2)), "2026-12")[0]
    # Dec 1 valid, Dec 2-3 on leave, Dec 4 not over: 1 of 1 construction days.
    assert (month["valid_day_count"], month["construction_days"], month["leave_days"]) == (
        1, 1, ["2026-12-02", "2026-12-03"])


def test_the_owner_and_the_back_office_see_the_projects_leave_requests_with_their_documents(session, call_as):
    files = Files({"f1"})
    leave = request_leave(call_as("pm", hours(0)), {
        "project_id": PROJECT, "start_date": "2026-12-02", "end_date": "2026-12-02", "reason": "病假",
        "document_file_ids": ["f1"]}, share_files=files)
    for who in ("owner-chief", "lead", "back-office"):
        listed = project_leave_requests(call_as(who, hours(1)), PROJECT)
        assert [(row["id"], row["document_file_ids"], row["status"]) for row in listed] == [
            (leave["id"], ["f1"], "pending")]
    with pytest.raises(PermissionDenied):
        project_leave_requests(call_as("line-head", hours(1)), PROJECT)
    with pytest.raises(NotFound):
        project_leave_requests(call_as("stranger", hours(1)), PROJECT)
    before = files.shared[:]
    with pytest.raises(InvalidInput) as unknown:  # an upload the person may not name is refused
        request_leave(call_as("pm", hours(0)), {
            "project_id": PROJECT, "start_date": "2026-12-03", "end_date": "2026-12-03", "reason": "事假",
            "document_file_ids": ["someone-elses"]}, share_files=files)
    assert unknown.value.details == [{"field": "document_file_ids", "reason": "no such file: someone-elses"}]
    assert files.shared == before
    assert len(project_leave_requests(call_as("owner-chief", hours(1)), PROJECT)) == 1


def test_non_working_days_and_phases(session, call_as):
    owner = call_as("owner-chief", hours(0))
    declare_non_working_days(owner, PROJECT, {"days": ["2026-12-02"], "reason": "停电"})
    month = project_attendance(call_as("line-head", hours(24 * 3)), PROJECT, "2026-12")
    people = {row["person_id"]: row for row in month["people"]}
    assert people["pm"]["construction_days"] == 2  # Dec 1 and 3
    # The technical lead checks in only in the phases the owner sets (Art. 26).
    assert people["tech"]["construction_days"] == 0
    assert checkin(call_as("tech", hours(0)), device="phone-tech")["reason"] == "not_on_roster"
    set_phases(owner, PROJECT, {"phases": [{"post": "technical_lead", "start": "2026-12-01",
                                            "end": "2026-12-31"}]})
    assert checkin(call_as("tech", hours(0)), device="phone-tech")["outcome"] == "accepted"


def test_project_attendance_is_scoped(session, call_as):
    with pytest.raises(NotFound):
        project_attendance(call_as("stranger", hours(0)), PROJECT, "2026-12")
    with pytest.raises(InvalidInput):
        project_attendance(call_as("owner-chief", hours(0)), PROJECT, "2026-13")
    assert project_attendance(call_as("back-office", hours(0)), PROJECT, "2026-12")["project_id"] == PROJECT


def test_raw_positions_are_for_the_owner_and_each_look_is_logged(session, call_as):
    checkin(call_as("pm", hours(0)))
    with pytest.raises(PermissionDenied):
        person_positions(call_as("line-head", hours(1)), PROJECT, "pm", "2026-12")
    positions = person_positions(call_as("owner-chief", hours(1)), PROJECT, "pm", "2026-12")
    assert positions[0]["lat"] == 30.03
    assert session.execute(sa.text("SELECT viewer_id FROM position_view")).scalars().all() == ["owner-chief"]


def test_a_resumption_handled_before_its_suspension_leaves_the_project_in_construction(session, call_as):
    resumed = events.ProjectResumed(occurred_at=hours(30), project_id=PROJECT, resumed_at=hours(30))
    suspended = events.ProjectSuspended(occurred_at=hours(1), project_id=PROJECT, since=hours(1), reason="停工")
    registry_copy.apply_resumption(session, resumed)
    registry_copy.apply_suspension(session, suspended)
    session.flush()
    assert require_project(session, PROJECT).status == "in_construction"
    assert suspension_intervals(session, PROJECT) == [(hours(1), hours(30))]
    assert checkin(call_as("pm", hours(31)))["outcome"] == "accepted"


def test_a_replaced_person_has_no_duty_from_the_replacement_on(session, call_as):
    checkin(call_as("pm", hours(0)))
    registry_copy.apply_replacement(session, events.PersonnelReplaced(
        occurred_at=hours(24), project_id=PROJECT, post="project_manager", firm_id="contractor",
        replaced_user_id="pm", replacement_user_id="pm2", reason="病", for_illness=True))
    assert checkin(call_as("pm", hours(25)))["reason"] == "not_on_roster"
    month = my_attendance(call_as("pm", hours(24 * 5)), "2026-12")[0]
    assert month["construction_days"] == 1  # Dec 1 only: the duty ended on Dec 2


def test_a_project_out_of_construction_takes_no_checkins(session, call_as):
    registry_copy.apply_status(session, events.ProjectStatusChanged(
        occurred_at=hours(1), project_id=PROJECT, status="completion_acceptance", previous_status="in_construction"))
    assert checkin(call_as("pm", hours(2)))["reason"] == "project_not_in_construction"


# --- paging --------------------------------------------------------------------------------------


def put_pm_on(session, project_id: str) -> None:
    """Another project in construction with the project manager on it."""
    registry_copy.apply_project(session, events.ProjectRegistered(
        occurred_at=START, project_id=project_id, name=project_id, industry="housing", kind="government",
        contract_amount="1000000", below_threshold=False, geofence={"center": (30.03, 120.87), "radius_m": 200},
        planned_start=START.date(), planned_end=START.date() + timedelta(days=200), intake="tender_award",
        status="awarded"))
    registry_copy.apply_personnel(session, events.PersonnelAssigned(
        occurred_at=START, project_id=project_id, user_id="pm", unit_id="contractor", post="project_manager"))
    registry_copy.apply_construction_started(session, events.ConstructionStarted(
        occurred_at=START, project_id=project_id, started_on=START.date()))
    session.flush()


def test_ones_own_month_pages_by_project(session, call_as):
    for project_id in ("p-canal", "p-bridge"):
        put_pm_on(session, project_id)
    pm = call_as("pm", hours(5))
    assert [m["project_id"] for m in my_attendance(pm, "2026-12")] == ["p-bridge", "p-canal", PROJECT]
    assert [m["project_id"] for m in my_attendance(pm, "2026-12", 2, 0)] == ["p-bridge", "p-canal"]
    assert [m["project_id"] for m in my_attendance(pm, "2026-12", 2, 2)] == [PROJECT]
    assert my_attendance(pm, "2026-12", 100, 3) == []


def test_raw_positions_page_oldest_first_and_each_page_is_a_logged_look(session, call_as):
    recorded = [checkin(call_as("pm", hours(n)))["recorded_at"] for n in range(5)]
    owner = call_as("owner-chief", hours(6))
    assert [p["recorded_at"] for p in person_positions(owner, PROJECT, "pm", "2026-12")] == recorded
    assert [p["recorded_at"] for p in person_positions(owner, PROJECT, "pm", "2026-12", 2, 3)] == recorded[3:]
    assert person_positions(owner, PROJECT, "pm", "2026-12", 1000, 5) == []
    assert len(session.execute(sa.text("SELECT viewer_id FROM position_view")).scalars().all()) == 3


def test_leave_requests_and_warnings_page_oldest_first(session, call_as):
    files = Files(set())
    asked = [request_leave(call_as(person, hours(n)), {
        "project_id": PROJECT, "start_date": "2026-12-05", "end_date": "2026-12-05", "reason": "事假"},
        share_files=files)["id"] for n, person in enumerate(("pm", "safety", "chief-eng"))]
    owner = call_as("owner-chief", hours(5))
    assert [leave["id"] for leave in project_leave_requests(owner, PROJECT)] == asked
    assert [leave["id"] for leave in project_leave_requests(owner, PROJECT, 2, 1)] == asked[1:]
    assert project_leave_requests(owner, PROJECT, 500, 3) == []

    for n, person in enumerate(("pm", "safety", "chief-eng")):
        raise_warning(call_as(None, hours(n)), AttendanceWarning(
            rule_id="art42.consecutive-absence", article="Art. 42", project_id=PROJECT, person_id=person,
            firm_id=None, must_act="owner", detail={"days": 2}, key=f"absence:{person}"))
    raised = [w["person_id"] for w in list_warnings(owner, PROJECT)]
    assert raised == ["pm", "safety", "chief-eng"]
    assert [w["person_id"] for w in list_warnings(owner, PROJECT, 1, 2)] == ["chief-eng"]
    assert list_warnings(owner, PROJECT, 500, 3) == []


@pytest.mark.parametrize("limit, offset, field", [(0, 0, "limit"), ("10", 0, "limit"), (False, 0, "limit"),
                                                  (10, -1, "offset"), (10, 10**7, "offset")])
def test_a_page_out_of_bounds_is_invalid_input_naming_the_field(session, call_as, limit, offset, field):
    owner = call_as("owner-chief", hours(1))
    lists = [(lambda *page: my_attendance(call_as("pm", hours(1)), "2026-12", *page), 100),
             (lambda *page: person_positions(owner, PROJECT, "pm", "2026-12", *page), 1000),
             (lambda *page: project_leave_requests(owner, PROJECT, *page), 500),
             (lambda *page: list_warnings(owner, PROJECT, *page), 500)]
    for list_page, maximum in lists:
        for bad_limit, bad_offset, named in ((limit, offset, field), (maximum + 1, 0, "limit")):
            with pytest.raises(InvalidInput) as refused:
                list_page(bad_limit, bad_offset)
            assert refused.value.details[0]["field"] == named
        list_page(maximum, 0)  # the maximum itself is a page
