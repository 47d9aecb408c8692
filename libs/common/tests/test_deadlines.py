"""The rules of a deadline (common.deadlines): active time, pauses merged, rungs in order, once,
and a service's rule keeping its own data through a length and an extension."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from common import deadlines as dl

START = datetime(2027, 1, 4, 2, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class CaseRule(dl.DeadlineRule):
    step: str


ACCEPT = CaseRule("case.accept", "Art. 11", "the case is not accepted in time",
                  (dl.Rung("reminder", 2 * DAY), dl.Rung("escalation", 3 * DAY)), step="accept")


def test_due_after_the_offset_of_active_time_and_later_by_each_pause():
    assert dl.due_at(START, 3 * DAY) == START + 3 * DAY
    assert dl.due_at(START, 3 * DAY, [(START + DAY, START + 2 * DAY)]) == START + 4 * DAY
    # a pause still open before the due time leaves it unknown; one that begins after it does not matter
    assert dl.due_at(START, 3 * DAY, [(START + DAY, None)]) is None
    assert dl.due_at(START, 3 * DAY, [(START + 4 * DAY, None)]) == START + 3 * DAY


def test_pauses_are_clipped_to_the_start_sorted_and_merged():
    pauses = [(START + 6 * DAY, START + 7 * DAY), (START - DAY, START + DAY), (START + 2 * DAY, START + 4 * DAY),
              (START + 3 * DAY, START + 5 * DAY), (START - 3 * DAY, START - 2 * DAY)]
    assert dl.merged_pauses(pauses, START) == [(START, START + DAY), (START + 2 * DAY, START + 5 * DAY),
                                                (START + 6 * DAY, START + 7 * DAY)]
    assert dl.merged_pauses([(START + DAY, None), (START + 2 * DAY, START + 3 * DAY)], START) == [(START + DAY, None)]
    assert dl.due_at(START, 10 * DAY, pauses) == START + 15 * DAY


def test_rungs_fall_due_in_order_and_each_once():
    assert dl.rungs_due(ACCEPT, START, [], START + 2 * DAY - timedelta(seconds=1), set()) == []
    assert [r.name for r in dl.rungs_due(ACCEPT, START, [], START + 2 * DAY, set())] == ["reminder"]
    assert [r.name for r in dl.rungs_due(ACCEPT, START, [], START + 9 * DAY, set())] == ["reminder", "escalation"]
    assert [r.name for r in dl.rungs_due(ACCEPT, START, [], START + 9 * DAY, {"reminder"})] == ["escalation"]
    assert dl.rungs_due(ACCEPT, START, [], START + 9 * DAY, {"reminder", "escalation"}) == []
    assert dl.next_rung(ACCEPT.rungs, {"reminder"}).name == "escalation"
    assert dl.next_due_at(ACCEPT, START, [(START, START + DAY)], {"reminder"}) == START + 4 * DAY
    assert dl.next_due_at(ACCEPT, START, [], {"reminder", "escalation"}) is None


def test_a_length_and_an_extension_move_the_rungs_and_keep_the_service_data():
    assert dl.with_length(ACCEPT, None) is ACCEPT and dl.extended(ACCEPT, 0) is ACCEPT
    short = dl.with_length(ACCEPT, 1)
    assert isinstance(short, CaseRule) and short.step == "accept"
    assert [r.after for r in short.rungs] == [DAY, DAY]
    longer = dl.extended(ACCEPT, 5)
    assert isinstance(longer, CaseRule) and [r.after for r in longer.rungs] == [7 * DAY, 8 * DAY]
    assert dl.effective_rule(ACCEPT, 1, 5).rungs == (dl.Rung("reminder", 6 * DAY), dl.Rung("escalation", 6 * DAY))
