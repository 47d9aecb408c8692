"""Requests of engineering and personnel changes (Art. 27), termination (Art. 34) and
supplementary registration (Art. 33), validated by the gateway and again by the workflow
service."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from common.contracts.registry import GeofenceInput, Industry, Post
from common.contracts.types import PlatformDate

FileId = Annotated[str, Field(min_length=1, max_length=64)]
UserId = Annotated[str, Field(min_length=1, max_length=64)]


class EngineeringChangeRequest(BaseModel):
    """Art. 27(1): the contractor raises an engineering change, to be approved before it is
    carried out. A change already carried out states ``executed_on``: it is recorded, and one
    carried out before today is flagged as after the fact."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: Literal["engineering"]
    project_id: str = Field(min_length=1, max_length=64)
    description: str = Field(min_length=2, max_length=4000, description="What changes.")
    reason: str = Field(min_length=2, max_length=4000)
    affected_part: str = Field(min_length=1, max_length=500, description="The part of the works it changes.")
    touches_concealed_works: bool = Field(description="Concealed works may in principle not be changed (Art. 27).")
    planned_on: PlatformDate | None = Field(None, description="The day the change is to be carried out.")
    executed_on: PlatformDate | None = Field(None, description="The day it was carried out, if it already was.")
    file_ids: list[FileId] = Field(default_factory=list, max_length=50, description="Drawings, quantities, photos.")

    @model_validator(mode="after")
    def _when(self) -> EngineeringChangeRequest:
        if self.planned_on is None and self.executed_on is None:
            raise ValueError("give planned_on, or executed_on for a change already carried out")
        return self


class SocialInsuranceRecord(BaseModel):
    """One month of the replacement's social-insurance record (Art. 27(2): 近3个月社保)."""

    model_config = ConfigDict(extra="forbid")

    month: str = Field(pattern=r"^(20\d\d|2100)-(0[1-9]|1[0-2])$", description="YYYY-MM")
    file_id: FileId


class PersonnelChangeRequest(BaseModel):
    """Art. 27(2): the firm replacing one of its key people raises the change online with the
    reason and the replacement's materials. The materials are optional here so that one answer
    names every kind that is missing."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: Literal["personnel"]
    project_id: str = Field(min_length=1, max_length=64)
    post: Post
    replaced_user_id: UserId = Field(description="The person who leaves the post.")
    replacement_user_id: UserId = Field(description="The person who takes it: same post, same firm.")
    reason: str = Field(min_length=2, max_length=4000)
    for_illness: bool = Field(False, description="Replaced for illness: needs a district-level hospital's "
                                                 "certificate and the recovery period.")
    illness_certificate_file_id: FileId | None = None
    recovery_until: PlatformDate | None = Field(None, description="End of the stated recovery period; the person "
                                                                  "may not be named on a bid until then.")
    qualification_file_ids: list[FileId] = Field(default_factory=list, max_length=20)
    social_insurance_records: list[SocialInsuranceRecord] = Field(default_factory=list, max_length=24)

    @model_validator(mode="after")
    def _illness_fields_only_for_illness(self) -> PersonnelChangeRequest:
        if not self.for_illness and (self.illness_certificate_file_id or self.recovery_until):
            raise ValueError("a certificate and a recovery period go with a change for illness only")
        return self


ChangeRequest = Annotated[EngineeringChangeRequest | PersonnelChangeRequest, Field(discriminator="kind")]


class Decision(BaseModel):
    """A decision on a request: an approval (an agreement, a review, a filing) or a refusal,
    which gives its reason."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    decision: Literal["approve", "refuse"]
    note: str | None = Field(None, max_length=4000)
    file_ids: list[FileId] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _refusal_gives_reason(self) -> Decision:
        if self.decision == "refuse" and not self.note:
            raise ValueError("a refusal gives its reason in note")
        return self


class ApprovalFormUpload(BaseModel):
    """Art. 27(2): the offline approval form (变更审批表) the owner's project lead uploads."""

    model_config = ConfigDict(extra="forbid")

    file_id: FileId


class PenaltyRecord(BaseModel):
    """Art. 27(2), 41: the contractual penalty the owner imposes for the replacement."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    amount_yuan: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    note: str = Field(min_length=2, max_length=4000, description="The contract clause and what was decided.")


class TerminationRequest(BaseModel):
    """Art. 34: the owner terminates a project with a written report of the reason."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=2, max_length=4000)
    report_file_id: FileId


class SupplementaryProject(BaseModel):
    """The project a supplementary registration puts on the platform (as ProjectRegistration,
    the intake being implied)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    industry: Industry
    kind: Literal["government", "village"]
    contract_amount: Decimal = Field(gt=0, max_digits=16, decimal_places=2, description="yuan")
    below_threshold: bool
    geofence: GeofenceInput
    planned_start: PlatformDate
    planned_end: PlatformDate

    @model_validator(mode="after")
    def _dates_in_order(self) -> SupplementaryProject:
        if self.planned_end < self.planned_start:
            raise ValueError("planned_end comes before planned_start")
        return self


class SupplementaryRegistrationRequest(SupplementaryProject):
    """Art. 33: the owner's request to put a project never registered on the platform (项目资料
    补全申请书), addressed to its supervising unit."""

    supervising_unit_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=2, max_length=4000, description="Why the project was never registered.")
    record_file_ids: list[FileId] = Field(min_length=1, max_length=100, description="The signed request form "
                                                                                    "and the project's records.")
