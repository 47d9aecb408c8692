"""Cases (Art. 8, 10–13, 29–30, 49): a platform warning, a public complaint or a problem clue,
disposed of down the four-level chain. The requests of the complaint window, of Open311 and of
the government face, and the answers of the complaints service.

What the public sees of a complaint (:class:`PublicComplaintStatus`) never names who complained
nor who handled it inside; who complained (:class:`Complainant`) is read only by the back
office's intake and discipline inspection."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic.json_schema import SkipJsonSchema

from common.contracts.types import Timestamp, View

Id = Annotated[str, Field(min_length=1, max_length=64)]

# The complaint categories, which are also the Open311 services (service_code).
ComplaintCategory = Literal["quality", "safety", "attendance", "wages", "environment", "contract", "discipline",
                            "other"]
CATEGORY_NAMES: dict[str, tuple[str, str]] = {
    "quality": ("工程质量", "Construction quality"),
    "safety": ("安全生产", "Site safety"),
    "attendance": ("人员到岗", "Key people absent"),
    "wages": ("拖欠工资", "Unpaid wages"),
    "environment": ("扬尘噪音", "Dust and noise"),
    "contract": ("合同违约", "Contract breach"),
    "discipline": ("涉纪问题", "Discipline"),
    "other": ("其他", "Other"),
}
CaseKind = Literal["warning", "complaint", "clue"]
CaseStatus = Literal["received", "triaged", "dispatched", "accepted", "handled", "reported", "returned",
                     "escalated", "not_ours", "closed"]
Finding = Literal["substantiated", "unsubstantiated", "withdrawn"]
PublicStatus = Literal["received", "in_progress", "closed"]
Channel = Literal["window", "open311"]
# A Chinese mobile number: 11 digits, 1 then 3–9.
MOBILE_PATTERN = r"^1[3-9]\d{9}$"


def _no_nul(value: str | None) -> str | None:
    # A form-encoded body (Open311) may carry %00, which no text column takes.
    if value is not None and "\x00" in value:
        raise ValueError("the text contains a NUL character")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]


class Location(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)


class Contact(BaseModel):
    """Who complains, kept encrypted and apart from the case (Art. 30)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Text = Field(min_length=1, max_length=50)
    phone: str = Field(pattern=MOBILE_PATTERN, description="A Chinese mobile number, 11 digits.")


class ComplaintFiling(BaseModel):
    """A complaint from the public window (Art. 30, 49): about a project, or a place (a point or
    an address; a point inside a project's site links it to that project), anonymous or with a
    name and a phone."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    project_id: Id | None = Field(None, description="The project complained about (GET /public/v1/projects).")
    address: Text | None = Field(None, min_length=1, max_length=200)
    location: Location | None = Field(None, validate_default=True,
                                      description="Where; a project or a place (a point or an address) is needed.")
    category: ComplaintCategory
    text: Text = Field(min_length=5, max_length=2000)
    photo_file_ids: list[Id] = Field(default_factory=list, max_length=9,
                                     description="Photos uploaded first by the same client: the `photo_id` of each "
                                                 "POST /public/v1/complaint-photos; each goes with one complaint.")
    media_url: Text | None = Field(None, max_length=500, pattern=r"^https?://\S+$",
                                   description="A photo elsewhere on the web (Open311's media_url).")
    anonymous: bool = False
    contact: Contact | None = Field(None, validate_default=True,
                                    description="Name and phone; required unless anonymous, refused if anonymous.")
    # Set by the gateway (the window or Open311), whatever a client sent; not part of the public schema.
    channel: SkipJsonSchema[Channel | None] = None

    @field_validator("location")
    @classmethod
    def _a_place_or_a_project(cls, location: Location | None, info: ValidationInfo) -> Location | None:
        if location is None and not info.data.get("project_id") and not info.data.get("address"):
            raise ValueError("name a project, or a place (a point or an address)")
        return location

    @field_validator("contact")
    @classmethod
    def _contact_unless_anonymous(cls, contact: Contact | None, info: ValidationInfo) -> Contact | None:
        anonymous = info.data.get("anonymous")
        if anonymous is False and contact is None:
            raise ValueError("a complaint that is not anonymous gives a name and a phone")
        if anonymous and contact is not None:
            raise ValueError("an anonymous complaint gives no name and no phone")
        return contact


class ComplaintPhotoRecord(BaseModel):
    """What the gateway tells the complaints service of a photo it took at the window and keeps in
    the file store under its SHA-256."""

    model_config = ConfigDict(extra="forbid")

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=1)
    content_type: str = Field(pattern=r"^image/[a-z0-9.+-]{1,60}$")


class CaseStepRequest(BaseModel):
    """One step of a case (Art. 10, 29–30): what was done, with files; a reply for the public; the
    unit a case is dispatched to; the finding of a report or a close; the category, discipline and
    project of a triage."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    text: Text | None = Field(None, max_length=2000)
    file_ids: list[Id] = Field(default_factory=list, max_length=20)
    public_reply: Text | None = Field(None, min_length=1, max_length=1000,
                                      description="Shown to the complainant (tracking code, Open311).")
    unit_id: Id | None = Field(None, description="dispatch: the unit the case is sent to.")
    finding: Finding | None = Field(None, description="report and close: what was found (Art. 49).")
    responsible_unit_id: Id | None = None
    responsible_person_id: Id | None = None
    category: ComplaintCategory | None = Field(None, description="triage: the category.")
    discipline: bool | None = Field(None, description="triage: concerns discipline (goes to discipline inspection "
                                                      "only, Art. 30).")
    project_id: Id | None = Field(None, description="triage: the project the case is about.")


class ClueFiling(BaseModel):
    """A suspected-problem clue (疑似问题线索, Art. 8) entered by supervising staff."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    project_id: Id | None = None
    category: ComplaintCategory
    text: Text = Field(min_length=5, max_length=2000)
    file_ids: list[Id] = Field(default_factory=list, max_length=20)


# --- answers ------------------------------------------------------------------------------------------------------


class CaseLocation(View):
    lat: float
    lng: float


class CaseHistoryItem(View):
    """One step of a case: who did it, from which unit, to whom, when, in time or late."""

    step: str
    status: CaseStatus
    at: Timestamp
    by_user_id: str | None = None
    acting_unit_id: str | None = None
    to_unit_id: str | None = None
    text: str | None = None
    file_ids: list[str] = Field(default_factory=list)
    public_reply: str | None = None
    on_time: bool | None = None


class CaseView(View):
    id: str
    kind: CaseKind
    category: str | None = None
    status: CaseStatus
    discipline: bool = False
    summary: str | None = None
    text: str | None = None
    project_id: str | None = None
    industry: str | None = None
    location: CaseLocation | None = None
    warning_id: str | None = None
    rule_id: str | None = None
    article: str | None = None
    subject_unit_id: str | None = None
    subject_unit_name: str | None = None
    subject_person_id: str | None = None
    holder_unit_id: str | None = None
    holder_unit_name: str | None = None
    due_at: Timestamp | None = None
    overdue: bool = False
    opened_at: Timestamp
    closed_at: Timestamp | None = None
    finding: Finding | None = None
    responsible_unit_id: str | None = None
    responsible_person_id: str | None = None
    complaint_count: int = 0
    history: list[CaseHistoryItem] | None = None


class ComplaintReceipt(View):
    """The answer to a complaint: the code to follow it by, which cannot be guessed."""

    tracking_code: str
    status: PublicStatus


class ComplaintPhotoReceipt(View):
    """The answer to a photo uploaded at the complaint window: the id to name in `photo_file_ids`."""

    photo_id: str


class CasePhoto(View):
    """A photo a complainant sent with a complaint of the case (the bytes: GET …/photos/{photo_id})."""

    id: str
    content_type: str
    size: int
    received_at: Timestamp


class PublicReply(View):
    at: Timestamp
    text: str


class PublicComplaintStatus(View):
    """What the complainant sees, by tracking code: progress in the public's words and the replies
    meant for the public; never who complained nor who handled it inside."""

    tracking_code: str
    status: PublicStatus
    category: str
    filed_at: Timestamp
    updated_at: Timestamp
    replies: list[PublicReply] = Field(default_factory=list)


PUBLIC_STATUS_FIELDS = tuple(PublicComplaintStatus.model_fields)


class Complainant(View):
    """Who complained (the back office's intake and discipline inspection only; every reading is
    audited)."""

    name: str | None = None
    phone: str | None = None
    anonymous: bool
    filed_at: Timestamp
    channel: Channel


class CaseComplainants(View):
    """Who complained about one case: one row per complaint linked to it (Art. 30)."""

    case_id: str
    complainants: list[Complainant]


class CountByKey(View):
    key: str | None
    count: int


class CountReport(View):
    """A statistic: one row per key (a kind, status, level, unit, industry, rule or month)."""

    by: str
    rows: list[CountByKey]


class StepTime(View):
    step: str
    median_hours: float | None
    count: int


class OnTimeShare(View):
    """A unit's steps done within their time limit (Art. 37(1))."""

    unit_id: str
    unit_name: str | None = None
    steps: int
    on_time: int
    share: float | None


# --- Open311 GeoReport v2 -----------------------------------------------------------------------------------------


class StepTimesReport(View):
    steps: list[StepTime]


class OnTimeReport(View):
    units: list[OnTimeShare]


class Open311Service(View):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: Literal["realtime", "batch", "blackbox"]
    keywords: str
    group: str


class Open311Receipt(View):
    service_request_id: str
    service_notice: str
    account_id: str | None = None


class Open311Request(View):
    service_request_id: str
    status: Literal["open", "closed"]
    status_notes: str | None = None
    service_name: str | None = None
    service_code: str
    description: str | None = None
    requested_datetime: Timestamp
    updated_datetime: Timestamp
    address: str | None = None
    lat: float | None = None
    long: float | None = None
    media_url: str | None = None
