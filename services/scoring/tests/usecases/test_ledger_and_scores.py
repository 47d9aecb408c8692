"""The ledger, scores, rule sets, objections and partner keys as use cases on a real (SQLite) database."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from common import events
from common.errors import IllegalStep, InvalidInput, NotFound, PermissionDenied
from scoring.domain import scores as dom_scores
from scoring.domain.rules import ScoringRules
from scoring.persistence.models import AnnualScore, LedgerEntry, ScoreChange, UnmappedWarning
from scoring.usecases import ledger, objections, partners, rule_sets, scores
from scoring.usecases.common import authenticate

from ..conftest import PROJECT, START


def warning(rule_id="art42.consecutive-absence", at=START, **fields):
    values = {"warning_id": "w1", "rule_id": rule_id, "article": "Art. 42", "project_id": PROJECT,
              "person_id": "pm", "firm_id": "contractor", "must_act": "owner", "summary": "s"}
    return events.AttendanceWarningRaised(occurred_at=at, **{**values, **fields})


def test_a_warning_deducts_from_the_firm_and_the_person_with_its_evidence(session, call_as):
    ids = ledger.on_warning(call_as(), warning())
    entries = session.execute(sa.select(LedgerEntry).where(LedgerEntry.id.in_(ids))).scalars().all()
    assert {(e.subject_id, e.subject_kind, e.points) for e in entries} == {
        ("contractor", "firm", Decimal("-1.00")), ("pm", "person", Decimal("-1.00"))}
    assert all(e.rule_set_version == 0 and e.evidence["warning_id"] == "w1" and e.article == "Art. 42"
               for e in entries)
    firm = session.get(AnnualScore, ("contractor", 2027))
    assert (firm.composite, firm.colour) == (Decimal("99.00"), "green")
    changes = session.execute(sa.select(ScoreChange).order_by(ScoreChange.sequence)).scalars().all()
    assert [c.sequence for c in changes] == [1, 2]
    assert {c.routing_key for c in changes} == {"score.changed.firm", "score.changed.person"}


def test_an_owner_warning_deducts_from_the_owner(session, call_as):
    ledger.on_warning(call_as(), warning("art31.acceptance.government-small", person_id=None, firm_id=None))
    owner = session.get(AnnualScore, ("owner", 2027))
    assert owner.subject_kind == "owner" and owner.composite == Decimal("97.00")


def test_an_unmapped_warning_rule_is_reported_not_ignored(session, call_as):
    assert ledger.on_warning(call_as(), warning("art99.brand-new")) == []
    assert session.get(UnmappedWarning, ("art99.brand-new", "housing")).occurrences == 1
    listed = rule_sets.unmapped_warnings(call_as("ia-chief", "zzd"), 10, 0)
    assert [row["rule_id"] for row in listed] == ["art99.brand-new"]


def test_the_composite_weighs_projects_by_contract_amount_as_the_domain_does(session, call_as):
    from ..conftest import feed_registry
    feed_registry(session, "p-small", amount="4000000")
    for n in range(5):  # 5 × 3 = 15 points off the contractor on the small project: 85
        ledger.on_warning(call_as(), warning("art27.after-the-fact-change", project_id="p-small", warning_id=f"x{n}",
                                             person_id=None))
    composite = session.get(AnnualScore, ("contractor", 2027)).composite
    expected = dom_scores.composite([(Decimal(100), Decimal(12_000_000)), (Decimal(85), Decimal(4_000_000))],
                                    ScoringRules())
    assert Decimal(composite) == expected == Decimal("96.25")


def test_caps_hold_across_events(session, call_as):
    for n in range(8):  # 8 × 3 = 24 > cap 15 per project
        ledger.on_warning(call_as(), warning("art27.after-the-fact-change", warning_id=f"c{n}", person_id=None))
    total = session.execute(sa.select(sa.func.sum(LedgerEntry.points)).where(
        LedgerEntry.subject_id == "contractor")).scalar()
    assert Decimal(total) == Decimal(-15)


def test_a_substantiated_complaint_deducts_and_an_unsubstantiated_warning_restores(session, call_as):
    ledger.on_warning(call_as(), warning())
    closed = events.CaseClosed(occurred_at=START, case_id="c1", kind="complaint", category="quality",
                               finding="substantiated", project_id=PROJECT, responsible_unit_id="contractor",
                               summary="s")
    ledger.on_case_closed(call_as(), closed)
    assert session.get(AnnualScore, ("contractor", 2027)).composite == Decimal("94.00")
    cleared = events.CaseClosed(occurred_at=START, case_id="c2", kind="warning", category="attendance",
                                finding="unsubstantiated", project_id=PROJECT, warning_id="w1", summary="s")
    ledger.on_case_closed(call_as(), cleared)
    assert session.get(AnnualScore, ("contractor", 2027)).composite == Decimal("95.00")
    assert session.get(AnnualScore, ("pm", 2027)).composite == Decimal("100.00")


def test_a_replaced_person_s_bid_ban_joins_the_feed(session, call_as):
    replaced = events.PersonnelReplaced(occurred_at=START, project_id=PROJECT, post="project_manager",
                                        firm_id="contractor", replaced_user_id="pm", replacement_user_id="pm2",
                                        reason="illness", for_illness=True,
                                        bid_bar_until=(START + timedelta(days=90)).date())
    ledger.on_personnel_replaced(call_as(), replaced)
    (change,) = session.execute(sa.select(ScoreChange)).scalars().all()
    assert change.routing_key == "bid_ban.imposed.person" and change.payload["article"] == "Art. 27(2)"


def draft(effective="2027-04-01", points="5"):
    return {"effective_from": effective, "body": {
        "rules": [{"conduct": "missed_attendance", "target": "firm", "points": points}],
        "warning_rules": {"art42.consecutive-absence": "missed_attendance"}}}


def test_rule_set_life_draft_preview_publish_and_from_its_date_only(session, call_as):
    ledger.on_warning(call_as(), warning())
    authority = call_as("ia-chief", "zzd")
    created = rule_sets.create_rule_set(authority, draft())
    assert (created["industry"], created["version"], created["status"]) == ("housing", 1, "draft")
    preview = rule_sets.preview_rule_set(authority, created["id"], 2027, 10, 0)
    firm = next(row for row in preview if row["subject_id"] == "contractor")
    assert (firm["current_score"], firm["preview_score"]) == ("99.00", "95.00")
    with pytest.raises(PermissionDenied):
        rule_sets.publish_rule_set(call_as("pm", "zlb"), created["id"])
    with pytest.raises(NotFound):
        rule_sets.publish_rule_set(call_as("water-chief", "zzd"), created["id"])
    rule_sets.publish_rule_set(authority, created["id"])
    with pytest.raises(IllegalStep):
        rule_sets.publish_rule_set(authority, created["id"])
    with pytest.raises(InvalidInput) as overlapping:
        rule_sets.create_rule_set(authority, draft("2027-04-01"))
    assert overlapping.value.details[0]["field"] == "effective_from"
    # before its date the default applies; from its date the new version
    ledger.on_warning(call_as(), warning(warning_id="w2", at=START + timedelta(days=10)))
    ledger.on_warning(call_as(), warning(warning_id="w3", at=START + timedelta(days=40)))
    points = [e.points for e in session.execute(sa.select(LedgerEntry).where(
        LedgerEntry.subject_id == "contractor").order_by(LedgerEntry.occurred_at)).scalars()]
    assert points == [Decimal(-1), Decimal(-1), Decimal(-5)]


def test_invalid_rule_sets_are_refused_and_nothing_is_stored(session, call_as):
    authority = call_as("ia-chief", "zzd")
    for bad, field in [(draft(points="-1"), "body.rules.0.points"), (draft("2026-01-01"), "effective_from")]:
        with pytest.raises(InvalidInput) as refused:
            rule_sets.create_rule_set(authority, bad)
        assert refused.value.details[0]["field"] == field
    bad_conduct = draft()
    bad_conduct["body"]["rules"][0]["conduct"] = "napping"
    with pytest.raises(InvalidInput):
        rule_sets.create_rule_set(authority, bad_conduct)
    assert len(rule_sets.list_rule_sets(authority, None, 10, 0)) == 1  # the default only


def test_objection_upheld_restores_the_points_with_a_new_entry(session, call_as):
    ledger.on_warning(call_as(), warning())
    entry = session.execute(sa.select(LedgerEntry).where(LedgerEntry.subject_id == "contractor")).scalar_one()
    with pytest.raises(NotFound):
        objections.file_objection(call_as("stranger", "zlb"), entry.id, {"reasons": "not ours"})
    with pytest.raises(InvalidInput):
        objections.file_objection(call_as("pm", "zlb", at=START + timedelta(days=16)), entry.id, {"reasons": "late"})
    filed = objections.file_objection(call_as("pm", "zlb"), entry.id, {"reasons": "he was on leave", "file_ids": []})
    with pytest.raises(NotFound):
        objections.decide_objection(call_as("water-chief", "zzd"), filed["id"], {"upheld": True, "note": "n"})
    decided = objections.decide_objection(call_as("ia-chief", "zzd"), filed["id"],
                                          {"upheld": True, "note": "leave approved"})
    assert decided["status"] == "upheld" and decided["restoration_entry_id"]
    assert session.get(AnnualScore, ("contractor", 2027)).composite == Decimal("100.00")
    ledger_view = scores.subject_ledger(call_as("ia-chief", "zzd"), "contractor", 2027, 10, 0)
    assert {e["points"] for e in ledger_view} == {"-1.00", "1.00"}
    assert any(e["objection"] and e["objection"]["status"] == "upheld" for e in ledger_view)


def test_scores_are_scoped(session, call_as):
    ledger.on_warning(call_as(), warning())
    assert scores.list_scores(call_as("ia-chief", "zzd"), None, 2027, None, 10, 0)
    assert scores.list_scores(call_as("water-chief", "zzd"), None, 2027, None, 10, 0) == []
    with pytest.raises(NotFound):
        scores.subject_ledger(call_as("water-chief", "zzd"), "contractor", 2027, 10, 0)
    mine = scores.my_scores(call_as("pm", "zlb"), 2027, 10, 0)
    assert {s["subject_id"] for s in mine["scores"]} == {"contractor", "pm"}
    assert scores.my_scores(call_as("stranger", "zlb"), 2027, 10, 0)["ledger"] == []


def test_scores_of_one_colour_are_filtered_before_the_page_is_cut(session, call_as):
    for n, colour in enumerate(("green", "red", "green", "red", "red")):
        session.add(AnnualScore(subject_id=f"firm-{n}", year=2027, subject_kind="firm", composite=Decimal(50 + n),
                                colour=colour, projects=1, updated_at=START))
    session.flush()
    back_office = call_as("back-office", "zzd", roles=("leading_group",))
    first = scores.list_scores(back_office, None, 2027, "firm", 2, 0, "red")
    rest = scores.list_scores(back_office, None, 2027, "firm", 2, 2, "red")
    assert [row["subject_id"] for row in first + rest] == ["firm-1", "firm-3", "firm-4"]
    with pytest.raises(InvalidInput):
        scores.list_scores(back_office, None, 2027, "firm", 2, 0, "purple")


def test_partner_keys_are_shown_once_stored_hashed_and_revocable(session, call_as):
    back_office = call_as("back-office", "zzd", roles=("leading_group",))
    created = partners.create_partner(back_office, {"name": "tender system", "system": "tender"})
    assert authenticate(call_as(), created["key"])["system"] == "tender"
    assert "key" not in partners.list_partners(back_office, 10, 0)[0]
    assert created["key"] not in str(session.execute(sa.text("SELECT * FROM partner_key")).all())
    with pytest.raises(NotFound):
        authenticate(call_as(), created["key"] + "x")
    ledger.on_warning(call_as(), warning())
    feed = scores.score_changes(call_as(), created["key"], 0, 1)
    assert [c["sequence"] for c in feed["changes"]] == [1] and feed["next_cursor"] == 1
    assert [c["sequence"] for c in scores.score_changes(call_as(), created["key"], 1, 10)["changes"]] == [2]
    partners.revoke_partner(back_office, created["id"])
    with pytest.raises(NotFound):
        scores.partner_scores(call_as(), created["key"], 2027, None, 10, 0)
    with pytest.raises(PermissionDenied):
        partners.create_partner(call_as("ia-chief", "zzd"), {"name": "x", "system": "audit"})


def _feed(session, after=0):
    return [change.payload for change in session.execute(
        sa.select(ScoreChange).where(ScoreChange.sequence > after).order_by(ScoreChange.sequence)).scalars()]


def test_a_recomputation_puts_what_moved_on_the_feed_and_nothing_else(session, call_as):
    from ..conftest import feed_registry
    ledger.on_warning(call_as(), warning())  # contractor 99, pm 99: changes 1 and 2
    first = scores.recompute_year(call_as(), 2027)  # owner and supervisor are scored for the first time
    assert first == {"year": 2027, "changes": 2}
    assert [(c["sequence"], c["subject_id"], c["cause"], c["previous_composite"]) for c in _feed(session, 2)] == [
        (3, "owner", "recomputation", None), (4, "supervisor", "recomputation", None)]
    assert scores.recompute_year(call_as(), 2027)["changes"] == 0 and _feed(session, 4) == []
    # a second project for the contractor (and the same owner and supervisor) moves the contractor only
    feed_registry(session, "p-small", amount="4000000")
    scores.recompute_year(call_as(), 2027)
    (moved,) = _feed(session, 4)
    assert (moved["sequence"], moved["subject_id"], moved["composite"], moved["previous_composite"],
            moved["project_id"], moved["entry_id"]) == (5, "contractor", "99.25", "99.00", None, None)
    assert session.get(ScoreChange, 5).routing_key == "score.changed.firm"
    staged = session.execute(sa.text("SELECT payload FROM outbox_message WHERE event_type = 'score.changed'")).all()
    assert len(staged) == 5  # each change is also the platform's score.changed event


def test_new_bands_recolour_at_once_and_publish_each_recoloured_subject(session, call_as):
    from common.principal import Principal
    from common.rule_settings import update_rules
    for n in range(5):  # 5 × 3 = 15 points off the contractor and the owner: 85, blue
        ledger.on_warning(call_as(), warning("art27.after-the-fact-change", warning_id=f"b{n}", person_id=None))
    assert session.get(AnnualScore, ("contractor", 2027)).colour == "blue"
    scores.recompute_year(call_as(), 2027)  # the supervisor scored: 100, green under either band
    last = session.execute(sa.select(sa.func.max(ScoreChange.sequence))).scalar()
    updated = update_rules(session, ScoringRules, {"green_min": "85"},
                           principal=Principal(user_id="back-office", portal="zzd"), at=START)
    # the change after the fact deducts from the firm and the owner alike: both 85, blue, now green
    assert scores.settings_changed(call_as(), updated) == {"year": 2027, "changes": 2}
    recoloured = _feed(session, last)
    assert [(c["sequence"], c["subject_id"], c["colour"], c["previous_colour"], c["composite"], c["cause"])
            for c in recoloured] == [(last + 1, "contractor", "green", "blue", "85.00", "settings"),
                                     (last + 2, "owner", "green", "blue", "85.00", "settings")]
    assert session.get(AnnualScore, ("contractor", 2027)).colour == "green"


def test_an_entry_that_moves_no_score_puts_nothing_on_the_feed(session, call_as):
    from scoring.usecases.common import record_entry
    ledger.on_warning(call_as(), warning(person_id=None))  # contractor 99: change 1

    def give_back(key):
        return record_entry(call_as(), subject_id="contractor", subject_kind="firm", project_id=PROJECT,
                            occurred_at=START, points=Decimal(1), conduct="missed_attendance", article="Art. 42",
                            rule_id=None, rule_set_id="default", rule_set_version=0, source_type="case",
                            source_event_id=key, evidence={})

    give_back("back-1")  # 100 again: change 2
    give_back("back-2")  # a score never passes the base: nothing moved, nothing published
    assert [(c["sequence"], c["composite"], c["project_score"]) for c in _feed(session)] == [
        (1, "99.00", "99.00"), (2, "100.00", "100.00")]


def test_a_deduction_is_given_back_once_whether_by_objection_or_by_its_case(session, call_as):
    ledger.on_warning(call_as(), warning("art42.consecutive-absence", warning_id="w1"))
    ledger.on_warning(call_as(), warning("art42.consecutive-absence", warning_id="w2"))
    first = session.execute(sa.select(LedgerEntry).where(
        LedgerEntry.subject_id == "contractor",
        LedgerEntry.evidence["warning_id"].as_string() == "w1")).scalar_one()
    filed = objections.file_objection(call_as("pm", "zlb"), first.id, {"reasons": "he was on leave"})
    objections.decide_objection(call_as("ia-chief", "zzd"), filed["id"], {"upheld": True, "note": "leave"})
    cleared = events.CaseClosed(occurred_at=START, case_id="c-w1", kind="warning", category="attendance",
                                finding="unsubstantiated", project_id=PROJECT, warning_id="w1", summary="s")
    ledger.on_case_closed(call_as(), cleared)
    # w1 given back once; w2 still counts.
    assert session.get(AnnualScore, ("contractor", 2027)).composite == Decimal("99.00")
    # The other way round: w2's case gives it back, then an objection on it is refused.
    second = session.execute(sa.select(LedgerEntry).where(
        LedgerEntry.subject_id == "contractor",
        LedgerEntry.evidence["warning_id"].as_string() == "w2", LedgerEntry.points < 0)).scalar_one()
    ledger.on_case_closed(call_as(), cleared.model_copy(update={"case_id": "c-w2", "warning_id": "w2",
                                                                "event_id": uuid.uuid4()}))
    assert session.get(AnnualScore, ("contractor", 2027)).composite == Decimal("100.00")
    with pytest.raises(InvalidInput) as refused:
        objections.file_objection(call_as("pm", "zlb"), second.id, {"reasons": "again"})
    assert "given back" in refused.value.details[0]["reason"]
