"""Statistics and model queries (Art. 8 模型查询与统计分析) within the caller's scope: cases by kind,
status, level, unit, industry and month; the overdue list; the median time of each step; each
unit's share of steps taken in time (Art. 37(1)); warnings by rule and month. Every answer is a
grouped query over indexed tables."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from common import registry_copy
from common.contracts.types import check_paging
from common.errors import InvalidInput
from complaints.domain import cases as dom
from complaints.persistence.models import Case, CaseStep
from complaints.usecases.common import CASES, CASES_OVERDUE, Call, case_scope, case_view

MAX_PAGE = 200


def _month(session, column):
    """The district's month (UTC+08:00) of a time, in the database's own words."""
    if session.get_bind().dialect.name == "postgresql":
        return sa.func.to_char(sa.func.timezone("Asia/Shanghai", column), "YYYY-MM")
    return sa.func.strftime("%Y-%m", column, "+8 hours")


def case_stats(call: Call, by: str) -> list[dict]:
    scope = case_scope(call.actor()).condition()
    unit = registry_copy.copy_unit
    keys = {
        "kind": Case.kind, "status": Case.status, "industry": sa.func.coalesce(Case.industry, ""),
        "unit": sa.func.coalesce(Case.holder_unit_id, ""), "month": _month(call.session, Case.opened_at),
        "level": sa.func.coalesce(unit.c.kind, ""), "category": Case.category,
    }
    if by not in keys:
        raise InvalidInput.field("by", "one of " + ", ".join(keys))
    key = keys[by].label("key")
    statement = sa.select(key, sa.func.count().label("count")).select_from(Case)
    if by == "level":
        statement = statement.outerjoin(unit, unit.c.id == Case.holder_unit_id)
    rows = call.session.execute(statement.where(scope).group_by(key).order_by(key))
    return [{"key": row.key, "count": row.count} for row in rows]


def warning_stats(call: Call, by: str) -> list[dict]:
    keys = {"rule": Case.rule_id, "month": _month(call.session, Case.opened_at)}
    if by not in keys:
        raise InvalidInput.field("by", "one of " + ", ".join(keys))
    key = keys[by].label("key")
    rows = call.session.execute(sa.select(key, sa.func.count().label("count"))
                                .where(case_scope(call.actor()).condition(), Case.kind == dom.Kind.WARNING)
                                .group_by(key).order_by(key))
    return [{"key": row.key, "count": row.count} for row in rows]


def overdue_cases(call: Call, limit: int = 50, offset: int = 0) -> list[dict]:
    check_paging(limit, offset, max_limit=MAX_PAGE)
    rows = call.session.execute(
        sa.select(Case).where(case_scope(call.actor()).condition(), Case.status != dom.Status.CLOSED,
                              Case.due_at < call.now).order_by(Case.due_at, Case.id).limit(limit).offset(offset))
    return [{**case_view(call.session, case), "overdue": True} for case in rows.scalars()]


def measure_cases(session: Session, now: datetime) -> None:
    """The cases' gauges for the operations dashboard and the overdue alert: how many cases are in
    each status, and how many open ones are past their step's limit (the platform's whole count,
    whoever measures it: several instances report the same numbers)."""
    by_status = dict(session.execute(sa.select(Case.status, sa.func.count()).group_by(Case.status)).all())
    for status in dom.Status:
        CASES.labels(str(status)).set(by_status.get(status, 0))
    CASES_OVERDUE.set(session.execute(sa.select(sa.func.count()).select_from(Case).where(
        Case.status != dom.Status.CLOSED, Case.due_at < now)).scalar_one())


def step_times(call: Call) -> list[dict]:
    """The median time each step took after the one before it, in hours."""
    scope = case_scope(call.actor()).condition()
    timed = sa.select(CaseStep.step, CaseStep.seconds_taken).join(Case, Case.id == CaseStep.case_id).where(
        scope, CaseStep.seconds_taken.is_not(None)).subquery()
    if call.session.get_bind().dialect.name == "postgresql":
        rows = call.session.execute(sa.select(
            timed.c.step, sa.func.count().label("count"),
            sa.func.percentile_cont(0.5).within_group(timed.c.seconds_taken).label("median"))
            .group_by(timed.c.step).order_by(timed.c.step)).all()
        return [{"step": row.step, "count": row.count, "median_hours": round(float(row.median) / 3600, 2)}
                for row in rows]
    answer = []
    for step, count in call.session.execute(sa.select(timed.c.step, sa.func.count()).group_by(timed.c.step)
                                            .order_by(timed.c.step)).all():
        # SQLite has no percentile: the middle row(s) of the step, by an ordered offset.
        middle = list(call.session.execute(
            sa.select(timed.c.seconds_taken).where(timed.c.step == step).order_by(timed.c.seconds_taken)
            .limit(2 - count % 2).offset((count - 1) // 2)).scalars())
        answer.append({"step": step, "count": count, "median_hours": round(sum(middle) / len(middle) / 3600, 2)})
    return answer


def on_time_shares(call: Call) -> list[dict]:
    """Each unit's steps with a time limit, and the share it took in time (Art. 37(1): the owners
    and industry authorities are scored on it)."""
    scope = case_scope(call.actor()).condition()
    on_time = sa.func.sum(sa.case((CaseStep.on_time.is_(True), 1), else_=0))
    rows = call.session.execute(
        sa.select(CaseStep.acting_unit_id, sa.func.count().label("steps"), on_time.label("on_time"))
        .join(Case, Case.id == CaseStep.case_id)
        .where(scope, CaseStep.on_time.is_not(None), CaseStep.acting_unit_id.is_not(None))
        .group_by(CaseStep.acting_unit_id).order_by(CaseStep.acting_unit_id)).all()
    names = registry_copy.unit_names(call.session, [row.acting_unit_id for row in rows])
    return [{"unit_id": row.acting_unit_id, "unit_name": names.get(row.acting_unit_id), "steps": row.steps,
             "on_time": int(row.on_time or 0), "share": round(int(row.on_time or 0) / row.steps, 4)} for row in rows]
