"""The deadline engine's rules: active time, pauses for suspensions (Art. 35), rungs once."""

from datetime import UTC, datetime, timedelta

from workflow.domain import deadlines as dl
from workflow.domain.rules import WorkflowRules

START = datetime(2027, 1, 4, 2, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def test_a_warning_falls_due_after_its_days_of_active_time():
    assert dl.due_at(START, 20 * DAY) == START + 20 * DAY


def test_a_suspension_moves_the_due_time_by_its_length():
    pause = (START + 3 * DAY, START + 8 * DAY)
    assert dl.due_at(START, 20 * DAY, [pause]) == START + 25 * DAY


def test_a_pause_still_open_before_the_due_time_leaves_it_unknown():
    assert dl.due_at(START, 20 * DAY, [(START + 3 * DAY, None)]) is None
    # an open pause that begins after the due time does not matter
    assert dl.due_at(START, 20 * DAY, [(START + 21 * DAY, None)]) == START + 20 * DAY


def test_pauses_before_the_start_are_ignored_and_overlaps_count_once():
    assert dl.due_at(START, 20 * DAY, [(START - 5 * DAY, START - DAY)]) == START + 20 * DAY
    assert dl.due_at(START, 20 * DAY, [(START - DAY, START + DAY)]) == START + 21 * DAY
    overlapping = [(START + 2 * DAY, START + 6 * DAY), (START + 4 * DAY, START + 7 * DAY)]
    assert dl.due_at(START, 20 * DAY, overlapping) == START + 25 * DAY


def test_day_19_nothing_day_20_the_warning_once():
    rule = dl.deadline_rules(WorkflowRules())[dl.ACCEPTANCE_SMALL]
    assert dl.rungs_due(rule, START, [], START + 19 * DAY, set()) == []
    due = dl.rungs_due(rule, START, [], START + 20 * DAY, set())
    assert [rung.name for rung in due] == ["warning"]
    assert dl.rungs_due(rule, START, [], START + 30 * DAY, {"warning"}) == []


def test_the_village_re_acceptance_reminds_at_7_and_warns_at_15():
    rule = dl.deadline_rules(WorkflowRules())[dl.REACCEPTANCE_TOWNSHIP]
    assert dl.rungs_due(rule, START, [], START + 7 * DAY - timedelta(seconds=1), set()) == []
    assert [r.name for r in dl.rungs_due(rule, START, [], START + 7 * DAY, set())] == ["reminder"]
    assert [r.name for r in dl.rungs_due(rule, START, [], START + 15 * DAY, set())] == ["reminder", "warning"]
    assert [r.name for r in dl.rungs_due(rule, START, [], START + 15 * DAY, {"reminder"})] == ["warning"]


def test_the_figures_come_from_the_settings_and_extensions_move_every_rung():
    rules = WorkflowRules(settlement_audit_days_large=200)
    rule = dl.deadline_rules(rules)[dl.SETTLEMENT_LARGE]
    assert rule.rungs[0].after == 200 * DAY and rule.article == "Art. 32"
    longer = dl.extended(dl.deadline_rules(WorkflowRules())[dl.ACCEPTANCE_LARGE], 30)
    assert longer.rungs[0].after == 90 * DAY


def test_a_notice_warns_the_contractor_its_verification_the_supervisor_after_the_setting():
    rules = dl.deadline_rules(WorkflowRules())
    verification = rules[dl.NOTICE_VERIFICATION]
    assert (verification.article, verification.must_act, verification.rungs[0].after) == (
        "Art. 23, 45", "supervisor", 3 * DAY)  # a platform default: the regulation names no figure
    assert dl.deadline_rules(WorkflowRules(notice_verification_days=5))[dl.NOTICE_VERIFICATION].rungs[0].after == \
        5 * DAY
    assert rules[dl.NOTICE_RECTIFICATION].warns_a_firm and verification.warns_a_firm
    assert not rules[dl.ACCEPTANCE_SMALL].warns_a_firm  # the owner is no firm


def test_a_hold_stops_the_days_and_a_suspension_over_it_counts_once():
    rectification = dl.with_length(dl.deadline_rules(WorkflowRules())[dl.NOTICE_RECTIFICATION], 2)
    answered, rejected = START + DAY, START + 3 * DAY
    held = [(answered, None)]
    assert dl.rungs_due(rectification, START, held, START + 30 * DAY, set()) == []  # not due while held
    released = [(answered, rejected)]
    assert dl.due_at(START, 2 * DAY, released) == START + 4 * DAY  # the day left runs from the rejection
    suspended_meanwhile = [(START + 2 * DAY, START + 5 * DAY), *released]
    assert dl.due_at(START, 2 * DAY, suspended_meanwhile) == START + 6 * DAY
