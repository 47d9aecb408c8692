"""Supervision records (Art. 22–23, 45–46), subcontracts (Art. 36) and readiness at the planned
start (Art. 24), with their deadlines:

- the log watch: one SUPERVISION_LOG deadline per project in construction (subject
  "supervision_log", subject id = the project's); each log of a newer day closes it and starts
  the next at the end of that day, so a warning fires when no log follows within the interval;
- each supervision notice runs a NOTICE_RECTIFICATION deadline of its own length until its
  rectification is accepted, held while an answer awaits verification, and a NOTICE_VERIFICATION
  deadline for each answer until the supervisor's verdict (Art. 23, 45); both name the unit that
  must act (the notice's contractor, its supervisor);
- the readiness watch: a READINESS deadline from the planned start day, closed when
  construction starts.

The log and readiness watches are started and stopped by the project's lifecycle (registration,
construction start, completion acceptance), so they live in :mod:`workflow.usecases.common`;
the log watch moves on here with each log.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import Session

from common import usecase
from common.clock import district_iso, local_date
from common.contracts import supervision as contracts
from common.contracts.types import check_paging
from common.errors import NotFound
from workflow.domain import deadlines as dl
from workflow.domain import supervision as sup
from workflow.domain.organisation import UnitKind
from workflow.persistence.models import Participant, Unit, new_id
from workflow.persistence.supervision_models import (
    NoticeRectification,
    Subcontract,
    SupervisionNotice,
    SupervisionRecord,
)
from workflow.usecases import deadline_engine
from workflow.usecases.common import LOG_SUBJECT, Call, raise_warning, require_files, visible_project

NOTICE_SUBJECT = "supervision_notice"


# --- supervision logs and stand-by records (Art. 22–23, 46) ---------------------------------------


def record_view(record: SupervisionRecord) -> dict:
    return {
        "id": record.id, "project_id": record.project_id, "kind": record.kind,
        "log_date": record.log_date.isoformat(), "weather": record.weather, "part": record.part,
        "content": record.content, "file_ids": record.file_ids, "supervisor_unit_id": record.supervisor_unit_id,
        "recorded_by": record.recorded_by, "recorded_at": district_iso(record.recorded_at),
    }


def record_supervision(call: Call, data: dict) -> dict:
    request = usecase.parse(contracts.SupervisionRecordRequest, data)
    actor, project, facts = visible_project(call, request.project_id, for_update=True)
    logs_of_project = sa.and_(SupervisionRecord.project_id == project.id, SupervisionRecord.kind == sup.LOG)
    log_of_the_day_exists = call.session.execute(sa.select(sa.exists().where(
        logs_of_project, SupervisionRecord.log_date == request.log_date))).scalar()
    supervisor_unit_id = sup.decide_record(actor, facts, request.kind, request.log_date, local_date(call.now),
                                           project.construction_started_on, request.file_ids, log_of_the_day_exists)
    require_files(call, "file_ids", request.file_ids)
    latest_log_date = call.session.execute(sa.select(sa.func.max(SupervisionRecord.log_date))
                                           .where(logs_of_project)).scalar()
    record = SupervisionRecord(id=new_id(), project_id=project.id, kind=request.kind, log_date=request.log_date,
                               weather=request.weather, part=request.part, content=request.content,
                               file_ids=request.file_ids, supervisor_unit_id=supervisor_unit_id,
                               recorded_by=actor.user_id, recorded_at=call.now)
    call.session.add(record)
    call.session.flush()
    if sup.restarts_log_watch(facts.status, request.kind, request.log_date, latest_log_date):
        deadline_engine.close(call.session, LOG_SUBJECT, project.id, call.now)
        deadline_engine.start(call.session, rule_id=dl.SUPERVISION_LOG, project_id=project.id,
                              subject_type=LOG_SUBJECT, subject_id=project.id,
                              started_at=sup.next_log_watch_start(request.log_date))
    view = record_view(record)
    call.record(f"supervision_{request.kind}.recorded", "supervision_record", record.id, after=view)
    return view


# --- supervision notices (Art. 45) -------------------------------------------------------------------


def rectification_view(rectification: NoticeRectification) -> dict:
    return {
        "description": rectification.description, "file_ids": rectification.file_ids,
        "submitted_by": rectification.submitted_by, "submitted_at": district_iso(rectification.submitted_at),
        "verdict": rectification.verdict, "verdict_note": rectification.verdict_note,
        "verified_by": rectification.verified_by, "verified_at": district_iso(rectification.verified_at),
    }


def _rectifications(session: Session, notice_ids: list[str]) -> dict[str, list[NoticeRectification]]:
    rounds: dict[str, list[NoticeRectification]] = defaultdict(list)
    for rectification in session.execute(sa.select(NoticeRectification).where(
            NoticeRectification.notice_id.in_(notice_ids)).order_by(NoticeRectification.id)).scalars():
        rounds[rectification.notice_id].append(rectification)
    return rounds


def notice_view(notice: SupervisionNotice, rectifications: list[NoticeRectification]) -> dict:
    return {
        "id": notice.id, "project_id": notice.project_id, "supervisor_unit_id": notice.supervisor_unit_id,
        "contractor_unit_id": notice.contractor_unit_id, "subject": notice.subject,
        "requirement": notice.requirement, "rectify_within_days": notice.rectify_within_days,
        "file_ids": notice.file_ids, "status": notice.status, "issued_by": notice.issued_by,
        "issued_at": district_iso(notice.issued_at), "closed_at": district_iso(notice.closed_at),
        "escalated_by": notice.escalated_by, "escalated_at": district_iso(notice.escalated_at),
        "escalation_note": notice.escalation_note,
        "rectifications": [rectification_view(r) for r in rectifications],
    }


def _notice_with_rounds(session: Session, notice: SupervisionNotice) -> dict:
    return notice_view(notice, _rectifications(session, [notice.id])[notice.id])


def _notice(call: Call, notice_id: str):
    notice = call.session.get(SupervisionNotice, notice_id)
    if notice is None:
        raise NotFound(f"supervision notice {notice_id} not found")
    actor, project, facts = visible_project(call, notice.project_id, for_update=True)
    notice_facts = sup.NoticeFacts(status=notice.status, supervisor_unit_id=notice.supervisor_unit_id,
                                   contractor_unit_id=notice.contractor_unit_id,
                                   escalated=notice.escalated_at is not None)
    return actor, project, facts, notice, notice_facts


def issue_notice(call: Call, data: dict) -> dict:
    request = usecase.parse(contracts.SupervisionNoticeRequest, data)
    actor, project, facts = visible_project(call, request.project_id, for_update=True)
    contractors = list(call.session.execute(sa.select(Participant.unit_id).where(
        Participant.project_id == project.id, Participant.role == UnitKind.CONTRACTOR)
        .order_by(Participant.id)).scalars())
    supervisor_unit_id, contractor_unit_id = sup.decide_notice(actor, facts, contractors, request.contractor_unit_id)
    require_files(call, "file_ids", request.file_ids)
    notice = SupervisionNotice(id=new_id(), project_id=project.id, supervisor_unit_id=supervisor_unit_id,
                               contractor_unit_id=contractor_unit_id, subject=request.subject,
                               requirement=request.requirement, rectify_within_days=request.rectify_within_days,
                               file_ids=request.file_ids, status=sup.AWAITING_RECTIFICATION, issued_by=actor.user_id,
                               issued_at=call.now)
    call.session.add(notice)
    call.session.flush()
    deadline_engine.start(call.session, rule_id=dl.NOTICE_RECTIFICATION, project_id=project.id,
                          subject_type=NOTICE_SUBJECT, subject_id=notice.id, started_at=call.now,
                          length_days=request.rectify_within_days, responsible_unit_id=notice.contractor_unit_id)
    view = _notice_with_rounds(call.session, notice)
    call.record("supervision_notice.issued", "supervision_notice", notice.id, after=view)
    return view


def _follow_whose_days_run(call: Call, notice: SupervisionNotice, before: str) -> None:
    """Art. 23, 45: the notice's deadlines follow whose days run in its new state — the
    contractor's rectification is held while its answer awaits verification and runs again when
    the answer is rejected; the supervisor's verification runs from each answer to its verdict;
    an accepted answer ends both."""
    was, now = sup.whose_days_run(before), sup.whose_days_run(notice.status)
    if was == now:
        return
    if was == sup.SUPERVISOR_DAYS:
        deadline_engine.close(call.session, NOTICE_SUBJECT, notice.id, call.now, rule_id=dl.NOTICE_VERIFICATION)
    if was == sup.CONTRACTOR_DAYS and now is not None:
        deadline_engine.hold(call.session, NOTICE_SUBJECT, notice.id, dl.NOTICE_RECTIFICATION, call.now)
    if now == sup.CONTRACTOR_DAYS:
        deadline_engine.release(call.session, NOTICE_SUBJECT, notice.id, dl.NOTICE_RECTIFICATION, call.now)
    elif now == sup.SUPERVISOR_DAYS:
        deadline_engine.start(call.session, rule_id=dl.NOTICE_VERIFICATION, project_id=notice.project_id,
                              subject_type=NOTICE_SUBJECT, subject_id=notice.id, started_at=call.now,
                              responsible_unit_id=notice.supervisor_unit_id)
    else:
        deadline_engine.close(call.session, NOTICE_SUBJECT, notice.id, call.now)


def submit_rectification(call: Call, notice_id: str, data: dict) -> dict:
    request = usecase.parse(contracts.RectificationRequest, data)
    actor, _, facts, notice, notice_facts = _notice(call, notice_id)
    sup.decide_rectification(actor, facts, notice_facts)
    require_files(call, "file_ids", request.file_ids)
    call.session.add(NoticeRectification(notice_id=notice.id, description=request.description,
                                         file_ids=request.file_ids, submitted_by=actor.user_id,
                                         submitted_at=call.now))
    notice.status = sup.AWAITING_VERIFICATION
    call.session.flush()
    _follow_whose_days_run(call, notice, notice_facts.status)
    call.record("supervision_notice.rectification_submitted", "supervision_notice", notice.id,
                before={"status": notice_facts.status},
                after={"status": notice.status, "description": request.description, "file_ids": request.file_ids})
    return _notice_with_rounds(call.session, notice)


def verify_rectification(call: Call, notice_id: str, data: dict) -> dict:
    request = usecase.parse(contracts.VerificationRequest, data)
    actor, _, facts, notice, notice_facts = _notice(call, notice_id)
    sup.decide_verification(actor, facts, notice_facts)
    awaiting = call.session.execute(sa.select(NoticeRectification).where(
        NoticeRectification.notice_id == notice.id, NoticeRectification.verdict.is_(None))).scalar_one()
    awaiting.verdict, awaiting.verdict_note = request.verdict, request.note
    awaiting.verified_by, awaiting.verified_at = actor.user_id, call.now
    notice.status = sup.status_after_verification(request.verdict)
    if request.verdict == sup.ACCEPTED:
        notice.closed_at = call.now
    call.session.flush()
    _follow_whose_days_run(call, notice, notice_facts.status)
    call.record("supervision_notice.verified", "supervision_notice", notice.id,
                before={"status": notice_facts.status},
                after={"status": notice.status, "verdict": request.verdict, "note": request.note})
    return _notice_with_rounds(call.session, notice)


def _industry_authority(session: Session, industry: str) -> str | None:
    return session.execute(sa.select(Unit.id).where(Unit.kind == UnitKind.INDUSTRY_AUTHORITY,
                                                    Unit.industry == industry)
                           .order_by(Unit.created_at, Unit.id).limit(1)).scalar()


def escalate_notice(call: Call, notice_id: str, data: dict) -> dict:
    """Art. 45: a refusal to rectify goes to the industry authority of the project's industry
    (the owner, when the district has none registered), as a warning about the contractor."""
    request = usecase.parse(contracts.EscalationRequest, data)
    actor, project, facts, notice, notice_facts = _notice(call, notice_id)
    sup.decide_escalation(actor, facts, notice_facts)
    notice.escalated_by, notice.escalated_at, notice.escalation_note = actor.user_id, call.now, request.note
    must_act = _industry_authority(call.session, project.industry) or project.owner_id or "owner"
    raise_warning(call, rule_id=sup.REFUSED_RECTIFICATION, article=sup.REFUSED_RECTIFICATION_ARTICLE,
                  project_id=project.id, firm_id=notice.contractor_unit_id, must_act=must_act,
                  summary="the contractor refuses to rectify a supervision notice",
                  detail={"notice_id": notice.id, "subject": notice.subject, "note": request.note,
                      "issued_at": district_iso(notice.issued_at), "escalated_by": actor.user_id})
    call.session.flush()
    call.record("supervision_notice.escalated", "supervision_notice", notice.id,
                after={"must_act": must_act, "note": request.note})
    return _notice_with_rounds(call.session, notice)


def supervision_records(call: Call, project_id: str, limit: int = 100, offset: int = 0) -> dict:
    """The project's logs, stand-by records and notices, oldest first (the id breaks a tie): each
    of the three lists is one page of ``limit`` items from ``offset``, cut in SQL."""
    check_paging(limit, offset, max_limit=500)
    visible_project(call, project_id)

    def records(kind: str) -> list[SupervisionRecord]:
        return list(call.session.execute(
            sa.select(SupervisionRecord).where(SupervisionRecord.project_id == project_id,
                                               SupervisionRecord.kind == kind)
            .order_by(SupervisionRecord.log_date, SupervisionRecord.recorded_at, SupervisionRecord.id)
            .limit(limit).offset(offset)).scalars())

    notices = list(call.session.execute(sa.select(SupervisionNotice).where(SupervisionNotice.project_id == project_id)
                                        .order_by(SupervisionNotice.issued_at, SupervisionNotice.id)
                                        .limit(limit).offset(offset)).scalars())
    rounds = _rectifications(call.session, [n.id for n in notices])
    return {
        "logs": [record_view(r) for r in records(sup.LOG)],
        "standby_records": [record_view(r) for r in records(sup.STANDBY)],
        "notices": [notice_view(n, rounds[n.id]) for n in notices],
    }


# --- subcontracts (Art. 36) -------------------------------------------------------------------------


def subcontract_view(subcontract: Subcontract) -> dict:
    return {
        "id": subcontract.id, "project_id": subcontract.project_id,
        "contractor_unit_id": subcontract.contractor_unit_id, "subcontractor_name": subcontract.subcontractor_name,
        "subcontractor_credit_code": subcontract.subcontractor_credit_code, "scope": subcontract.scope,
        "contract_file_id": subcontract.contract_file_id,
        "amount": None if subcontract.amount is None else str(subcontract.amount),
        "registered_by": subcontract.registered_by, "registered_at": district_iso(subcontract.registered_at),
    }


def register_subcontract(call: Call, data: dict) -> dict:
    request = usecase.parse(contracts.SubcontractRequest, data)
    actor, project, facts = visible_project(call, request.project_id, for_update=True)
    contractor_credit_codes = dict(call.session.execute(
        sa.select(Unit.id, Unit.credit_code).join(Participant, Participant.unit_id == Unit.id)
        .where(Participant.project_id == project.id, Participant.role == UnitKind.CONTRACTOR)).all())
    already = call.session.execute(sa.select(sa.exists().where(
        Subcontract.project_id == project.id, Subcontract.contract_file_id == request.contract_file_id))).scalar()
    contractor_unit_id = sup.decide_subcontract(actor, facts, contractor_credit_codes,
                                                request.subcontractor_credit_code, already)
    require_files(call, "contract_file_id", [request.contract_file_id])
    subcontract = Subcontract(id=new_id(), project_id=project.id, contractor_unit_id=contractor_unit_id,
                              subcontractor_name=request.subcontractor_name,
                              subcontractor_credit_code=request.subcontractor_credit_code, scope=request.scope,
                              contract_file_id=request.contract_file_id, amount=request.amount,
                              registered_by=actor.user_id, registered_at=call.now)
    call.session.add(subcontract)
    call.session.flush()
    view = subcontract_view(subcontract)
    call.record("subcontract.registered", "subcontract", subcontract.id, after=view)
    return view


def list_subcontracts(call: Call, project_id: str, limit: int = 100, offset: int = 0) -> list[dict]:
    """One page of the project's subcontracts, oldest first (the id breaks a tie)."""
    check_paging(limit, offset, max_limit=500)
    visible_project(call, project_id)
    return [subcontract_view(s) for s in call.session.execute(
        sa.select(Subcontract).where(Subcontract.project_id == project_id)
        .order_by(Subcontract.registered_at, Subcontract.id).limit(limit).offset(offset)).scalars()]
