"""The console's figure of projects (Art. 8 统计分析): the projects in the caller's data scope
counted by status and industry, in one grouped query; the console lists the projects behind a
bar with GET /zzd/v1/projects."""

from __future__ import annotations

import sqlalchemy as sa

from workflow.domain import projects as dom
from workflow.persistence import repository as repo
from workflow.persistence.models import Project
from workflow.usecases.common import Call


def project_counts(call: Call) -> list[dict]:
    admitted = repo.scope_condition(dom.project_scope(call.actor()))
    if admitted is None:
        return []
    rows = call.session.execute(
        sa.select(Project.status, Project.industry, sa.func.count().label("count")).where(admitted)
        .group_by(Project.status, Project.industry).order_by(Project.status, Project.industry))
    return [{"status": row.status, "industry": row.industry, "count": row.count} for row in rows]
