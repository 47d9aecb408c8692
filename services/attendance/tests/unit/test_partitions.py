"""Which months of check-ins are kept (Art. 5, 26): the months made ahead, the months past
retention, across the turn of a year and on the district's date."""

from datetime import UTC, date, datetime

from attendance.domain.partitions import add_months, partition_plan
from attendance.domain.rules import AttendanceRules

RULES = AttendanceRules(checkin_retention_months=12, checkin_partitions_ahead_months=3)


def months(*pairs: tuple[int, int]) -> tuple[date, ...]:
    return tuple(date(year, month, 1) for year, month in pairs)


def test_month_arithmetic_crosses_years_both_ways():
    assert add_months(date(2026, 11, 1), 3) == date(2027, 2, 1)
    assert add_months(date(2027, 1, 1), -1) == date(2026, 12, 1)
    assert add_months(date(2027, 3, 1), -36) == date(2024, 3, 1)
    assert add_months(date(2026, 12, 1), 0) == date(2026, 12, 1)


def test_this_month_and_the_months_ahead_are_made_across_the_new_year():
    plan = partition_plan(datetime(2026, 11, 20, tzinfo=UTC), [], [], RULES)
    assert plan.create == months((2026, 11), (2026, 12), (2027, 1), (2027, 2))
    assert plan.drop == ()


def test_the_month_is_the_districts_a_utc_evening_of_new_years_eve_is_already_january():
    plan = partition_plan(datetime(2026, 12, 31, 16, 30, tzinfo=UTC), months((2026, 12), (2027, 1)), [], RULES)
    assert plan.create == months((2027, 2), (2027, 3), (2027, 4))
    plan = partition_plan(datetime(2026, 12, 31, 15, 59, tzinfo=UTC), months((2026, 12), (2027, 1)), [], RULES)
    assert plan.create == months((2027, 2), (2027, 3))


def test_a_month_is_dropped_once_the_retention_has_passed_since_it_ended():
    existing = months((2025, 12), (2026, 1), (2026, 2), (2027, 1), (2027, 2), (2027, 3), (2027, 4))
    # January 2027: with 12 months kept after their end, December 2025 ended 12 months ago and goes;
    # January 2026 ends its twelfth month at the end of January 2027 and stays.
    plan = partition_plan(datetime(2027, 1, 31, 12, tzinfo=UTC), existing, [], RULES)
    assert plan.drop == months((2025, 12))
    assert plan.oldest_kept == date(2026, 1, 1)
    assert plan.create == ()
    plan = partition_plan(datetime(2027, 2, 1, 0, tzinfo=UTC), existing, [], RULES)  # 08:00 in Shangyu
    assert plan.drop == months((2025, 12), (2026, 1))
    assert plan.create == months((2027, 5))


def test_the_months_of_check_ins_waiting_in_the_default_partition_are_made_unless_past_retention():
    plan = partition_plan(datetime(2027, 3, 10, tzinfo=UTC), months((2027, 3), (2027, 4), (2027, 5), (2027, 6)),
                          [date(2027, 9, 1), date(2025, 1, 1), date(2026, 3, 1)], RULES)
    assert plan.create == months((2026, 3), (2027, 9))
    assert plan.drop == ()


def test_a_longer_retention_and_a_month_ahead_only():
    rules = AttendanceRules(checkin_retention_months=36, checkin_partitions_ahead_months=1)
    existing = months((2024, 2), (2024, 3), (2027, 3))
    plan = partition_plan(datetime(2027, 3, 10, tzinfo=UTC), existing, [], rules)
    assert plan.drop == months((2024, 2))
    assert plan.create == months((2027, 4))
