"""The console's figure of attendance (Art. 26): today, in the projects under construction within
the caller's data scope, how many people are on site (checked in, accepted or flagged) out of those
expected (on duty on a construction day and not on leave). The check-ins are counted by one
grouped query over today's partition; who is expected follows the same duty rules as the
evaluation of the day (attendance.domain.duty)."""

from __future__ import annotations

import sqlalchemy as sa

from attendance.domain import duty
from attendance.persistence.models import Checkin, ProjectCopy
from attendance.usecases.common import Call, calendar_days, in_scope, leave_days_by_person, phases, roster
from common.clock import local_date


def attendance_today(call: Call, limit: int = 1000) -> dict:
    """Today's figure: the totals over every project in scope, the first ``limit`` projects by name
    listed (the answer stays bounded however wide the scope)."""
    actor, today = call.actor(), local_date(call.now)
    projects = [project for project in call.session.execute(
        sa.select(ProjectCopy).where(ProjectCopy.status == "in_construction",
                                     ProjectCopy.construction_started_on <= today)
        .order_by(ProjectCopy.name, ProjectCopy.id)).scalars()
        if in_scope(call.session, actor, project)]
    on_site = dict(call.session.execute(
        sa.select(Checkin.project_id, sa.func.count(sa.distinct(Checkin.person_id)))
        .where(Checkin.local_day == today, Checkin.outcome.in_(("accepted", "flagged")),
               Checkin.project_id.in_([project.id for project in projects]))
        .group_by(Checkin.project_id)).tuples().all()) if projects else {}
    rows = []
    for project in projects:
        expected = 0
        if today in calendar_days(call.session, project, today, today):
            duty_roster, project_phases = roster(call.session, project), phases(call.session, project.id)
            on_leave = leave_days_by_person(call.session, project.id, today, today)
            expected = sum(1 for person_id in {entry.person_id for entry in duty_roster}
                           if duty.on_duty(person_id, today, duty_roster, project_phases)
                           and today not in on_leave[person_id])
        rows.append({"project_id": project.id, "name": project.name, "expected": expected,
                     "on_site": on_site.get(project.id, 0)})
    return {"day": today.isoformat(), "expected": sum(row["expected"] for row in rows),
            "on_site": sum(row["on_site"] for row in rows), "projects": rows[:limit]}
