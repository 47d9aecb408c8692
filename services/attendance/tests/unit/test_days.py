"""Valid days, construction days, the monthly rate and missing streaks (Art. 26, 35, 42)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from attendance.domain.days import (
    MissingStreak,
    MonthFacts,
    PeriodFacts,
    construction_days,
    missing_streaks,
    monthly_attendance,
    rate_meets,
    streak_ending_on,
    valid_dates,
    valid_day,
)
from attendance.domain.rules import AttendanceRules
from common.clock import DISTRICT_TZ

RULES = AttendanceRules()


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=DISTRICT_TZ)


def valid_pair(day: date) -> list[datetime]:
    return [local(day, 8), local(day, 17)]


def june(*days: int) -> set[date]:
    return {date(2026, 6, d) for d in days}


def facts(construction, checkin_days=(), leave=(), duty=None, extra_checkins=()) -> MonthFacts:
    checkins = [time for day in checkin_days for time in valid_pair(day)] + list(extra_checkins)
    return MonthFacts(2026, 6, "p1", "prj", set(construction), set(leave), checkins, duty)


# --- the valid day (Art. 26) --------------------------------------------------------------

D = date(2026, 6, 10)


def test_exactly_four_hours_apart_is_valid():
    assert valid_day([local(D, 8), local(D, 12)], RULES)


def test_three_hours_fifty_nine_minutes_is_not():
    assert not valid_day([local(D, 8), local(D, 11, 59)], RULES)


def test_one_second_short_of_four_hours_is_not():
    first = local(D, 8)
    assert not valid_day([first, first + timedelta(hours=4) - timedelta(seconds=1)], RULES)


@pytest.mark.parametrize("times", [[], [datetime(2026, 6, 10, 1, 0, tzinfo=UTC)]])
def test_fewer_than_two_check_ins_is_not_valid(times):
    assert not valid_day(times, RULES)


def test_the_earliest_and_latest_of_several_check_ins_decide_in_any_order():
    times = [local(D, 10), local(D, 13, 1), local(D, 9), local(D, 11)]
    assert valid_day(times, RULES)


def test_23_00_and_03_30_the_next_morning_are_two_days():
    times = [local(D, 23), local(D + timedelta(days=1), 3, 30)]
    assert times[1] - times[0] > timedelta(hours=4)
    assert not valid_day(times, RULES)
    assert valid_dates(times, RULES) == set()


def test_the_local_day_is_utc_plus_eight():
    # 08:00Z is 16:00 local; 15:59Z is 23:59 local the same day; 16:01Z is 00:01 the next day.
    afternoon = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)
    assert valid_dates([afternoon, datetime(2026, 6, 10, 15, 59, tzinfo=UTC)], RULES) == {D}
    assert valid_dates([afternoon, datetime(2026, 6, 10, 16, 1, tzinfo=UTC)], RULES) == set()


def test_the_same_utc_date_can_be_two_local_days():
    # 15:00Z = 23:00 local on the 10th; 19:30Z = 03:30 local on the 11th.
    times = [datetime(2026, 6, 10, 15, 0, tzinfo=UTC), datetime(2026, 6, 10, 19, 30, tzinfo=UTC)]
    assert not valid_day(times, RULES)


def test_an_early_local_morning_falls_on_the_previous_utc_date():
    # 00:30 and 05:00 local on the 11th are 16:30Z and 21:00Z on the 10th.
    times = [datetime(2026, 6, 10, 16, 30, tzinfo=UTC), datetime(2026, 6, 10, 21, 0, tzinfo=UTC)]
    assert valid_dates(times, RULES) == {date(2026, 6, 11)}


def test_the_minimum_gap_follows_the_setting():
    times = [local(D, 8), local(D, 11)]
    assert not valid_day(times, RULES)
    assert valid_day(times, AttendanceRules(min_hours_between_checkins=3))


def test_valid_dates_over_several_days():
    times = [*valid_pair(D), local(D + timedelta(days=1), 9), *valid_pair(D + timedelta(days=2))]
    assert valid_dates(times, RULES) == {D, D + timedelta(days=2)}


# --- construction days (Art. 26, 35) ------------------------------------------------------


def test_construction_days_exclude_leave():
    assert construction_days(facts(june(1, 2, 3), leave=june(2))) == june(1, 3)


def test_leave_on_a_suspension_day_is_counted_once():
    # The 3rd is a suspension day: not in the construction dates; leave on it removes nothing more.
    month = facts(june(1, 2, 4, 5), leave=june(3, 4))
    assert construction_days(month) == june(1, 2, 5)
    assert monthly_attendance(month, RULES).construction_days == 3


def test_duty_dates_limit_a_phased_post():
    month = facts(june(1, 2, 3, 4), duty=june(3, 4, 5), leave=june(4))
    assert construction_days(month) == june(3)


def test_no_duty_dates_means_every_construction_day():
    assert construction_days(facts(june(1, 2))) == june(1, 2)


def test_construction_days_stay_within_the_month():
    month = facts(june(30) | {date(2026, 7, 1), date(2026, 5, 31)})
    assert construction_days(month) == june(30)


def test_a_period_covers_any_day():
    period = PeriodFacts("p1", "prj", {date(2026, 5, 31), date(2026, 6, 1)}, {date(2026, 6, 1)})
    assert construction_days(period) == {date(2026, 5, 31)}


# --- the monthly rate (Art. 26, 42) -------------------------------------------------------


def test_rate_exactly_80_percent_meets():
    month = facts(june(*range(1, 21)), checkin_days=[date(2026, 6, d) for d in range(1, 17)])
    result = monthly_attendance(month, RULES)
    assert (len(result.valid_days), result.construction_days) == (16, 20)
    assert result.rate == 0.8
    assert result.meets_threshold


def test_one_valid_day_fewer_does_not_meet():
    month = facts(june(*range(1, 21)), checkin_days=[date(2026, 6, d) for d in range(1, 16)])
    result = monthly_attendance(month, RULES)
    assert result.rate == 0.75
    assert not result.meets_threshold


@pytest.mark.parametrize(
    ("valid", "total", "meets"),
    [(800, 1000, True), (799, 1000, False), (4, 5, True), (24, 30, True), (23, 29, False), (0, 1, False)],
)
def test_the_threshold_is_compared_exactly(valid, total, meets):
    assert rate_meets(valid, total, 0.8) is meets


def test_the_threshold_follows_the_setting():
    month = facts(june(*range(1, 11)), checkin_days=[date(2026, 6, d) for d in range(1, 9)])
    assert monthly_attendance(month, RULES).meets_threshold
    assert not monthly_attendance(month, AttendanceRules(monthly_rate_threshold=0.9)).meets_threshold


def test_a_month_without_construction_days_has_no_rate_and_meets():
    result = monthly_attendance(facts(set(), extra_checkins=valid_pair(D)), RULES)
    assert result.rate is None
    assert result.construction_days == 0
    assert result.meets_threshold
    assert result.missing_streaks == ()


def test_a_month_that_starts_mid_project():
    # Construction from the 15th to the 30th of June (16 days); valid on 13 of them.
    month = facts(june(*range(15, 31)), checkin_days=[date(2026, 6, d) for d in range(15, 28)])
    # Valid days before construction started do not count.
    month.checkins += valid_pair(date(2026, 6, 3))
    result = monthly_attendance(month, RULES)
    assert result.construction_days == 16
    assert result.valid_days == june(*range(15, 28))
    assert result.rate == 13 / 16
    assert result.meets_threshold
    assert result.missing_streaks == (MissingStreak(date(2026, 6, 28), date(2026, 6, 30), 3),)


def test_a_valid_day_on_leave_or_off_site_days_does_not_count():
    month = facts(june(1, 2), checkin_days=[date(2026, 6, 2), date(2026, 6, 6)], leave=june(2))
    result = monthly_attendance(month, RULES)
    assert result.valid_days == frozenset()
    assert (result.construction_days, result.rate) == (1, 0.0)


def test_check_ins_around_the_turn_of_the_month_fall_on_their_local_day():
    # 16:01Z on 31 May is 00:01 local on 1 June; 15:59Z on 30 June is 23:59 local on 30 June.
    first = [datetime(2026, 5, 31, 16, 1, tzinfo=UTC), datetime(2026, 6, 1, 1, 0, tzinfo=UTC)]
    last = [datetime(2026, 6, 30, 8, 0, tzinfo=UTC), datetime(2026, 6, 30, 15, 59, tzinfo=UTC)]
    # 1 July 00:30 local and 05:00 local are still 30 June in UTC but belong to July.
    july = [datetime(2026, 6, 30, 16, 30, tzinfo=UTC), datetime(2026, 6, 30, 21, 0, tzinfo=UTC)]
    month = facts(june(1, 30) | {date(2026, 7, 1)}, extra_checkins=first + last + july)
    result = monthly_attendance(month, RULES)
    assert result.valid_days == june(1, 30)
    assert result.construction_days == 2


def test_up_to_limits_a_mid_month_view():
    month = facts(june(*range(1, 31)), checkin_days=[date(2026, 6, d) for d in range(1, 9)])
    result = monthly_attendance(month, RULES, up_to=date(2026, 6, 10))
    assert result.construction_days == 10
    assert result.rate == 0.8
    assert result.missing_streaks == (MissingStreak(date(2026, 6, 9), date(2026, 6, 10), 2),)


def test_the_result_names_the_person_and_month():
    result = monthly_attendance(facts(june(1)), RULES)
    assert (result.year, result.month, result.person_id, result.project_id) == (2026, 6, "p1", "prj")


# --- missing streaks (Art. 42) ------------------------------------------------------------


def test_a_valid_day_breaks_a_streak():
    month = facts(june(1, 2, 3, 4, 5), checkin_days=[date(2026, 6, 3)])
    assert monthly_attendance(month, RULES).missing_streaks == (
        MissingStreak(date(2026, 6, 1), date(2026, 6, 2), 2),
        MissingStreak(date(2026, 6, 4), date(2026, 6, 5), 2),
    )


def test_a_non_construction_day_neither_breaks_nor_extends_a_streak():
    # Friday 5 June missed, the weekend is not a construction day, Monday 8 June missed.
    month = facts(june(5, 8))
    assert monthly_attendance(month, RULES).missing_streaks == (MissingStreak(date(2026, 6, 5), date(2026, 6, 8), 2),)


def test_a_streak_runs_across_a_leave_day():
    month = facts(june(1, 2, 3), leave=june(2))
    assert missing_streaks(construction_days(month), set()) == [MissingStreak(date(2026, 6, 1), date(2026, 6, 3), 2)]


def test_a_day_with_a_single_check_in_is_missing():
    month = facts(june(1, 2), extra_checkins=[local(date(2026, 6, 1), 9), local(date(2026, 6, 2), 9)])
    assert monthly_attendance(month, RULES).missing_streaks == (MissingStreak(date(2026, 6, 1), date(2026, 6, 2), 2),)


def test_no_streaks_when_every_day_is_valid():
    month = facts(june(1, 2), checkin_days=[date(2026, 6, 1), date(2026, 6, 2)])
    assert monthly_attendance(month, RULES).missing_streaks == ()


def test_streak_ending_on_a_day():
    month = facts(june(1, 2, 3, 4), checkin_days=[date(2026, 6, 1)])
    assert streak_ending_on(month, date(2026, 6, 3), RULES) == MissingStreak(date(2026, 6, 2), date(2026, 6, 3), 2)
    assert streak_ending_on(month, date(2026, 6, 1), RULES) is None  # valid
    assert streak_ending_on(month, date(2026, 6, 6), RULES) is None  # not a construction day
