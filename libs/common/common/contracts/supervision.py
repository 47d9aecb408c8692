"""Requests of the supervision records (Art. 22–23, 45–46) and of subcontracts (Art. 36)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from common.contracts.registry import CREDIT_CODE_PATTERN
from common.contracts.types import Day, PlatformDate, Timestamp, View, Yuan

Id = Annotated[str, Field(min_length=1, max_length=64)]


class SupervisionRecordRequest(BaseModel):
    """A supervision log (``kind`` "log", one per project and day) or a stand-by record (``kind``
    "standby": the key part or process the supervisor stood by, with the signed record or
    photos; several a day), both uploaded by the supervisor (Art. 23)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    project_id: Id
    kind: Literal["log", "standby"] = "log"
    log_date: PlatformDate = Field(description="The district calendar day the record is of; not in the future.")
    weather: str | None = Field(None, max_length=100)
    part: str | None = Field(None, min_length=1, max_length=200, validate_default=True,
                             description="Stand-by records only: the key part or process stood by (旁站部位/工序).")
    content: str = Field(min_length=2, max_length=8000)
    file_ids: list[Id] = Field(default_factory=list, max_length=50)

    @field_validator("part")
    @classmethod
    def _part_belongs_to_standby(cls, part: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("kind")
        if kind == "standby" and part is None:
            raise ValueError("a stand-by record names the part or process stood by")
        if kind == "log" and part is not None:
            raise ValueError("a log covers the whole day; part is for stand-by records")
        return part


class SupervisionNoticeRequest(BaseModel):
    """A supervision notice (监理通知单, Art. 45): what to rectify and within how many days."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    project_id: Id
    contractor_unit_id: Id | None = Field(None, description="Needed only when the project has several contractors.")
    subject: str = Field(min_length=2, max_length=200)
    requirement: str = Field(min_length=2, max_length=8000)
    rectify_within_days: int = Field(ge=1, le=90)
    file_ids: list[Id] = Field(default_factory=list, max_length=50)


class RectificationRequest(BaseModel):
    """The contractor's online answer to a notice (Art. 22): what was done, with evidence."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    description: str = Field(min_length=2, max_length=8000)
    file_ids: list[Id] = Field(min_length=1, max_length=50)


class VerificationRequest(BaseModel):
    """The supervisor's verdict on a rectification: accepted closes the notice, rejected
    reopens it for another rectification while its deadline keeps running."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    verdict: Literal["accepted", "rejected"]
    note: str = Field(min_length=2, max_length=4000)


class EscalationRequest(BaseModel):
    """Art. 45: the supervisor reports a contractor refusing to rectify."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: str = Field(min_length=2, max_length=4000)


class SubcontractRequest(BaseModel):
    """Art. 36: a subcontract the main contract allows, with its scope and subcontractor."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    project_id: Id
    subcontractor_name: str = Field(min_length=2, max_length=200)
    subcontractor_credit_code: str = Field(pattern=CREDIT_CODE_PATTERN, description="统一社会信用代码")
    scope: str = Field(min_length=2, max_length=4000)
    contract_file_id: Id
    amount: Decimal | None = Field(None, gt=0, max_digits=16, decimal_places=2, description="Yuan.")


# --- answers ---------------------------------------------------------------------------------------------------


class SupervisionRecordView(View):
    """A supervision log (one per project and day) or a stand-by record (Art. 22–23, 46)."""

    id: str
    project_id: str
    kind: Literal["log", "standby"]
    log_date: Day
    weather: str | None
    part: str | None = Field(description="The key part or process stood by.")
    content: str
    file_ids: list[str]
    supervisor_unit_id: str
    recorded_by: str
    recorded_at: Timestamp


class RectificationView(View):
    description: str
    file_ids: list[str]
    submitted_by: str
    submitted_at: Timestamp
    verdict: Literal["accepted", "rejected"] | None
    verdict_note: str | None
    verified_by: str | None
    verified_at: Timestamp | None


class SupervisionNoticeView(View):
    """A supervision notice and the contractor's rounds of rectification (Art. 45)."""

    id: str
    project_id: str
    supervisor_unit_id: str
    contractor_unit_id: str
    subject: str
    requirement: str
    rectify_within_days: int
    file_ids: list[str]
    status: Literal["awaiting_rectification", "awaiting_verification", "rectified"]
    issued_by: str
    issued_at: Timestamp
    closed_at: Timestamp | None
    escalated_by: str | None
    escalated_at: Timestamp | None
    escalation_note: str | None
    rectifications: list[RectificationView]


class SupervisionRecordsView(View):
    logs: list[SupervisionRecordView]
    standby_records: list[SupervisionRecordView]
    notices: list[SupervisionNoticeView]


class SubcontractView(View):
    """A subcontract uploaded by the contractor (Art. 36)."""

    id: str
    project_id: str
    contractor_unit_id: str
    subcontractor_name: str
    subcontractor_credit_code: str
    scope: str
    contract_file_id: str
    amount: Yuan | None
    registered_by: str
    registered_at: Timestamp
