"""Construction days (Art. 25, 26, 34, 35) and who reads a leave's files (Art. 26), without a database."""

from datetime import date, timedelta

import pytest

from attendance.domain import duty
from attendance.domain import leave as leave_rules


def june(*days: int) -> set[date]:
    return {date(2026, 6, d) for d in days}


def test_construction_days_run_from_the_start_without_suspension_and_non_working_days():
    assert duty.construction_dates(date(2026, 6, 3), date(2026, 6, 1), date(2026, 6, 7), june(5), june(6)) == \
        june(3, 4, 7)
    assert duty.construction_dates(None, date(2026, 6, 1), date(2026, 6, 7), set(), set()) == set()


def test_construction_days_end_the_day_before_the_project_left_construction():
    # Completion acceptance started (or the project was terminated) on 11 June: nobody checks in
    # that day any more, so June's construction days are the 1st to the 10th.
    built = duty.construction_dates(date(2026, 5, 20), date(2026, 6, 1), date(2026, 6, 30), june(4), set(),
                                    ended_on=date(2026, 6, 11))
    assert built == june(*range(1, 11)) - june(4)
    # Left on the first of the month: no construction day in it, so no rate.
    assert duty.construction_dates(date(2026, 5, 20), date(2026, 6, 1), date(2026, 6, 30), set(), set(),
                                   ended_on=date(2026, 6, 1)) == set()
    # A period before the end is untouched.
    assert duty.construction_dates(date(2026, 5, 20), date(2026, 5, 25), date(2026, 5, 31), set(), set(),
                                   ended_on=date(2026, 6, 11)) == {date(2026, 5, 25) + timedelta(days=n)
                                                                  for n in range(7)}


@pytest.mark.parametrize("status, leaves", [
    ("completion_acceptance", True), ("final_acceptance", True), ("settlement_audit", True), ("funds_paid", True),
    ("deposit_returned", True), ("terminated", True), ("in_construction", False), ("suspended", False),
    ("awarded", False),
])
def test_which_moves_leave_construction(status, leaves):
    assert duty.leaves_construction(status) is leaves


def test_a_leaves_documents_open_to_the_owner_and_its_approval_form_to_the_person_too():
    assert leave_rules.document_audiences() == ["role:owner"]
    assert leave_rules.approval_audiences("pm") == ["role:owner", "user:pm"]
