"""Requests of the concealed-works process (隐蔽工程, Art. 28) and the EXIF a photo carries
(issue item 10), validated by the gateway and again by the workflow service."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from common.contracts.types import Day, PlatformDate, PlatformDateTime, Timestamp, View

FileIds = list[str]


class ConcealedWorkApplication(BaseModel):
    """Art. 28(1): the contractor applies within the days before the concealed work is done."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    project_id: str = Field(min_length=1, max_length=64)
    part: str = Field(min_length=2, max_length=500, description="The part of the works to be concealed.")
    planned_date: PlatformDate = Field(description="The district's calendar day the work is done.")
    important: bool = Field(description="An important part: the owner stands by in person (Art. 28).")
    file_ids: FileIds = Field(default_factory=list, max_length=50, description="Drawings or other documents.")


class InspectionPhotos(BaseModel):
    """Art. 28(2): photos before and after the work, and with a measuring scale in view."""

    model_config = ConfigDict(extra="forbid")

    before: FileIds = Field(default_factory=list, max_length=30)
    after: FileIds = Field(default_factory=list, max_length=30)
    with_scale: FileIds = Field(default_factory=list, max_length=30)


class ConcealedInspection(BaseModel):
    """Art. 28(2): the supervisor's stand-by and inspection on the day."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    result: Literal["passed", "failed"]
    note: str = Field(min_length=2, max_length=4000)
    photos: InspectionPhotos


class ConcealedReview(BaseModel):
    """Art. 28(3): the owner's review of the photos and, for important parts, its presence."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    verdict: Literal["accepted", "rejected"]
    note: str = Field(min_length=2, max_length=4000)
    owner_present: bool = False
    presence_photo_ids: FileIds = Field(default_factory=list, max_length=30)


class PhotoMetadataRecord(BaseModel):
    """What a photo's EXIF says: when it was taken and where (issue item 10)."""

    model_config = ConfigDict(extra="forbid")

    taken_at: PlatformDateTime | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)

    @model_validator(mode="after")
    def _both_coordinates_or_none(self) -> PhotoMetadataRecord:
        if (self.lat is None) != (self.lng is None):
            raise ValueError("give lat and lng together, or neither")
        return self


# --- answers ---------------------------------------------------------------------------------------------------


class ApplicationView(View):
    by: str
    at: Timestamp
    contractor_id: str
    file_ids: list[str]


class PhotoSetView(View):
    before: list[str]
    after: list[str]
    with_scale: list[str]


class PhotoFlagView(View):
    """A photo whose EXIF does not vouch for the day and the site (Art. 28)."""

    file_id: str
    kind: Literal["before", "after", "with_scale"]
    reasons: list[Literal["no_exif", "other_day", "elsewhere"]]
    taken_at: Timestamp | None
    distance_m: int | None = Field(description="Metres from the site, where the photo says where it was taken.")


class InspectionView(View):
    by: str | None
    at: Timestamp
    supervisor_id: str | None
    result: Literal["passed", "failed"] | None
    note: str | None
    photos: PhotoSetView | None
    photo_flags: list[PhotoFlagView] | None


class ReviewView(View):
    by: str | None
    at: Timestamp
    verdict: Literal["accepted", "rejected"] | None
    note: str | None
    owner_present: bool | None
    presence_photo_ids: list[str] | None


class ConcealedWorkView(View):
    """A concealed work (隐蔽工程, Art. 28): applied for, inspected on the day, reviewed by the owner."""

    id: str
    project_id: str
    part: str
    planned_date: Day
    important: bool
    status: Literal["awaiting_inspection", "awaiting_review", "reviewed"]
    application: ApplicationView
    inspection: InspectionView | None = Field(description="Null until the supervisor inspects.")
    review: ReviewView | None = Field(description="Null until the owner reviews.")
