"""Every event of the platform: past-tense facts, each a pydantic model.

An event is published on its source service's nameko event exchange (``<source>.events``)
with its ``event_type`` as routing key and ``model_dump(mode="json")`` as body. Handlers
validate what they receive with :func:`parse_event`. Adding a field with a default keeps
``schema_version``; removing or changing one raises it.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: ClassVar[str]
    event_type: ClassVar[str]

    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    occurred_at: AwareDatetime
    schema_version: int = 1


# --- workflow: the organisation tree and the project registry -------------------------------


class UnitRegistered(Event):
    source: ClassVar[str] = "workflow"
    event_type: ClassVar[str] = "unit.registered"

    unit_id: str
    kind: str
    name: str
    parent_id: str | None = None
    industry: str | None = None


class UserRegistered(Event):
    source: ClassVar[str] = "workflow"
    event_type: ClassVar[str] = "user.registered"

    user_id: str
    name: str
    portal: Literal["zzd", "zlb"]


class PostGranted(Event):
    """A user took a post (岗位) in a unit."""

    source: ClassVar[str] = "workflow"
    event_type: ClassVar[str] = "post.granted"

    user_id: str
    unit_id: str
    post: str


class Geofence(BaseModel):
    """A site boundary: a polygon of (lat, lng) vertices, or a centre and a radius."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    polygon: list[tuple[float, float]] | None = None
    center: tuple[float, float] | None = None
    radius_m: float | None = None


class ProjectRegistered(Event):
    source: ClassVar[str] = "workflow"
    event_type: ClassVar[str] = "project.registered"

    project_id: str
    name: str
    industry: str
    kind: Literal["government", "village"]
    contract_amount: Decimal
    below_threshold: bool
    geofence: Geofence
    planned_start: date
    planned_end: date
    intake: str
    status: str


class ProjectAssigned(Event):
    """One step of the assignment chain (Art. 12, 18–20)."""

    source: ClassVar[str] = "workflow"
    event_type: ClassVar[str] = "project.assigned"

    project_id: str
    level: Literal["supervising_unit", "line", "owner", "owner_project_lead"]
    target_id: str
    assigned_by: str


class ParticipantAdded(Event):
    """A participating firm registered on a project with its contract (Art. 21, 24)."""

    source: ClassVar[str] = "workflow"
    event_type: ClassVar[str] = "participant.added"

    project_id: str
    unit_id: str
    role: str
    contract_file_id: str


class PersonnelAssigned(Event):
    """A key person put on a post of a project (Art. 21, 26)."""

    source: ClassVar[str] = "workflow"
    event_type: ClassVar[str] = "personnel.assigned"

    project_id: str
    user_id: str
    unit_id: str
    post: str


EVENT_TYPES: dict[str, type[Event]] = {
    cls.event_type: cls
    for cls in (
        UnitRegistered,
        UserRegistered,
        PostGranted,
        ProjectRegistered,
        ProjectAssigned,
        ParticipantAdded,
        PersonnelAssigned,
    )
}


def parse_event(event_type: str, payload: dict) -> Event:
    """Validate a received payload against its contract."""
    return EVENT_TYPES[event_type].model_validate(payload)
