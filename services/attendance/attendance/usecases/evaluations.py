"""The evaluations at the end of each day and month (Art. 26, 35, 42): missed construction days
in a row, the monthly rate, overdue patrols; done in steps of a day when the platform time jumps;
and the privacy purge of raw positions."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from attendance.domain import duty
from attendance.domain.days import MonthFacts
from attendance.domain.evaluations import evaluate_absence, evaluate_month, evaluate_patrol
from attendance.domain.rules import AttendanceRules
from attendance.persistence.models import Checkin, CheckinPerson, EvaluationMark, Patrol, ProjectCopy
from attendance.usecases.common import (
    Call,
    calendar_days,
    checkin_times_by_person,
    leave_days_by_person,
    period_facts,
    phases,
    raise_warning,
    roster,
    suspension_intervals,
)
from common.clock import DISTRICT_TZ, local_date

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
    # Bounded by the cutoff's local day too: the months after it are not read (on PostgreSQL their
    # partitions are skipped), and the ones before only through the rows still holding a position.
    purged = call.session.execute(sa.update(Checkin).where(
        Checkin.local_day <= local_date(cutoff), Checkin.recorded_at < cutoff, Checkin.lat.is_not(None))
        .values(lat=None, lng=None, accuracy_m=None)).rowcount
    call.session.execute(sa.update(Patrol).where(Patrol.recorded_at < cutoff, Patrol.points.is_not(None))
                         .values(points=None))
    call.session.execute(sa.update(CheckinPerson).where(CheckinPerson.last_accepted_at < cutoff,
                                                        CheckinPerson.last_accepted_lat.is_not(None))
                         .values(last_accepted_lat=None, last_accepted_lng=None))
    return purged
