"""The attendance service's public contract: the requests of the check-in, leave, patrol and
owner settings routes (Art. 26, 35, 42, 47)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from common.contracts.registry import Post
from common.contracts.types import PlatformDate, PlatformDateTime

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

    project_id: str = Field(min_length=1, max_length=64)
    lat: float = Latitude
    lng: float = Longitude
    accuracy_m: float = Field(gt=0, le=100000)
    client_time: PlatformDateTime
    client_request_id: str = Field(min_length=8, max_length=64, description="The same id on a retry.")
    device: Device


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
