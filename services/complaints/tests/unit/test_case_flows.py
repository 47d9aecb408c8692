"""Cases as the use cases run them on a real (SQLite) database: the complaint window, disposal down
the chain, who may see what, one case per warning, and the steps' time limits."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from common import events, registry_copy
from common.errors import IllegalStep, InvalidInput, NotFound, PermissionDenied, TooManyRequests
from common.schema import audit_entry
from complaints.usecases import cases, complaints, deadlines, stats, warnings
from complaints.usecases.common import RULES

from .conftest import NOW

COMPLAINT = {"project_id": "p1", "category": "safety", "text": "工地夜间无防护栏, 行人易跌落",
             "anonymous": False, "contact": {"name": "张三", "phone": "13812345678"}}


def file(session, data=COMPLAINT, client="client-1", at=NOW):
    return complaints.file_complaint(session, at, RULES.get(session), dict(data), client)


def case_id_of(session, code):
    from complaints.domain.complaints import tracking_hash
    from complaints.persistence.models import Complaint
    return session.execute(sa.select(Complaint.case_id).where(Complaint.tracking_hash == tracking_hash(code))).scalar()


def test_a_complaint_is_followed_by_its_code_and_shows_no_one(session):
    receipt = file(session, {**COMPLAINT, "media_url": "https://example.org/photo.jpg"})
    assert receipt["status"] == "received"
    assert receipt["tracking_code"].startswith("SY") and len(receipt["tracking_code"]) >= 20
    public = complaints.follow_complaint(session, receipt["tracking_code"])
    assert public["status"] == "received" and public["media_url"] == "https://example.org/photo.jpg"
    assert "张三" not in str(public) and "13812345678" not in str(public)
    with pytest.raises(NotFound):
        complaints.follow_complaint(session, "SY22222-22222-22222-22222")


def test_alike_complaints_share_a_case_and_each_keeps_its_complainant(session, call_as):
    first = file(session)
    second = file(session, {**COMPLAINT, "contact": {"name": "李四", "phone": "13900000000"}}, client="client-2")
    case_id = case_id_of(session, first["tracking_code"])
    assert case_id_of(session, second["tracking_code"]) == case_id
    people = complaints.complainants(call_as("intake"), case_id)
    assert {p["name"] for p in people} == {"张三", "李四"}
    assert session.execute(sa.select(sa.func.count()).select_from(audit_entry)
                           .where(audit_entry.c.action == "complainant.read")).scalar() == 1


def test_a_flood_from_one_client_is_refused_and_a_bad_complaint_stores_nothing(session):
    for _ in range(RULES.get(session).complaints_per_client_per_hour):
        file(session, {**COMPLAINT, "anonymous": True, "contact": None})
    with pytest.raises(TooManyRequests):
        file(session, {**COMPLAINT, "anonymous": True, "contact": None})
    assert file(session, {**COMPLAINT, "anonymous": True, "contact": None}, at=NOW + timedelta(hours=2))
    with pytest.raises(InvalidInput):
        file(session, {**COMPLAINT, "text": "x"}, client="other")
    with pytest.raises(InvalidInput, match="project_id"):
        file(session, {**COMPLAINT, "project_id": "nope"}, client="other")


def test_a_place_inside_a_site_links_the_complaint_to_its_project(session, call_as):
    receipt = file(session, {"location": {"lat": 30.0005, "lng": 120.8005}, "category": "environment",
                             "text": "夜间施工噪音很大", "anonymous": True})
    case = cases.get_case(call_as("lg-staff"), case_id_of(session, receipt["tracking_code"]))
    assert case["project_id"] == "p1"


def test_a_complaint_goes_down_the_chain_and_back_up_and_closes(session, call_as, staged):
    receipt = file(session)
    case_id = case_id_of(session, receipt["tracking_code"])
    cases.take_step(call_as("intake"), case_id, "triage", {"category": "safety"})
    cases.take_step(call_as("intake"), case_id, "dispatch", {"unit_id": "ia"})
    with pytest.raises(NotFound):  # the owner is not on the case yet
        cases.get_case(call_as("owner-chief"), case_id)
    cases.take_step(call_as("ia-chief"), case_id, "dispatch", {"unit_id": "owner"})
    cases.take_step(call_as("owner-chief"), case_id, "accept", {})
    cases.take_step(call_as("owner-chief"), case_id, "handle", {"text": "已设置围挡", "file_ids": ["photo-1"]})
    cases.take_step(call_as("owner-chief"), case_id, "report",
                    {"text": "整改完成", "finding": "substantiated", "public_reply": "已整改, 感谢监督",
                     "responsible_unit_id": "firm"})
    with pytest.raises(PermissionDenied):
        cases.take_step(call_as("owner-chief"), case_id, "verify", {})
    closed = cases.take_step(call_as("ia-chief"), case_id, "verify", {"text": "核实无误"})
    assert closed["status"] == "closed"
    assert [step["step"] for step in closed["history"]] == [
        "received", "triaged", "dispatched", "dispatched", "accepted", "handled", "reported", "verified"]
    public = complaints.follow_complaint(session, receipt["tracking_code"])
    assert public["status"] == "closed" and public["replies"][0]["text"] == "已整改, 感谢监督"
    closing = staged("case.closed")
    assert closing[0]["finding"] == "substantiated" and closing[0]["responsible_unit_id"] == "firm"
    assert all("张三" not in str(payload) for payload in staged())
    # Down the chain nobody reads who complained; an owner off the case does not even see it.
    with pytest.raises(PermissionDenied):
        complaints.complainants(call_as("owner-chief"), case_id)
    with pytest.raises(NotFound):
        cases.get_case(call_as("owner2-chief"), case_id)
    with pytest.raises(IllegalStep):
        cases.take_step(call_as("owner-chief"), case_id, "handle", {})


def test_a_discipline_complaint_is_seen_by_discipline_inspection_only(session, call_as):
    receipt = file(session, {**COMPLAINT, "category": "discipline", "text": "监管人员收受施工单位好处"})
    case_id = case_id_of(session, receipt["tracking_code"])
    cases.take_step(call_as("intake"), case_id, "triage", {})
    with pytest.raises(IllegalStep):
        cases.take_step(call_as("intake"), case_id, "dispatch", {"unit_id": "ia"})
    cases.take_step(call_as("intake"), case_id, "dispatch", {"unit_id": "jw"})
    assert cases.get_case(call_as("jw-staff"), case_id)["discipline"] is True
    for outsider in ("lg-chief", "lg-staff", "ia-chief", "line-head", "owner-chief", "pm"):
        with pytest.raises(NotFound):
            cases.get_case(call_as(outsider), case_id)
    assert complaints.complainants(call_as("jw-staff"), case_id)[0]["name"] == "张三"


def warning(warning_id="w-1", must_act="owner", firm_id="firm"):
    return events.WorkflowWarningRaised(
        occurred_at=NOW, warning_id=warning_id, rule_id="art31.acceptance.government-large", article="Art. 31",
        project_id="p1", firm_id=firm_id, must_act=must_act, summary="no acceptance records after 60 days")


def test_a_warning_opens_one_case_held_by_the_owner_and_seen_up_its_chain(session, call_as, staged):
    first = warnings.open_for_warning(session, warning(), NOW, RULES.get(session))
    assert warnings.open_for_warning(session, warning(), NOW, RULES.get(session)) is None
    assert (first.holder_unit_id, first.status, first.subject_unit_id) == ("owner", "dispatched", "firm")
    for viewer in ("owner-chief", "line-head", "su-chief", "ia-chief", "lg-staff", "pm"):
        assert cases.get_case(call_as(viewer), first.id)["id"] == first.id
    firm_view = cases.my_cases(call_as("pm"))
    assert firm_view[0]["holder_unit_id"] is None and "history" not in firm_view[0]
    assert all(step["by_user_id"] is None and step["text"] is None
               for step in cases.get_case(call_as("pm"), first.id)["history"])
    with pytest.raises(NotFound):
        cases.get_case(call_as("owner2-chief"), first.id)
    assert staged("case.step_recorded")[-1]["next_unit_id"] == "owner"


def test_a_step_past_its_limit_escalates_and_counts_against_the_late_unit(session, call_as, staged):
    case = warnings.open_for_warning(session, warning(), NOW, RULES.get(session))
    session.flush()
    rules = RULES.get(session)
    later = NOW + timedelta(days=rules.accept_days, hours=1)
    while not deadlines.catch_up_step(session, later):
        pass
    assert (case.status, case.holder_unit_id) == ("escalated", "line")
    steps = [p["step"] for p in staged("case.step_recorded")]
    assert steps[-2:] == ["reminded", "escalated"]
    assert staged("case.step_recorded")[-1]["acting_unit_id"] == "owner"
    assert staged("case.step_recorded")[-1]["on_time"] is False
    shares = stats.on_time_shares(call_as("lg-staff", later))
    assert shares == [{"unit_id": "owner", "unit_name": "OWNER", "steps": 1, "on_time": 0, "share": 0.0}]
    assert [c["id"] for c in stats.overdue_cases(call_as("lg-staff", later + timedelta(days=5)))] == [case.id]
    cases.take_step(call_as("line-head", later), case.id, "accept", {})
    assert case.status == "accepted"


def test_statistics_count_within_the_callers_scope(session, call_as):
    warnings.open_for_warning(session, warning("w-1"), NOW, RULES.get(session))
    file(session)
    assert stats.case_stats(call_as("lg-staff"), "kind") == [{"key": "complaint", "count": 1},
                                                             {"key": "warning", "count": 1}]
    assert stats.case_stats(call_as("owner-chief"), "kind") == [{"key": "warning", "count": 1}]
    assert stats.warning_stats(call_as("lg-staff"), "rule") == [{"key": "art31.acceptance.government-large",
                                                                 "count": 1}]
    assert stats.case_stats(call_as("lg-staff"), "month") == [{"key": "2027-03", "count": 2}]
    assert stats.case_stats(call_as("lg-staff"), "level")[0]["count"] >= 1
    with pytest.raises(InvalidInput):
        stats.case_stats(call_as("lg-staff"), "colour")


def test_cases_are_counted_as_they_open_and_measured_by_status_and_overdue(session, call_as):
    from prometheus_client import REGISTRY

    def opened(kind: str) -> float:
        return REGISTRY.get_sample_value("supervision_cases_opened_total", {"kind": kind}) or 0

    def gauge(name: str, labels: dict | None = None) -> float:
        return REGISTRY.get_sample_value(name, labels or {})

    before = opened("warning"), opened("complaint")
    case = warnings.open_for_warning(session, warning("w-m1"), NOW, RULES.get(session))
    warnings.open_for_warning(session, warning("w-m1"), NOW, RULES.get(session))  # delivered twice: one case
    file(session)
    file(session, {**COMPLAINT, "contact": {"name": "李四", "phone": "13900000000"}}, client="client-2")  # alike
    assert (opened("warning") - before[0], opened("complaint") - before[1]) == (0, 0)  # counted once kept
    session.commit()
    assert (opened("warning") - before[0], opened("complaint") - before[1]) == (1, 1)

    session.flush()
    stats.measure_cases(session, NOW)
    assert gauge("supervision_cases", {"status": "dispatched"}) == 1
    assert gauge("supervision_cases", {"status": "received"}) == 1
    assert gauge("supervision_cases", {"status": "closed"}) == 0
    assert gauge("supervision_cases_overdue") == 0
    stats.measure_cases(session, case.due_at + timedelta(minutes=1))
    assert gauge("supervision_cases_overdue") >= 1


def test_a_line_assigned_after_the_case_opened_sees_it_as_the_chain_stands_now(session, call_as):
    case = warnings.open_for_warning(session, warning("w-late"), NOW, RULES.get(session))
    session.execute(sa.update(registry_copy.copy_project).where(registry_copy.copy_project.c.id == "p1")
                    .values(line_id="line2"))
    registry_copy.apply_event(session, events.UnitRegistered(occurred_at=NOW, unit_id="line2", kind="line",
                                                             name="LINE2", parent_id="su"))
    registry_copy.apply_event(session, events.PostGranted(occurred_at=NOW, user_id="line2-head", unit_id="line2",
                                                          post="line_head"))
    assert cases.get_case(call_as("line2-head"), case.id)["id"] == case.id
    # Held above the line (escalated to the supervising unit), it is no longer below the line.
    case.holder_unit_id = "su"
    session.flush()
    with pytest.raises(NotFound):
        cases.get_case(call_as("line2-head"), case.id)


def test_a_complaint_left_untriaged_is_not_escalated_past_the_intake_and_its_triage_counts_late(
        session, call_as, staged):
    receipt = file(session)
    case_id = case_id_of(session, receipt["tracking_code"])
    later = NOW + timedelta(days=RULES.get(session).triage_days + 1)
    while not deadlines.catch_up_step(session, later):
        pass
    steps = staged("case.step_recorded")
    assert [p["step"] for p in steps][-2:] == ["reminded", "reminded"]  # half-way, then past the limit
    assert steps[-1]["next_unit_id"] == "lg"
    triaged = cases.take_step(call_as("intake", later), case_id, "triage", {"discipline": True})
    assert triaged["discipline"] is True and triaged["status"] == "triaged"
    assert triaged["history"][-1]["on_time"] is False


def test_a_discipline_complaint_is_not_linked_to_an_ordinary_case_of_the_project(session):
    ordinary = file(session)
    discipline = file(session, {**COMPLAINT, "category": "discipline", "text": "监管人员收受好处费"}, client="c-2")
    assert case_id_of(session, ordinary["tracking_code"]) != case_id_of(session, discipline["tracking_code"])
    # An ordinary case the intake found to concern discipline takes no further ordinary complaint.
    from complaints.persistence.models import Case
    session.get(Case, case_id_of(session, ordinary["tracking_code"])).discipline = True
    again = file(session, client="c-3")
    assert case_id_of(session, again["tracking_code"]) != case_id_of(session, ordinary["tracking_code"])


def test_the_overdue_filter_both_ways_and_an_unknown_responsible_party_is_refused(session, call_as):
    case = warnings.open_for_warning(session, warning("w-o"), NOW, RULES.get(session))
    late = NOW + timedelta(days=30)
    assert [c["id"] for c in cases.list_cases(call_as("lg-staff", late), {"overdue": True})] == [case.id]
    assert cases.list_cases(call_as("lg-staff", late), {"overdue": False}) == []
    assert [c["id"] for c in cases.list_cases(call_as("lg-staff"), {"overdue": False})] == [case.id]
    cases.take_step(call_as("owner-chief"), case.id, "accept", {})
    cases.take_step(call_as("owner-chief"), case.id, "handle", {})
    with pytest.raises(InvalidInput, match="responsible_unit_id"):
        cases.take_step(call_as("owner-chief"), case.id, "report",
                        {"finding": "substantiated", "responsible_unit_id": "no-such-firm"})
    assert session.get(type(case), case.id).status == "handled"
