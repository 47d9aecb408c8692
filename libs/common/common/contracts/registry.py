"""The workflow service's public contract: the kinds, posts and industries of the organisation
tree and the requests that change the registry. The gateway uses these models for its
OpenAPI document and first validation; the workflow service validates again with the same."""

from __future__ import annotations

import math
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from common.contracts.types import Day, PlatformDate, PlatformDateTime, Timestamp, View, Yuan


class UnitKind(StrEnum):
    LEADING_GROUP = "leading_group"
    INDUSTRY_AUTHORITY = "industry_authority"
    SUPERVISING_UNIT = "supervising_unit"
    LINE = "line"
    OWNER = "owner"
    CONTRACTOR = "contractor"
    SUPERVISOR = "supervisor"
    DESIGNER = "designer"
    SURVEYOR = "surveyor"
    COST_CONSULTANT = "cost_consultant"
    TESTER = "tester"
    TENDER_AGENT = "tender_agent"
    DISCIPLINE = "discipline"
    AUDIT = "audit"


class Industry(StrEnum):
    HOUSING = "housing"
    MUNICIPAL = "municipal"
    LANDSCAPING = "landscaping"
    TRANSPORT = "transport"
    WATER = "water"
    AGRICULTURE = "agriculture"
    OTHER = "other"


class Post(StrEnum):
    CHIEF = "chief"  # 总管: the unit's platform administrator (Art. 16–20)
    STAFF = "staff"
    COMPLAINT_INTAKE = "complaint_intake"  # 受理员: the leading group's intake of complaints and clues (Art. 30)
    LINE_HEAD = "line_head"  # 条线主管 (Art. 19)
    OWNER_PROJECT_LEAD = "owner_project_lead"  # 建设单位项目负责人 (Art. 20–21)
    PROJECT_MANAGER = "project_manager"  # 施工项目负责人 (Art. 26)
    TECHNICAL_LEAD = "technical_lead"
    SAFETY_OFFICER = "safety_officer"
    CHIEF_ENGINEER = "chief_engineer"  # 总监理工程师 (Art. 26)
    SPECIALIST_ENGINEER = "specialist_engineer"
    INSPECTOR = "inspector"


class Intake(StrEnum):
    TENDER_AWARD = "tender_award"  # registered by the back office after award (Art. 12)
    DIRECT_AWARD = "direct_award"  # entered by the owner's project lead (Art. 21)
    EMERGENCY = "emergency"  # emergency works entered by the owner's project lead (Art. 21)
    SUPPLEMENTARY = "supplementary"  # never registered; approved by the supervising unit (Art. 33)


class AssignmentLevel(StrEnum):
    SUPERVISING_UNIT = "supervising_unit"
    LINE = "line"
    OWNER = "owner"
    OWNER_PROJECT_LEAD = "owner_project_lead"


# --- requests: organisation -----------------------------------------------------------------------------------

# 统一社会信用代码: 18 characters of digits and capital letters except I, O, S, V, Z.
CREDIT_CODE_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"


class UnitRegistration(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: UnitKind
    name: str = Field(min_length=1, max_length=200)
    parent_id: str | None = Field(None, max_length=64)
    industry: Industry | None = None
    credit_code: str | None = Field(None, pattern=CREDIT_CODE_PATTERN)


class UserRegistration(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100)
    portal: str = Field(pattern="^(zzd|zlb)$")
    phone: str | None = Field(None, pattern=r"^1\d{10}$")
    id_card: str | None = Field(None, pattern=r"^\d{17}[\dX]$")
    zzd_account_id: str | None = Field(None, min_length=1, max_length=64)
    zlb_user_id: str | None = Field(None, min_length=1, max_length=64)

    @model_validator(mode="after")
    def _one_portal_identity(self) -> UserRegistration:
        # A user logs in on one portal only: the other portal's identity would let a ZLB ticket
        # open the government face.
        other = self.zlb_user_id if self.portal == "zzd" else self.zzd_account_id
        if other is not None:
            raise ValueError(f"a {self.portal.upper()} user has no identity on the other portal")
        return self


class PostGrant(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_id: str = Field(min_length=1, max_length=64)
    post: Post


# --- requests: projects -----------------------------------------------------------------------------------

LatLng = tuple[float, float]


class GeofenceInput(BaseModel):
    """A site boundary: a polygon of [lat, lng] vertices, or a centre and radius in metres."""

    model_config = ConfigDict(extra="forbid")

    polygon: list[LatLng] | None = Field(None, min_length=3, max_length=500)
    center: LatLng | None = None
    radius_m: float | None = Field(None, gt=0, le=20000)

    @model_validator(mode="after")
    def _one_shape(self) -> GeofenceInput:
        points = list(self.polygon or []) + ([self.center] if self.center else [])
        for lat, lng in points:
            if not (-90 <= lat <= 90 and -180 <= lng <= 180):
                raise ValueError("latitude must lie in [-90, 90] and longitude in [-180, 180]")
        if self.polygon is not None:
            if self.center is not None or self.radius_m is not None:
                raise ValueError("give a polygon or a centre with a radius, not both")
            if _polygon_area_m2(self.polygon) < 1:
                raise ValueError("the polygon encloses no area")
        elif self.center is None or self.radius_m is None:
            raise ValueError("give a polygon, or a centre together with radius_m")
        return self


def _polygon_area_m2(points: list[LatLng]) -> float:
    """Approximate area on a local plane; only used to refuse degenerate polygons."""
    lat0 = math.radians(sum(lat for lat, _ in points) / len(points))
    xy = [(math.radians(lng) * 6371000 * math.cos(lat0), math.radians(lat) * 6371000) for lat, lng in points]
    area = 0.0
    for (x1, y1), (x2, y2) in zip(xy, xy[1:] + xy[:1], strict=True):
        area += x1 * y2 - x2 * y1
    return abs(area) / 2


class ProjectRegistration(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    industry: Industry
    kind: Literal["government", "village"]
    contract_amount: Decimal = Field(gt=0, max_digits=16, decimal_places=2, description="yuan")
    below_threshold: bool = Field(description="Small works below the tender threshold (限额以下, Art. 26).")
    geofence: GeofenceInput
    planned_start: PlatformDate
    planned_end: PlatformDate
    intake: Intake = Intake.TENDER_AWARD

    @model_validator(mode="after")
    def _dates_in_order(self) -> ProjectRegistration:
        if self.planned_end < self.planned_start:
            raise ValueError("planned_end comes before planned_start")
        if self.intake == Intake.SUPPLEMENTARY:
            raise ValueError("a project never registered comes through a supplementary registration (Art. 33)")
        return self


class AssignmentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    level: AssignmentLevel
    target_id: str = Field(min_length=1, max_length=64)


class ParticipantRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_id: str = Field(min_length=1, max_length=64)
    role: UnitKind
    contract_file_id: str = Field(min_length=1, max_length=64, description="The signed contract (Art. 24).")


class PersonnelRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: str = Field(min_length=1, max_length=64)
    post: Post




class SuspensionRequest(BaseModel):
    """Art. 35: declared by the owner on the day, with its start time and reason."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    since: PlatformDateTime
    reason: str = Field(min_length=2, max_length=1000)


# --- answers: organisation (Art. 16–20) ----------------------------------------------------------------------

Portal = Literal["zzd", "zlb"]
ProjectStatus = Literal["awarded", "in_construction", "completion_acceptance", "final_acceptance",
                        "settlement_audit", "funds_paid", "deposit_returned", "suspended", "terminated"]
ProjectKind = Literal["government", "village"]


class UnitView(View):
    id: str
    kind: UnitKind
    name: str
    parent_id: str | None
    industry: Industry | None
    credit_code: str | None = Field(description="统一社会信用代码 of a firm.")
    portal: Portal = Field(description="The portal its staff use: government units ZZD, firms ZLB.")


class PostHeld(View):
    unit_id: str
    post: Post


class UserView(View):
    id: str
    name: str
    portal: Portal
    phone: str | None = Field(description="Masked unless the caller is the person or the back office.")
    id_card: str | None = Field(description="Masked unless the caller is the person or the back office.")
    posts: list[PostHeld]


# --- answers: projects (Art. 12, 18–21, 24–25, 35) -------------------------------------------------------------


class GeofenceView(View):
    """The site boundary as registered: a polygon, or a centre and radius."""

    polygon: list[tuple[float, float]] | None = None
    center: tuple[float, float] | None = None
    radius_m: float | None = None


class AssignmentsView(View):
    """Who holds the project at each level of the chain (Art. 18–20); null until assigned."""

    supervising_unit: str | None
    line: str | None
    owner: str | None
    owner_project_lead: str | None


class ParticipantView(View):
    unit_id: str
    role: UnitKind
    contract_file_id: str
    added_at: Timestamp


class PersonnelView(View):
    user_id: str
    name: str
    unit_id: str
    post: Post
    assigned_at: Timestamp


class SuspensionView(View):
    since: Timestamp
    until: Timestamp | None = Field(description="Null while the project is suspended.")
    reason: str


class ProjectView(View):
    id: str
    name: str
    industry: Industry
    kind: ProjectKind
    contract_amount: Yuan
    below_threshold: bool
    geofence: GeofenceView
    planned_start: Day
    planned_end: Day
    intake: Intake
    status: ProjectStatus
    assignments: AssignmentsView
    participants: list[ParticipantView]
    personnel: list[PersonnelView] = Field(description="The key people in post now (Art. 21, 26).")
    construction_started_on: Day | None
    suspensions: list[SuspensionView]
    acceptance_window_days: int = Field(description="Days the owner has for the completion acceptance "
                                                           "(Art. 31).")
    settlement_audit_window_days: int = Field(description="Days after the acceptance by which the "
                                                                 "settlement audit's records are due (Art. 32).")
    registered_at: Timestamp


class PublicProjectView(View):
    """What the public window tells of a project: enough to name it, nothing about its people."""

    id: str
    name: str
    industry: Industry
    kind: ProjectKind
    status: ProjectStatus
    planned_start: Day
    planned_end: Day


class FileView(View):
    id: str
    sha256: str
    size: int
    content_type: str
    filename: str
    uploaded_by: str | None
    uploaded_at: Timestamp
