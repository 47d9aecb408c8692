"""Requests of the project processes run by the workflow service: completion acceptance
(Art. 31) and settlement audit (Art. 32)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from common.contracts.types import Timestamp, View

FileIds = list[str]


class AcceptanceStart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    project_id: str = Field(min_length=1, max_length=64)
    variant: Literal["government", "village_self", "village_township"]
    note: str | None = Field(None, max_length=2000)


class AcceptanceCheck(BaseModel):
    """The supervisor's check of a government project's works (Art. 31)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    passed: bool
    opinion: str = Field(min_length=2, max_length=4000)
    file_ids: FileIds = Field(default_factory=list, max_length=50)


class AcceptanceDecision(BaseModel):
    """Acceptance records (Art. 31): the rectification opinions and the conclusion, with files."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    conclusion: str = Field(min_length=2, max_length=4000)
    rectification_opinions: str | None = Field(None, max_length=4000)
    record_file_ids: FileIds = Field(min_length=1, max_length=50)


class AcceptanceReturn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=2, max_length=4000)


class ExtensionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    days: int = Field(ge=1, le=365)
    reason: str = Field(min_length=2, max_length=4000)


class SettlementAuditSubmission(BaseModel):
    """Art. 32: the complete records handed to the settlement audit."""

    model_config = ConfigDict(extra="forbid")

    record_file_ids: FileIds = Field(min_length=1, max_length=100)


# --- answers ---------------------------------------------------------------------------------------------------

AcceptanceVariant = Literal["government", "village_self", "village_township"]
AcceptanceStatus = Literal["awaiting_check", "with_owner", "with_township", "accepted", "returned", "check_failed"]


class ExtensionApprovalView(View):
    level: Literal["supervising_unit", "industry_authority", "leading_group"]
    by: str
    at: Timestamp


class AcceptanceView(View):
    """A completion acceptance (Art. 31): started by the contractor, checked by the supervisor
    (government works), accepted or returned by the owner (or the township)."""

    id: str
    project_id: str
    variant: AcceptanceVariant
    status: AcceptanceStatus
    started_by: str | None
    started_at: Timestamp
    checked_by: str | None
    checked_at: Timestamp | None
    check_opinion: str | None
    received_at: Timestamp | None
    decided_by: str | None
    decided_at: Timestamp | None
    conclusion: str | None
    rectification_opinions: str | None
    return_reason: str | None
    record_file_ids: list[str]
    extension_days: int | None
    extension_reason: str | None
    extension_approvals: list[ExtensionApprovalView] = Field(
        description="The supervising unit, the industry authority and the leading group, in that order.")


class HoldView(View):
    since: Timestamp
    until: Timestamp | None


class DeadlineView(View):
    """A running or closed deadline of the project and the rungs (reminders, warnings) it fired."""

    id: str
    rule_id: str = Field(description="The rule, named by its article, e.g. art31.acceptance.government-small.")
    subject_type: str
    subject_id: str
    responsible_unit_id: str | None = Field(description="The unit that must act.")
    started_at: Timestamp
    status: Literal["open", "satisfied", "cancelled"]
    next_due_at: Timestamp | None
    length_days: int | None
    extension_days: int
    fired: list[str] = Field(description="The rungs already fired.")
    holds: list[HoldView] = Field(description="Its own pauses, beside the project's suspensions.")
