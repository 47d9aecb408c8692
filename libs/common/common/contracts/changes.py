"""Requests of engineering and personnel changes (Art. 27), termination (Art. 34) and
supplementary registration (Art. 33), validated by the gateway and again by the workflow
service."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from common.contracts.registry import GeofenceInput, GeofenceView, Industry, Post, ProjectKind, ProjectStatus
from common.contracts.types import Day, Month, PlatformDate, Timestamp, View, Yuan

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


# --- answers: changes (Art. 27) --------------------------------------------------------------------------------

ChangeStatus = Literal["pending", "approved", "refused", "replaced", "cancelled"]


class ChangeStepView(View):
    step: str = Field(description="owner_decision, concealed_works_rule (refused by the platform), "
                                  "owner_agreement, supervising_unit_agreement, industry_review, industry_filing.")
    decision: Literal["approve", "refuse"]
    unit_id: str | None = Field(description="The deciding unit; null when the platform's rule refused.")
    decided_by: str | None
    decided_at: Timestamp
    note: str | None
    file_ids: list[str]


class EngineeringChangeView(View):
    """An engineering change raised by the contractor and decided by the owner (Art. 27(1))."""

    id: str
    kind: Literal["engineering"]
    project_id: str
    status: ChangeStatus
    contractor_id: str
    raised_by: str
    raised_at: Timestamp
    description: str
    reason: str
    affected_part: str
    touches_concealed_works: bool
    planned_on: Day | None
    executed_on: Day | None
    after_the_fact: bool = Field(description="Carried out before its approval: flagged for audit.")
    file_ids: list[str]
    steps: list[ChangeStepView]
    closed_at: Timestamp | None


class SocialInsuranceRecordView(View):
    month: Month
    file_id: str


class PenaltyView(View):
    amount_yuan: Yuan
    note: str | None
    recorded_by: str | None
    recorded_at: Timestamp


class PersonnelChangeView(View):
    """A key person's replacement (Art. 27(2)), agreed and reviewed or filed along its path."""

    id: str
    kind: Literal["personnel"]
    project_id: str
    status: ChangeStatus
    firm_id: str
    post: Post
    replaced_user_id: str
    replacement_user_id: str
    raised_by: str
    raised_at: Timestamp
    reason: str
    for_illness: bool
    illness_certificate_file_id: str | None = Field(
        description="Shown to the government staff who decide and to the firm that asked; null to others.")
    recovery_until: Day | None
    qualification_file_ids: list[str]
    social_insurance_records: list[SocialInsuranceRecordView]
    approval_path: list[list[str]] = Field(description="The steps, stage by stage, this post's change takes.")
    open_steps: list[str] = Field(description="The steps that may be taken now (empty unless pending).")
    steps: list[ChangeStepView]
    approval_form_file_id: str | None
    replaced_by: str | None
    replaced_at: Timestamp | None
    penalty: PenaltyView | None
    closed_at: Timestamp | None


ChangeView = Annotated[EngineeringChangeView | PersonnelChangeView, Field(discriminator="kind")]


# --- answers: termination (Art. 34) and supplementary registration (Art. 33) -------------------------------------


class TerminationView(View):
    project_id: str
    reason: str
    report_file_id: str
    status_before: ProjectStatus
    terminated_by: str
    terminated_at: Timestamp


class SupplementaryProjectView(View):
    name: str
    industry: Industry
    kind: ProjectKind
    contract_amount: Yuan
    below_threshold: bool
    geofence: GeofenceView
    planned_start: Day
    planned_end: Day


class SupplementaryDecisionView(View):
    decision: Literal["approve", "refuse"]
    decided_by: str | None
    decided_at: Timestamp
    note: str | None
    file_ids: list[str]


class SupplementaryRegistrationView(View):
    id: str
    status: Literal["pending", "approved", "refused"]
    project: SupplementaryProjectView
    owner_id: str
    supervising_unit_id: str
    requested_by: str
    requested_at: Timestamp
    reason: str
    record_file_ids: list[str]
    decision: SupplementaryDecisionView | None
    project_id: str | None = Field(description="The project created on approval.")
