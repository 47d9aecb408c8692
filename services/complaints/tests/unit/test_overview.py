"""The console's figures of cases: warnings of this week by rule, open and overdue cases by level,
each within the caller's scope."""

from datetime import timedelta

import pytest

from common.errors import InvalidInput
from complaints.usecases import cases, overview, warnings
from complaints.usecases.common import RULES

from .conftest import NOW
from .test_case_flows import COMPLAINT, case_id_of, file, warning


def test_the_week_begins_on_monday_at_midnight_in_the_district():
    # NOW is Monday 2027-03-01 09:00 in the district (01:00 UTC).
    assert overview.week_began(NOW).isoformat() == "2027-03-01T00:00:00+08:00"
    assert overview.week_began(NOW + timedelta(days=6)).isoformat() == "2027-03-01T00:00:00+08:00"
    assert overview.week_began(NOW + timedelta(days=7)).isoformat() == "2027-03-08T00:00:00+08:00"


def test_warnings_of_this_week_are_counted_by_rule_and_last_weeks_are_not(session, call_as):
    warnings.open_for_warning(session, warning("w-1"), NOW, RULES.get(session))
    warnings.open_for_warning(session, warning("w-2"), NOW, RULES.get(session))
    session.flush()

    this_week = overview.warnings_this_week(call_as("lg-staff", NOW + timedelta(days=2)))
    next_week = overview.warnings_this_week(call_as("lg-staff", NOW + timedelta(days=7)))

    assert this_week == {"since": "2027-03-01T00:00:00+08:00",
                         "rows": [{"rule_id": "art31.acceptance.government-large", "count": 2}]}
    assert next_week["rows"] == []
    assert overview.warnings_this_week(call_as("owner2-chief", NOW))["rows"] == []


def test_a_warning_counts_in_the_week_it_was_raised_not_the_week_it_was_taken_in(session, call_as):
    week_began = overview.week_began(NOW)
    sunday_night = warning("w-sunday").model_copy(update={"occurred_at": week_began - timedelta(seconds=30)})
    # Taken from the queue a minute later, on Monday.
    warnings.open_for_warning(session, sunday_night, week_began + timedelta(seconds=30), RULES.get(session))
    session.flush()

    assert overview.warnings_this_week(call_as("lg-staff", NOW))["rows"] == []
    assert overview.warnings_this_week(call_as("lg-staff", week_began - timedelta(minutes=1)))["rows"] == [
        {"rule_id": "art31.acceptance.government-large", "count": 1}]
    assert cases.list_cases(call_as("lg-staff", NOW))[0]["opened_at"] == "2027-02-28T23:59:30+08:00"


def test_open_cases_are_counted_by_the_level_holding_them_with_the_overdue_ones(session, call_as):
    warnings.open_for_warning(session, warning("w-1"), NOW, RULES.get(session))
    session.flush()
    past_the_limit = NOW + timedelta(days=RULES.get(session).accept_days, hours=1)

    assert overview.open_cases_by_level(call_as("lg-staff", NOW)) == [{"level": "owner", "open": 1, "overdue": 0}]
    assert overview.open_cases_by_level(call_as("line-head", past_the_limit)) == [
        {"level": "owner", "open": 1, "overdue": 1}]
    assert overview.open_cases_by_level(call_as("owner2-chief", NOW)) == []


def test_open_warnings_are_counted_per_project_and_a_closed_one_is_not(session, call_as):
    first = warnings.open_for_warning(session, warning("w-1"), NOW, RULES.get(session))
    warnings.open_for_warning(session, warning("w-2"), NOW, RULES.get(session))
    session.flush()
    assert overview.open_warnings_by_project(call_as("line-head")) == [{"project_id": "p1", "count": 2}]

    first.status = "closed"
    session.flush()

    assert overview.open_warnings_by_project(call_as("line-head")) == [{"project_id": "p1", "count": 1}]
    assert overview.open_warnings_by_project(call_as("owner2-chief")) == []


def test_the_map_gets_the_most_warned_projects_first_and_no_more_than_asked(session, call_as):
    rules = RULES.get(session)
    warnings.open_for_warning(session, warning("w-0").model_copy(update={"project_id": "p0"}), NOW, rules)
    for warning_id in ("w-1", "w-2"):
        warnings.open_for_warning(session, warning(warning_id), NOW, rules)
    session.flush()

    assert overview.open_warnings_by_project(call_as("lg-staff"), 1) == [{"project_id": "p1", "count": 2}]
    assert overview.open_warnings_by_project(call_as("lg-staff"), 5) == [
        {"project_id": "p1", "count": 2}, {"project_id": "p0", "count": 1}]


def test_a_discipline_complaint_is_counted_and_listed_for_discipline_inspection_not_the_chief(session, call_as):
    receipt = file(session, {**COMPLAINT, "category": "discipline", "text": "监管人员收受施工单位好处"})
    case_id = case_id_of(session, receipt["tracking_code"])
    cases.take_step(call_as("intake"), case_id, "triage", {})
    cases.take_step(call_as("intake"), case_id, "dispatch", {"unit_id": "jw"})

    assert overview.open_cases_by_level(call_as("jw-staff")) == [{"level": "discipline", "open": 1, "overdue": 0}]
    assert [case["id"] for case in cases.list_cases(call_as("jw-staff"))] == [case_id]
    # The leading group's chief stands in for the intake but sees no discipline case, in the
    # figures as in the list the bar opens.
    assert overview.open_cases_by_level(call_as("lg-chief")) == []
    assert cases.list_cases(call_as("lg-chief")) == []


def test_the_list_behind_a_figure_holds_as_many_cases_as_the_figure_counts(session, call_as):
    rules = RULES.get(session)
    warnings.open_for_warning(session, warning("w-last-week"), NOW - timedelta(days=1), rules)
    warnings.open_for_warning(session, warning("w-1"), NOW, rules)
    complaint = file(session, COMPLAINT)  # received, not triaged in time: no unit holds it
    session.flush()
    later = NOW + timedelta(days=rules.accept_days, hours=1)  # this week's warning is overdue by then
    call = call_as("lg-staff", later)

    week = overview.warnings_this_week(call)
    behind_the_bar = cases.list_cases(call, {"kind": "warning", "rule_id": week["rows"][0]["rule_id"],
                                             "opened_from": week["since"]})
    assert [case["opened_at"] for case in behind_the_bar] == ["2027-03-01T09:00:00+08:00"]
    assert len(behind_the_bar) == week["rows"][0]["count"] == 1

    levels = {row["level"] or "none": row for row in overview.open_cases_by_level(call)}
    assert levels == {"owner": {"level": "owner", "open": 2, "overdue": 2},
                      "none": {"level": "", "open": 1, "overdue": 1}}
    for level, row in levels.items():
        assert len(cases.list_cases(call, {"open": True, "level": level})) == row["open"]
        assert len(cases.list_cases(call, {"open": True, "level": level, "overdue": True})) == row["overdue"]
    assert [case["id"] for case in cases.list_cases(call, {"level": "none"})] == [
        case_id_of(session, complaint["tracking_code"])]


@pytest.mark.parametrize(("field", "value"), [
    ("opened_from", "last monday"), ("opened_from", "2027-03-01T00:00:00"), ("opened_from", "9999-01-01T00:00:00Z"),
    ("level", "township"), ("open", "yes")])
def test_a_filter_of_the_case_list_out_of_bounds_names_its_field(call_as, field, value):
    with pytest.raises(InvalidInput) as refused:
        cases.list_cases(call_as("lg-staff"), {field: value})
    assert refused.value.details[0]["field"] == field
    assert refused.value.details[0]["reason"] != "not a filter of cases"
