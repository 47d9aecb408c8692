"""Patrols (Art. 26): the owner's project lead walks the site and uploads the track."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from attendance.domain.patrols import PatrolPoint, assess_patrol
from attendance.persistence.models import Patrol, new_id
from attendance.usecases.common import Call, visible_project
from common import usecase
from common.clock import local_date
from common.contracts import attendance as contracts
from common.errors import InvalidInput, PermissionDenied


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
