"""The life of a case (Art. 8, 10–13, 29–30, 49): a platform warning, a public complaint or a problem
clue, disposed of through the four-level chain (四级联动) — leading group → industry authority →
supervising unit and its line → owner.

One life for all three kinds: received → triaged → dispatched → accepted → handled → reported →
verified (closed); beside it a case is *returned* (the level above found the report wanting),
*escalated* (a step went past its time limit, or the unit could not handle it: the level above
takes it) or sent back up as *not ours* with a reason. Each level accepts, handles or passes the
case down within its own line, and reports its result with evidence; the level above verifies
(核实) and closes or returns it. A complaint concerning discipline (涉纪) goes to discipline
inspection only, never down the chain (Art. 30).

The rules here take the case's facts and the caller's units and return the move, or refuse it
with the reason; they never touch a database.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from common.contracts.registry import UnitKind
from common.deadlines import DeadlineRule, Rung
from common.errors import IllegalStep, InvalidInput, PermissionDenied
from complaints.domain.rules import CaseRules


class Kind(StrEnum):
    WARNING = "warning"  # raised by a warning point of the platform (Art. 8, 29)
    COMPLAINT = "complaint"  # from the public complaint window (Art. 30)
    CLUE = "clue"  # a suspected-problem clue entered by supervising staff (Art. 8 疑似问题线索)


class Status(StrEnum):
    RECEIVED = "received"
    TRIAGED = "triaged"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    HANDLED = "handled"
    REPORTED = "reported"
    RETURNED = "returned"
    ESCALATED = "escalated"
    NOT_OURS = "not_ours"
    CLOSED = "closed"


class Step(StrEnum):
    TRIAGE = "triage"
    DISPATCH = "dispatch"  # down the chain, by the unit holding the case (also "pass down")
    ACCEPT = "accept"
    NOT_OURS = "not_ours"  # back up to the unit that sent it, with a reason
    HANDLE = "handle"
    REPORT = "report"
    VERIFY = "verify"  # the level above confirms the report: the case is closed with its finding
    RETURN = "return"  # the level above finds the report wanting: handle it again
    ESCALATE = "escalate"  # the holder hands the case to the level above
    CLOSE = "close"  # the back office (or discipline inspection, for its cases) closes outright


class Finding(StrEnum):
    SUBSTANTIATED = "substantiated"  # the complaint was found true, the warning confirmed (Art. 49)
    UNSUBSTANTIATED = "unsubstantiated"
    WITHDRAWN = "withdrawn"  # a duplicate, a complaint withdrawn, a warning raised in error


# What each step records in the event stream (CaseStepRecorded.step, past tense).
RECORDED_AS = {Step.TRIAGE: "triaged", Step.DISPATCH: "dispatched", Step.ACCEPT: "accepted",
               Step.NOT_OURS: "not_ours", Step.HANDLE: "handled", Step.REPORT: "reported",
               Step.VERIFY: "verified", Step.RETURN: "returned", Step.ESCALATE: "escalated",
               Step.CLOSE: "closed"}

# The order of the chain's levels, top first; a case goes down it (Art. 10–13).
LEVELS = (UnitKind.LEADING_GROUP, UnitKind.INDUSTRY_AUTHORITY, UnitKind.SUPERVISING_UNIT, UnitKind.LINE,
          UnitKind.OWNER)


@dataclass(frozen=True)
class Case:
    """What the rules look at of a case."""

    kind: Kind
    status: Status
    holder_unit_id: str | None  # the unit that must act now (None: the back office, before triage)
    # The unit that sent the case to its holder: it verifies the report, and takes back a "not ours".
    dispatcher_unit_id: str | None = None
    discipline: bool = False
    chain: tuple[str, ...] = ()  # the project's chain, top first (see chain_of); empty without a project


@dataclass(frozen=True)
class Caller:
    """The caller's units, as the registry copy knows them."""

    unit_ids: frozenset[str]
    back_office: bool = False  # holds a post in the leading group
    intake: bool = False  # the leading group's complaint intake (受理员) or its chief
    discipline_unit_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Target:
    id: str
    kind: UnitKind
    ancestors: tuple[str, ...] = ()  # parent, grandparent… (a line's supervising unit)


@dataclass(frozen=True)
class Wait:
    """What the case waits for, from which unit, until when."""

    step: str  # "triage", "accept", "report", "verify"
    unit_id: str | None
    days: int


def chain_of(leading_group_id: str | None, industry_authority_id: str | None, supervising_unit_id: str | None,
             line_id: str | None, owner_id: str | None) -> tuple[str, ...]:
    """The four-level chain of a project, top first, without the levels not assigned yet."""
    return tuple(unit for unit in (leading_group_id, industry_authority_id, supervising_unit_id, line_id, owner_id)
                 if unit)


def level_above(case: Case, unit_id: str | None) -> str | None:
    """The unit one level above ``unit_id`` for this case: the next one up its project's chain, or
    the unit that dispatched the case when the unit is not on the chain."""
    if unit_id in case.chain:
        index = case.chain.index(unit_id)
        return case.chain[index - 1] if index > 0 else None
    return case.dispatcher_unit_id if case.dispatcher_unit_id != unit_id else None


def wait_of(case: Case, rules: CaseRules) -> Wait | None:
    """The step the case now waits for, and its time limit (Art. 29–30; limits are the platform's)."""
    if case.status == Status.RECEIVED:
        return Wait("triage", None, rules.triage_days)
    if case.status in (Status.TRIAGED, Status.DISPATCHED, Status.ESCALATED, Status.NOT_OURS):
        return Wait("accept", case.holder_unit_id, rules.accept_days)
    if case.status in (Status.ACCEPTED, Status.RETURNED, Status.HANDLED):
        return Wait("report", case.holder_unit_id, rules.report_days)
    if case.status == Status.REPORTED:
        return Wait("verify", verifier_of(case), rules.verify_days)
    return None


def verifier_of(case: Case) -> str | None:
    """The level above the holder verifies its report (核实)."""
    return case.dispatcher_unit_id or level_above(case, case.holder_unit_id)


def reminder_after(wait: Wait, rules: CaseRules) -> timedelta:
    return timedelta(days=wait.days) * rules.reminder_share


def _holder_acts(case: Case, caller: Caller) -> None:
    if case.holder_unit_id is None:
        if not caller.intake:
            raise PermissionDenied("the back office's complaint intake acts on a case before it is dispatched")
        return
    if case.holder_unit_id not in caller.unit_ids:
        raise PermissionDenied("only the unit holding the case may take this step")


def _require(case: Case, step: Step, allowed: Collection[Status]) -> None:
    if case.status not in allowed:
        raise IllegalStep(f"a case that is {case.status} cannot be {RECORDED_AS[step]}")


def may_receive(case: Case, target: Target, leading_group_id: str | None) -> None:
    """Whether ``target`` may be sent the case down the chain: a discipline case goes to
    discipline inspection only, never down the chain; any other case never goes there (Art. 30).
    On a project's case the target is on the project's chain below the holder (Art. 10–13);
    without a project, the back office sends it to any level and a unit passes it down its own
    line (to a unit below it in the organisation tree)."""
    if case.discipline:
        if target.kind != UnitKind.DISCIPLINE:
            raise IllegalStep("a complaint concerning discipline goes to discipline inspection only (Art. 30)")
        return
    if target.kind == UnitKind.DISCIPLINE:
        raise IllegalStep("only a complaint concerning discipline goes to discipline inspection (Art. 30)")
    if target.kind not in LEVELS[1:]:
        raise IllegalStep("a case goes down the four-level chain: an industry authority, a supervising unit, "
                          "a line or an owner (Art. 10–13)")
    holder = case.holder_unit_id
    if case.chain:
        if target.id not in case.chain:
            raise IllegalStep("the unit is not on this project's chain")
        if holder in case.chain and case.chain.index(target.id) <= case.chain.index(holder):
            raise IllegalStep("a case is passed down the chain, never up or across (Art. 10–13)")
    elif holder != leading_group_id and holder not in target.ancestors:
        raise IllegalStep("a case is passed down within the unit's own line")


def decide(case: Case, step: Step, caller: Caller, *, target: Target | None = None,
           finding: Finding | None = None, leading_group_id: str | None = None) -> Case:
    """The case after ``step`` by ``caller``, or the reason it may not be taken (Art. 10–13,
    29–30: each level accepts, handles or passes down, reports, and the level above verifies; a
    discipline case goes to discipline inspection only)."""
    if case.status == Status.CLOSED:
        raise IllegalStep("the case is closed")
    if step == Step.TRIAGE:
        _require(case, step, {Status.RECEIVED})
        if not caller.intake:
            raise PermissionDenied("the back office's complaint intake classifies complaints and clues (Art. 30)")
        return replace(case, status=Status.TRIAGED, holder_unit_id=leading_group_id)
    if step == Step.DISPATCH:
        _require(case, step, {Status.TRIAGED, Status.DISPATCHED, Status.ESCALATED, Status.NOT_OURS,
                              Status.ACCEPTED})
        _holder_acts(case, caller)
        if target is None:
            raise InvalidInput.field("unit_id", "the unit to send the case to")
        may_receive(case, target, leading_group_id)
        return replace(case, status=Status.DISPATCHED, holder_unit_id=target.id,
                       dispatcher_unit_id=case.holder_unit_id)
    if step == Step.ACCEPT:
        _require(case, step, {Status.DISPATCHED, Status.ESCALATED, Status.NOT_OURS, Status.TRIAGED})
        _holder_acts(case, caller)
        return replace(case, status=Status.ACCEPTED)
    if step == Step.NOT_OURS:
        _require(case, step, {Status.DISPATCHED})
        _holder_acts(case, caller)
        if case.dispatcher_unit_id is None:
            raise IllegalStep("the case was not sent by another unit; escalate it instead")
        return replace(case, status=Status.NOT_OURS, holder_unit_id=case.dispatcher_unit_id,
                       dispatcher_unit_id=level_above(case, case.dispatcher_unit_id)
                       if case.dispatcher_unit_id in case.chain else None)
    if step == Step.HANDLE:
        _require(case, step, {Status.ACCEPTED, Status.RETURNED, Status.HANDLED})
        _holder_acts(case, caller)
        return replace(case, status=Status.HANDLED)
    if step == Step.REPORT:
        _require(case, step, {Status.HANDLED})
        _holder_acts(case, caller)
        if finding is None:
            raise InvalidInput.field("finding", "the result found: substantiated, unsubstantiated or withdrawn")
        return replace(case, status=Status.REPORTED)
    if step in (Step.VERIFY, Step.RETURN):
        _require(case, step, {Status.REPORTED})
        verifier = verifier_of(case)
        if not (verifier in caller.unit_ids or (verifier is None and caller.back_office)):
            raise PermissionDenied("the level above the unit that reported verifies its result (Art. 29–30)")
        return replace(case, status=Status.CLOSED if step == Step.VERIFY else Status.RETURNED)
    if step == Step.ESCALATE:
        _require(case, step, {Status.DISPATCHED, Status.ACCEPTED, Status.HANDLED, Status.RETURNED,
                              Status.ESCALATED, Status.NOT_OURS})
        _holder_acts(case, caller)
        return escalated(case, leading_group_id)
    if step == Step.CLOSE:
        discipline_closes = case.discipline and case.holder_unit_id in caller.discipline_unit_ids
        if not (caller.back_office or discipline_closes):
            raise PermissionDenied("the back office closes a case outright; discipline inspection its own cases")
        if finding is None:
            raise InvalidInput.field("finding", "the result found: substantiated, unsubstantiated or withdrawn")
        return replace(case, status=Status.CLOSED)
    raise InvalidInput.field("step", f"unknown step {step}")


def escalated(case: Case, leading_group_id: str | None) -> Case:
    """The case one level up (Art. 10): the unit above the holder takes it and must accept it,
    pass it down again or handle it. A late verification goes to the level above the verifier. A
    complaint not yet triaged has no level to leave: the intake must still classify it (whether it
    concerns discipline decides where it may go, Art. 30)."""
    if case.status == Status.RECEIVED:
        raise IllegalStep("not dispatched yet: the back office's intake must triage it")
    if case.status == Status.REPORTED:
        verifier = verifier_of(case)
        above = level_above(case, verifier) or leading_group_id
        if above is None or above == verifier:
            raise IllegalStep("no level above the verifier")
        return replace(case, dispatcher_unit_id=above)
    above = level_above(case, case.holder_unit_id) or leading_group_id
    if above is None or above == case.holder_unit_id:
        raise IllegalStep("the case is at the top of the chain")
    return replace(case, status=Status.ESCALATED, holder_unit_id=above,
                   dispatcher_unit_id=level_above(case, above))


def acting_unit(case: Case) -> str | None:
    """The unit whose turn it is: the holder, or the verifier while a report waits."""
    wait_unit = verifier_of(case) if case.status == Status.REPORTED else case.holder_unit_id
    return wait_unit


def first_holder(must_act: str | None, must_act_kind: UnitKind | None, chain: Sequence[str]) -> str | None:
    """Where a warning goes at once (Art. 29): to the unit its ``must_act`` names when that unit is
    of the chain (an owner, a line, an industry authority…); a firm is the warning's subject, not a
    level of the chain, so its warning goes to the lowest level of the project's chain — the owner,
    first responsible for the project (Art. 11)."""
    if must_act and must_act_kind in LEVELS:
        return must_act
    return chain[-1] if chain else None


def on_time(due_at: datetime | None, at: datetime) -> bool | None:
    return None if due_at is None else at <= due_at


# --- the time limits of the steps, as deadlines of the platform's one engine --------------------------------

WAIT_STEPS = ("triage", "accept", "report", "verify")
REMINDER, OVERDUE = "reminder", "overdue"


def deadline_rules(rules: CaseRules) -> dict[str, DeadlineRule]:
    """One deadline rule per step a case waits for: a reminder part-way, then overdue at the limit,
    when the case escalates one level up and the step counts against the late unit (Art. 10, 29–30;
    the limits are the platform's settings)."""
    days = {"triage": rules.triage_days, "accept": rules.accept_days, "report": rules.report_days,
            "verify": rules.verify_days}
    return {
        f"case.{step}": DeadlineRule(
            f"case.{step}", "Art. 29–30", f"the case was not taken through its {step} step in time",
            (Rung(REMINDER, timedelta(days=days[step]) * rules.reminder_share),
             Rung(OVERDUE, timedelta(days=days[step]))))
        for step in WAIT_STEPS
    }
