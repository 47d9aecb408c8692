"""The life of a case down the four-level chain (Art. 10–13, 29–30), as pure rules."""

import pytest

from common.contracts.registry import UnitKind
from common.errors import IllegalStep, PermissionDenied
from complaints.domain import cases as dom
from complaints.domain.rules import CaseRules

CHAIN = ("lg", "ia", "su", "line", "owner")


def caller(*units, back_office=False, intake=False, discipline=()):
    return dom.Caller(frozenset(units), back_office, intake, frozenset(discipline))


def warning_at_owner() -> dom.Case:
    holder = dom.first_holder("owner", UnitKind.OWNER, CHAIN)
    return dom.Case(dom.Kind.WARNING, dom.Status.DISPATCHED, holder, "line", chain=CHAIN)


def test_a_warning_goes_to_the_unit_that_must_act_and_a_firms_warning_to_the_owner():
    assert dom.first_holder("owner", UnitKind.OWNER, CHAIN) == "owner"
    assert dom.first_holder("ia", UnitKind.INDUSTRY_AUTHORITY, CHAIN) == "ia"
    assert dom.first_holder("firm", UnitKind.CONTRACTOR, CHAIN) == "owner"
    assert dom.first_holder("owner", None, ()) is None


def test_the_holder_accepts_handles_and_reports_and_the_level_above_verifies():
    case = warning_at_owner()
    case = dom.decide(case, dom.Step.ACCEPT, caller("owner"))
    case = dom.decide(case, dom.Step.HANDLE, caller("owner"))
    with pytest.raises(PermissionDenied):
        dom.decide(case, dom.Step.REPORT, caller("line"), finding=dom.Finding.SUBSTANTIATED)
    case = dom.decide(case, dom.Step.REPORT, caller("owner"), finding=dom.Finding.SUBSTANTIATED)
    assert dom.verifier_of(case) == "line"
    with pytest.raises(PermissionDenied):
        dom.decide(case, dom.Step.VERIFY, caller("owner"))
    returned = dom.decide(case, dom.Step.RETURN, caller("line"))
    assert returned.status == dom.Status.RETURNED
    closed = dom.decide(case, dom.Step.VERIFY, caller("line"))
    assert closed.status == dom.Status.CLOSED
    with pytest.raises(IllegalStep, match="closed"):
        dom.decide(closed, dom.Step.HANDLE, caller("owner"))


def test_a_case_is_passed_down_its_chain_never_up_and_not_ours_goes_back_to_the_sender():
    case = dom.Case(dom.Kind.COMPLAINT, dom.Status.TRIAGED, "lg", chain=CHAIN)
    case = dom.decide(case, dom.Step.DISPATCH, caller("lg"), target=dom.Target("ia", UnitKind.INDUSTRY_AUTHORITY),
                      leading_group_id="lg")
    assert (case.holder_unit_id, case.dispatcher_unit_id) == ("ia", "lg")
    with pytest.raises(IllegalStep, match="never up"):
        dom.decide(case, dom.Step.DISPATCH, caller("ia"), target=dom.Target("lg", UnitKind.INDUSTRY_AUTHORITY),
                   leading_group_id="lg")
    with pytest.raises(IllegalStep, match="not on this project's chain"):
        dom.decide(case, dom.Step.DISPATCH, caller("ia"), target=dom.Target("owner2", UnitKind.OWNER),
                   leading_group_id="lg")
    down = dom.decide(case, dom.Step.DISPATCH, caller("ia"), target=dom.Target("owner", UnitKind.OWNER),
                      leading_group_id="lg")
    assert (down.holder_unit_id, down.dispatcher_unit_id) == ("owner", "ia")
    back = dom.decide(down, dom.Step.NOT_OURS, caller("owner"))
    assert (back.status, back.holder_unit_id) == (dom.Status.NOT_OURS, "ia")


def test_a_discipline_complaint_goes_to_discipline_inspection_only():
    case = dom.Case(dom.Kind.COMPLAINT, dom.Status.TRIAGED, "lg", discipline=True, chain=CHAIN)
    with pytest.raises(IllegalStep, match="discipline inspection only"):
        dom.decide(case, dom.Step.DISPATCH, caller("lg"), target=dom.Target("ia", UnitKind.INDUSTRY_AUTHORITY),
                   leading_group_id="lg")
    sent = dom.decide(case, dom.Step.DISPATCH, caller("lg"), target=dom.Target("jw", UnitKind.DISCIPLINE),
                      leading_group_id="lg")
    assert sent.holder_unit_id == "jw"
    ordinary = dom.Case(dom.Kind.COMPLAINT, dom.Status.TRIAGED, "lg", chain=CHAIN)
    with pytest.raises(IllegalStep, match="only a complaint concerning discipline"):
        dom.decide(ordinary, dom.Step.DISPATCH, caller("lg"), target=dom.Target("jw", UnitKind.DISCIPLINE),
                   leading_group_id="lg")
    closed = dom.decide(sent, dom.Step.CLOSE, caller("jw", discipline=["jw"]), finding=dom.Finding.SUBSTANTIATED)
    assert closed.status == dom.Status.CLOSED


def test_only_the_intake_triages_and_only_the_holder_acts():
    received = dom.Case(dom.Kind.COMPLAINT, dom.Status.RECEIVED, None)
    with pytest.raises(PermissionDenied):
        dom.decide(received, dom.Step.TRIAGE, caller("lg", back_office=True))
    assert dom.decide(received, dom.Step.TRIAGE, caller("lg", back_office=True, intake=True),
                      leading_group_id="lg").holder_unit_id == "lg"
    with pytest.raises(PermissionDenied):
        dom.decide(warning_at_owner(), dom.Step.ACCEPT, caller("owner2"))


def test_escalation_goes_one_level_up_and_stops_at_the_top():
    up = dom.escalated(warning_at_owner(), "lg")
    assert (up.status, up.holder_unit_id) == (dom.Status.ESCALATED, "line")
    top = dom.Case(dom.Kind.COMPLAINT, dom.Status.DISPATCHED, "lg", chain=CHAIN)
    with pytest.raises(IllegalStep, match="top"):
        dom.escalated(top, "lg")
    reported = dom.Case(dom.Kind.WARNING, dom.Status.REPORTED, "owner", "line", chain=CHAIN)
    assert dom.verifier_of(dom.escalated(reported, "lg")) == "su"  # a late verifier: the level above verifies


def test_each_waiting_step_has_its_limit_with_a_reminder_first():
    rules = CaseRules()
    assert dom.wait_of(warning_at_owner(), rules) == dom.Wait("accept", "owner", rules.accept_days)
    catalogue = dom.deadline_rules(rules)
    accept = catalogue["case.accept"]
    assert [rung.name for rung in accept.rungs] == ["reminder", "overdue"]
    assert accept.rungs[0].after < accept.rungs[1].after
    assert dom.wait_of(dom.Case(dom.Kind.WARNING, dom.Status.CLOSED, "owner"), rules) is None
