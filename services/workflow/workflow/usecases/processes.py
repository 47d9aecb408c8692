"""The processes after construction: completion acceptance (Art. 31), settlement audit
(Art. 32), payment and the quality deposit (Art. 25), with their deadlines."""

from __future__ import annotations

import sqlalchemy as sa

from common import usecase
from common.clock import district_iso
from common.contracts import processes as contracts
from common.contracts.types import check_paging
from common.errors import IllegalStep, NotFound
from common.rule_settings import load_rules
from workflow.domain import acceptance as acc
from workflow.domain.projects import ProjectStatus
from workflow.domain.rules import WorkflowRules
from workflow.persistence.models import Acceptance, Deadline, new_id
from workflow.usecases import deadline_engine
from workflow.usecases.common import (
    Call,
    change_status,
    project_view,
    require_files,
    start_log_watch,
    stop_log_watch,
    visible_project,
)

SUBJECT = "acceptance"


def acceptance_view(acceptance: Acceptance) -> dict:
    return {
        "id": acceptance.id, "project_id": acceptance.project_id, "variant": acceptance.variant,
        "status": acceptance.status, "started_by": acceptance.started_by,
        "started_at": district_iso(acceptance.started_at), "checked_by": acceptance.checked_by,
        "checked_at": district_iso(acceptance.checked_at), "check_opinion": acceptance.check_opinion,
        "received_at": district_iso(acceptance.received_at), "decided_by": acceptance.decided_by,
        "decided_at": district_iso(acceptance.decided_at), "conclusion": acceptance.conclusion,
        "rectification_opinions": acceptance.rectification_opinions, "return_reason": acceptance.return_reason,
        "record_file_ids": acceptance.record_file_ids, "extension_days": acceptance.extension_days,
        "extension_reason": acceptance.extension_reason, "extension_approvals": acceptance.extension_approvals,
    }


def _acceptance(call: Call, acceptance_id: str):
    acceptance = call.session.get(Acceptance, acceptance_id)
    if acceptance is None:
        raise NotFound(f"acceptance {acceptance_id} not found")
    actor, project, facts = visible_project(call, acceptance.project_id, for_update=True)
    if project.status == ProjectStatus.TERMINATED:
        raise IllegalStep("the project is terminated (Art. 34)")
    return actor, project, facts, acceptance


def _start_acceptance_deadline(call: Call, acceptance: Acceptance, facts) -> None:
    rule_id = acc.acceptance_rule(acceptance.variant, facts, load_rules(call.session, WorkflowRules))
    deadline_engine.start(call.session, rule_id=rule_id, project_id=acceptance.project_id, subject_type=SUBJECT,
                          subject_id=acceptance.id, started_at=call.now)


def _accepted(call: Call, project_id: str, variant: str) -> bool:
    return call.session.execute(sa.select(sa.exists().where(
        Acceptance.project_id == project_id, Acceptance.variant == variant,
        Acceptance.status == acc.ACCEPTED))).scalar()


def start_acceptance(call: Call, data: dict) -> dict:
    request = usecase.parse(contracts.AcceptanceStart, data)
    actor, project, facts = visible_project(call, request.project_id, for_update=True)
    has_open = call.session.execute(sa.select(sa.exists().where(
        Acceptance.project_id == project.id, Acceptance.status.in_(acc.OPEN_STATUSES)))).scalar()
    self_done = _accepted(call, project.id, acc.VILLAGE_SELF)
    status = acc.decide_start(actor, facts, request.variant, has_open, self_done,
                              _accepted(call, project.id, acc.VILLAGE_TOWNSHIP))
    acceptance = Acceptance(id=new_id(), project_id=project.id, variant=request.variant, status=status,
                            started_by=actor.user_id, started_at=call.now, record_file_ids=[],
                            extension_approvals=[])
    call.session.add(acceptance)
    if status in (acc.WITH_OWNER, acc.WITH_TOWNSHIP):
        acceptance.received_at = call.now
        _start_acceptance_deadline(call, acceptance, facts)
    if request.variant != acc.VILLAGE_TOWNSHIP:
        change_status(call, project, ProjectStatus.COMPLETION_ACCEPTANCE)
        stop_log_watch(call.session, project.id, call.now)
    call.session.flush()
    call.record("acceptance.started", "acceptance", acceptance.id, after=acceptance_view(acceptance))
    return acceptance_view(acceptance)


def check_acceptance(call: Call, acceptance_id: str, data: dict) -> dict:
    request = usecase.parse(contracts.AcceptanceCheck, data)
    actor, project, facts, acceptance = _acceptance(call, acceptance_id)
    acc.decide_check(actor, facts, acceptance.status)
    require_files(call, "file_ids", request.file_ids)
    acceptance.checked_by, acceptance.checked_at, acceptance.check_opinion = actor.user_id, call.now, request.opinion
    if request.passed:
        acceptance.status, acceptance.received_at = acc.WITH_OWNER, call.now
        _start_acceptance_deadline(call, acceptance, facts)
    else:
        acceptance.status = acc.CHECK_FAILED
        change_status(call, project, ProjectStatus.IN_CONSTRUCTION)
        start_log_watch(call.session, project.id, call.now)
    call.record("acceptance.checked", "acceptance", acceptance.id, after={"passed": request.passed})
    return acceptance_view(acceptance)


def accept(call: Call, acceptance_id: str, data: dict) -> dict:
    request = usecase.parse(contracts.AcceptanceDecision, data)
    actor, project, facts, acceptance = _acceptance(call, acceptance_id)
    acc.decide_accept(actor, facts, acceptance.status)
    require_files(call, "record_file_ids", request.record_file_ids)
    acceptance.status, acceptance.decided_by, acceptance.decided_at = acc.ACCEPTED, actor.user_id, call.now
    acceptance.conclusion, acceptance.rectification_opinions = request.conclusion, request.rectification_opinions
    acceptance.record_file_ids = request.record_file_ids
    deadline_engine.close(call.session, SUBJECT, acceptance.id, call.now)
    if acceptance.variant != acc.VILLAGE_TOWNSHIP:
        change_status(call, project, ProjectStatus.FINAL_ACCEPTANCE)
    if acceptance.variant != acc.VILLAGE_SELF:
        # Art. 32: the settlement-audit window runs from completion.
        deadline_engine.start(call.session, rule_id=acc.settlement_rule(facts, load_rules(call.session, WorkflowRules)),
                              project_id=project.id, subject_type="settlement", subject_id=project.id,
                              started_at=call.now)
    call.session.flush()
    call.record("acceptance.accepted", "acceptance", acceptance.id, after=acceptance_view(acceptance))
    return acceptance_view(acceptance)


def return_acceptance(call: Call, acceptance_id: str, data: dict) -> dict:
    request = usecase.parse(contracts.AcceptanceReturn, data)
    actor, project, facts, acceptance = _acceptance(call, acceptance_id)
    acc.decide_return(actor, facts, acceptance.status, acceptance.received_at, call.now,
                      load_rules(call.session, WorkflowRules))
    acceptance.status, acceptance.return_reason = acc.RETURNED, request.reason
    acceptance.decided_by, acceptance.decided_at = actor.user_id, call.now
    deadline_engine.close(call.session, SUBJECT, acceptance.id, call.now, status="cancelled")
    change_status(call, project, ProjectStatus.IN_CONSTRUCTION)
    start_log_watch(call.session, project.id, call.now)
    call.record("acceptance.returned", "acceptance", acceptance.id, after={"reason": request.reason})
    return acceptance_view(acceptance)


def request_extension(call: Call, acceptance_id: str, data: dict) -> dict:
    request = usecase.parse(contracts.ExtensionRequest, data)
    actor, _, facts, acceptance = _acceptance(call, acceptance_id)
    due = call.session.execute(sa.select(Deadline.next_due_at).where(
        Deadline.subject_type == SUBJECT, Deadline.subject_id == acceptance.id, Deadline.status == "open")).scalar()
    acc.decide_extension_request(actor, facts, acceptance.status, acceptance.extension_days is not None, due,
                                 call.now, load_rules(call.session, WorkflowRules))
    acceptance.extension_days, acceptance.extension_reason = request.days, request.reason
    call.record("acceptance.extension_requested", "acceptance", acceptance.id, after={"days": request.days})
    return acceptance_view(acceptance)


def approve_extension(call: Call, acceptance_id: str) -> dict:
    actor, _, facts, acceptance = _acceptance(call, acceptance_id)
    level = acc.decide_extension_approval(actor, facts, acceptance.extension_days is not None,
                                          list(acceptance.extension_approvals), acceptance.status)
    acceptance.extension_approvals = [*acceptance.extension_approvals,
                                      {"level": level, "by": actor.user_id, "at": district_iso(call.now)}]
    if len(acceptance.extension_approvals) == len(acc.EXTENSION_APPROVERS):
        deadline_engine.extend(call.session, SUBJECT, acceptance.id, acceptance.extension_days)
    call.record("acceptance.extension_approved", "acceptance", acceptance.id, after={"level": level})
    return acceptance_view(acceptance)


def list_acceptances(call: Call, project_id: str, limit: int = 100, offset: int = 0) -> list[dict]:
    """One page of the project's completion acceptances, oldest first (the id breaks a tie)."""
    check_paging(limit, offset, max_limit=100)
    visible_project(call, project_id)
    return [acceptance_view(a) for a in call.session.execute(
        sa.select(Acceptance).where(Acceptance.project_id == project_id)
        .order_by(Acceptance.started_at, Acceptance.id).limit(limit).offset(offset)).scalars()]


def submit_settlement_audit(call: Call, project_id: str, data: dict) -> dict:
    """Art. 32: the owner submits the complete records for settlement audit."""
    request = usecase.parse(contracts.SettlementAuditSubmission, data)
    actor, project, facts = visible_project(call, project_id, for_update=True)
    acc.decide_settlement_submission(actor, facts, _accepted(call, project.id, acc.VILLAGE_TOWNSHIP))
    require_files(call, "record_file_ids", request.record_file_ids)
    change_status(call, project, ProjectStatus.SETTLEMENT_AUDIT)
    deadline_engine.close(call.session, "settlement", project.id, call.now)
    call.record("project.settlement_audit_submitted", "project", project.id,
                after={"record_file_ids": request.record_file_ids})
    return project_view(call.session, project, load_rules(call.session, WorkflowRules))


def advance_after_audit(call: Call, project_id: str, target: str) -> dict:
    """Art. 25: funds paid, then the quality deposit returned."""
    actor, project, facts = visible_project(call, project_id, for_update=True)
    following = acc.decide_advance_after_audit(actor, facts, target)
    before = project.status
    change_status(call, project, following)
    call.record("project.status_changed", "project", project.id, before={"status": before},
                after={"status": following})
    return project_view(call.session, project, load_rules(call.session, WorkflowRules))
