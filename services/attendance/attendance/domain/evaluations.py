"""End-of-day and end-of-month attendance warnings (Art. 26, 35, 42, 47).

Every warning carries a stable ``key``: the caller stores the keys it has raised and raises a
warning only once (the same streak, month, overdue period or day gives the same key).

Suspension (Art. 35: "自动解除停工期间相关人员考勤、预警触发"): every function takes
``suspended`` — whether the project is suspended at the time of the evaluation — and raises
nothing while it is. Suspension days are besides never construction days, so they neither count
in the rate nor extend a streak.

The owner acts on all of them (``must_act="owner"``): it interviews the person after a streak
of absences and the firm's head after a low month (Art. 42), follows up an overdue patrol of its
own project lead (Art. 20, 26), and deals with suspected cheating (Art. 47).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from attendance.domain.checkins import CheckinAttempt, CheckinDecision
from attendance.domain.days import AttendanceFacts, MonthFacts, construction_days, monthly_attendance, streak_ending_on
from attendance.domain.patrols import SuspendedInterval, active_time, patrol_due
from attendance.domain.rules import AttendanceRules
from common.clock import local_date
from common.contracts.registry import UnitKind

CONSECUTIVE_ABSENCE = "art42.consecutive-absence"
MONTHLY_RATE = "art42.monthly-rate"
PATROL_OVERDUE = "art26.patrol-overdue"
SUSPECTED_SPOOFING = "art47.suspected-spoofing"
# The attendance service's warning rules, each with its article: the back office switches each
# off or on again (Art. 8, AttendanceRules.warnings_switched_off).
WARNING_RULES = {CONSECUTIVE_ABSENCE: "Art. 42", MONTHLY_RATE: "Art. 42", PATROL_OVERDUE: "Art. 26",
                 SUSPECTED_SPOOFING: "Art. 47"}

OWNER = str(UnitKind.OWNER)


@dataclass(frozen=True)
class AttendanceWarning:
    rule_id: str
    article: str
    project_id: str
    person_id: str
    firm_id: str | None
    must_act: str
    detail: dict = field(default_factory=dict)
    key: str = ""


def evaluate_absence(
    facts: AttendanceFacts, firm_id: str | None, day: date, rules: AttendanceRules, *, suspended: bool = False
) -> AttendanceWarning | None:
    """Art. 42 ("连续2天（包含）以上未考勤，由建设单位约谈相关责任人"): at the end of ``day``, a
    warning when the run of construction days without a valid day that ends on ``day`` is at
    least ``consecutive_absence_days`` long. The key names the streak's first day, so a streak
    that goes on is raised once. ``facts`` cover the days up to ``day`` (a :class:`PeriodFacts`
    lets a streak cross the turn of a month; :class:`MonthFacts` stops at its month)."""
    if suspended:
        return None
    streak = streak_ending_on(facts, day, rules)
    if streak is None or streak.length < rules.consecutive_absence_days:
        return None
    missed = sorted(d for d in construction_days(facts) if streak.start <= d <= streak.end)
    return AttendanceWarning(
        rule_id=CONSECUTIVE_ABSENCE,
        article=WARNING_RULES[CONSECUTIVE_ABSENCE],
        project_id=facts.project_id,
        person_id=facts.person_id,
        firm_id=firm_id,
        must_act=OWNER,
        detail={
            "action": "interview_person",
            "streak_start": streak.start.isoformat(),
            "streak_end": streak.end.isoformat(),
            "days": streak.length,
            "missed_dates": [d.isoformat() for d in missed],
            "threshold_days": rules.consecutive_absence_days,
        },
        key=f"{CONSECUTIVE_ABSENCE}:{facts.project_id}:{facts.person_id}:{streak.start.isoformat()}",
    )


def evaluate_month(
    facts: MonthFacts, firm_id: str | None, rules: AttendanceRules, *, suspended: bool = False
) -> AttendanceWarning | None:
    """Art. 42 ("月考勤率不足80%的，由建设单位约谈企业负责人"): after the month, a warning when
    its rate is below ``monthly_rate_threshold``; a month without construction days has no rate
    and raises nothing."""
    if suspended:
        return None
    month = monthly_attendance(facts, rules)
    if month.meets_threshold:
        return None
    period = f"{facts.year:04d}-{facts.month:02d}"
    return AttendanceWarning(
        rule_id=MONTHLY_RATE,
        article=WARNING_RULES[MONTHLY_RATE],
        project_id=facts.project_id,
        person_id=facts.person_id,
        firm_id=firm_id,
        must_act=OWNER,
        detail={
            "action": "interview_firm_head",
            "month": period,
            "rate": month.rate,
            "valid_days": len(month.valid_days),
            "construction_days": month.construction_days,
            "threshold": rules.monthly_rate_threshold,
        },
        key=f"{MONTHLY_RATE}:{facts.project_id}:{facts.person_id}:{period}",
    )


def overdue_periods(active: timedelta, interval: timedelta) -> int:
    """How many whole patrol intervals have been missed: 1 for (7, 14] days, 2 for (14, 21], …"""
    whole, rest = divmod(active, interval)
    return whole if rest > timedelta(0) else whole - 1


def evaluate_patrol(
    project_id: str,
    person_id: str,
    firm_id: str | None,
    last_valid_patrol_end: datetime | None,
    duty_start: datetime,
    now: datetime,
    rules: AttendanceRules,
    suspended_intervals: Iterable[SuspendedInterval] = (),
    *,
    suspended: bool = False,
) -> AttendanceWarning | None:
    """Art. 26: a warning when the owner's project lead's patrol is overdue (see
    :func:`attendance.domain.patrols.patrol_due`). The key names the anchor (last valid patrol
    end, or duty start) and the number of missed intervals: one warning per missed interval."""
    intervals = list(suspended_intervals)
    if suspended or not patrol_due(last_valid_patrol_end, duty_start, now, rules, intervals):
        return None
    anchor = last_valid_patrol_end if last_valid_patrol_end is not None else duty_start
    active = active_time(anchor, now, intervals)
    missed = overdue_periods(active, timedelta(days=rules.patrol_interval_days))
    return AttendanceWarning(
        rule_id=PATROL_OVERDUE,
        article=WARNING_RULES[PATROL_OVERDUE],
        project_id=project_id,
        person_id=person_id,
        firm_id=firm_id,
        must_act=OWNER,
        detail={
            "since": anchor.isoformat(),
            "since_kind": "last_valid_patrol" if last_valid_patrol_end is not None else "duty_start",
            "active_days": round(active.total_seconds() / 86400, 2),
            "interval_days": rules.patrol_interval_days,
            "missed_intervals": missed,
        },
        key=f"{PATROL_OVERDUE}:{project_id}:{person_id}:{anchor.isoformat()}:{missed}",
    )


def evaluate_checkin(
    attempt: CheckinAttempt, decision: CheckinDecision, firm_id: str | None, now: datetime
) -> AttendanceWarning | None:
    """Art. 26, 47: a warning of suspected cheating when a check-in raised risk signals (flagged
    or blocked); one per person, project and local day."""
    if not decision.flags:
        return None
    day = local_date(now).isoformat()
    return AttendanceWarning(
        rule_id=SUSPECTED_SPOOFING,
        article=WARNING_RULES[SUSPECTED_SPOOFING],
        project_id=attempt.project_id,
        person_id=attempt.person_id,
        firm_id=firm_id,
        must_act=OWNER,
        detail={
            "outcome": str(decision.outcome),
            "flags": list(decision.flags),
            "device_id": attempt.device_id,
            "device_platform": attempt.device_platform,
            "day": day,
        },
        key=f"{SUSPECTED_SPOOFING}:{attempt.project_id}:{attempt.person_id}:{day}",
    )
