from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from common import events
from common.events import (
    EVENT_TYPES,
    WARNING_EVENTS,
    AttendanceWarningRaised,
    Event,
    ProjectRegistered,
    UnitRegistered,
    WarningRaised,
    parse_event,
)

SERVICES = {"workflow", "attendance", "complaints", "scoring", "notification"}
T0 = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_every_event_names_its_source_and_type(event_type):
    cls = EVENT_TYPES[event_type]
    assert issubclass(cls, Event)
    assert cls.event_type == event_type
    assert cls.source in SERVICES
    # <thing>.<past tense>
    assert re.fullmatch(r"[a-z_]+\.[a-z_]+", event_type), event_type
    _thing, happened = event_type.split(".")
    assert happened.endswith("ed"), event_type


@pytest.mark.parametrize("source", sorted(WARNING_EVENTS))
def test_every_warning_event_names_its_source(source):
    cls = WARNING_EVENTS[source]
    assert issubclass(cls, WarningRaised)
    assert cls.source == source
    assert source in SERVICES
    assert cls.event_type == "warning.raised"


def test_every_concrete_event_class_is_in_the_catalogue():
    defined = {
        cls for cls in vars(events).values()
        if isinstance(cls, type) and issubclass(cls, Event) and getattr(cls, "source", None)
    }
    catalogue = set(EVENT_TYPES.values()) | set(WARNING_EVENTS.values())
    assert defined == catalogue
    # No two classes share an event type, apart from the per-source warnings.
    assert len(EVENT_TYPES) + len(WARNING_EVENTS) == len(defined)


def test_parse_event_validates_into_the_class():
    event = UnitRegistered(occurred_at=T0, unit_id="u1", kind="construction", name="Build Co.")
    parsed = parse_event("unit.registered", event.model_dump(mode="json"))
    assert type(parsed) is UnitRegistered
    assert parsed == event
    assert parsed.schema_version == 1
    assert isinstance(parsed.event_id, uuid.UUID)


def test_parse_event_round_trips_a_rich_payload():
    event = ProjectRegistered(
        occurred_at=T0, project_id="p1", name="Bridge", industry="transport", kind="government",
        contract_amount=Decimal("1234567.89"), below_threshold=False,
        geofence={"center": (30.0, 120.8), "radius_m": 300.0},
        planned_start=date(2026, 4, 1), planned_end=date(2027, 4, 1), intake="tender", status="registered",
    )
    parsed = parse_event("project.registered", event.model_dump(mode="json"))
    assert parsed == event
    assert parsed.contract_amount == Decimal("1234567.89")
    assert parsed.geofence.center == (30.0, 120.8)


def test_event_ids_are_unique_by_default():
    first = UnitRegistered(occurred_at=T0, unit_id="u1", kind="k", name="n")
    second = UnitRegistered(occurred_at=T0, unit_id="u1", kind="k", name="n")
    assert first.event_id != second.event_id


def test_parse_event_refuses_a_missing_field():
    with pytest.raises(ValidationError, match="unit_id"):
        parse_event("unit.registered", {"occurred_at": "2026-03-01T16:30:00Z", "kind": "k", "name": "n"})


def test_extra_fields_are_refused():
    with pytest.raises(ValidationError, match="colour"):
        parse_event("unit.registered",
                    {"occurred_at": "2026-03-01T16:30:00Z", "unit_id": "u1", "kind": "k", "name": "n", "colour": "red"})


def test_occurred_at_must_be_aware():
    with pytest.raises(ValidationError, match="occurred_at"):
        parse_event("unit.registered",
                    {"occurred_at": "2026-03-01T16:30:00", "unit_id": "u1", "kind": "k", "name": "n"})
    with pytest.raises(ValidationError):
        UnitRegistered(occurred_at=datetime(2026, 3, 1, 16, 30), unit_id="u1", kind="k", name="n")


def test_literal_fields_are_checked():
    with pytest.raises(ValidationError, match="portal"):
        parse_event("user.registered",
                    {"occurred_at": "2026-03-01T16:30:00Z", "user_id": "u1", "name": "n", "portal": "email"})


def test_events_are_frozen():
    event = UnitRegistered(occurred_at=T0, unit_id="u1", kind="k", name="n")
    with pytest.raises(ValidationError):
        event.unit_id = "u2"


def test_parse_event_picks_the_warning_class_of_the_source():
    warning = AttendanceWarningRaised(
        occurred_at=T0, warning_id="w1", rule_id="checkin.gap", article="Art. 26", project_id="p1",
        person_id="u9", must_act="owner", summary="no check-in for 2 days", detail={"days": 2},
    )
    parsed = parse_event("warning.raised", warning.model_dump(mode="json"), source="attendance")
    assert type(parsed) is AttendanceWarningRaised
    assert parsed == warning
