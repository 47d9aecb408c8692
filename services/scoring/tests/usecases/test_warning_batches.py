"""Warnings in batches (issue 10, "Speed"): the scoring service takes every warning waiting in its
prefetch window in one transaction (``common.inbox.handles_batch``). A batch deducts each event
once, however often it holds or receives it; a subject it touches twice is published once, with its
final standing; the feed's numbers run on without a gap from one batch to the next."""

from decimal import Decimal

import sqlalchemy as sa
from nameko.testing.services import worker_factory

from common.clock import FixedClock
from common.principal import SYSTEM
from common.schema import inbox_message
from scoring.persistence.models import AnnualScore, LedgerEntry, ProjectScore, ScoreChange
from scoring.service import ScoringService
from scoring.usecases import ledger, scores

from ..conftest import PROJECT, START
from .test_ledger_and_scores import warning


class UnitOfWork:
    def __init__(self, session):
        self.session = session

    def commit(self):
        self.session.commit()

    def rollback(self):
        self.session.rollback()


def _feed(session):
    return [change.payload for change in session.execute(sa.select(ScoreChange).order_by(ScoreChange.sequence))
            .scalars()]


def test_a_batch_with_a_duplicate_event_deducts_once_and_so_does_its_redelivery(session):
    service = worker_factory(ScoringService, db=UnitOfWork(session), clock=FixedClock(START), caller=SYSTEM)
    first, second = warning(warning_id="w1"), warning(warning_id="w2", person_id=None)
    payloads = [first.model_dump(mode="json"), first.model_dump(mode="json"), second.model_dump(mode="json")]
    service.score_attendance_warning(payloads)
    service.score_attendance_warning(payloads[:2])  # the broker delivers the first again
    entries = session.execute(sa.select(LedgerEntry.source_event_id, LedgerEntry.subject_id)).all()
    assert sorted(entries) == sorted([(str(first.event_id), "contractor"), (str(first.event_id), "pm"),
                                      (str(second.event_id), "contractor")])
    assert session.get(AnnualScore, ("contractor", 2027)).composite == Decimal("98.00")
    handled = session.execute(sa.select(inbox_message.c.event_id, inbox_message.c.handler)).all()
    assert sorted(handled) == sorted([(str(first.event_id), "LedgerEntrypoints.score_attendance_warning"),
                                      (str(second.event_id), "LedgerEntrypoints.score_attendance_warning")])
    assert [(c["subject_id"], c["composite"]) for c in _feed(session)] == [("contractor", "98.00"), ("pm", "99.00")]


def test_a_batch_touching_a_subject_twice_publishes_one_change_with_its_final_standing(session, call_as):
    scores.recompute_year(call_as(), 2027)  # every member of the project scored: 100
    before = len(_feed(session))
    ids = ledger.on_warnings(call_as(), [warning(warning_id="w1"), warning(warning_id="w2"),
                                         warning("art27.after-the-fact-change", warning_id="w3", person_id=None)])
    assert len(ids) == 6  # w1 and w2 from the contractor and its manager each, w3 from the contractor and the owner
    changes = _feed(session)[before:]
    assert [c["sequence"] for c in changes] == list(range(before + 1, before + 4))
    by_subject = {c["subject_id"]: c for c in changes}
    assert sorted(by_subject) == ["contractor", "owner", "pm"]  # one change each
    contractor = by_subject["contractor"]
    last_entry = session.execute(sa.select(LedgerEntry).where(
        LedgerEntry.subject_id == "contractor", LedgerEntry.conduct == "skipped_process")).scalar_one()
    assert (contractor["composite"], contractor["previous_composite"], contractor["project_id"],
            contractor["project_score"], contractor["entry_id"], contractor["cause"]) == (
        "95.00", "100.00", PROJECT, "95.00", last_entry.id, "ledger_entry")
    assert (by_subject["pm"]["composite"], by_subject["owner"]["composite"]) == ("98.00", "97.00")
    assert session.get(ProjectScore, ("contractor", PROJECT, 2027)).score == Decimal("95.00")
    staged = session.execute(sa.text("SELECT count(*) FROM outbox_message WHERE event_type = 'score.changed'"))
    assert staged.scalar() == len(_feed(session))  # each change is the platform's score.changed event too


def test_the_caps_count_what_earlier_warnings_of_the_same_batch_took(session, call_as):
    batch = [warning("art27.after-the-fact-change", warning_id=f"c{n}", person_id=None) for n in range(8)]
    ledger.on_warnings(call_as(), batch)  # 8 × 3 = 24 > cap 15 per project
    total = session.execute(sa.select(sa.func.sum(LedgerEntry.points)).where(
        LedgerEntry.subject_id == "contractor")).scalar()
    assert Decimal(total) == Decimal(-15)


def test_the_feed_numbers_stay_gap_free_across_two_batches(session, call_as):
    ledger.on_warnings(call_as(), [warning(warning_id="a1"), warning(warning_id="a2", firm_id="supervisor",
                                                                      person_id=None)])
    first = _feed(session)
    assert [c["sequence"] for c in first] == [1, 2, 3]
    ledger.on_warnings(call_as(), [warning(warning_id="b1"), warning(warning_id="b2")])
    changes = _feed(session)
    assert [c["sequence"] for c in changes] == [1, 2, 3, 4, 5]
    assert [(c["subject_id"], c["composite"], c["previous_composite"]) for c in changes[3:]] == [
        ("contractor", "97.00", "99.00"), ("pm", "97.00", "99.00")]
