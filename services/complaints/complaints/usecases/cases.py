"""The disposal of a case down the four-level chain (Art. 10–13, 29–30): listing and reading the
cases in the caller's scope, taking a step (triage, dispatch, accept, not ours, handle, report,
verify, return, escalate, close), and entering a problem clue (Art. 8)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from pydantic import TypeAdapter, ValidationError

from common import events, registry_copy, usecase
from common.contracts import cases as contracts
from common.contracts.registry import UnitKind
from common.contracts.types import PlatformDateTime, check_paging
from common.errors import InvalidInput, NotFound, PermissionDenied
from common.outbox import stage_event
from complaints.domain import cases as dom
from complaints.domain.complaints import CATEGORIES
from complaints.persistence.models import Case, new_id
from complaints.usecases.common import (
    Call,
    case_facts,
    case_scope,
    case_view,
    is_firm_view,
    leading_group_id,
    opened,
    oversee,
    record_step,
    visible_case,
)

MAX_PAGE = 200
FILTERS = {"kind", "status", "project_id", "rule_id", "overdue", "unit_id", "category", "open", "level",
           "opened_from"}
# The level of a case not held by a unit yet (received, waiting for the intake's triage): the
# console's figure of open cases counts it under no level.
NO_LEVEL = "none"
LEVEL_FILTERS = frozenset({str(level) for level in UnitKind} | {NO_LEVEL})
_PLATFORM_TIME = TypeAdapter(PlatformDateTime)


def list_cases(call: Call, filters: dict | None = None, limit: int = 50, offset: int = 0) -> list[dict]:
    """The cases in the caller's scope (the very scope the console's figures count in), newest
    first; ``open`` (not closed), ``level`` (the kind of unit holding it, ``none`` when no unit
    does) and ``opened_from`` (a time with its offset) select the cases behind a figure."""
    check_paging(limit, offset, max_limit=MAX_PAGE)
    filters = filters or {}
    unknown = set(filters) - FILTERS
    if unknown:
        raise InvalidInput.field(sorted(unknown)[0], "not a filter of cases")
    actor = call.actor()
    statement = sa.select(Case).where(case_scope(actor).condition())
    for column in ("kind", "status", "project_id", "rule_id", "category"):
        if filters.get(column) is not None:
            statement = statement.where(getattr(Case, column) == filters[column])
    if filters.get("unit_id") is not None:
        statement = statement.where(Case.holder_unit_id == filters["unit_id"])
    overdue = sa.and_(Case.due_at < call.now, Case.status != dom.Status.CLOSED)
    if filters.get("overdue") is True:
        statement = statement.where(overdue)
    elif filters.get("overdue") is False:
        statement = statement.where(sa.not_(overdue) | Case.due_at.is_(None))
    if filters.get("open") is not None:
        if not isinstance(filters["open"], bool):
            raise InvalidInput.field("open", "true or false")
        statement = statement.where((Case.status != dom.Status.CLOSED) if filters["open"]
                                    else (Case.status == dom.Status.CLOSED))
    if filters.get("level") is not None:
        statement = statement.where(_held_at_level(filters["level"]))
    if filters.get("opened_from") is not None:
        statement = statement.where(Case.opened_at >= _opened_from(filters["opened_from"]))
    rows = call.session.execute(statement.order_by(Case.opened_at.desc(), Case.id).limit(limit).offset(offset))
    for_firm = is_firm_view(actor)
    return [_view(call, case, for_firm=for_firm) for case in rows.scalars()]


def _held_at_level(level) -> sa.ColumnElement[bool]:
    """The cases held by a unit of this kind, as the figure of open cases groups them."""
    if level not in LEVEL_FILTERS:
        raise InvalidInput.field("level", "the kind of unit holding the case, or none")
    unit = registry_copy.copy_unit
    holder_kind = sa.select(unit.c.kind).where(unit.c.id == Case.holder_unit_id).scalar_subquery()
    return holder_kind.is_(None) if level == NO_LEVEL else holder_kind == level


def _opened_from(value) -> datetime:
    try:
        return _PLATFORM_TIME.validate_python(value)
    except ValidationError as error:
        raise InvalidInput.field("opened_from", "a time with its offset within the platform's years: "
                                 + error.errors()[0]["msg"]) from None


def my_cases(call: Call, limit: int = 50, offset: int = 0) -> list[dict]:
    """A firm's cases: those about itself, without who complained or handled them (Art. 30)."""
    check_paging(limit, offset, max_limit=MAX_PAGE)
    actor = call.actor()
    firms = case_scope(actor).firm_ids
    if not firms:
        raise PermissionDenied("the cases about a firm are for its staff")
    rows = call.session.execute(sa.select(Case).where(Case.subject_unit_id.in_(firms), Case.discipline.is_(False))
                                .order_by(Case.opened_at.desc(), Case.id).limit(limit).offset(offset))
    return [_view(call, case, for_firm=True) for case in rows.scalars()]


def get_case(call: Call, case_id: str) -> dict:
    actor, case = visible_case(call, case_id)
    return _view(call, case, with_history=True, for_firm=is_firm_view(actor))


def _view(call: Call, case: Case, *, with_history: bool = False, for_firm: bool = False) -> dict:
    view = case_view(call.session, case, with_history=with_history, for_firm=for_firm)
    view["overdue"] = case.due_at is not None and case.due_at < call.now and case.status != dom.Status.CLOSED
    return view


STEPS = {step.value: step for step in dom.Step}


def take_step(call: Call, case_id: str, step: str, data: dict) -> dict:
    if step not in STEPS:
        raise InvalidInput.field("step", "one of " + ", ".join(STEPS))
    request = usecase.parse(contracts.CaseStepRequest, data)
    actor, case = visible_case(call, case_id, for_update=True)
    if is_firm_view(actor):
        raise PermissionDenied("firms follow the cases about them; the four-level chain disposes of them")
    chosen = STEPS[step]
    caller = call.caller()
    group = leading_group_id(call.session)
    if chosen == dom.Step.TRIAGE:
        _triage(call, case, request)
    facts = case_facts(call.session, case)
    target = _target(call, request.unit_id) if chosen == dom.Step.DISPATCH else None
    finding = dom.Finding(request.finding) if request.finding else None
    for field in ("responsible_unit_id", "responsible_person_id"):
        _known(call, field, getattr(request, field))
    after = dom.decide(facts, chosen, caller, target=target, finding=finding, leading_group_id=group)
    acting = _acting_unit(facts, chosen, caller, group)
    on_time = dom.on_time(case.due_at, call.now) if chosen != dom.Step.CLOSE else None
    record_step(call.session, case, after, dom.RECORDED_AS[chosen], call.now, by_user_id=call.principal.user_id,
                acting_unit_id=acting, text=request.text, file_ids=request.file_ids,
                public_reply=request.public_reply, to_unit_id=target.id if target else None, on_time=on_time,
                rules=call.rules(), principal=call.principal)
    if chosen in (dom.Step.REPORT, dom.Step.CLOSE):
        case.finding = str(finding)
        case.responsible_unit_id = request.responsible_unit_id or case.subject_unit_id
        case.responsible_person_id = request.responsible_person_id or case.subject_person_id
    if after.status == dom.Status.CLOSED:
        _closed(call, case)
    return _view(call, case, with_history=True)


def _known(call: Call, field: str, value: str | None) -> None:
    """A party found responsible is one the registry knows: scoring deducts from it (Art. 49)."""
    if value is None:
        return
    known = (registry_copy.unit(call.session, value) is not None if field == "responsible_unit_id"
             else value in registry_copy.user_contacts(call.session, [value]))
    if not known:
        raise InvalidInput.field(field, "no such unit" if field == "responsible_unit_id" else "no such person")


def _triage(call: Call, case: Case, request: contracts.CaseStepRequest) -> None:
    """The intake classifies (Art. 30): its category, whether it concerns discipline, its project."""
    if request.category is not None:
        category = CATEGORIES[request.category]
        case.category = category.code
        case.discipline = category.discipline
    if request.discipline is not None:
        case.discipline = request.discipline
    if request.project_id is not None:
        placement = registry_copy.placement(call.session, request.project_id)
        if placement is None:
            raise InvalidInput.field("project_id", "no such project")
        case.project_id, case.industry = placement.id, placement.industry


def _target(call: Call, unit_id: str | None) -> dom.Target:
    if unit_id is None:
        raise InvalidInput.field("unit_id", "the unit to send the case to")
    unit = registry_copy.unit(call.session, unit_id)
    if unit is None:
        raise InvalidInput.field("unit_id", "no such unit")
    ancestors, parent = [], unit.parent_id
    while parent is not None and parent not in ancestors and len(ancestors) < 10:
        ancestors.append(parent)
        above = registry_copy.unit(call.session, parent)
        parent = above.parent_id if above else None
    return dom.Target(unit.id, unit.kind, tuple(ancestors))


def _acting_unit(facts: dom.Case, step: dom.Step, caller: dom.Caller, group: str | None) -> str | None:
    """The unit whose step it is: the verifier for a verification, the holder otherwise."""
    if step in (dom.Step.VERIFY, dom.Step.RETURN):
        return dom.verifier_of(facts) or group
    if step in (dom.Step.TRIAGE, dom.Step.CLOSE) and facts.holder_unit_id not in caller.unit_ids:
        return group
    return facts.holder_unit_id


def _closed(call: Call, case: Case) -> None:
    stage_event(call.session, events.CaseClosed(
        occurred_at=call.now, case_id=case.id, kind=case.kind, category=case.category, finding=case.finding,
        project_id=case.project_id, warning_id=case.warning_id, rule_id=case.rule_id, article=case.article,
        responsible_unit_id=case.responsible_unit_id, responsible_person_id=case.responsible_person_id,
        summary=case.summary))


def file_clue(call: Call, data: dict) -> dict:
    """A suspected-problem clue (Art. 8 疑似问题线索) entered by government staff: a case received by
    the back office, which triages and dispatches it as a complaint."""
    request = usecase.parse(contracts.ClueFiling, data)
    actor = call.actor()
    if not actor.posts or is_firm_view(actor):
        raise PermissionDenied("supervising staff enter problem clues")
    placement = None
    if request.project_id is not None:
        placement = registry_copy.placement(call.session, request.project_id)
        if placement is None:
            raise NotFound(f"project {request.project_id} not found")
    category = CATEGORIES[request.category]
    case = Case(id=new_id(), kind=dom.Kind.CLUE, category=category.code, status=dom.Status.RECEIVED,
                discipline=category.discipline, summary=f"{category.name_zh}: {request.text.strip()[:150]}",
                text=request.text, project_id=request.project_id,
                industry=placement.industry if placement else None, opened_at=call.now, opened_by=actor.user_id)
    call.session.add(case)
    call.session.flush()
    oversee(call.session, case, [held.unit.id for held in actor.posts])  # who entered it follows it
    opened(call.session, case, call.now)
    record_step(call.session, case, case_facts(call.session, case), "received", call.now,
                by_user_id=actor.user_id, acting_unit_id=actor.posts[0].unit.id, text=request.text,
                file_ids=request.file_ids, rules=call.rules(), principal=call.principal)
    return _view(call, case, with_history=True)
