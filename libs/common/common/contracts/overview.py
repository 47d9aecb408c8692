"""The figures of the console's home page (Art. 8 统计分析), each counted by its owning service
within the caller's data scope: projects by status and industry (workflow), today's attendance
(attendance), warnings of this week by rule, open cases by level and open warnings by project
(complaints), firms by colour
(scoring)."""

from __future__ import annotations

from pydantic import Field

from common.contracts.types import View


class PlatformToday(View):
    now: str = Field(description="The platform's time in the district (+08:00): a demo's manual clock if set.")
    day: str = Field(description="The platform's date in the district (Asia/Shanghai).")
    week_began: str = Field(description="The Monday of the platform's week.")


class ProjectCount(View):
    status: str
    industry: str
    count: int


class ProjectCounts(View):
    rows: list[ProjectCount] = Field(description="One row per status and industry that has projects.")


class ProjectAttendanceToday(View):
    project_id: str
    name: str
    expected: int = Field(description="People on duty today (a construction day), not on leave.")
    on_site: int = Field(description="People who checked in today, accepted or flagged.")


class AttendanceToday(View):
    day: str = Field(description="The district's date (Asia/Shanghai).")
    expected: int
    on_site: int
    projects: list[ProjectAttendanceToday] = Field(description="Each project under construction, by name.")


class RuleCount(View):
    rule_id: str | None
    count: int


class WarningsThisWeek(View):
    since: str = Field(description="Monday 00:00 of this week in the district.")
    rows: list[RuleCount] = Field(description="One row per warning rule, most raised first.")


class LevelCount(View):
    level: str = Field(description="The kind of the unit holding the cases (owner, line, supervising_unit, …).")
    open: int
    overdue: int = Field(description="Of the open ones, those past their step's time limit.")


class OpenCasesByLevel(View):
    rows: list[LevelCount]


class ProjectWarningCount(View):
    project_id: str
    count: int = Field(description="The project's warnings not closed.")


class OpenWarningsByProject(View):
    rows: list[ProjectWarningCount] = Field(description="One row per project with open warnings.")


class ColourCount(View):
    colour: str
    count: int


class FirmColours(View):
    year: int
    rows: list[ColourCount] = Field(description="The five colours of Art. 37, green to red, each with its firms.")
