"""The console's figure of attendance (Art. 26): today, in the projects under construction within
the caller's data scope, how many people are on site (checked in, accepted or flagged) out of those
expected (on duty on a construction day and not on leave). Who is expected follows the same duty
rules as the evaluation of the day (attendance.domain.duty); on site counts only the expected
people who checked in. Each kind of fact (participants, suspensions, non-working days, roster,
phases, leave, check-ins) is read in one query for all the projects in scope, so the figure costs
the same few queries for three projects or three hundred."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from attendance.domain import duty
from attendance.persistence.models import (
    AttendancePhase,
    Checkin,
    LeaveRequest,
    NonWorkingDay,
    ProjectCopy,
    RosterEntry,
    SuspensionCopy,
)
from attendance.usecases.common import Call, projects_in_scope
from common.clock import local_date
from common.contracts.registry import Post


def _by_project(session: Session, statement) -> dict[str, list]:
    """The rows of a query whose first column is the project id, grouped by it."""
    grouped: dict[str, list] = defaultdict(list)
    for row in session.execute(statement):
        grouped[row[0]].append(row)
    return grouped


def _expected_today(session: Session, projects: list[ProjectCopy], today: date) -> dict[str, set[str]]:
    """Per project, the people on duty today if today is one of its construction days, not on leave."""
    ids = [project.id for project in projects]
    suspensions = _by_project(session, sa.select(SuspensionCopy.project_id, SuspensionCopy.since,
                                                 SuspensionCopy.until)
                              .where(SuspensionCopy.project_id.in_(ids), SuspensionCopy.since.is_not(None)))
    non_working = _by_project(session, sa.select(NonWorkingDay.project_id, NonWorkingDay.day)
                              .where(NonWorkingDay.project_id.in_(ids), NonWorkingDay.day == today))
    working = [project for project in projects if today in duty.construction_dates(
        project.construction_started_on, today, today,
        duty.suspended_days([(row.since, row.until) for row in suspensions[project.id]], today, today),
        {row.day for row in non_working[project.id]},
        local_date(project.construction_ended_at) if project.construction_ended_at is not None else None)]
    ids = [project.id for project in working]
    if not ids:
        return {}
    rosters = _by_project(session, sa.select(RosterEntry.project_id, RosterEntry)
                          .where(RosterEntry.project_id.in_(ids)))
    phases = _by_project(session, sa.select(AttendancePhase.project_id, AttendancePhase)
                         .where(AttendancePhase.project_id.in_(ids)))
    on_leave = {(row.project_id, row.person_id) for row in session.execute(
        sa.select(LeaveRequest.project_id, LeaveRequest.person_id).where(
            LeaveRequest.project_id.in_(ids), LeaveRequest.status == "approved", LeaveRequest.start_date <= today,
            LeaveRequest.end_date >= today))}
    expected = {}
    for project in working:
        duty_roster = duty.duty_roster(
            [duty.RosterPost(e.person_id, e.firm_id, Post(e.post), e.assigned_at, e.released_at)
             for _, e in rosters[project.id]], project.below_threshold)
        project_phases = [duty.Phase(Post(p.post), p.start_date, p.end_date) for _, p in phases[project.id]]
        expected[project.id] = {person_id for person_id in {entry.person_id for entry in duty_roster}
                                if duty.on_duty(person_id, today, duty_roster, project_phases)
                                and (project.id, person_id) not in on_leave}
    return expected


def attendance_today(call: Call, limit: int = 1000) -> dict:
    """Today's figure: the totals over every project in scope, the first ``limit`` projects by name
    listed (the answer stays bounded however wide the scope)."""
    actor, today = call.actor(), local_date(call.now)
    projects = projects_in_scope(call.session, actor, list(call.session.execute(
        sa.select(ProjectCopy).where(ProjectCopy.status == "in_construction",
                                     ProjectCopy.construction_started_on <= today)
        .order_by(ProjectCopy.name, ProjectCopy.id)).scalars()))
    expected = _expected_today(call.session, projects, today)
    checked_in = _by_project(call.session, sa.select(Checkin.project_id, Checkin.person_id).distinct().where(
        Checkin.local_day == today, Checkin.outcome.in_(("accepted", "flagged")),
        Checkin.project_id.in_(list(expected)))) if expected else {}
    rows = []
    for project in projects:
        people = expected.get(project.id, set())
        rows.append({"project_id": project.id, "name": project.name, "expected": len(people),
                     "on_site": sum(1 for row in checked_in.get(project.id, ()) if row.person_id in people)})
    return {"day": today.isoformat(), "expected": sum(row["expected"] for row in rows),
            "on_site": sum(row["on_site"] for row in rows), "projects": rows[:limit]}
