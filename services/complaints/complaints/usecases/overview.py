"""The console's figures of cases (Art. 8 统计分析), within the caller's scope: the warnings raised
this week by rule, the cases open and overdue by level (the kind of the unit holding them), and
the open warnings of each project (the map's colours).
Each is one grouped query; the console draws them and lists the cases behind a bar with
GET /zzd/v1/cases."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa

from common import registry_copy
from common.clock import DISTRICT_TZ, district_iso, local_date
from complaints.domain import cases as dom
from complaints.persistence.models import Case
from complaints.usecases.common import Call, case_scope


def week_began(now: datetime) -> datetime:
    """Monday 00:00 of the district's week holding ``now``."""
    today = local_date(now)
    return datetime.combine(today - timedelta(days=today.weekday()), time(0), DISTRICT_TZ)


def warnings_this_week(call: Call) -> dict:
    since = week_began(call.now)
    rule = Case.rule_id.label("rule_id")
    rows = call.session.execute(
        sa.select(rule, sa.func.count().label("count"))
        .where(case_scope(call.actor()).condition(), Case.kind == dom.Kind.WARNING, Case.opened_at >= since)
        .group_by(rule).order_by(sa.func.count().desc(), rule))
    return {"since": district_iso(since), "rows": [{"rule_id": row.rule_id, "count": row.count} for row in rows]}


def open_cases_by_level(call: Call) -> list[dict]:
    unit = registry_copy.copy_unit
    level = sa.func.coalesce(unit.c.kind, "").label("level")
    overdue = sa.func.sum(sa.case((Case.due_at < call.now, 1), else_=0)).label("overdue")
    rows = call.session.execute(
        sa.select(level, sa.func.count().label("open"), overdue).select_from(Case)
        .outerjoin(unit, unit.c.id == Case.holder_unit_id)
        .where(case_scope(call.actor()).condition(), Case.status != dom.Status.CLOSED)
        .group_by(level).order_by(level))
    return [{"level": row.level, "open": row.open, "overdue": int(row.overdue or 0)} for row in rows]


def open_warnings_by_project(call: Call, limit: int = 1000) -> list[dict]:
    """The warnings not closed, per project, for the console's map: a project's colour; the most
    warned ``limit`` projects, so that the answer stays bounded in any scope."""
    rows = call.session.execute(
        sa.select(Case.project_id, sa.func.count().label("count"))
        .where(case_scope(call.actor()).condition(), Case.kind == dom.Kind.WARNING,
               Case.status != dom.Status.CLOSED, Case.project_id.is_not(None))
        .group_by(Case.project_id).order_by(sa.func.count().desc(), Case.project_id).limit(limit))
    return [{"project_id": row.project_id, "count": row.count} for row in rows]
