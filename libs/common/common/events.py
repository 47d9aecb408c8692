"""Every event of the platform: past-tense facts, each a pydantic model.

An event is published on its source service's nameko event exchange (``<source>.events``)
with its ``event_type`` as routing key and ``model_dump(mode="json")`` as body. Handlers
validate what they receive with :func:`parse_event`. Adding a field with a default keeps
``schema_version``; removing or changing one raises it.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: ClassVar[str]
    event_type: ClassVar[str]

    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    occurred_at: AwareDatetime
    schema_version: int = 1


# --- workflow: the organisation tree and the project registry -------------------------------


class UnitRegistered(Event):
    source: ClassVar[str] = "workflow"
    event_type: ClassVar[str] = "unit.registered"

    unit_id: str
    kind: str
    name: str
    parent_id: str | None = None
    industry: str | None = None


class UserRegistered(Event):
    source: ClassVar[str] = "workflow"
    event_type: ClassVar[str] = "user.registered"

    user_id: str
    name: str
    portal: Literal["zzd", "zlb"]
    # How the notification service reaches the user on their portal. Their phone never travels in
    # an event or a snapshot: the SMS channel asks the workflow for it when it sends.
    zzd_account_id: str | None = None
    zlb_user_id: str | None = None


class PostGranted(Event):
    """A user took a post (岗位) in a unit."""

    source: ClassVar[str] = "workflow"
    event_type: ClassVar[str] = "post.granted"

    user_id: str
    unit_id: str
    post: str


class Geofence(BaseModel):
    """A site boundary: a polygon of (lat, lng) vertices, or a centre and a radius."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    polygon: list[tuple[float, float]] | None = None
    center: tuple[float, float] | None = None
    radius_m: float | None = None


class ProjectRegistered(Event):
    source: ClassVar[str] = "workflow"
    event_type: ClassVar[str] = "project.registered"

    project_id: str
    name: str
    industry: str
    kind: Literal["government", "village"]
    contract_amount: Decimal
    below_threshold: bool
    geofence: Geofence
    planned_start: date
    planned_end: date
    intake: str
    status: str


class ProjectAssigned(Event):
    """One step of the assignment chain (Art. 12, 18–20)."""

    source: ClassVar[str] = "workflow"
    event_type: ClassVar[str] = "project.assigned"

    project_id: str
    level: Literal["supervising_unit", "line", "owner", "owner_project_lead"]
    target_id: str
    assigned_by: str


class ParticipantAdded(Event):
    """A participating firm registered on a project with its contract (Art. 21, 24)."""

    source: ClassVar[str] = "workflow"
    event_type: ClassVar[str] = "participant.added"

    project_id: str
    unit_id: str
    role: str
    contract_file_id: str


class PersonnelAssigned(Event):
    """A key person put on a post of a project (Art. 21, 26)."""

    source: ClassVar[str] = "workflow"
    event_type: ClassVar[str] = "personnel.assigned"

    project_id: str
    user_id: str
    unit_id: str
    post: str


class ConstructionStarted(Event):
    """The project went from awarded to in construction (Art. 25); attendance duties begin."""

    source: ClassVar[str] = "workflow"
    event_type: ClassVar[str] = "project.construction_started"

    project_id: str
    started_on: date


class ProjectStatusChanged(Event):
    """The project moved along its lifecycle (Art. 25) or beside it (suspended, terminated)."""

    source: ClassVar[str] = "workflow"
    event_type: ClassVar[str] = "project.status_changed"

    project_id: str
    status: str
    previous_status: str


class ProjectSuspended(Event):
    """The owner declared a suspension and the platform confirmed it (Art. 35): attendance
    duties and warnings of the project pause, and its days do not count."""

    source: ClassVar[str] = "workflow"
    event_type: ClassVar[str] = "project.suspended"

    project_id: str
    since: AwareDatetime
    reason: str


class ProjectResumed(Event):
    """The owner's project lead reopened a suspended project (Art. 35)."""

    source: ClassVar[str] = "workflow"
    event_type: ClassVar[str] = "project.resumed"

    project_id: str
    resumed_at: AwareDatetime


class PersonnelReplaced(Event):
    """A key person was replaced by a personnel change (Art. 27). The tender system subscribes:
    the replaced person may not hold the same post on another district project until this one is
    completed, and one replaced for illness may not be named on a bid until ``bid_bar_until``."""

    source: ClassVar[str] = "workflow"
    event_type: ClassVar[str] = "personnel.replaced"

    project_id: str
    post: str
    firm_id: str
    replaced_user_id: str
    replacement_user_id: str
    reason: str
    for_illness: bool
    post_locked_until_project_completed: bool = True
    bid_bar_until: date | None = None


class ProjectTerminated(Event):
    """The owner terminated the project with a written report of the reason (Art. 34)."""

    source: ClassVar[str] = "workflow"
    event_type: ClassVar[str] = "project.terminated"

    project_id: str
    report_file_id: str
    reason: str


class WarningRaised(Event):
    """A warning point fired (Art. 8, 29–30): what rule, about whom, and who must act. The
    complaints service opens a case for it; scoring weighs it."""

    source: ClassVar[str]
    event_type: ClassVar[str] = "warning.raised"

    warning_id: str
    rule_id: str
    article: str
    project_id: str
    person_id: str | None = None
    firm_id: str | None = None
    must_act: str = Field(description="The unit that must act: a unit id, or a role of the project such as 'owner'.")
    summary: str
    detail: dict = Field(default_factory=dict)


class AttendanceWarningRaised(WarningRaised):
    source: ClassVar[str] = "attendance"


class WorkflowWarningRaised(WarningRaised):
    source: ClassVar[str] = "workflow"


class ReminderDue(Event):
    """A deadline's reminder rung fell due: the notification service tells who must act."""

    source: ClassVar[str] = "workflow"
    event_type: ClassVar[str] = "deadline.reminder_reached"

    deadline_id: str
    rule_id: str
    article: str
    project_id: str
    must_act: str
    summary: str
    due_at: AwareDatetime | None = None


class CheckinRecorded(Event):
    """A check-in was accepted or accepted with flags (Art. 26, 47)."""

    source: ClassVar[str] = "attendance"
    event_type: ClassVar[str] = "checkin.recorded"

    checkin_id: str
    project_id: str
    person_id: str
    recorded_at: AwareDatetime
    outcome: Literal["accepted", "flagged"]
    flags: list[str] = Field(default_factory=list)


class CheckinFlagged(Event):
    """A check-in was accepted with risk flags (Art. 47: a mocked location, another's phone, an
    impossible journey…), for the owner's side to look at. Published beside its ``checkin.recorded``,
    so that those who act on flags need not take every check-in of the morning peak."""

    source: ClassVar[str] = "attendance"
    event_type: ClassVar[str] = "checkin.flagged"

    checkin_id: str
    project_id: str
    person_id: str
    recorded_at: AwareDatetime
    flags: list[str]


# --- complaints: cases down the four-level chain -----------------------------------------------------


CaseKind = Literal["warning", "complaint", "clue"]
# "reminded": the unit that must act was reminded, half-way through its step's time limit.
CaseStep = Literal["received", "triaged", "dispatched", "accepted", "handled", "reported", "verified", "returned",
                   "escalated", "not_ours", "closed", "reminded"]


class CaseOpened(Event):
    """A case was opened: for a platform warning, a public complaint or a problem clue (Art. 8,
    29–30). Never names a complainant."""

    source: ClassVar[str] = "complaints"
    event_type: ClassVar[str] = "case.opened"

    case_id: str
    kind: CaseKind
    category: str
    project_id: str | None = None
    warning_id: str | None = None
    rule_id: str | None = None
    article: str | None = None
    summary: str


class CaseStepRecorded(Event):
    """A step of a case's life (Art. 10, 29–30): who acted, for which unit, whether within the
    step's time limit, and which unit must act next. The notification service tells that unit;
    scoring counts the share of steps each unit took in time (Art. 37(1)). Never names a
    complainant."""

    source: ClassVar[str] = "complaints"
    event_type: ClassVar[str] = "case.step_recorded"

    case_id: str
    kind: CaseKind
    step: CaseStep
    status: str = Field(description="The case's status after the step.")
    project_id: str | None = None
    acting_unit_id: str | None = Field(None, description="The unit whose step this was (None: the platform).")
    by_user_id: str | None = None
    on_time: bool | None = Field(None, description="Whether the acting unit took the step within its limit; "
                                 "None when the step had no limit.")
    next_unit_id: str | None = Field(None, description="The unit that must act next, if any.")
    due_at: AwareDatetime | None = Field(None, description="When the next step falls due.")
    summary: str


class CaseClosed(Event):
    """A case was closed after verification (Art. 29–30). ``finding`` says whether the complaint
    was found true or the warning confirmed (Art. 49): scoring deducts from the responsible party."""

    source: ClassVar[str] = "complaints"
    event_type: ClassVar[str] = "case.closed"

    case_id: str
    kind: CaseKind
    category: str
    finding: Literal["substantiated", "unsubstantiated", "withdrawn"]
    project_id: str | None = None
    warning_id: str | None = None
    rule_id: str | None = None
    article: str | None = None
    responsible_unit_id: str | None = Field(None, description="The firm or unit found responsible.")
    responsible_person_id: str | None = None
    summary: str


# --- scoring: the ledger, scores and bid bans (Art. 7, 37, 39–49) -------------------------------------


class ScoreChanged(Event):
    """A subject's score or colour changed (Art. 37), ``cause`` says why: a ledger entry was recorded
    (a deduction, or points restored; ``project_id``, ``project_score`` and ``entry_id`` name it), the
    periodic recomputation of the year's composites moved it (projects added, contract amounts
    changed), or the back office changed the bands or the base score (``settings``). ``sequence`` is the
    gap-free number of the change on the outside systems' feed (exchange ``supervision.scores``,
    ``GET /partner/v1/score-changes``)."""

    source: ClassVar[str] = "scoring"
    event_type: ClassVar[str] = "score.changed"

    sequence: int
    subject_id: str
    subject_kind: Literal["firm", "person", "owner", "authority"]
    year: int
    project_id: str | None = None
    project_score: Decimal | None = None
    composite: Decimal
    colour: Literal["green", "blue", "yellow", "orange", "red"]
    previous_composite: Decimal | None = None
    previous_colour: Literal["green", "blue", "yellow", "orange", "red"] | None = None
    entry_id: str | None = None
    cause: Literal["ledger_entry", "recomputation", "settings"] = "ledger_entry"


class BidBanImposed(Event):
    """A subject may not bid in the district's tender system until ``until`` (Art. 27(2): a key
    person replaced for illness; Art. 44: a firm ordered to stop for rectification)."""

    source: ClassVar[str] = "scoring"
    event_type: ClassVar[str] = "bid_ban.imposed"

    sequence: int
    ban_id: str
    subject_id: str
    subject_kind: Literal["firm", "person"]
    starts_on: date
    until: date
    reason: str
    article: str


EVENT_TYPES: dict[str, type[Event]] = {
    cls.event_type: cls
    for cls in (
        UnitRegistered,
        UserRegistered,
        PostGranted,
        ProjectRegistered,
        ProjectAssigned,
        ParticipantAdded,
        PersonnelAssigned,
        ConstructionStarted,
        ProjectSuspended,
        ProjectResumed,
        CheckinRecorded,
        CheckinFlagged,
        ReminderDue,
        PersonnelReplaced,
        ProjectTerminated,
        ProjectStatusChanged,
        CaseOpened,
        CaseStepRecorded,
        CaseClosed,
        ScoreChanged,
        BidBanImposed,
    )
}
# Warnings come from several services on one event type; each source has its class.
WARNING_EVENTS: dict[str, type[WarningRaised]] = {
    cls.source: cls for cls in (AttendanceWarningRaised, WorkflowWarningRaised)
}


def parse_event(event_type: str, payload: dict, source: str | None = None) -> Event:
    """Validate a received payload against its contract."""
    if event_type == WarningRaised.event_type:
        return WARNING_EVENTS[source].model_validate(payload)
    return EVENT_TYPES[event_type].model_validate(payload)
