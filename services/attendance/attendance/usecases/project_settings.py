"""The owner's settings of a project (Art. 26, 47): the phases of the phased posts, the declared
non-working days and the policy on suspected spoofing. The days that have passed stay as they
were."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from attendance.domain import duty
from attendance.persistence.models import AttendancePhase, NonWorkingDay
from attendance.usecases.common import Call, non_working_days, owner_acting, phases
from common import usecase
from common.clock import local_date
from common.contracts import attendance as contracts
from common.contracts.registry import Post
from common.errors import InvalidInput


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
