"""What the attendance use cases share: the Call, who may see or decide on a project, the
loaders of a project's calendar, roster, leave and check-ins that more than one process reads,
the view of a check-in, and raising a warning once (Art. 8, 26, 29, 35)."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from attendance.domain import duty
from attendance.domain.days import PeriodFacts
from attendance.domain.evaluations import AttendanceWarning
from attendance.domain.rules import AttendanceRules
from attendance.persistence.models import (
    AttendancePhase,
    Checkin,
    LeaveRequest,
    NonWorkingDay,
    ParticipantCopy,
    ProjectCopy,
    RaisedWarning,
    RosterEntry,
    SuspensionCopy,
    UnitCopy,
    UserPostCopy,
    new_id,
)
from common import events, usecase
from common.clock import district_iso, local_date
from common.contracts.registry import Post, UnitKind
from common.errors import NotFound, PermissionDenied
from common.rule_settings import RulesCache
from common.scope import Actor, PostHeld, UnitFacts, project_scope

logger = logging.getLogger(__name__)

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
    def __init__(self, project: ProjectCopy, participant_unit_ids: Iterable[str]):
        self.industry = project.industry
        self.supervising_unit_id = project.supervising_unit_id
        self.line_id = project.line_id
        self.owner_id = project.owner_id
        self.participant_unit_ids = frozenset(participant_unit_ids)


def in_scope(session: Session, actor: Actor, project: ProjectCopy) -> bool:
    """Whether the actor's data scope admits the project (Art. 10–21, common.scope)."""
    return project_scope(actor).admits(_Placement(project, session.execute(
        sa.select(ParticipantCopy.unit_id).where(ParticipantCopy.project_id == project.id)).scalars()))


def projects_in_scope(session: Session, actor: Actor, projects: list[ProjectCopy]) -> list[ProjectCopy]:
    """:func:`in_scope` of many projects at once: their participants read in one query."""
    participants: dict[str, set[str]] = defaultdict(set)
    if projects:
        for project_id, unit_id in session.execute(sa.select(ParticipantCopy.project_id, ParticipantCopy.unit_id)
                                                   .where(ParticipantCopy.project_id.in_([p.id for p in projects]))):
            participants[project_id].add(unit_id)
    scope = project_scope(actor)
    return [project for project in projects if scope.admits(_Placement(project, participants[project.id]))]


def visible_project(call: Call, project_id: str) -> tuple[Actor, ProjectCopy]:
    actor = call.actor()
    project = require_project(call.session, project_id)
    if not in_scope(call.session, actor, project):
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


# --- a check-in as the people see it -----------------------------------------------------------------


def checkin_view(checkin: Checkin) -> dict:
    return {"id": checkin.id, "project_id": checkin.project_id, "outcome": checkin.outcome, "reason": checkin.reason,
            "flags": checkin.flags, "recorded_at": district_iso(checkin.recorded_at),
            "local_day": checkin.local_day.isoformat()}


# --- warnings -------------------------------------------------------------------------------------------


def raise_warning(call: Call, warning: AttendanceWarning) -> bool:
    """Raise a warning once: its key is remembered (Art. 8, 29). The one place the service stages
    its warnings: a rule the back office has switched off (``warnings_switched_off``, Art. 8) raises
    nothing, and nothing is remembered."""
    if warning.rule_id in call.rules().warnings_switched_off:
        logger.info("warning rule switched off: no warning raised",
                    extra={"rule_id": warning.rule_id, "project_id": warning.project_id, "key": warning.key})
        return False
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
