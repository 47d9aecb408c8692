"""The attendance service's public contract: the requests of the check-in, leave, patrol and
owner settings routes (Art. 26, 35, 42, 47)."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from common.contracts.registry import Post, ProjectStatus
from common.contracts.types import Day, Month, PlatformDate, PlatformDateTime, Timestamp, View

Latitude = Field(ge=-90, le=90)
Longitude = Field(ge=-180, le=180)


class Device(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=4, max_length=128, description="A stable identifier of the phone.")
    platform: Literal["android", "ios", "harmonyos", "other"]
    mock_location: bool = Field(description="What the phone's OS reports about simulated locations.")
    app_version: str | None = Field(None, max_length=32)


class CheckinRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    project_id: str = Field(min_length=1, max_length=32, description="The project's id (32 characters).")
    lat: float = Latitude
    lng: float = Longitude
    accuracy_m: float = Field(gt=0, le=100000)
    client_time: PlatformDateTime
    client_request_id: str = Field(min_length=8, max_length=64, description="The same id on a retry.")
    device: Device


# The check-in id is derived from who sent it and the client's request id, so that a retry of the
# same check-in (a phone that lost the answer) is the same check-in at every step: the 202's status
# URL, the intake queue, the stored record.
CHECKIN_INTAKE_QUEUE = "attendance.checkin-intake"  # the gateway's check-ins, decided by the attendance service
_CHECKIN_ID_NAMESPACE = uuid.UUID("6f1f3c52-2b0e-4d4c-9d55-5a3c1e0b7a11")


def checkin_id_of(person_id: str, client_request_id: str) -> str:
    return uuid.uuid5(_CHECKIN_ID_NAMESPACE, f"{person_id}\n{client_request_id}").hex


class CheckinCommand(BaseModel):
    """A check-in the gateway received and the broker holds (Art. 26, 47): what the intake queue
    carries to the attendance service, which decides it. ``received_at`` is the gateway's clock
    when the check-in arrived: the time the rules judge, however late the decision comes."""

    model_config = ConfigDict(extra="forbid")

    checkin_id: str = Field(min_length=32, max_length=32)
    person_id: str = Field(min_length=1, max_length=32)
    received_at: PlatformDateTime
    request: CheckinRequest
    reply_to: str | None = Field(None, max_length=200, description="Where the gateway waits for the decision.")

    @model_validator(mode="after")
    def _id_is_derived(self) -> CheckinCommand:
        if self.checkin_id != checkin_id_of(self.person_id, self.request.client_request_id):
            raise ValueError("checkin_id is not the one derived from person_id and client_request_id")
        return self


class LeaveApplication(BaseModel):
    """Art. 26: leave is requested in advance, with the reason and documents."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    project_id: str = Field(min_length=1, max_length=64)
    start_date: PlatformDate
    end_date: PlatformDate
    reason: str = Field(min_length=2, max_length=1000)
    document_file_ids: list[str] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _dates_in_order(self) -> LeaveApplication:
        if self.end_date < self.start_date:
            raise ValueError("end_date comes before start_date")
        if (self.end_date - self.start_date).days > 366:
            raise ValueError("a leave lasts at most a year")
        return self


class LeaveDecision(BaseModel):
    """Art. 26: the owner approves, and uploads the approval form and supporting documents."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    decision: Literal["approve", "refuse"]
    note: str | None = Field(None, max_length=1000)
    approval_file_ids: list[str] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _approval_has_its_form(self) -> LeaveDecision:
        if self.decision == "approve" and not self.approval_file_ids:
            raise ValueError("an approval carries the approval form (approval_file_ids)")
        return self


class PatrolPointInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    time: PlatformDateTime
    lat: float = Latitude
    lng: float = Longitude


class PatrolTrack(BaseModel):
    """Art. 26: the owner's project lead's patrol track."""

    model_config = ConfigDict(extra="forbid")

    project_id: str = Field(min_length=1, max_length=64)
    points: list[PatrolPointInput] = Field(min_length=1, max_length=5000)


class PhaseInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    post: Literal[Post.TECHNICAL_LEAD, Post.SPECIALIST_ENGINEER]
    start: PlatformDate
    end: PlatformDate

    @model_validator(mode="after")
    def _in_order(self) -> PhaseInput:
        if self.end < self.start:
            raise ValueError("end comes before start")
        return self


class AttendancePhases(BaseModel):
    """Art. 26: the phases in which the technical lead and the specialist engineer check in."""

    model_config = ConfigDict(extra="forbid")

    phases: list[PhaseInput] = Field(max_length=100)


class NonWorkingDays(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    days: list[PlatformDate] = Field(min_length=1, max_length=120)
    reason: str = Field(min_length=2, max_length=200)


class AttendancePolicy(BaseModel):
    """Art. 26, 47: what happens to a check-in with spoofing signals on this project."""

    model_config = ConfigDict(extra="forbid")

    spoofing: Literal["flag", "block"]


class DeviceChange(BaseModel):
    """The owner approves that a person checks in from a new phone."""

    model_config = ConfigDict(extra="forbid")

    person_id: str = Field(min_length=1, max_length=64)
    device_id: str = Field(min_length=4, max_length=128)
    platform: Literal["android", "ios", "harmonyos", "other"]


# --- answers ---------------------------------------------------------------------------------------------------

CheckinOutcome = Literal["accepted", "flagged", "rejected"]
RejectionReason = Literal["not_on_roster", "project_suspended", "project_not_in_construction", "accuracy_too_low",
                          "outside_site", "too_soon", "suspected_spoofing"]
RiskSignal = Literal["mock_location", "unbound_device", "shared_device", "impossible_travel", "clock_skew",
                     "repeated_coordinates"]


class CheckinView(View):
    id: str
    project_id: str
    outcome: CheckinOutcome = Field(description="accepted; flagged (accepted, with risk signals); rejected.")
    reason: RejectionReason | None = Field(description="Why a check-in was rejected (Art. 26, 35, 47).")
    flags: list[RiskSignal] = Field(description="The risk signals raised (Art. 47).")
    recorded_at: Timestamp = Field(description="By the server's clock, never the phone's.")
    local_day: Day = Field(description="The day in the district (UTC+08:00) it counts for.")


class CheckinDecision(CheckinView):
    """The decision on a check-in. A retry with the same client_request_id answers the check-in
    recorded the first time."""

    status: CheckinOutcome = Field(description="The outcome again, so that a client reads one field whether "
                                               "the check-in is pending or decided.")
    distance_outside_m: float | None = Field(None, description="Metres outside the site's boundary; 0 inside.")


class CheckinPending(View):
    """A check-in the broker holds and the attendance service has not decided yet."""

    id: str
    status: Literal["pending"]
    status_url: str = Field(description="GET it for the decision.")
    received_at: Timestamp | None = Field(None, description="When the gateway received it (the time the rules "
                                                            "judge); absent on a later look-up.")


class MissingStreakView(View):
    start: Day
    end: Day
    days: int


class MonthView(View):
    """One person's month on one project so far (Art. 26, 42): valid days ÷ construction days,
    without suspension days, non-working days and approved leave."""

    person_id: str
    project_id: str
    valid_days: list[Day]
    valid_day_count: int
    construction_days: int
    leave_days: list[Day]
    rate: float | None = Field(description="Null without construction days.")
    meets_threshold: bool
    threshold: float
    missing_streaks: list[MissingStreakView]
    flagged_checkins: int


class MyMonthView(MonthView):
    checkins: list[CheckinView]


class PersonMonthView(MonthView):
    firm_id: str
    post: Post


class ProjectAttendanceView(View):
    project_id: str
    month: Month
    status: ProjectStatus
    people: list[PersonMonthView]


class PositionView(View):
    recorded_at: Timestamp
    lat: float | None
    lng: float | None
    accuracy_m: float | None
    outcome: CheckinOutcome
    flags: list[RiskSignal]


class AttendanceWarningView(View):
    warning_id: str
    rule_id: str
    person_id: str | None
    raised_at: Timestamp
    detail: dict[str, Any] = Field(description="The figures of the warning (days, rate, …).")


class LeaveView(View):
    """A leave request (Art. 26) and the owner's decision."""

    id: str
    project_id: str
    person_id: str
    start_date: Day
    end_date: Day
    reason: str
    document_file_ids: list[str]
    status: Literal["pending", "approved", "refused"]
    requested_at: Timestamp
    decided_by: str | None
    decided_at: Timestamp | None
    decision_note: str | None
    approval_file_ids: list[str]


class PatrolResult(View):
    id: str
    valid: bool
    reason: Literal["too_few_points", "not_in_time_order", "off_site", "too_short"] | None
    duration_minutes: float
    on_site_points: int


class PhaseView(View):
    post: Literal["technical_lead", "specialist_engineer"]
    start: Day
    end: Day


class PhasesView(View):
    project_id: str
    phases: list[PhaseView]


class NonWorkingDaysView(View):
    project_id: str
    days: list[Day] = Field(description="Every non-working day of the project declared so far.")


class PolicyView(View):
    project_id: str
    spoofing: Literal["flag", "block"]


class DeviceBindingView(View):
    person_id: str
    device_id: str
    bound_at: Timestamp
