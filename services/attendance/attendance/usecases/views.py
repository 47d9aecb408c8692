"""What people see of attendance (Art. 26, 42): a person's month, a project's month, the raw
positions (for the owner and the back office, each look logged) and the warnings raised."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from attendance.domain import duty
from attendance.domain.days import MonthFacts, PeriodFacts, monthly_attendance
from attendance.domain.rules import AttendanceRules
from attendance.persistence.models import Checkin, PositionView, ProjectCopy, RaisedWarning, RosterEntry
from attendance.usecases.common import (
    Call,
    accepted_checkin_times,
    calendar_days,
    checkin_view,
    leave_days_by_person,
    period_facts,
    phases,
    require_project,
    roster,
    visible_project,
)
from common.clock import district_iso, local_date
from common.contracts.types import check_month, check_paging
from common.errors import PermissionDenied


def person_period_facts(session: Session, project: ProjectCopy, person_id: str, first: date, last: date,
                        duty_roster: list[duty.RosterPost], project_phases: list[duty.Phase],
                        construction: set[date]) -> PeriodFacts:
    own_posts = [entry for entry in duty_roster if entry.person_id == person_id]
    return period_facts(project, person_id, own_posts, project_phases, construction,
                        leave_days_by_person(session, project.id, first, last, person_id)[person_id],
                        accepted_checkin_times(session, project.id, person_id, first, last))


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


def my_attendance(call: Call, month: str, limit: int = 100, offset: int = 0) -> list[dict]:
    """One's own month, one item per project one is on, by project id: one page of them. Each
    item holds one's check-ins of that month on that project."""
    check_paging(limit, offset, max_limit=100)
    first, last = parse_month(month)
    person_id = call.principal.user_id
    if person_id is None:
        raise PermissionDenied("sign in first")
    rules, today = call.rules(), local_date(call.now)
    project_ids = list(call.session.execute(
        sa.select(RosterEntry.project_id).where(RosterEntry.person_id == person_id).distinct()
        .order_by(RosterEntry.project_id).limit(limit).offset(offset)).scalars())
    result = []
    for project_id in project_ids:
        project = require_project(call.session, project_id)
        summary = _month_of(call.session, project, person_id, first, last, today, rules)
        summary["checkins"] = [checkin_view(c) for c in call.session.execute(sa.select(Checkin).where(
            Checkin.project_id == project_id, Checkin.person_id == person_id, Checkin.local_day >= first,
            Checkin.local_day <= last).order_by(Checkin.recorded_at, Checkin.id)).scalars()]
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


def person_positions(call: Call, project_id: str, person_id: str, month: str, limit: int = 200,
                     offset: int = 0) -> list[dict]:
    """One page of a person's raw positions in the month, oldest first, for the owner or the back
    office; each look is logged (privacy)."""
    check_paging(limit, offset, max_limit=1000)
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
                Checkin.local_day <= last).order_by(Checkin.recorded_at, Checkin.id)
                .limit(limit).offset(offset)).scalars()]


def list_warnings(call: Call, project_id: str, limit: int = 100, offset: int = 0) -> list[dict]:
    """One page of the attendance warnings raised on the project, oldest first (the key breaks a tie)."""
    check_paging(limit, offset, max_limit=500)
    visible_project(call, project_id)
    return [{"warning_id": w.warning_id, "rule_id": w.rule_id, "person_id": w.person_id,
             "raised_at": district_iso(w.raised_at), "detail": w.detail}
            for w in call.session.execute(sa.select(RaisedWarning).where(RaisedWarning.project_id == project_id)
                                          .order_by(RaisedWarning.raised_at, RaisedWarning.key)
                                          .limit(limit).offset(offset)).scalars()]
