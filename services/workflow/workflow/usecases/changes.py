"""Engineering and personnel changes (Art. 27), termination (Art. 34) and supplementary
registration (Art. 33): the use cases, each loading the facts, letting the domain decide and
persisting the change with its events and audit entry in one transaction."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from common import events, usecase
from common.clock import district_iso, local_date
from common.contracts import changes as contracts
from common.contracts.registry import AssignmentLevel
from common.contracts.types import check_paging
from common.errors import IllegalStep, InvalidInput, NotFound
from common.rule_settings import load_rules
from common.scope import GOVERNMENT_KINDS, Actor, project_scope
from workflow.domain import changes as dom
from workflow.domain.organisation import Post
from workflow.domain.projects import ProjectFacts, ProjectStatus
from workflow.domain.rules import WorkflowRules
from workflow.persistence import repository as repo
from workflow.persistence.changes_models import (
    ChangeStep,
    EngineeringChange,
    PersonnelChange,
    ProjectTermination,
    SupplementaryRegistration,
)
from workflow.persistence.models import Deadline, Personnel, Project, User, new_id
from workflow.usecases.common import (
    Call,
    change_status,
    post_lock_reason,
    project_view,
    raise_warning,
    require_files,
    visible_project,
)


def _iso_date(value) -> str | None:
    return value.isoformat() if value is not None else None


def step_view(step: ChangeStep) -> dict:
    return {"step": step.step, "decision": step.decision, "unit_id": step.unit_id, "decided_by": step.decided_by,
            "decided_at": district_iso(step.decided_at), "note": step.note, "file_ids": step.file_ids}


def engineering_change_view(change: EngineeringChange, steps: list[ChangeStep]) -> dict:
    return {
        "id": change.id, "kind": dom.ENGINEERING, "project_id": change.project_id, "status": change.status,
        "contractor_id": change.contractor_id, "raised_by": change.raised_by,
        "raised_at": district_iso(change.raised_at), "description": change.description, "reason": change.reason,
        "affected_part": change.affected_part, "touches_concealed_works": change.touches_concealed_works,
        "planned_on": _iso_date(change.planned_on), "executed_on": _iso_date(change.executed_on),
        "after_the_fact": change.after_the_fact, "file_ids": change.file_ids,
        "steps": [step_view(step) for step in steps], "closed_at": district_iso(change.closed_at),
    }


def _sees_medical_record(actor: Actor, change: PersonnelChange) -> bool:
    """A hospital certificate is for the government staff who decide the change and for the
    firm that made it, not for the other firms of the project."""
    return actor.holds(kinds=GOVERNMENT_KINDS) or actor.holds(unit_id=change.firm_id)


def personnel_change_view(change: PersonnelChange, steps: list[ChangeStep], viewer: Actor) -> dict:
    post = Post(change.post)
    penalty = None if change.penalty_recorded_at is None else {
        "amount_yuan": f"{change.penalty_yuan:.2f}", "note": change.penalty_note,
        "recorded_by": change.penalty_recorded_by, "recorded_at": district_iso(change.penalty_recorded_at),
    }
    return {
        "id": change.id, "kind": dom.PERSONNEL, "project_id": change.project_id, "status": change.status,
        "firm_id": change.firm_id, "post": change.post, "replaced_user_id": change.replaced_user_id,
        "replacement_user_id": change.replacement_user_id, "raised_by": change.raised_by,
        "raised_at": district_iso(change.raised_at), "reason": change.reason, "for_illness": change.for_illness,
        "illness_certificate_file_id": change.illness_certificate_file_id
        if _sees_medical_record(viewer, change) else None,
        "recovery_until": _iso_date(change.recovery_until),
        "qualification_file_ids": change.qualification_file_ids,
        "social_insurance_records": change.social_insurance_records,
        "approval_path": [list(stage) for stage in dom.approval_path(post)],
        "open_steps": list(dom.open_steps(post, [step.step for step in steps])) if change.status == dom.PENDING
        else [],
        "steps": [step_view(step) for step in steps],
        "approval_form_file_id": change.approval_form_file_id, "replaced_by": change.replaced_by,
        "replaced_at": district_iso(change.replaced_at), "penalty": penalty,
        "closed_at": district_iso(change.closed_at),
    }


def _steps_of(session: Session, change_ids: list[str]) -> dict[str, list[ChangeStep]]:
    steps: dict[str, list[ChangeStep]] = {change_id: [] for change_id in change_ids}
    for step in session.execute(sa.select(ChangeStep).where(ChangeStep.change_id.in_(change_ids))
                                .order_by(ChangeStep.id)).scalars():
        steps[step.change_id].append(step)
    return steps


def _view(session: Session, change: EngineeringChange | PersonnelChange, viewer: Actor) -> dict:
    steps = _steps_of(session, [change.id])[change.id]
    if isinstance(change, EngineeringChange):
        return engineering_change_view(change, steps)
    return personnel_change_view(change, steps, viewer)


def _change(call: Call, change_id: str):
    """The change with its project, locked, if the caller may see the project."""
    change = call.session.get(EngineeringChange, change_id) or call.session.get(PersonnelChange, change_id)
    if change is None:
        raise NotFound(f"change {change_id} not found")
    actor, project, facts = visible_project(call, change.project_id, for_update=True)
    # Read again under the project's lock, so that a decision taken meanwhile is seen.
    call.session.refresh(change)
    return actor, project, facts, change


def _add_step(call: Call, change_id: str, step: str, decision: str, *, unit_id: str | None,
              decided_by: str | None, note: str | None, file_ids: list[str]) -> None:
    call.session.add(ChangeStep(change_id=change_id, step=step, decision=decision, unit_id=unit_id,
                                decided_by=decided_by, decided_at=call.now, note=note, file_ids=file_ids))


# --- raising a change ----------------------------------------------------------------------------


def raise_change(call: Call, data: dict) -> dict:
    """POST /zlb/v1/changes: an engineering change by the contractor, or a personnel change by
    the firm replacing one of its key people (Art. 27)."""
    if not isinstance(data, dict):
        raise InvalidInput.field("body", "a JSON object is expected")
    kind = data.get("kind")
    if kind == dom.ENGINEERING:
        return _raise_engineering_change(call, usecase.parse(contracts.EngineeringChangeRequest, data))
    if kind == dom.PERSONNEL:
        return _raise_personnel_change(call, usecase.parse(contracts.PersonnelChangeRequest, data))
    raise InvalidInput.field("kind", f"{dom.ENGINEERING} or {dom.PERSONNEL}")


def _warn_after_the_fact(call: Call, project: Project, change: EngineeringChange, cause: str) -> None:
    """Art. 27: audit watches after-the-fact changes; the owner must act on the warning."""
    raise_warning(call, rule_id=dom.AFTER_THE_FACT_RULE, article=dom.AFTER_THE_FACT_ARTICLE, project_id=project.id,
                  firm_id=change.contractor_id, must_act=project.owner_id or "owner",
                  summary="an engineering change was carried out before its approval (after the fact)",
                  detail={"change_id": change.id, "cause": cause, "affected_part": change.affected_part,
                      "touches_concealed_works": change.touches_concealed_works,
                      "planned_on": _iso_date(change.planned_on), "executed_on": _iso_date(change.executed_on),
                      "recorded_at": district_iso(change.raised_at), "flagged_at": district_iso(call.now)})


def _raise_engineering_change(call: Call, request: contracts.EngineeringChangeRequest) -> dict:
    actor, project, facts = visible_project(call, request.project_id, for_update=True)
    outcome = dom.decide_engineering_request(
        actor, facts, touches_concealed_works=request.touches_concealed_works, planned_on=request.planned_on,
        executed_on=request.executed_on, today=local_date(call.now), rules=load_rules(call.session, WorkflowRules))
    require_files(call, "file_ids", request.file_ids)
    change = EngineeringChange(
        id=new_id(), project_id=project.id, contractor_id=outcome.contractor_id, raised_by=actor.user_id,
        raised_at=call.now, description=request.description, reason=request.reason,
        affected_part=request.affected_part, touches_concealed_works=request.touches_concealed_works,
        planned_on=request.planned_on, executed_on=request.executed_on, file_ids=request.file_ids,
        after_the_fact=outcome.after_the_fact, status=outcome.status,
        closed_at=call.now if outcome.status == dom.REFUSED else None)
    call.session.add(change)
    if outcome.refusal is not None:
        _add_step(call, change.id, dom.CONCEALED_WORKS_RULE, "refuse", unit_id=None, decided_by=None,
                  note=outcome.refusal, file_ids=[])
    call.session.flush()
    if outcome.after_the_fact:
        _warn_after_the_fact(call, project, change, "carried_out_before_it_was_raised")
    view = _view(call.session, change, actor)
    call.record("engineering_change.raised", "engineering_change", change.id, after=view)
    return view


def _raise_personnel_change(call: Call, request: contracts.PersonnelChangeRequest) -> dict:
    actor, project, facts = visible_project(call, request.project_id, for_update=True)
    if call.session.get(User, request.replacement_user_id) is None:
        raise InvalidInput.field("replacement_user_id", "no such user")
    today = local_date(call.now)
    replaced_firm_id = call.session.execute(sa.select(Personnel.unit_id).where(
        Personnel.project_id == project.id, Personnel.user_id == request.replaced_user_id,
        Personnel.post == request.post, Personnel.released_at.is_(None))).scalar()
    person = dom.PersonnelChangeFacts(
        post=request.post, replaced_user_id=request.replaced_user_id, replaced_firm_id=replaced_firm_id,
        replacement_user_id=request.replacement_user_id,
        replacement_posts=repo.user_posts(call.session, request.replacement_user_id),
        replacement_on_post=request.replacement_user_id in repo.current_holders(call.session, project.id,
                                                                                 request.post),
        for_illness=request.for_illness, has_illness_certificate=request.illness_certificate_file_id is not None,
        recovery_until=request.recovery_until, has_qualification_files=bool(request.qualification_file_ids),
        social_insurance_months=frozenset(record.month for record in request.social_insurance_records),
        insurance_months_required=load_rules(call.session, WorkflowRules).personnel_change_social_insurance_months)
    open_change = call.session.execute(sa.select(sa.exists().where(
        PersonnelChange.project_id == project.id, PersonnelChange.post == request.post,
        PersonnelChange.status.in_(dom.OPEN_STATUSES)))).scalar()
    firm_id = dom.decide_personnel_request(
        actor, facts, person, open_change_for_post=open_change,
        replacement_lock=post_lock_reason(call.session, request.replacement_user_id, request.post, project.id),
        today=today)
    if request.illness_certificate_file_id is not None:
        require_files(call, "illness_certificate_file_id", [request.illness_certificate_file_id])
    require_files(call, "qualification_file_ids", request.qualification_file_ids)
    require_files(call, "social_insurance_records", [record.file_id for record in request.social_insurance_records])
    change = PersonnelChange(
        id=new_id(), project_id=project.id, firm_id=firm_id, post=request.post,
        replaced_user_id=request.replaced_user_id, replacement_user_id=request.replacement_user_id,
        raised_by=actor.user_id, raised_at=call.now, reason=request.reason, for_illness=request.for_illness,
        illness_certificate_file_id=request.illness_certificate_file_id, recovery_until=request.recovery_until,
        qualification_file_ids=request.qualification_file_ids,
        social_insurance_records=[record.model_dump() for record in request.social_insurance_records],
        status=dom.PENDING)
    call.session.add(change)
    call.session.flush()
    view = _view(call.session, change, actor)
    call.record("personnel_change.raised", "personnel_change", change.id, after=view)
    return view


# --- deciding a change ---------------------------------------------------------------------------


def decide_change(call: Call, change_id: str, data: dict) -> dict:
    """POST /zzd/v1/changes/{id}/decision: the owner on an engineering change; the owner, the
    supervising unit or the industry authority at their step of a personnel change."""
    request = usecase.parse(contracts.Decision, data)
    actor, project, facts, change = _change(call, change_id)
    approve = request.decision == "approve"
    if isinstance(change, EngineeringChange):
        late = dom.decide_engineering_decision(
            actor, facts, change.status, approve=approve, planned_on=change.planned_on,
            already_after_the_fact=change.after_the_fact, today=local_date(call.now))
        require_files(call, "file_ids", request.file_ids)
        _add_step(call, change.id, dom.OWNER_DECISION, request.decision, unit_id=project.owner_id,
                  decided_by=actor.user_id, note=request.note, file_ids=request.file_ids)
        change.status, change.closed_at = (dom.APPROVED if approve else dom.REFUSED), call.now
        if late:
            change.after_the_fact = True
            _warn_after_the_fact(call, project, change, "approved_after_the_planned_day")
        entity = "engineering_change"
    else:
        taken = [step.step for step in _steps_of(call.session, [change.id])[change.id]]
        step = dom.decide_personnel_step(actor, facts, Post(change.post), change.status, taken)
        require_files(call, "file_ids", request.file_ids)
        _add_step(call, change.id, step, request.decision, unit_id=dom.step_unit(actor, facts, step),
                  decided_by=actor.user_id, note=request.note, file_ids=request.file_ids)
        if not approve:
            change.status, change.closed_at = dom.REFUSED, call.now
        elif not dom.open_steps(Post(change.post), [*taken, step]):
            change.status = dom.APPROVED
        entity = "personnel_change"
    call.session.flush()
    view = _view(call.session, change, actor)
    call.record(f"{entity}.decided", entity, change.id,
                after={"decision": request.decision, "note": request.note, "status": change.status})
    return view


def _personnel_change(call: Call, change_id: str):
    actor, project, facts, change = _change(call, change_id)
    if not isinstance(change, PersonnelChange):
        raise IllegalStep("an engineering change has no approval form or penalty; those belong to personnel changes")
    return actor, project, facts, change


def upload_approval_form(call: Call, change_id: str, data: dict) -> dict:
    """Art. 27(2): the owner's project lead uploads the offline approval form and the replacement
    takes the post; the replaced person's post lock and bid bar are published."""
    request = usecase.parse(contracts.ApprovalFormUpload, data)
    actor, project, facts, change = _personnel_change(call, change_id)
    dom.decide_approval_form(actor, facts, change.status)
    require_files(call, "file_id", [request.file_id])
    holder = call.session.execute(sa.select(Personnel).where(
        Personnel.project_id == project.id, Personnel.user_id == change.replaced_user_id,
        Personnel.post == change.post, Personnel.released_at.is_(None))).scalar_one_or_none()
    if holder is None:
        raise IllegalStep("the replaced person no longer holds the post on this project")
    if change.replacement_user_id in repo.current_holders(call.session, project.id, Post(change.post)):
        raise IllegalStep("the replacement already holds the post on this project")
    if (change.firm_id, Post(change.post)) not in repo.user_posts(call.session, change.replacement_user_id):
        raise IllegalStep("the replacement no longer holds the post in the firm")
    lock = post_lock_reason(call.session, change.replacement_user_id, Post(change.post), project.id)
    if lock is not None:
        raise IllegalStep(lock)
    holder.released_at = call.now
    call.session.add(Personnel(project_id=project.id, user_id=change.replacement_user_id, unit_id=change.firm_id,
                               post=change.post, assigned_by=actor.user_id, assigned_at=call.now))
    change.status, change.approval_form_file_id = dom.REPLACED, request.file_id
    change.replaced_by, change.replaced_at, change.closed_at = actor.user_id, call.now, call.now
    project.updated_at = call.now
    call.session.flush()
    call.emit(events.PersonnelAssigned, project_id=project.id, user_id=change.replacement_user_id,
              unit_id=change.firm_id, post=change.post)
    call.emit(events.PersonnelReplaced, project_id=project.id, post=change.post, firm_id=change.firm_id,
              replaced_user_id=change.replaced_user_id, replacement_user_id=change.replacement_user_id,
              reason=change.reason, for_illness=change.for_illness, post_locked_until_project_completed=True,
              bid_bar_until=change.recovery_until if change.for_illness else None)
    view = _view(call.session, change, actor)
    call.record("personnel.replaced", "personnel_change", change.id,
                before={"user_id": change.replaced_user_id},
                after={"user_id": change.replacement_user_id, "post": change.post, "approval_form_file_id":
                       request.file_id})
    return view


def record_penalty(call: Call, change_id: str, data: dict) -> dict:
    """Art. 27(2), 41: the owner records the contractual penalty for the replacement online."""
    request = usecase.parse(contracts.PenaltyRecord, data)
    actor, _, facts, change = _personnel_change(call, change_id)
    dom.decide_penalty(actor, facts, change.status, change.penalty_recorded_at is not None)
    change.penalty_yuan, change.penalty_note = request.amount_yuan, request.note
    change.penalty_recorded_by, change.penalty_recorded_at = actor.user_id, call.now
    call.session.flush()
    call.record("personnel_change.penalty_recorded", "personnel_change", change.id,
                after={"amount_yuan": str(request.amount_yuan), "note": request.note})
    return _view(call.session, change, actor)


# --- reading changes -----------------------------------------------------------------------------


def list_changes(call: Call, project_id: str, limit: int = 100, offset: int = 0) -> list[dict]:
    """One page of the project's changes, both kinds, with their step history, oldest first (the
    id breaks a tie): the page is cut in SQL over both tables at once."""
    check_paging(limit, offset, max_limit=100)
    actor, _, _ = visible_project(call, project_id)
    both = sa.union_all(
        sa.select(EngineeringChange.raised_at.label("raised_at"), EngineeringChange.id.label("id"))
        .where(EngineeringChange.project_id == project_id),
        sa.select(PersonnelChange.raised_at.label("raised_at"), PersonnelChange.id.label("id"))
        .where(PersonnelChange.project_id == project_id),
    ).subquery()
    page = list(call.session.execute(sa.select(both.c.id).order_by(both.c.raised_at, both.c.id)
                                     .limit(limit).offset(offset)).scalars())
    loaded = {change.id: change for model in (EngineeringChange, PersonnelChange)
              for change in call.session.execute(sa.select(model).where(model.id.in_(page))).scalars()}
    changes: list[EngineeringChange | PersonnelChange] = [loaded[change_id] for change_id in page]
    steps = _steps_of(call.session, [change.id for change in changes])
    return [engineering_change_view(change, steps[change.id]) if isinstance(change, EngineeringChange)
            else personnel_change_view(change, steps[change.id], actor) for change in changes]


def changes_to_decide(call: Call, limit: int = 100, offset: int = 0) -> list[dict]:
    """One page of the pending changes waiting for the caller's decision now (Art. 27), both kinds,
    oldest first: the approvals of the caller's task list. Only the pending changes of the projects
    in the caller's scope are read (the scope filters in SQL, not after reading the district's), and
    each project's facts decide whose step is open."""
    check_paging(limit, offset, max_limit=100)
    actor = call.actor()
    scope = project_scope(actor)
    admitted = repo.scope_condition(scope)
    if admitted is None:
        return []
    projects_admitted = sa.select(Project.id).where(admitted)
    pending = sorted((change for model in (EngineeringChange, PersonnelChange)
                      for change in call.session.execute(sa.select(model).where(
                          model.status == dom.PENDING, model.project_id.in_(projects_admitted))).scalars()),
                     key=lambda change: (change.raised_at, change.id))
    steps = _steps_of(call.session, [change.id for change in pending])
    facts_by_project: dict[str, ProjectFacts | None] = {}
    waiting = []
    for change in pending:
        if change.project_id not in facts_by_project:
            project = repo.require_project(call.session, change.project_id)
            facts = repo.project_facts(call.session, project)
            facts_by_project[change.project_id] = facts if scope.admits(facts) else None
        facts = facts_by_project[change.project_id]
        post = Post(change.post) if isinstance(change, PersonnelChange) else None
        if facts is not None and dom.awaits_actor(actor, facts, post, change.status,
                                                  [step.step for step in steps[change.id]]):
            waiting.append(change)
    return [engineering_change_view(change, steps[change.id]) if isinstance(change, EngineeringChange)
            else personnel_change_view(change, steps[change.id], actor) for change in waiting[offset:offset + limit]]


def get_change(call: Call, change_id: str) -> dict:
    change = call.session.get(EngineeringChange, change_id) or call.session.get(PersonnelChange, change_id)
    if change is None:
        raise NotFound(f"change {change_id} not found")
    actor, _, _ = visible_project(call, change.project_id)
    return _view(call.session, change, actor)


# --- termination (Art. 34) -----------------------------------------------------------------------


def termination_view(termination: ProjectTermination) -> dict:
    return {"project_id": termination.project_id, "reason": termination.reason,
            "report_file_id": termination.report_file_id, "status_before": termination.status_before,
            "terminated_by": termination.terminated_by, "terminated_at": district_iso(termination.terminated_at)}


def terminate_project(call: Call, project_id: str, data: dict) -> dict:
    """Art. 34: the owner terminates the project with a written report of the reason. Its open
    deadlines are cancelled, and so are its changes still under way."""
    request = usecase.parse(contracts.TerminationRequest, data)
    actor, project, facts = visible_project(call, project_id, for_update=True)
    dom.decide_termination(actor, facts)
    require_files(call, "report_file_id", [request.report_file_id])
    status_before = project.status
    change_status(call, project, ProjectStatus.TERMINATED)
    call.session.add(ProjectTermination(project_id=project.id, reason=request.reason,
                                        report_file_id=request.report_file_id, status_before=status_before,
                                        terminated_by=actor.user_id, terminated_at=call.now))
    cancelled_deadlines = call.session.execute(
        sa.update(Deadline).where(Deadline.project_id == project.id, Deadline.status == "open")
        .values(status="cancelled", closed_at=call.now, next_due_at=None)).rowcount
    cancelled_changes = sum(call.session.execute(
        sa.update(model).where(model.project_id == project.id, model.status.in_(dom.OPEN_STATUSES))
        .values(status=dom.CANCELLED, closed_at=call.now)).rowcount for model in (EngineeringChange, PersonnelChange))
    call.session.flush()
    call.record("project.terminated", "project", project.id, before={"status": status_before},
                after={"status": project.status, "reason": request.reason, "report_file_id": request.report_file_id,
                       "cancelled_deadlines": cancelled_deadlines, "cancelled_changes": cancelled_changes})
    call.emit(events.ProjectTerminated, project_id=project.id, report_file_id=request.report_file_id,
              reason=request.reason)
    return project_view(call.session, project, load_rules(call.session, WorkflowRules))


def get_termination(call: Call, project_id: str) -> dict:
    visible_project(call, project_id)
    termination = call.session.get(ProjectTermination, project_id)
    if termination is None:
        raise NotFound(f"project {project_id} is not terminated")
    return termination_view(termination)


# --- supplementary registration (Art. 33) --------------------------------------------------------

SUPPLEMENTARY_STATUSES = (dom.PENDING, dom.APPROVED, dom.REFUSED)


def supplementary_view(registration: SupplementaryRegistration) -> dict:
    decision = None if registration.decided_at is None else {
        "decision": "approve" if registration.status == dom.APPROVED else "refuse",
        "decided_by": registration.decided_by, "decided_at": district_iso(registration.decided_at),
        "note": registration.decision_note, "file_ids": registration.decision_file_ids,
    }
    return {
        "id": registration.id, "status": registration.status, "project": registration.project_fields,
        "owner_id": registration.owner_id, "supervising_unit_id": registration.supervising_unit_id,
        "requested_by": registration.requested_by, "requested_at": district_iso(registration.requested_at),
        "reason": registration.reason, "record_file_ids": registration.record_file_ids, "decision": decision,
        "project_id": registration.project_id,
    }


def request_supplementary_registration(call: Call, data: dict) -> dict:
    """Art. 33: the owner's project lead asks to put works never registered on the platform,
    so that their settlement audit may follow."""
    request = usecase.parse(contracts.SupplementaryRegistrationRequest, data)
    actor = call.actor()
    unit = repo.get_unit(call.session, request.supervising_unit_id)
    owner_id = dom.decide_supplementary_request(actor, repo.unit_facts(unit) if unit else None, request.industry)
    require_files(call, "record_file_ids", request.record_file_ids)
    if call.session.execute(sa.select(sa.exists().where(Project.owner_id == owner_id,
                                                        Project.name == request.name))).scalar():
        raise IllegalStep("a project of this owner with this name is on the platform already; complete its "
                          "records through the project's own routes")
    if call.session.execute(sa.select(sa.exists().where(
            SupplementaryRegistration.owner_id == owner_id, SupplementaryRegistration.name == request.name,
            SupplementaryRegistration.status == dom.PENDING))).scalar():
        raise IllegalStep("a supplementary registration of this project is already awaiting its decision")
    registration = SupplementaryRegistration(
        id=new_id(), status=dom.PENDING, name=request.name,
        project_fields=request.model_dump(mode="json", exclude_none=True,
                                          include=set(contracts.SupplementaryProject.model_fields)),
        owner_id=owner_id, supervising_unit_id=request.supervising_unit_id, requested_by=actor.user_id,
        requested_at=call.now, reason=request.reason, record_file_ids=request.record_file_ids,
        decision_file_ids=[])
    call.session.add(registration)
    call.session.flush()
    view = supplementary_view(registration)
    call.record("supplementary_registration.requested", "supplementary_registration", registration.id, after=view)
    return view


def _visible_registration(call: Call, registration_id: str, *, for_update: bool = False):
    actor = call.actor()
    statement = sa.select(SupplementaryRegistration).where(SupplementaryRegistration.id == registration_id)
    if for_update:
        statement = statement.with_for_update()
    registration = call.session.execute(statement).scalar_one_or_none()
    if registration is None or not dom.may_see_supplementary(actor, registration.owner_id,
                                                             registration.supervising_unit_id):
        raise NotFound(f"supplementary registration {registration_id} not found")
    return actor, registration


def decide_supplementary_registration(call: Call, registration_id: str, data: dict) -> dict:
    """Art. 33: the supervising unit agrees or refuses; on agreement the project is created,
    its works completed, ready for its records and its settlement audit."""
    request = usecase.parse(contracts.Decision, data)
    actor, registration = _visible_registration(call, registration_id, for_update=True)
    dom.decide_supplementary_decision(actor, registration.supervising_unit_id, registration.status)
    require_files(call, "file_ids", request.file_ids)
    registration.decided_by, registration.decided_at = actor.user_id, call.now
    registration.decision_note, registration.decision_file_ids = request.note, request.file_ids
    if request.decision == "approve":
        registration.status = dom.APPROVED
        registration.project_id = _register_supplementary_project(call, registration, actor.user_id).id
    else:
        registration.status = dom.REFUSED
    call.session.flush()
    view = supplementary_view(registration)
    call.record("supplementary_registration.decided", "supplementary_registration", registration.id,
                after={"decision": request.decision, "note": request.note, "project_id": registration.project_id})
    return view


def _register_supplementary_project(call: Call, registration: SupplementaryRegistration, approved_by: str) -> Project:
    """The project as registry.register_project creates one, with what the request presets: the
    owner and its project lead who filed it, and the supervising unit that agreed."""
    fields = contracts.SupplementaryProject.model_validate(registration.project_fields)
    project = Project(
        id=new_id(), name=fields.name, industry=fields.industry, kind=fields.kind,
        contract_amount=fields.contract_amount, below_threshold=fields.below_threshold,
        geofence=fields.geofence.model_dump(mode="json", exclude_none=True), planned_start=fields.planned_start,
        planned_end=fields.planned_end, intake=dom.SUPPLEMENTARY_INTAKE, status=dom.SUPPLEMENTARY_PROJECT_STATUS,
        supervising_unit_id=registration.supervising_unit_id, owner_id=registration.owner_id,
        owner_project_lead_id=registration.requested_by, registered_by=registration.requested_by,
        registered_at=call.now, updated_at=call.now)
    call.session.add(project)
    call.session.flush()
    view = project_view(call.session, project, load_rules(call.session, WorkflowRules))
    call.record("project.registered", "project", project.id, after={**view,
                                                                    "supplementary_registration_id": registration.id})
    call.emit(events.ProjectRegistered, project_id=project.id, name=project.name, industry=project.industry,
              kind=project.kind, contract_amount=project.contract_amount, below_threshold=project.below_threshold,
              geofence=project.geofence, planned_start=project.planned_start, planned_end=project.planned_end,
              intake=project.intake, status=project.status)
    for level, target, assigned_by in (
            (AssignmentLevel.SUPERVISING_UNIT, project.supervising_unit_id, approved_by),
            (AssignmentLevel.OWNER, project.owner_id, registration.requested_by),
            (AssignmentLevel.OWNER_PROJECT_LEAD, project.owner_project_lead_id, registration.requested_by)):
        call.emit(events.ProjectAssigned, project_id=project.id, level=level, target_id=target,
                  assigned_by=assigned_by)
    return project


def list_supplementary_registrations(call: Call, status: str | None = None, limit: int = 100,
                                     offset: int = 0) -> list[dict]:
    """One page of the requests the caller may see: its owner's, its supervising unit's, or all
    for the back office; newest first (the id breaks a tie)."""
    check_paging(limit, offset, max_limit=500)
    if status is not None and status not in SUPPLEMENTARY_STATUSES:
        raise InvalidInput.field("status", "one of " + ", ".join(SUPPLEMENTARY_STATUSES))
    actor = call.actor()
    statement = sa.select(SupplementaryRegistration).order_by(SupplementaryRegistration.requested_at.desc(),
                                                              SupplementaryRegistration.id)
    if not actor.is_back_office:
        units = [held.unit.id for held in actor.posts]
        statement = statement.where(sa.or_(SupplementaryRegistration.owner_id.in_(units),
                                           SupplementaryRegistration.supervising_unit_id.in_(units)))
    if status is not None:
        statement = statement.where(SupplementaryRegistration.status == status)
    statement = statement.limit(limit).offset(offset)
    return [supplementary_view(registration) for registration in call.session.execute(statement).scalars()]


def get_supplementary_registration(call: Call, registration_id: str) -> dict:
    _, registration = _visible_registration(call, registration_id)
    return supplementary_view(registration)
