"""Attendance warnings (Art. 26, 35, 42, 47): when they are raised, once, and to whom."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from attendance.domain.checkins import CheckinAttempt, CheckinDecision, Outcome
from attendance.domain.days import MonthFacts, PeriodFacts
from attendance.domain.evaluations import (
    AttendanceWarning,
    evaluate_absence,
    evaluate_checkin,
    evaluate_month,
    evaluate_patrol,
    overdue_periods,
)
from attendance.domain.rules import AttendanceRules
from common.clock import DISTRICT_TZ

RULES = AttendanceRules()


def june(*days: int) -> set[date]:
    return {date(2026, 6, d) for d in days}


def valid_on(*days: date) -> list[datetime]:
    return [datetime(d.year, d.month, d.day, hour, tzinfo=DISTRICT_TZ) for d in days for hour in (8, 17)]


def month(construction, valid=(), leave=()) -> MonthFacts:
    return MonthFacts(2026, 6, "p1", "prj", set(construction), set(leave), valid_on(*valid))


# --- consecutive absence (Art. 42) --------------------------------------------------------


def test_a_streak_of_two_raises_a_warning_to_the_owner():
    facts = month(june(1, 2, 3), valid=[date(2026, 6, 1)])
    warning = evaluate_absence(facts, "firm-c", date(2026, 6, 3), RULES)
    assert warning == AttendanceWarning(
        rule_id="art42.consecutive-absence",
        article="Art. 42",
        project_id="prj",
        person_id="p1",
        firm_id="firm-c",
        must_act="owner",
        detail={
            "action": "interview_person",
            "streak_start": "2026-06-02",
            "streak_end": "2026-06-03",
            "days": 2,
            "missed_dates": ["2026-06-02", "2026-06-03"],
            "threshold_days": 2,
        },
        key="art42.consecutive-absence:prj:p1:2026-06-02",
    )


def test_a_single_missed_day_raises_nothing():
    facts = month(june(1, 2, 3), valid=[date(2026, 6, 1)])
    assert evaluate_absence(facts, "firm-c", date(2026, 6, 2), RULES) is None


def test_a_streak_that_goes_on_keeps_its_key():
    facts = month(june(1, 2, 3, 4, 5), valid=[date(2026, 6, 1)])
    keys = {evaluate_absence(facts, "firm-c", date(2026, 6, d), RULES).key for d in (3, 4, 5)}
    assert keys == {"art42.consecutive-absence:prj:p1:2026-06-02"}
    assert evaluate_absence(facts, "firm-c", date(2026, 6, 5), RULES).detail["days"] == 4


def test_a_new_streak_after_a_valid_day_has_a_new_key():
    facts = month(june(1, 2, 3, 4, 5), valid=[date(2026, 6, 3)])
    first = evaluate_absence(facts, None, date(2026, 6, 2), RULES)
    second = evaluate_absence(facts, None, date(2026, 6, 5), RULES)
    assert first.key.endswith(":2026-06-01")
    assert second.key.endswith(":2026-06-04")
    assert evaluate_absence(facts, None, date(2026, 6, 3), RULES) is None


def test_a_streak_across_a_leave_day():
    facts = month(june(1, 2, 3), leave=june(2))
    assert evaluate_absence(facts, None, date(2026, 6, 1), RULES) is None
    warning = evaluate_absence(facts, None, date(2026, 6, 3), RULES)
    assert warning.detail["missed_dates"] == ["2026-06-01", "2026-06-03"]
    assert warning.detail["days"] == 2


def test_a_streak_across_a_weekend():
    facts = month(june(5, 8))  # Friday and Monday
    assert evaluate_absence(facts, None, date(2026, 6, 8), RULES).key.endswith(":2026-06-05")


def test_a_day_that_is_no_construction_day_raises_nothing():
    facts = month(june(1, 2))
    assert evaluate_absence(facts, None, date(2026, 6, 6), RULES) is None


def test_nothing_is_raised_while_the_project_is_suspended():
    facts = month(june(1, 2, 3))
    assert evaluate_absence(facts, None, date(2026, 6, 3), RULES, suspended=True) is None


def test_the_streak_length_follows_the_setting():
    facts = month(june(1, 2, 3))
    rules = AttendanceRules(consecutive_absence_days=3)
    assert evaluate_absence(facts, None, date(2026, 6, 2), rules) is None
    assert evaluate_absence(facts, None, date(2026, 6, 3), rules) is not None


def test_a_streak_across_the_turn_of_a_month_needs_period_facts():
    days = {date(2026, 5, 29), date(2026, 6, 1)}
    period = PeriodFacts("p1", "prj", days, set(), [])
    warning = evaluate_absence(period, None, date(2026, 6, 1), RULES)
    assert warning.key == "art42.consecutive-absence:prj:p1:2026-05-29"
    # Month facts stop at their month.
    june_only = MonthFacts(2026, 6, "p1", "prj", days, set(), [])
    assert evaluate_absence(june_only, None, date(2026, 6, 1), RULES) is None


def test_days_after_the_evaluated_day_are_ignored():
    facts = month(june(1, 2, 3), valid=[date(2026, 6, 3)])
    assert evaluate_absence(facts, None, date(2026, 6, 2), RULES).key.endswith(":2026-06-01")


# --- the monthly rate (Art. 42) -----------------------------------------------------------


def test_a_month_under_80_percent_raises_an_interview_of_the_firms_head():
    facts = month(june(*range(1, 11)), valid=[date(2026, 6, d) for d in range(1, 8)])
    warning = evaluate_month(facts, "firm-c", RULES)
    assert warning.rule_id == "art42.monthly-rate"
    assert (warning.article, warning.must_act, warning.firm_id) == ("Art. 42", "owner", "firm-c")
    assert warning.detail == {
        "action": "interview_firm_head",
        "month": "2026-06",
        "rate": 0.7,
        "valid_days": 7,
        "construction_days": 10,
        "threshold": 0.8,
    }
    assert warning.key == "art42.monthly-rate:prj:p1:2026-06"


def test_a_month_at_exactly_80_percent_raises_nothing():
    facts = month(june(*range(1, 11)), valid=[date(2026, 6, d) for d in range(1, 9)])
    assert evaluate_month(facts, "firm-c", RULES) is None


def test_a_month_without_construction_days_raises_nothing():
    assert evaluate_month(month(set()), "firm-c", RULES) is None


def test_a_suspended_project_raises_no_monthly_warning():
    facts = month(june(1, 2, 3))
    assert evaluate_month(facts, "firm-c", RULES) is not None
    assert evaluate_month(facts, "firm-c", RULES, suspended=True) is None


def test_the_monthly_threshold_follows_the_setting():
    facts = month(june(*range(1, 11)), valid=[date(2026, 6, d) for d in range(1, 8)])
    assert evaluate_month(facts, None, AttendanceRules(monthly_rate_threshold=0.7)) is None


# --- the patrol (Art. 26) -----------------------------------------------------------------

T0 = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def test_an_overdue_patrol_raises_a_warning():
    warning = evaluate_patrol("prj", "lead", "owner-1", T0, T0 - timedelta(days=60), T0 + timedelta(days=8), RULES)
    assert (warning.rule_id, warning.article, warning.must_act) == ("art26.patrol-overdue", "Art. 26", "owner")
    assert (warning.person_id, warning.firm_id) == ("lead", "owner-1")
    assert warning.detail["since_kind"] == "last_valid_patrol"
    assert warning.detail["missed_intervals"] == 1
    assert warning.key == f"art26.patrol-overdue:prj:lead:{T0.isoformat()}:1"


def test_a_patrol_not_yet_overdue_raises_nothing():
    assert evaluate_patrol("prj", "lead", None, T0, T0, T0 + timedelta(days=7), RULES) is None


def test_before_any_patrol_the_warning_runs_from_the_start_of_duty():
    warning = evaluate_patrol("prj", "lead", None, None, T0, T0 + timedelta(days=7, seconds=1), RULES)
    assert warning.detail["since_kind"] == "duty_start"
    assert warning.key == f"art26.patrol-overdue:prj:lead:{T0.isoformat()}:1"


def test_each_missed_interval_is_raised_once():
    keys = [
        evaluate_patrol("prj", "lead", None, T0, T0, T0 + timedelta(days=days), RULES).key
        for days in (7.5, 10, 14, 14.5, 21.5)
    ]
    assert [key.rsplit(":", 1)[1] for key in keys] == ["1", "1", "1", "2", "3"]


def test_overdue_periods():
    week = timedelta(days=7)
    assert overdue_periods(week + timedelta(seconds=1), week) == 1
    assert overdue_periods(2 * week, week) == 1
    assert overdue_periods(2 * week + timedelta(seconds=1), week) == 2


def test_suspension_time_delays_the_patrol_warning():
    suspension = [(T0 + timedelta(days=1), T0 + timedelta(days=3))]
    assert evaluate_patrol("prj", "lead", None, T0, T0, T0 + timedelta(days=8), RULES, suspension) is None
    assert evaluate_patrol("prj", "lead", None, T0, T0, T0 + timedelta(days=10), RULES, suspension) is not None


def test_a_suspended_project_raises_no_patrol_warning():
    assert evaluate_patrol("prj", "lead", None, T0, T0, T0 + timedelta(days=30), RULES, suspended=True) is None


# --- suspected cheating (Art. 47) ---------------------------------------------------------

NOW = datetime(2026, 6, 10, 1, 0, tzinfo=UTC)
ATTEMPT = CheckinAttempt("p1", "prj", 30.0, 120.87, 10.0, NOW, "dev-1", "android", True)


def test_a_flagged_check_in_raises_suspected_cheating():
    decision = CheckinDecision(Outcome.FLAGGED, None, ("mock_location",))
    warning = evaluate_checkin(ATTEMPT, decision, "firm-c", NOW)
    assert (warning.rule_id, warning.article, warning.must_act) == ("art47.suspected-spoofing", "Art. 47", "owner")
    assert warning.detail["flags"] == ["mock_location"]
    assert warning.detail["outcome"] == "flagged"
    assert warning.key == "art47.suspected-spoofing:prj:p1:2026-06-10"


def test_a_blocked_check_in_raises_suspected_cheating():
    decision = CheckinDecision(Outcome.REJECTED, "suspected_spoofing", ("clock_skew",))
    assert evaluate_checkin(ATTEMPT, decision, None, NOW).detail["outcome"] == "rejected"


def test_a_clean_or_otherwise_rejected_check_in_raises_nothing():
    assert evaluate_checkin(ATTEMPT, CheckinDecision(Outcome.ACCEPTED), None, NOW) is None
    assert evaluate_checkin(ATTEMPT, CheckinDecision(Outcome.REJECTED, "outside_site"), None, NOW) is None


def test_suspected_cheating_is_raised_once_per_local_day():
    decision = CheckinDecision(Outcome.FLAGGED, None, ("mock_location",))
    late = NOW.replace(hour=15, minute=59)  # 23:59 local, same day
    after_midnight = NOW.replace(hour=16, minute=1)  # 00:01 local, next day
    times = (NOW, late, after_midnight)
    keys = [evaluate_checkin(replace(ATTEMPT, client_time=t), decision, None, t).key for t in times]
    assert keys[0] == keys[1]
    assert keys[2] == "art47.suspected-spoofing:prj:p1:2026-06-11"
