"""What the complaints use cases share: the Call and the caller's units, the chain of a project,
who may see a case, the view of a case, and recording a step — its row, its audit entry, its
event and the deadline of the next step (Art. 8, 10–13, 29–30)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from prometheus_client import Counter, Gauge
from sqlalchemy.orm import Session

from common import events, registry_copy, usecase
from common.audit import record_change
from common.clock import district_iso
from common.contracts.registry import Post, UnitKind
from common.database import after_commit
from common.errors import NotFound, PermissionDenied
from common.outbox import stage_event
from common.principal import SYSTEM, Principal
from common.rule_settings import RulesCache
from common.scope import Actor
from complaints.domain import cases as dom
from complaints.domain.rules import CaseRules
from complaints.persistence.models import Case, CaseStep, CaseUnit, Deadline
from complaints.usecases.deadline_engine import ENGINE, SUBJECT, wait_rule_id

RULES = RulesCache(CaseRules)

# The cases' metrics (deploy/prometheus/alerts.yml: warnings not turned into cases, cases overdue).
CASES_OPENED = Counter("supervision_cases_opened_total", "Cases opened, by kind (warning, complaint, clue)",
                       ["kind"])
CASES = Gauge("supervision_cases", "Cases by status, as last measured (stats.measure_cases)", ["status"])
CASES_OVERDUE = Gauge("supervision_cases_overdue",
                      "Cases not closed whose step is past its limit on the platform clock, as last measured")


class Call(usecase.Call):
    def rules(self) -> CaseRules:
        return RULES.get(self.session)

    def actor(self) -> Actor:
        if self.principal.user_id is None:
            raise PermissionDenied("sign in as a registered user")
        return registry_copy.actor(self.session, self.principal.user_id)

    def caller(self) -> dom.Caller:
        return caller_of(self.actor())


LEADING_GROUP = frozenset({UnitKind.LEADING_GROUP})


def caller_of(actor: Actor) -> dom.Caller:
    units = frozenset(held.unit.id for held in actor.posts)
    back_office = actor.is_back_office
    intake = actor.holds(Post.COMPLAINT_INTAKE, kinds=LEADING_GROUP) or actor.holds(Post.CHIEF, kinds=LEADING_GROUP)
    discipline = frozenset(held.unit.id for held in actor.posts if held.unit.kind == UnitKind.DISCIPLINE)
    return dom.Caller(units, back_office, intake, discipline)


def leading_group_id(session: Session) -> str | None:
    groups = registry_copy.units_of_kind(session, UnitKind.LEADING_GROUP)
    return groups[0] if groups else None


def chain_of_project(session: Session, placement: registry_copy.Placement | None) -> tuple[str, ...]:
    """The project's four-level chain, top first: the leading group, the industry authority of its
    industry, its supervising unit, line and owner (Art. 10–13)."""
    if placement is None:
        return ()
    authorities = registry_copy.units_of_kind(session, UnitKind.INDUSTRY_AUTHORITY, industry=placement.industry)
    return dom.chain_of(leading_group_id(session), authorities[0] if authorities else None,
                        placement.supervising_unit_id, placement.line_id, placement.owner_id)


def case_facts(session: Session, case: Case) -> dom.Case:
    return dom.Case(dom.Kind(case.kind), dom.Status(case.status), case.holder_unit_id, case.dispatcher_unit_id,
                    case.discipline, chain_of_project(session, registry_copy.placement(session, case.project_id))
                    if case.project_id else ())


# --- who may see a case --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseScope:
    """The cases a caller may see: the back office every case but discipline ones (which only its
    complaint intake and discipline inspection see); a unit the cases it went through, and the
    cases of its projects held by it or below it in its own line — as the project's chain stands
    now, so a line assigned later sees them too; a firm the cases about itself (Art. 10–13, 30)."""

    everything: bool
    discipline: bool
    unit_ids: frozenset[str]
    firm_ids: frozenset[str]
    # The caller's units by their level of the chain, and the industries of its authorities.
    owner_ids: frozenset[str] = frozenset()
    line_ids: frozenset[str] = frozenset()
    supervising_ids: frozenset[str] = frozenset()
    authority_ids: frozenset[str] = frozenset()
    industries: frozenset[str] = frozenset()

    def _below_in_own_line(self):
        """The case's project puts one of the caller's units on its chain at or above the holder."""
        project = registry_copy.copy_project.c
        held = Case.holder_unit_id
        levels = [
            sa.and_(project.owner_id.in_(self.owner_ids), held == project.owner_id),
            sa.and_(project.line_id.in_(self.line_ids), held.in_([project.line_id, project.owner_id])),
            sa.and_(project.supervising_unit_id.in_(self.supervising_ids),
                    held.in_([project.supervising_unit_id, project.line_id, project.owner_id])),
            sa.and_(project.industry.in_(self.industries),
                    sa.or_(held.in_(self.authority_ids),
                           held.in_([project.supervising_unit_id, project.line_id, project.owner_id]))),
        ]
        return sa.exists().where(project.id == Case.project_id, sa.or_(*levels))

    def condition(self):
        if self.everything and self.discipline:
            return sa.true()
        clauses = []
        if self.everything:
            clauses.append(Case.discipline.is_(False))
        if self.discipline:
            clauses.append(Case.discipline.is_(True))
        if self.unit_ids:
            clauses.append(sa.and_(Case.discipline.is_(False), sa.or_(
                Case.id.in_(sa.select(CaseUnit.case_id).where(CaseUnit.unit_id.in_(self.unit_ids))),
                self._below_in_own_line())))
        if self.firm_ids:
            clauses.append(sa.and_(Case.subject_unit_id.in_(self.firm_ids), Case.discipline.is_(False)))
        return sa.or_(*clauses) if clauses else sa.false()


def case_scope(actor: Actor) -> CaseScope:
    caller = caller_of(actor)
    firms = frozenset(held.unit.id for held in actor.posts if held.unit.kind in FIRM_KINDS)
    units = frozenset(held.unit.id for held in actor.posts if held.unit.kind not in FIRM_KINDS)

    def of_kind(kind: UnitKind) -> frozenset[str]:
        return frozenset(held.unit.id for held in actor.posts if held.unit.kind == kind)

    authorities = [held.unit for held in actor.posts if held.unit.kind == UnitKind.INDUSTRY_AUTHORITY]
    # Discipline cases: the complaint intake's post (it triages and sends them on) and discipline
    # inspection — not the leading group's chief, though it may stand in for the intake otherwise.
    sees_discipline = actor.holds(Post.COMPLAINT_INTAKE, kinds=LEADING_GROUP) or bool(caller.discipline_unit_ids)
    return CaseScope(caller.back_office, sees_discipline, units, firms,
                     of_kind(UnitKind.OWNER), of_kind(UnitKind.LINE), of_kind(UnitKind.SUPERVISING_UNIT),
                     frozenset(unit.id for unit in authorities),
                     frozenset(unit.industry for unit in authorities if unit.industry))


FIRM_KINDS = frozenset(set(UnitKind) - set(dom.LEVELS) - {UnitKind.DISCIPLINE, UnitKind.AUDIT})


def visible_case(call: Call, case_id: str, *, for_update: bool = False) -> tuple[Actor, Case]:
    actor = call.actor()
    statement = sa.select(Case).where(Case.id == case_id, case_scope(actor).condition())
    if for_update:
        lock_case(call.session, case_id)
        statement = statement.with_for_update()
    case = call.session.execute(statement).scalar_one_or_none()
    if case is None:
        raise NotFound(f"case {case_id} not found")
    return actor, case


def is_firm_view(actor: Actor) -> bool:
    """A firm's staff see a case about their firm without the inside of its handling."""
    return bool(actor.posts) and all(held.unit.kind in FIRM_KINDS for held in actor.posts)


# --- views ---------------------------------------------------------------------------------------------------


def case_view(session: Session, case: Case, *, with_history: bool = False, for_firm: bool = False) -> dict:
    names = registry_copy.unit_names(session, {u for u in (case.holder_unit_id, case.subject_unit_id,
                                                             case.responsible_unit_id) if u})
    view = {
        "id": case.id, "kind": case.kind, "category": case.category, "status": case.status,
        "discipline": case.discipline, "summary": case.summary, "text": case.text, "project_id": case.project_id,
        "industry": case.industry, "location": {"lat": case.lat, "lng": case.lng} if case.lat is not None else None,
        "warning_id": case.warning_id, "rule_id": case.rule_id, "article": case.article,
        "subject_unit_id": case.subject_unit_id, "subject_unit_name": names.get(case.subject_unit_id),
        "subject_person_id": case.subject_person_id,
        "holder_unit_id": None if for_firm else case.holder_unit_id,
        "holder_unit_name": None if for_firm else names.get(case.holder_unit_id),
        "due_at": district_iso(case.due_at), "overdue": False,
        "opened_at": district_iso(case.opened_at), "closed_at": district_iso(case.closed_at),
        "finding": case.finding, "responsible_unit_id": case.responsible_unit_id,
        "responsible_person_id": case.responsible_person_id, "complaint_count": case.complaint_count,
    }
    if with_history:
        steps = session.execute(sa.select(CaseStep).where(CaseStep.case_id == case.id)
                                .order_by(CaseStep.at, CaseStep.id)).scalars()
        view["history"] = [step_view(step, for_firm=for_firm) for step in steps]
    return view


def step_view(step: CaseStep, *, for_firm: bool = False) -> dict:
    return {"step": step.step, "status": step.status, "at": district_iso(step.at),
            "by_user_id": None if for_firm else step.by_user_id,
            "acting_unit_id": None if for_firm else step.acting_unit_id,
            "to_unit_id": None if for_firm else step.to_unit_id, "text": None if for_firm else step.text,
            "file_ids": [] if for_firm else list(step.file_ids or []), "public_reply": step.public_reply,
            "on_time": step.on_time}


# --- recording a step ----------------------------------------------------------------------------------------


def opened(session: Session, case: Case, now: datetime) -> None:
    """Announce a new case (``case.opened``, never naming a complainant) and count it once kept."""
    stage_event(session, events.CaseOpened(occurred_at=now, case_id=case.id, kind=case.kind, category=case.category,
                                           project_id=case.project_id, warning_id=case.warning_id,
                                           rule_id=case.rule_id, article=case.article, summary=case.summary))
    after_commit(session, CASES_OPENED.labels(case.kind).inc)


def lock_case(session: Session, case_id: str) -> None:
    """Take the case's open step deadline before the case itself, the order the deadline sweep
    takes them in (it locks due deadlines, then escalates their cases), so that a user's step and
    the sweep on the same case never deadlock: one waits, or the sweep skips the locked deadline."""
    session.execute(sa.select(Deadline.id).where(Deadline.subject_type == SUBJECT, Deadline.subject_id == case_id,
                                                 Deadline.status == "open").with_for_update())


def oversee(session: Session, case: Case, unit_ids) -> None:
    """Let these units see the case from now on (those it goes through, and the levels above on
    its chain that oversee them)."""
    known = set(session.execute(sa.select(CaseUnit.unit_id).where(CaseUnit.case_id == case.id)).scalars())
    for unit_id in {u for u in unit_ids if u} - known:
        session.add(CaseUnit(case_id=case.id, unit_id=unit_id))


def record_step(session: Session, case: Case, facts_after: dom.Case, step: str, now: datetime, *,
                by_user_id: str | None, acting_unit_id: str | None, text: str | None = None,
                file_ids: list[str] | None = None, public_reply: str | None = None, to_unit_id: str | None = None,
                on_time: bool | None = None, rules: CaseRules, principal: Principal = SYSTEM) -> CaseStep:
    """Write a step: the case's new state, the step's row, the units that may see it now, the
    deadline of the step it waits for next (the previous one closed), its audit entry and its
    ``case.step_recorded`` event — all in the caller's transaction."""
    before = {"status": case.status, "holder_unit_id": case.holder_unit_id}
    ENGINE.close(session, SUBJECT, case.id, now, "satisfied" if on_time is not False else "late")
    case.status = str(facts_after.status)
    case.holder_unit_id = facts_after.holder_unit_id
    case.dispatcher_unit_id = facts_after.dispatcher_unit_id
    wait = dom.wait_of(facts_after, rules)
    case.due_at = None
    if wait is not None:
        # A case's steps have no pauses: the limit falls its days after the step began.
        ENGINE.start(session, rule_id=wait_rule_id(wait.step), subject_type=SUBJECT, subject_id=case.id,
                     started_at=now, project_id=case.project_id, responsible_unit_id=wait.unit_id)
        case.due_at = now + timedelta(days=wait.days)
    if facts_after.status == dom.Status.CLOSED:
        case.closed_at = now
    previous = session.execute(sa.select(sa.func.max(CaseStep.at)).where(CaseStep.case_id == case.id)).scalar()
    row = CaseStep(case_id=case.id, step=step, status=case.status, at=now, by_user_id=by_user_id,
                   acting_unit_id=acting_unit_id, to_unit_id=to_unit_id, text=text, file_ids=list(file_ids or []),
                   public_reply=public_reply, on_time=on_time,
                   seconds_taken=int((now - previous).total_seconds()) if previous is not None else None)
    session.add(row)
    chain = facts_after.chain
    above = chain[:chain.index(case.holder_unit_id)] if case.holder_unit_id in chain else ()
    oversee(session, case, [case.holder_unit_id, dom.acting_unit(facts_after), *above])
    record_change(session, principal=principal, at=now, action=f"case.{step}", entity_type="case", entity_id=case.id,
                  before=before, after={"status": case.status, "holder_unit_id": case.holder_unit_id})
    stage_event(session, events.CaseStepRecorded(
        occurred_at=now, case_id=case.id, kind=case.kind, step=step, status=case.status, project_id=case.project_id,
        acting_unit_id=acting_unit_id, by_user_id=by_user_id, on_time=on_time,
        next_unit_id=dom.acting_unit(facts_after) if wait is not None else None, due_at=case.due_at,
        summary=case.summary))
    return row

