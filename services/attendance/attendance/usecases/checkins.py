"""Check-ins (Art. 26, 47): who checks in where and when, on which device, and what a
suspicious one raises."""

from __future__ import annotations

import sqlalchemy as sa
from prometheus_client import Counter
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from attendance.domain import duty
from attendance.domain.checkins import CheckinAttempt, CheckinContext, Outcome, PreviousCheckin, assess_checkin
from attendance.domain.evaluations import evaluate_checkin
from attendance.persistence.models import Checkin, DeviceBinding, NonWorkingDay, ProjectCopy, RosterEntry, new_id
from attendance.usecases.common import (
    Call,
    accepted_checkin_times,
    checkin_view,
    phases,
    raise_warning,
    require_project,
    roster,
)
from common import events, usecase
from common.clock import local_date
from common.contracts import attendance as contracts
from common.contracts.registry import Post
from common.errors import IllegalStep, PermissionDenied

CHECKINS = Counter("supervision_checkins_total",
                   "Check-ins decided, by outcome (accepted, flagged, rejected); a retry of one is not counted again",
                   ["outcome"])


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
    CHECKINS.labels(str(decision.outcome)).inc()
    return {**checkin_view(checkin), "distance_outside_m": round(decision.distance_outside_m, 1)}
