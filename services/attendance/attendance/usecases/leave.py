"""Leave (Art. 26): asked for in advance by a person on the roster, with documents, and decided by
the project's owner with its approval form."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from attendance.domain import leave as leave_rules
from attendance.persistence.models import LeaveRequest, ProjectCopy, new_id
from attendance.usecases.common import Call, owner_acting, require_project, roster, visible_project
from common import usecase
from common.clock import district_iso, local_date
from common.contracts import attendance as contracts
from common.contracts.registry import UnitKind
from common.contracts.types import check_paging
from common.errors import IllegalStep, InvalidInput, NotFound, PermissionDenied


def leave_view(leave: LeaveRequest) -> dict:
    return {"id": leave.id, "project_id": leave.project_id, "person_id": leave.person_id,
            "start_date": leave.start_date.isoformat(), "end_date": leave.end_date.isoformat(),
            "reason": leave.reason, "document_file_ids": leave.document_file_ids, "status": leave.status,
            "requested_at": district_iso(leave.requested_at), "decided_by": leave.decided_by,
            "decided_at": district_iso(leave.decided_at), "decision_note": leave.decision_note,
            "approval_file_ids": leave.approval_file_ids}


# (project id, file ids, audiences) -> the ids the caller may not name.
ShareFiles = Callable[[str, list[str], list[str]], list[str]]


def _share_files(field: str, project_id: str, file_ids: list[str], audiences: list[str],
                 share_files: ShareFiles) -> None:
    """Files are recorded by the workflow service; ``share_files`` asks it to open the caller's
    files to ``audiences`` of the project (see :mod:`attendance.domain.leave`) and answers the
    ids the caller may not name, which refuse the request."""
    missing = share_files(project_id, file_ids, audiences) if file_ids else []
    if missing:
        raise InvalidInput(f"{field}: unknown files", [{"field": field, "reason": f"no such file: {file_id}"}
                                                       for file_id in missing])


def request_leave(call: Call, data: dict, *, share_files: ShareFiles) -> dict:
    request = usecase.parse(contracts.LeaveApplication, data)
    person_id = call.principal.user_id
    project = require_project(call.session, request.project_id)
    if person_id is None or not any(e.person_id == person_id for e in roster(call.session, project)):
        raise PermissionDenied("only a person on the project's roster asks for leave on it")
    if request.start_date <= local_date(call.now):
        raise InvalidInput.field("start_date", "leave is requested in advance (Art. 26): start tomorrow or later")
    _share_files("document_file_ids", project.id, request.document_file_ids, leave_rules.document_audiences(),
                 share_files)
    leave = LeaveRequest(id=new_id(), project_id=project.id, person_id=person_id, start_date=request.start_date,
                         end_date=request.end_date, reason=request.reason,
                         document_file_ids=request.document_file_ids, status="pending", requested_at=call.now,
                         approval_file_ids=[])
    call.session.add(leave)
    call.record("leave.requested", "leave", leave.id, after=leave_view(leave))
    return leave_view(leave)


def decide_leave(call: Call, leave_id: str, data: dict, *, share_files: ShareFiles) -> dict:
    request = usecase.parse(contracts.LeaveDecision, data)
    leave = call.session.get(LeaveRequest, leave_id)
    if leave is None:
        raise NotFound(f"leave request {leave_id} not found")
    actor, _ = owner_acting(call, leave.project_id)
    if leave.status != "pending":
        raise IllegalStep(f"the leave request is already {leave.status}")
    _share_files("approval_file_ids", leave.project_id, request.approval_file_ids,
                 leave_rules.approval_audiences(leave.person_id), share_files)
    leave.status = "approved" if request.decision == "approve" else "refused"
    leave.decided_by, leave.decided_at = actor.user_id, call.now
    leave.decision_note, leave.approval_file_ids = request.note, request.approval_file_ids
    call.record(f"leave.{leave.status}", "leave", leave.id, before={"status": "pending"}, after=leave_view(leave))
    return leave_view(leave)


def project_leave_requests(call: Call, project_id: str, limit: int = 100, offset: int = 0) -> list[dict]:
    """One page of the leave requests of a project with their files, oldest first, for the owner
    who decides them and the back office (Art. 26)."""
    check_paging(limit, offset, max_limit=500)
    actor, project = visible_project(call, project_id)
    if not (actor.is_back_office or (project.owner_id and actor.holds(unit_id=project.owner_id))):
        raise PermissionDenied("the project's owner decides leave (Art. 26)")
    return [leave_view(leave) for leave in call.session.execute(sa.select(LeaveRequest).where(
        LeaveRequest.project_id == project.id).order_by(LeaveRequest.requested_at, LeaveRequest.id)
        .limit(limit).offset(offset)).scalars()]


def leave_to_decide(call: Call, limit: int = 100, offset: int = 0) -> list[dict]:
    """One page of the pending leave requests the caller may decide (Art. 26): those of the projects
    whose owner the caller serves, oldest first — the approvals of the caller's task list."""
    check_paging(limit, offset, max_limit=500)
    owner_ids = [held.unit.id for held in call.actor().posts if held.unit.kind == UnitKind.OWNER]
    if not owner_ids:
        return []
    return [leave_view(leave) for leave in call.session.execute(
        sa.select(LeaveRequest).join(ProjectCopy, ProjectCopy.id == LeaveRequest.project_id)
        .where(LeaveRequest.status == "pending", ProjectCopy.owner_id.in_(owner_ids))
        .order_by(LeaveRequest.requested_at, LeaveRequest.id).limit(limit).offset(offset)).scalars()]
