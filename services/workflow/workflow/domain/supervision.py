"""Supervision records (Art. 22–23, 45–46), subcontracts (Art. 36) and readiness at the
planned start (Art. 24).

- Art. 23: the supervisor's chief engineer, specialist engineers and inspectors upload the
  supervision logs (监理日志) and the stand-by records (旁站记录). One log per project and day;
  while the project is in construction a log is due every ``supervision_log_interval_days``
  (Art. 46 names missing logs as conduct to be corrected).
- Art. 45: a supervision notice (监理通知单) requires the contractor to rectify within the days
  it sets; the contractor answers online (Art. 22), the supervisor verifies; late handling is a
  warning, and a contractor refusing to rectify is escalated to the industry authority.
- Art. 36: where the main contract allows subcontracting, the contractor uploads the subcontract
  with its scope and the subcontractor.
- Art. 24: what the platform requires before work starts must be complete at the planned start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from common.clock import DISTRICT_TZ
from common.contracts.registry import Post, UnitKind
from common.errors import IllegalStep, InvalidInput, PermissionDenied
from common.scope import Actor
from workflow.domain.projects import ProjectFacts, ProjectStatus, firms_acted_for

LOG, STANDBY = "log", "standby"
RECORD_KINDS = (LOG, STANDBY)

# Art. 23: who writes the supervision records; Art. 45: who issues and verifies a notice.
RECORDING_POSTS = frozenset({Post.CHIEF_ENGINEER, Post.SPECIALIST_ENGINEER, Post.INSPECTOR})
NOTICE_POSTS = frozenset({Post.CHIEF_ENGINEER, Post.SPECIALIST_ENGINEER})
# Art. 22: the contractor's project manager, technical lead and safety officer rectify and
# answer online; the firm's chief (its platform administrator) may answer for it.
RECTIFYING_POSTS = frozenset({Post.PROJECT_MANAGER, Post.TECHNICAL_LEAD, Post.SAFETY_OFFICER, Post.CHIEF})
# Art. 36: the contractor's project manager or its chief registers a subcontract.
SUBCONTRACTING_POSTS = frozenset({Post.PROJECT_MANAGER, Post.CHIEF})

# The works are under supervision from construction start until the completion acceptance ends.
SUPERVISED_STATUSES = frozenset({ProjectStatus.IN_CONSTRUCTION, ProjectStatus.SUSPENDED,
                                 ProjectStatus.COMPLETION_ACCEPTANCE})
# A log is due only while the project is being built; a suspension pauses the watch (Art. 35).
LOG_WATCH_STATUSES = frozenset({ProjectStatus.IN_CONSTRUCTION, ProjectStatus.SUSPENDED})
# Art. 36: a subcontract is registered before or during construction.
SUBCONTRACT_STATUSES = frozenset({ProjectStatus.AWARDED, ProjectStatus.IN_CONSTRUCTION, ProjectStatus.SUSPENDED})

# A notice's states: with the contractor, with the supervisor, closed.
AWAITING_RECTIFICATION = "awaiting_rectification"
AWAITING_VERIFICATION = "awaiting_verification"
RECTIFIED = "rectified"
ACCEPTED = "accepted"  # the verdict that closes a notice; "rejected" reopens it
# Art. 45: a contractor refusing to rectify is a warning for the industry authority.
REFUSED_RECTIFICATION = "art45.refused-rectification"
REFUSED_RECTIFICATION_ARTICLE = "Art. 45"

# Art. 45 (监理通知单处置不及时): whose days run while a notice is in each state. The contractor's
# rectification days run while the notice is with the contractor; once it has answered they stand
# still, and the supervisor's own verification days run (Art. 23); a rejected answer gives the
# contractor back the days it had left; an accepted one ends both.
CONTRACTOR_DAYS, SUPERVISOR_DAYS = "contractor", "supervisor"
_DAYS_RUNNING = {AWAITING_RECTIFICATION: CONTRACTOR_DAYS, AWAITING_VERIFICATION: SUPERVISOR_DAYS}


def whose_days_run(status: str) -> str | None:
    """Art. 23, 45: whose deadline runs while a notice is in ``status``: the contractor's, the
    supervisor's, or nobody's once it is closed."""
    return _DAYS_RUNNING.get(status)


def local_midnight(day: date) -> datetime:
    """The instant a district calendar day begins."""
    return datetime.combine(day, time(0), tzinfo=DISTRICT_TZ)


# --- supervision logs and stand-by records (Art. 22–23, 46) ----------------------------------------


def decide_record(actor: Actor, project: ProjectFacts, kind: str, log_date: date, today: date,
                  construction_started_on: date | None, file_ids: list[str], log_of_the_day_exists: bool) -> str:
    """Art. 23: a supervisor's chief engineer, specialist engineer or inspector records the log
    of a day of the works, or a stand-by record; returns the supervisor firm recording it."""
    firms = firms_acted_for(actor, project, UnitKind.SUPERVISOR, RECORDING_POSTS)
    if not firms:
        raise PermissionDenied("the supervisor's chief engineer, specialist engineers and inspectors record the "
                               "supervision logs and stand-by records (Art. 23)")
    if project.status not in SUPERVISED_STATUSES:
        raise IllegalStep(f"supervision records are kept while the works are under supervision; the project is "
                          f"{project.status}")
    if log_date > today:
        raise InvalidInput.field("log_date", "a record is written for a day that has come, not in advance")
    if construction_started_on is not None and log_date < construction_started_on:
        raise InvalidInput.field("log_date", f"construction started on {construction_started_on.isoformat()}")
    if kind == STANDBY and not file_ids:
        raise InvalidInput.field("file_ids", "a stand-by record carries the signed record or its photos")
    if kind == LOG and log_of_the_day_exists:
        raise IllegalStep(f"the supervision log of {log_date.isoformat()} is already recorded: one log per day")
    return firms[0]


def restarts_log_watch(status: ProjectStatus, kind: str, log_date: date, latest_log_date: date | None) -> bool:
    """Art. 22, 46: whether a new record moves the log watch on: a log of the newest day of a project being
    built does; a stand-by record, a log filled in for an earlier day, or one written during
    the completion acceptance does not."""
    return (kind == LOG and status in LOG_WATCH_STATUSES
            and (latest_log_date is None or log_date > latest_log_date))


def next_log_watch_start(log_date: date) -> datetime:
    """Art. 22, 46: the next log falls due an interval after the end of the logged day."""
    return local_midnight(log_date + timedelta(days=1))


# --- supervision notices (Art. 45) --------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeFacts:
    status: str
    supervisor_unit_id: str
    contractor_unit_id: str
    escalated: bool


def decide_notice(actor: Actor, project: ProjectFacts, contractor_unit_ids: list[str],
                  chosen_contractor_id: str | None) -> tuple[str, str]:
    """Art. 45: the supervisor's chief or specialist engineer issues a notice to a contractor of
    the project; returns (supervisor firm, contractor firm)."""
    firms = firms_acted_for(actor, project, UnitKind.SUPERVISOR, NOTICE_POSTS)
    if not firms:
        raise PermissionDenied("the supervisor's chief engineer or a specialist engineer issues a supervision "
                               "notice (Art. 45)")
    if project.status not in SUPERVISED_STATUSES:
        raise IllegalStep(f"notices are issued while the works are under supervision; the project is "
                          f"{project.status}")
    if chosen_contractor_id is not None:
        if chosen_contractor_id not in contractor_unit_ids:
            raise InvalidInput.field("contractor_unit_id", "not a contractor registered on this project")
        return firms[0], chosen_contractor_id
    if len(contractor_unit_ids) != 1:
        raise InvalidInput.field("contractor_unit_id", "the project has several contractors: name the one to rectify")
    return firms[0], contractor_unit_ids[0]


def _require_open_project(project: ProjectFacts) -> None:
    if project.status == ProjectStatus.TERMINATED:
        raise IllegalStep("the project is terminated")


def decide_rectification(actor: Actor, project: ProjectFacts, notice: NoticeFacts) -> None:
    """Art. 22: the contractor the notice is addressed to answers online with its rectification."""
    if notice.contractor_unit_id not in firms_acted_for(actor, project, UnitKind.CONTRACTOR, RECTIFYING_POSTS):
        raise PermissionDenied("the contractor the notice is addressed to answers it (Art. 22, 45)")
    _require_open_project(project)
    if notice.status != AWAITING_RECTIFICATION:
        raise IllegalStep(f"the notice is {notice.status}, not awaiting a rectification")


def _require_issuing_supervisor(actor: Actor, project: ProjectFacts, notice: NoticeFacts, what: str) -> None:
    if notice.supervisor_unit_id not in firms_acted_for(actor, project, UnitKind.SUPERVISOR, NOTICE_POSTS):
        raise PermissionDenied(f"the chief or a specialist engineer of the supervisor that issued the notice {what} "
                               "(Art. 45)")


def decide_verification(actor: Actor, project: ProjectFacts, notice: NoticeFacts) -> None:
    """Art. 23, 45: the supervisor that issued the notice verifies the contractor's answer."""
    _require_issuing_supervisor(actor, project, notice, "verifies the rectification")
    _require_open_project(project)
    if notice.status != AWAITING_VERIFICATION:
        raise IllegalStep(f"the notice is {notice.status}; there is no rectification to verify")


def status_after_verification(verdict: str) -> str:
    """Art. 45: an accepted rectification closes the notice; a rejected one reopens it for another."""
    return RECTIFIED if verdict == ACCEPTED else AWAITING_RECTIFICATION


def decide_escalation(actor: Actor, project: ProjectFacts, notice: NoticeFacts) -> None:
    """Art. 45: a contractor that refuses to rectify is reported to the industry authority (the
    REFUSED_RECTIFICATION warning)."""
    _require_issuing_supervisor(actor, project, notice, "reports a refusal")
    _require_open_project(project)
    if notice.status != AWAITING_RECTIFICATION:
        raise IllegalStep(f"the notice is {notice.status}; a refusal is reported while a rectification is awaited")
    if notice.escalated:
        raise IllegalStep("the refusal is already reported to the industry authority")


# --- subcontracts (Art. 36) ------------------------------------------------------------------------------


def decide_subcontract(actor: Actor, project: ProjectFacts, contractor_credit_codes: dict[str, str | None],
                       subcontractor_credit_code: str, contract_already_registered: bool) -> str:
    """Art. 36: a contractor of the project registers a subcontract its contract allows; returns
    the contractor firm. ``contractor_credit_codes`` maps the actor's contractor firms on the
    project to their credit codes."""
    firms = firms_acted_for(actor, project, UnitKind.CONTRACTOR, SUBCONTRACTING_POSTS)
    if not firms:
        raise PermissionDenied("the contractor's project manager registers a subcontract (Art. 36)")
    if project.status not in SUBCONTRACT_STATUSES:
        raise IllegalStep(f"subcontracts are registered before or during construction; the project is "
                          f"{project.status}")
    if contractor_credit_codes.get(firms[0]) == subcontractor_credit_code:
        raise InvalidInput.field("subcontractor_credit_code", "a firm does not subcontract to itself")
    if contract_already_registered:
        raise IllegalStep("this subcontract is already registered on the project")
    return firms[0]


# --- readiness at the planned start (Art. 24) -------------------------------------------------------------


def readiness_watch_start(planned_start: date) -> datetime:
    """Art. 24: what is still missing when the planned start day begins is a warning."""
    return local_midnight(planned_start)
