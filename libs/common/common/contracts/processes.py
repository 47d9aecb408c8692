"""Requests of the project processes run by the workflow service: completion acceptance
(Art. 31) and settlement audit (Art. 32)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

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
