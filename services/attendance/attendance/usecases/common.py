"""The attendance service's use cases: load what the rules need from the copy of the registry
and attendance's own records, let the domain decide, persist the change with its events."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from attendance.domain import duty
from attendance.domain import leave as leave_rules
from attendance.domain.checkins import CheckinAttempt, CheckinContext, Outcome, PreviousCheckin, assess_checkin
from attendance.domain.days import MonthFacts, PeriodFacts, monthly_attendance
from attendance.domain.evaluations import (
    AttendanceWarning,
    evaluate_absence,
    evaluate_checkin,
    evaluate_month,
    evaluate_patrol,
)
from attendance.domain.patrols import PatrolPoint, assess_patrol
from attendance.domain.rules import AttendanceRules
from attendance.persistence.models import (
    AttendancePhase,
    Checkin,
    DeviceBinding,
    EvaluationMark,
    LeaveRequest,
    NonWorkingDay,
    ParticipantCopy,
    Patrol,
    PositionView,
    ProjectCopy,
    RaisedWarning,
    RosterEntry,
    SuspensionCopy,
    UnitCopy,
    UserPostCopy,
    new_id,
)
from common import events, usecase
from common.clock import DISTRICT_TZ, district_iso, local_date
from common.contracts import attendance as contracts
from common.contracts.registry import Post, UnitKind
from common.contracts.types import check_month
from common.errors import IllegalStep, InvalidInput, NotFound, PermissionDenied
from common.rule_settings import RulesCache
from common.scope import Actor, PostHeld, UnitFacts, project_scope

RULES = RulesCache(AttendanceRules)


class Call(usecase.Call):
    def actor(self) -> Actor:
        if self.principal.user_id is None:
            raise PermissionDenied("sign in as a registered user")
        rows = self.session.execute(
            sa.select(UserPostCopy.post, UnitCopy).join(UnitCopy, UnitCopy.id == UserPostCopy.unit_id)
            .where(UserPostCopy.user_id == self.principal.user_id)).all()
        return Actor(self.principal.user_id, tuple(
            PostHeld(UnitFacts(unit.id, UnitKind(unit.kind), unit.parent_id, unit.industry), Post(post))
            for post, unit in rows))

    def rules(self) -> AttendanceRules:
        return RULES.get(self.session)


# --- the project, its calendar and its roster ----------------------------------------------------


def require_project(session: Session, project_id: str) -> ProjectCopy:
    project = session.get(ProjectCopy, project_id)
    if project is None or not project.geofence:  # no geofence: its registration has not arrived yet
        raise NotFound(f"project {project_id} not found")
    return project


class _Placement:
    def __init__(self, session: Session, project: ProjectCopy):
        self.industry = project.industry
        self.supervising_unit_id = project.supervising_unit_id
        self.line_id = project.line_id
        self.owner_id = project.owner_id
        self.participant_unit_ids = frozenset(session.execute(
            sa.select(ParticipantCopy.unit_id).where(ParticipantCopy.project_id == project.id)).scalars())


def visible_project(call: Call, project_id: str) -> tuple[Actor, ProjectCopy]:
    actor = call.actor()
    project = require_project(call.session, project_id)
    if not project_scope(actor).admits(_Placement(call.session, project)):
        raise NotFound(f"project {project_id} not found")
    return actor, project


def owner_acting(call: Call, project_id: str) -> tuple[Actor, ProjectCopy]:
    """Art. 26: leave, phases, non-working days and devices are the owner's to decide."""
    actor, project = visible_project(call, project_id)
    if project.owner_id is None or not actor.holds(unit_id=project.owner_id):
        raise PermissionDenied("the project's owner decides this (Art. 26)")
    return actor, project


def roster(session: Session, project: ProjectCopy) -> list[duty.RosterPost]:
    entries = session.execute(sa.select(RosterEntry).where(RosterEntry.project_id == project.id)).scalars()
    return duty.duty_roster([duty.RosterPost(e.person_id, e.firm_id, Post(e.post), e.assigned_at, e.released_at)
                             for e in entries], project.below_threshold)


def duty_entries_of(session: Session, project: ProjectCopy, person_id: str) -> list[duty.RosterPost]:
    """The person's posts that check in on the project. Check-ins are the busiest path, so only
    the person's rows are read, except for small works, whose one checking person per firm
    depends on the whole (small) roster."""
    if project.below_threshold:
        return [entry for entry in roster(session, project) if entry.person_id == person_id]
    entries = session.execute(sa.select(RosterEntry).where(
        RosterEntry.project_id == project.id, RosterEntry.person_id == person_id)).scalars()
    return duty.duty_roster([duty.RosterPost(e.person_id, e.firm_id, Post(e.post), e.assigned_at, e.released_at)
                             for e in entries], below_threshold=False)


def phases(session: Session, project_id: str) -> list[duty.Phase]:
    return [duty.Phase(Post(p.post), p.start_date, p.end_date) for p in session.execute(
        sa.select(AttendancePhase).where(AttendancePhase.project_id == project_id)).scalars()]


def suspension_intervals(session: Session, project_id: str) -> list[tuple[datetime, datetime | None]]:
    return [(s.since, s.until) for s in session.execute(
        sa.select(SuspensionCopy).where(SuspensionCopy.project_id == project_id,
                                        SuspensionCopy.since.is_not(None))).scalars()]


def non_working_days(session: Session, project_id: str) -> set[date]:
    return set(session.execute(sa.select(NonWorkingDay.day).where(NonWorkingDay.project_id == project_id)).scalars())


def calendar_days(session: Session, project: ProjectCopy, first: date, last: date) -> set[date]:
    """Construction days of the project between two dates (Art. 26, 35)."""
    suspended = duty.suspended_days(suspension_intervals(session, project.id), first, last)
    ended_on = local_date(project.construction_ended_at) if project.construction_ended_at is not None else None
    return duty.construction_dates(project.construction_started_on, first, last, suspended,
                                   non_working_days(session, project.id), ended_on)


def leave_days_by_person(session: Session, project_id: str, first: date, last: date,
                         person_id: str | None = None) -> dict[str, set[date]]:
    """Approved leave days between two dates, for one person or the whole project at once."""
    statement = sa.select(LeaveRequest).where(
        LeaveRequest.project_id == project_id, LeaveRequest.status == "approved", LeaveRequest.start_date <= last,
        LeaveRequest.end_date >= first)
    if person_id is not None:
        statement = statement.where(LeaveRequest.person_id == person_id)
    days: dict[str, set[date]] = defaultdict(set)
    for leave in session.execute(statement).scalars():
        day = max(leave.start_date, first)
        while day <= min(leave.end_date, last):
            days[leave.person_id].add(day)
            day += timedelta(days=1)
    return days


def checkin_times_by_person(session: Session, project_id: str, first: date, last: date,
                            person_id: str | None = None) -> dict[str, list[datetime]]:
    """Accepted (and flagged) check-in times between two dates, for one person or the project."""
    statement = sa.select(Checkin.person_id, Checkin.recorded_at).where(
        Checkin.project_id == project_id, Checkin.outcome != "rejected", Checkin.local_day >= first,
        Checkin.local_day <= last)
    if person_id is not None:
        statement = statement.where(Checkin.person_id == person_id)
    times: dict[str, list[datetime]] = defaultdict(list)
    for row in session.execute(statement):
        times[row.person_id].append(row.recorded_at)
    return times


def accepted_checkin_times(session: Session, project_id: str, person_id: str, first: date, last: date) -> list:
    return checkin_times_by_person(session, project_id, first, last, person_id)[person_id]


def period_facts(project: ProjectCopy, person_id: str, own_posts: list[duty.RosterPost],
                 project_phases: list[duty.Phase], construction: set[date], leave: set[date],
                 checkins: list[datetime]) -> PeriodFacts:
    duty_dates = {day for day in construction if duty.on_duty(person_id, day, own_posts, project_phases)}
    return PeriodFacts(person_id=person_id, project_id=project.id, construction_dates=construction,
                       leave_dates=leave, checkins=checkins, duty_dates=duty_dates)


def person_period_facts(session: Session, project: ProjectCopy, person_id: str, first: date, last: date,
                        duty_roster: list[duty.RosterPost], project_phases: list[duty.Phase],
                        construction: set[date]) -> PeriodFacts:
    own_posts = [entry for entry in duty_roster if entry.person_id == person_id]
    return period_facts(project, person_id, own_posts, project_phases, construction,
                        leave_days_by_person(session, project.id, first, last, person_id)[person_id],
                        accepted_checkin_times(session, project.id, person_id, first, last))


# --- check-in (Art. 26, 47) --------------------------------------------------------------------------


def checkin_view(checkin: Checkin) -> dict:
    return {"id": checkin.id, "project_id": checkin.project_id, "outcome": checkin.outcome, "reason": checkin.reason,
            "flags": checkin.flags, "recorded_at": district_iso(checkin.recorded_at),
            "local_day": checkin.local_day.isoformat()}


def record_checkin(call: Call, data: dict) -> dict:
    request = usecase.parse(contracts.CheckinRequest, data)
    person_id = call.principal.user_id
    if person_id is None or call.principal.portal != "zlb":
        raise PermissionDenied("check-ins come from the enterprise portal (ZLB)")
    previous_same_request = call.session.execute(sa.select(Checkin).where(
        Checkin.person_id == person_id, Checkin.client_request_id == request.client_request_id)).scalar_one_or_none()
    if previous_same_request is not None:
        if previous_same_request.project_id != request.project_id:
            raise IllegalStep("this client_request_id was used for another check-in")
        return checkin_view(previous_same_request)  # a retry: recorded once
    project = require_project(call.session, request.project_id)
    today = local_date(call.now)
    rules = call.rules()
    own_posts = duty_entries_of(call.session, project, person_id)
    phased = any(entry.post in duty.PHASED_POSTS for entry in own_posts)
    if not duty.on_duty(person_id, today, own_posts, phases(call.session, project.id) if phased else []):
        raise PermissionDenied("you are not on this project's attendance roster today", [
            {"field": "project_id", "reason": "not_on_roster"}])
    binding = call.session.get(DeviceBinding, person_id)
    last_on_device = call.session.execute(sa.select(Checkin.person_id, Checkin.recorded_at).where(
        Checkin.device_id == request.device.id, Checkin.person_id != person_id)
        .order_by(Checkin.recorded_at.desc()).limit(1)).first()
    previous = call.session.execute(sa.select(Checkin).where(
        Checkin.person_id == person_id, Checkin.outcome != "rejected")
        .order_by(Checkin.recorded_at.desc()).limit(1)).scalar_one_or_none()
    attempt = CheckinAttempt(person_id=person_id, project_id=project.id, lat=request.lat, lng=request.lng,
                             accuracy_m=request.accuracy_m, client_time=request.client_time,
                             device_id=request.device.id, device_platform=request.device.platform,
                             mock_location=request.device.mock_location)
    context = CheckinContext(
        on_roster=True,
        project_status=project.status,
        is_non_working_day=call.session.get(NonWorkingDay, (project.id, today)) is not None,
        fence=project.geofence,
        spoofing_policy=project.spoofing_policy,
        bound_device_id=binding.device_id if binding else None,
        device_last_person_id=last_on_device.person_id if last_on_device else None,
        device_last_used_at=last_on_device.recorded_at if last_on_device else None,
        previous_accepted=PreviousCheckin(previous.recorded_at, previous.lat, previous.lng, previous.project_id)
        if previous is not None and previous.lat is not None else None,
        previous_accepted_today_on_project=accepted_checkin_times(call.session, project.id, person_id, today, today),
    )
    decision = assess_checkin(attempt, context, rules, call.now)
    checkin = Checkin(id=new_id(), project_id=project.id, person_id=person_id,
                      client_request_id=request.client_request_id, recorded_at=call.now, local_day=today,
                      outcome=str(decision.outcome), reason=decision.reason, flags=list(decision.flags),
                      lat=request.lat, lng=request.lng, accuracy_m=request.accuracy_m, device_id=request.device.id,
                      client_time=request.client_time)
    try:
        with call.session.begin_nested():
            call.session.add(checkin)
            if decision.binds_device:
                call.session.add(DeviceBinding(person_id=person_id, device_id=request.device.id,
                                               platform=request.device.platform, bound_at=call.now))
    except IntegrityError:
        # The same request arrived twice at once, or two first check-ins raced for the binding:
        # the one that committed is the answer.
        existing = call.session.execute(sa.select(Checkin).where(
            Checkin.person_id == person_id, Checkin.client_request_id == request.client_request_id)
        ).scalar_one_or_none()
        if existing is not None:
            return checkin_view(existing)
        raise IllegalStep("another check-in of yours is being recorded; try again") from None
    if decision.outcome != Outcome.REJECTED:
        call.emit(events.CheckinRecorded, checkin_id=checkin.id, project_id=project.id, person_id=person_id,
                  recorded_at=call.now, outcome=str(decision.outcome), flags=list(decision.flags))
    warning = evaluate_checkin(attempt, decision, own_posts[0].firm_id, call.now)
    if warning is not None:
        raise_warning(call, warning)
    call.session.flush()
    return {**checkin_view(checkin), "distance_outside_m": round(decision.distance_outside_m, 1)}


def approve_device_change(call: Call, project_id: str, data: dict) -> dict:
    request = usecase.parse(contracts.DeviceChange, data)
    actor, project = owner_acting(call, project_id)
    if not any(entry.person_id == request.person_id for entry in roster(call.session, project)):
        raise InvalidInput.field("person_id", "the person is not on this project's roster")
    binding = call.session.get(DeviceBinding, request.person_id)
    before = {"device_id": binding.device_id} if binding else None
    if binding is None:
        binding = DeviceBinding(person_id=request.person_id)
        call.session.add(binding)
    binding.device_id, binding.platform = request.device_id, request.platform
    binding.bound_at, binding.approved_by = call.now, actor.user_id
    call.record("device.rebound", "person", request.person_id, before=before, after={"device_id": request.device_id})
    return {"person_id": request.person_id, "device_id": request.device_id, "bound_at": district_iso(call.now)}


# --- warnings -------------------------------------------------------------------------------------------


def raise_warning(call: Call, warning: AttendanceWarning) -> bool:
    """Raise a warning once: its key is remembered (Art. 8, 29)."""
    if call.session.get(RaisedWarning, warning.key) is not None:
        return False
    project = call.session.get(ProjectCopy, warning.project_id)
    warning_id = new_id()
    call.session.add(RaisedWarning(key=warning.key, warning_id=warning_id, rule_id=warning.rule_id,
                                   project_id=warning.project_id, person_id=warning.person_id, raised_at=call.now,
                                   detail=warning.detail))
    must_act = project.owner_id if project is not None and project.owner_id else warning.must_act
    call.emit(events.AttendanceWarningRaised, warning_id=warning_id, rule_id=warning.rule_id,
              article=warning.article, project_id=warning.project_id, person_id=warning.person_id,
              firm_id=warning.firm_id, must_act=must_act, summary=_summary(warning), detail=warning.detail)
    return True


_SUMMARIES = {
    "art42.consecutive-absence":
        "{days} construction days in a row without valid attendance: the owner interviews the person",
    "art42.monthly-rate": "monthly attendance rate under the threshold: the owner interviews the firm's head",
    "art26.patrol-overdue": "no valid patrol by the owner's project lead within the interval",
    "art47.suspected-spoofing": "a check-in showed signs of a simulated position or borrowed phone",
}


def _summary(warning: AttendanceWarning) -> str:
    template = _SUMMARIES.get(warning.rule_id, warning.rule_id)
    try:
        return template.format(**warning.detail)
    except (KeyError, IndexError):
        return template


def list_warnings(call: Call, project_id: str) -> list[dict]:
    visible_project(call, project_id)
    return [{"warning_id": w.warning_id, "rule_id": w.rule_id, "person_id": w.person_id,
             "raised_at": district_iso(w.raised_at), "detail": w.detail}
            for w in call.session.execute(sa.select(RaisedWarning).where(RaisedWarning.project_id == project_id)
                                          .order_by(RaisedWarning.raised_at)).scalars()]


# --- leave (Art. 26) -------------------------------------------------------------------------------------


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


def project_leave_requests(call: Call, project_id: str) -> list[dict]:
    """The leave requests of a project with their files, for the owner who decides them and the
    back office (Art. 26)."""
    actor, project = visible_project(call, project_id)
    if not (actor.is_back_office or (project.owner_id and actor.holds(unit_id=project.owner_id))):
        raise PermissionDenied("the project's owner decides leave (Art. 26)")
    return [leave_view(leave) for leave in call.session.execute(sa.select(LeaveRequest).where(
        LeaveRequest.project_id == project.id).order_by(LeaveRequest.requested_at, LeaveRequest.id)).scalars()]


# --- patrols (Art. 26) -------------------------------------------------------------------------------------


def record_patrol(call: Call, data: dict) -> dict:
    request = usecase.parse(contracts.PatrolTrack, data)
    actor, project = visible_project(call, request.project_id)
    if actor.user_id != project.owner_project_lead_id:
        raise PermissionDenied("the owner's project lead records the patrol (Art. 26)")
    rules = call.rules()
    if any(point.time > call.now for point in request.points):
        raise InvalidInput.field("points", "a patrol point lies in the future")
    if call.now - max(point.time for point in request.points) > timedelta(hours=rules.patrol_upload_window_hours):
        raise InvalidInput.field("points", f"a patrol is uploaded within {rules.patrol_upload_window_hours} hours")
    last_end = call.session.execute(sa.select(sa.func.max(Patrol.ended_at)).where(
        Patrol.project_id == project.id, Patrol.valid.is_(True))).scalar()
    earliest = min(point.time for point in request.points)
    if (last_end is not None and earliest < last_end) or (
            project.construction_started_on is not None and local_date(earliest) < project.construction_started_on):
        raise InvalidInput.field("points", "a patrol starts after construction began and after the last patrol")
    decision = assess_patrol([PatrolPoint(p.time, p.lat, p.lng) for p in request.points], project.geofence, rules)
    patrol = Patrol(id=new_id(), project_id=project.id, person_id=actor.user_id, started_at=decision.started_at,
                    ended_at=decision.ended_at, duration_minutes=decision.duration_minutes, valid=decision.valid,
                    reason=decision.reason,
                    points=[[p.time.isoformat(), p.lat, p.lng] for p in request.points], recorded_at=call.now)
    call.session.add(patrol)
    call.record("patrol.recorded", "patrol", patrol.id, after={"valid": patrol.valid, "reason": patrol.reason})
    return {"id": patrol.id, "valid": patrol.valid, "reason": patrol.reason,
            "duration_minutes": round(patrol.duration_minutes, 2), "on_site_points": decision.on_site_points}


# --- the owner's settings of a project --------------------------------------------------------------------


def set_phases(call: Call, project_id: str, data: dict) -> dict:
    request = usecase.parse(contracts.AttendancePhases, data)
    actor, project = owner_acting(call, project_id)
    current = phases(call.session, project.id)
    new = [duty.Phase(Post(p.post), p.start, p.end) for p in request.phases]
    if _duty_before(current, local_date(call.now)) != _duty_before(new, local_date(call.now)):
        raise InvalidInput.field("phases", "phases change from today on; the days that have passed stay as they were")
    before = [(p.post, p.start.isoformat(), p.end.isoformat()) for p in current]
    call.session.execute(sa.delete(AttendancePhase).where(AttendancePhase.project_id == project.id))
    for phase in request.phases:
        call.session.add(AttendancePhase(project_id=project.id, post=phase.post, start_date=phase.start,
                                         end_date=phase.end, set_by=actor.user_id, set_at=call.now))
    after = [(p.post, p.start.isoformat(), p.end.isoformat()) for p in request.phases]
    call.record("attendance_phases.set", "project", project.id, before={"phases": before}, after={"phases": after})
    return {"project_id": project.id, "phases": [p.model_dump(mode="json") for p in request.phases]}


def _duty_before(project_phases: list[duty.Phase], today: date) -> set[tuple[str, date]]:
    days = set()
    for phase in project_phases:
        day = phase.start
        while day <= min(phase.end, today - timedelta(days=1)):
            days.add((str(phase.post), day))
            day += timedelta(days=1)
    return days


def declare_non_working_days(call: Call, project_id: str, data: dict) -> dict:
    request = usecase.parse(contracts.NonWorkingDays, data)
    actor, project = owner_acting(call, project_id)
    today = local_date(call.now)
    past = sorted(day.isoformat() for day in request.days if day < today)
    if past:
        # Declared afterwards, a non-working day would erase absences the owner must act on.
        raise InvalidInput("non-working days are declared in advance",
                           [{"field": "days", "reason": f"{day} has passed"} for day in past])
    for day in request.days:
        call.session.merge(NonWorkingDay(project_id=project.id, day=day, reason=request.reason,
                                         declared_by=actor.user_id))
    call.record("non_working_days.declared", "project", project.id,
                after={"days": [d.isoformat() for d in request.days], "reason": request.reason})
    return {"project_id": project.id, "days": sorted(d.isoformat() for d in non_working_days(call.session, project.id))}


def set_policy(call: Call, project_id: str, data: dict) -> dict:
    request = usecase.parse(contracts.AttendancePolicy, data)
    _, project = owner_acting(call, project_id)
    before = project.spoofing_policy
    project.spoofing_policy = request.spoofing
    call.record("attendance_policy.set", "project", project.id, before={"spoofing": before},
                after={"spoofing": request.spoofing})
    return {"project_id": project.id, "spoofing": project.spoofing_policy}


# --- queries ----------------------------------------------------------------------------------------------


def parse_month(month: str) -> tuple[date, date]:
    year, number = check_month(month)  # YYYY-MM within the platform's years, or InvalidInput
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def _month_of(session: Session, project: ProjectCopy, person_id: str, first: date, last: date, today: date,
              rules: AttendanceRules) -> dict:
    """The month so far. Today counts once it is valid; until then only the days that have
    ended do, so that a person is not shown absent in the morning."""
    summary = _month_through(session, project, person_id, first, min(last, today), rules)
    if last >= today > first - timedelta(days=1) and today.isoformat() not in summary["valid_days"]:
        summary = _month_through(session, project, person_id, first, today - timedelta(days=1), rules)
    return summary


def _month_through(session: Session, project: ProjectCopy, person_id: str, first: date, up_to: date,
                   rules: AttendanceRules) -> dict:
    duty_roster, project_phases = roster(session, project), phases(session, project.id)
    construction = calendar_days(session, project, first, up_to) if up_to >= first else set()
    facts = person_period_facts(session, project, person_id, first, up_to, duty_roster, project_phases,
                                construction)
    month = monthly_attendance(MonthFacts(first.year, first.month, person_id, project.id, facts.construction_dates,
                                          facts.leave_dates, facts.checkins, facts.duty_dates), rules, up_to=up_to)
    flagged = session.execute(sa.select(sa.func.count()).select_from(Checkin).where(
        Checkin.project_id == project.id, Checkin.person_id == person_id, Checkin.outcome == "flagged",
        Checkin.local_day >= first, Checkin.local_day <= up_to)).scalar_one()
    return {
        "person_id": person_id,
        "project_id": project.id,
        "valid_days": sorted(d.isoformat() for d in month.valid_days),
        "valid_day_count": len(month.valid_days),
        "construction_days": month.construction_days,
        "leave_days": sorted(d.isoformat() for d in facts.leave_dates),
        "rate": None if month.rate is None else round(month.rate, 4),
        "meets_threshold": month.meets_threshold,
        "threshold": rules.monthly_rate_threshold,
        "missing_streaks": [{"start": s.start.isoformat(), "end": s.end.isoformat(), "days": s.length}
                            for s in month.missing_streaks],
        "flagged_checkins": flagged,
    }


def my_attendance(call: Call, month: str) -> list[dict]:
    first, last = parse_month(month)
    person_id = call.principal.user_id
    if person_id is None:
        raise PermissionDenied("sign in first")
    rules, today = call.rules(), local_date(call.now)
    project_ids = sorted(set(call.session.execute(
        sa.select(RosterEntry.project_id).where(RosterEntry.person_id == person_id)).scalars()))
    result = []
    for project_id in project_ids:
        project = require_project(call.session, project_id)
        summary = _month_of(call.session, project, person_id, first, last, today, rules)
        summary["checkins"] = [checkin_view(c) for c in call.session.execute(sa.select(Checkin).where(
            Checkin.project_id == project_id, Checkin.person_id == person_id, Checkin.local_day >= first,
            Checkin.local_day <= last).order_by(Checkin.recorded_at)).scalars()]
        result.append(summary)
    return result


def project_attendance(call: Call, project_id: str, month: str) -> dict:
    first, last = parse_month(month)
    _, project = visible_project(call, project_id)
    rules, today = call.rules(), local_date(call.now)
    people = sorted({(e.person_id, e.firm_id, str(e.post)) for e in roster(call.session, project)})
    return {
        "project_id": project.id,
        "month": month,
        "status": project.status,
        "people": [{**_month_of(call.session, project, person_id, first, last, today, rules),
                    "firm_id": firm_id, "post": post} for person_id, firm_id, post in people],
    }


def person_positions(call: Call, project_id: str, person_id: str, month: str) -> list[dict]:
    """Raw positions, for the owner or the back office; each look is logged (privacy)."""
    first, last = parse_month(month)
    actor, project = visible_project(call, project_id)
    if not (actor.is_back_office or (project.owner_id and actor.holds(unit_id=project.owner_id))):
        raise PermissionDenied("only the owner and the back office see raw positions")
    call.session.add(PositionView(viewer_id=actor.user_id, person_id=person_id, project_id=project.id,
                                  viewed_at=call.now))
    return [{"recorded_at": district_iso(c.recorded_at), "lat": c.lat, "lng": c.lng, "accuracy_m": c.accuracy_m,
             "outcome": c.outcome, "flags": c.flags}
            for c in call.session.execute(sa.select(Checkin).where(
                Checkin.project_id == project.id, Checkin.person_id == person_id, Checkin.local_day >= first,
                Checkin.local_day <= last).order_by(Checkin.recorded_at)).scalars()]


# --- evaluations at the end of each day and month (Art. 26, 35, 42) ------------------------------------------


STREAK_LOOKBACK_DAYS = 62


def evaluate_due(call: Call, max_days: int | None = None) -> tuple[int, bool]:
    """Evaluate the local days that have ended since the last evaluation (at most ``max_days``
    of them, for a catch-up in steps), then, once every day is done, the patrols; return the
    warnings raised and whether nothing is left. Each day runs once (the mark), each warning is
    raised once (its key)."""
    today = local_date(call.now)
    mark = call.session.get(EvaluationMark, "days")
    if mark is None:
        mark = EvaluationMark(name="days", through=today - timedelta(days=1))
        call.session.add(mark)
        return 0, True
    raised = 0
    rules = call.rules()
    day = mark.through + timedelta(days=1)
    evaluated = 0
    while day < today:
        if max_days is not None and evaluated >= max_days:
            return raised, False
        raised += _evaluate_day(call, day, rules)
        mark.through = day
        day += timedelta(days=1)
        evaluated += 1
    raised += _evaluate_patrols(call, rules)
    purge_positions(call, rules)
    return raised, True


def days_left_to_evaluate(call: Call) -> bool:
    """True also before the first evaluation, which marks where the evaluated days begin."""
    mark = call.session.get(EvaluationMark, "days")
    return mark is None or mark.through < local_date(call.now) - timedelta(days=1)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), DISTRICT_TZ)


def _evaluate_day(call: Call, day: date, rules: AttendanceRules) -> int:
    raised = 0
    month_ends = (day + timedelta(days=1)).day == 1
    day_ended, month_began = _local_midnight(day + timedelta(days=1)), _local_midnight(day.replace(day=1))
    # In construction when the day ended (a late evaluation still finds a project that left
    # construction since); at a month's end, also those that left construction during the month:
    # its days in construction have their month-end rate (Art. 26, 42).
    built_until = month_began if month_ends else day_ended
    for project in call.session.execute(sa.select(ProjectCopy).where(
            ProjectCopy.construction_started_on.is_not(None),
            sa.or_(ProjectCopy.status.in_(("in_construction", "suspended")),
                   ProjectCopy.construction_ended_at >= built_until))).scalars():
        built_through_the_day = project.construction_ended_at is None or project.construction_ended_at >= day_ended
        # Art. 35: suspension days are no construction days, so nothing is raised for them; the
        # days before and after a suspension are evaluated all the same.
        duty_roster, project_phases = roster(call.session, project), phases(call.session, project.id)
        first = max(day - timedelta(days=STREAK_LOOKBACK_DAYS), project.construction_started_on)
        construction = calendar_days(call.session, project, first, day)
        month_first = day.replace(day=1)
        # One query each for the whole project's check-ins and leave, not two per person.
        checkins = checkin_times_by_person(call.session, project.id, first, day)
        leave = leave_days_by_person(call.session, project.id, first, day)
        posts_of: dict[str, list[duty.RosterPost]] = defaultdict(list)
        for entry in duty_roster:
            posts_of[entry.person_id].append(entry)
        for person_id, firm_id in sorted({(e.person_id, e.firm_id) for e in duty_roster}):
            facts = period_facts(project, person_id, posts_of[person_id], project_phases, construction,
                                 leave[person_id], checkins[person_id])
            warning = evaluate_absence(facts, firm_id, day, rules) if built_through_the_day else None
            # A streak reaching back to a window cut short by the lookback began earlier and was
            # warned when it reached its length; its key (the start) would otherwise move with the
            # window. One from the first day of construction is a streak of its own.
            window_cut = first > project.construction_started_on
            if warning is not None and not (window_cut and warning.detail["streak_start"] == first.isoformat()) \
                    and raise_warning(call, warning):
                raised += 1
            if month_ends:
                month_facts = MonthFacts(day.year, day.month, person_id, project.id,
                                         {d for d in construction if d >= month_first},
                                         {d for d in facts.leave_dates if d >= month_first},
                                         [t for t in facts.checkins if local_date(t) >= month_first],
                                         {d for d in facts.duty_dates if d >= month_first})
                warning = evaluate_month(month_facts, firm_id, rules)
                if warning is not None and raise_warning(call, warning):
                    raised += 1
    return raised


def _evaluate_patrols(call: Call, rules: AttendanceRules) -> int:
    raised = 0
    for project in call.session.execute(sa.select(ProjectCopy).where(
            ProjectCopy.status == "in_construction", ProjectCopy.owner_project_lead_id.is_not(None))).scalars():
        last_valid = call.session.execute(sa.select(sa.func.max(Patrol.ended_at)).where(
            Patrol.project_id == project.id, Patrol.valid.is_(True))).scalar()
        duty_start = datetime.combine(project.construction_started_on, datetime.min.time(), DISTRICT_TZ)
        warning = evaluate_patrol(project.id, project.owner_project_lead_id, project.owner_id, last_valid,
                                  duty_start, call.now, rules, suspension_intervals(call.session, project.id))
        if warning is not None and raise_warning(call, warning):
            raised += 1
    return raised


def purge_positions(call: Call, rules: AttendanceRules) -> int:
    """Privacy: raw positions older than the retention are reduced to the outcome."""
    cutoff = call.now - timedelta(days=rules.raw_position_retention_days)
    purged = call.session.execute(sa.update(Checkin).where(Checkin.recorded_at < cutoff, Checkin.lat.is_not(None))
                                  .values(lat=None, lng=None, accuracy_m=None)).rowcount
    call.session.execute(sa.update(Patrol).where(Patrol.recorded_at < cutoff, Patrol.points.is_not(None))
                         .values(points=None))
    return purged
