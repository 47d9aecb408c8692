"""The registry copy the complaints, notification and scoring services keep: events in any order,
a rebuild from the workflow's snapshot, and the reads their use cases make."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from common import events, registry_copy
from common.contracts.registry import Post, UnitKind
from common.scope import project_scope

NOW = datetime(2027, 3, 1, 1, 0, tzinfo=UTC)


@pytest.fixture
def session(engine, session):
    registry_copy.registry_copy_metadata.create_all(engine)
    return session


def project_registered(project_id="p1") -> events.ProjectRegistered:
    return events.ProjectRegistered(
        occurred_at=NOW, project_id=project_id, name="上虞大道改造", industry="municipal", kind="government",
        contract_amount=Decimal("25000000"), below_threshold=False,
        geofence=events.Geofence(center=(30.0, 120.8), radius_m=300), planned_start=date(2027, 3, 1),
        planned_end=date(2028, 3, 1), intake="tender_award", status="awarded")


def test_an_assignment_before_its_registration_is_kept(session):
    registry_copy.apply_event(session, events.ProjectAssigned(
        occurred_at=NOW, project_id="p1", level="owner", target_id="owner-1", assigned_by="u"))
    assert registry_copy.placement(session, "p1") is None  # not registered yet: not a project to show
    registry_copy.apply_event(session, project_registered())
    registry_copy.apply_event(session, events.ParticipantAdded(
        occurred_at=NOW, project_id="p1", unit_id="firm-1", role="contractor", contract_file_id="f"))
    placed = registry_copy.placement(session, "p1")
    assert placed.owner_id == "owner-1"
    assert placed.industry == "municipal"
    assert placed.contract_amount == Decimal("25000000")
    assert placed.participant_unit_ids == {"firm-1"}
    assert placed.firm_of("contractor") == "firm-1"
    assert placed.firm_of("supervisor") is None


def test_the_actor_and_the_holders_of_a_unit(session):
    registry_copy.apply_event(session, events.UnitRegistered(
        occurred_at=NOW, unit_id="owner-1", kind="owner", name="区城投", parent_id=None))
    registry_copy.apply_event(session, events.UserRegistered(
        occurred_at=NOW, user_id="u1", name="李建", portal="zzd", zzd_account_id="zzd-1"))
    registry_copy.apply_event(session, events.PostGranted(occurred_at=NOW, user_id="u1", unit_id="owner-1",
                                                          post="chief"))
    # The same event delivered twice changes nothing.
    registry_copy.apply_event(session, events.PostGranted(occurred_at=NOW, user_id="u1", unit_id="owner-1",
                                                          post="chief"))
    registry_copy.apply_event(session, project_registered())
    registry_copy.apply_event(session, events.ProjectAssigned(
        occurred_at=NOW, project_id="p1", level="owner", target_id="owner-1", assigned_by="u"))
    actor = registry_copy.actor(session, "u1")
    assert actor.holds(Post.CHIEF, unit_id="owner-1", kinds=frozenset({UnitKind.OWNER}))
    assert project_scope(actor).admits(registry_copy.placement(session, "p1"))
    assert registry_copy.holders(session, "owner-1", [Post.CHIEF]) == ["u1"]
    assert registry_copy.holders(session, "owner-1", [Post.LINE_HEAD]) == []
    assert registry_copy.user_contacts(session, ["u1"])["u1"].zzd_account_id == "zzd-1"
    assert registry_copy.unit_names(session, ["owner-1"]) == {"owner-1": "区城投"}
    assert registry_copy.units_of_kind(session, UnitKind.OWNER) == ["owner-1"]


def test_rebuild_from_the_snapshot_keeps_what_events_brought(session):
    assert registry_copy.is_empty(session)
    registry_copy.apply_event(session, events.ProjectStatusChanged(
        occurred_at=NOW, project_id="p1", status="in_construction", previous_status="awarded"))
    registry_copy.rebuild(session, {
        "units": [{"id": "line-1", "kind": "line", "name": "市政条线", "parent_id": "su-1", "industry": None}],
        "users": [{"id": "u2", "name": "陈条线", "portal": "zzd", "zzd_account_id": "zzd-2", "zlb_user_id": None}],
        "posts": [{"user_id": "u2", "unit_id": "line-1", "post": "line_head"}],
        "projects": [{"id": "p1", "name": "上虞大道改造", "industry": "municipal", "kind": "government",
                      "contract_amount": "25000000.00", "geofence": {"center": [30.0, 120.8], "radius_m": 300},
                      "status": "in_construction", "supervising_unit_id": "su-1", "line_id": "line-1",
                      "owner_id": None, "owner_project_lead_id": None}],
        "participants": [],
    })
    assert not registry_copy.is_empty(session)
    placed = registry_copy.placement(session, "p1")
    assert (placed.line_id, placed.status) == ("line-1", "in_construction")
    assert registry_copy.unit(session, "line-1").parent_id == "su-1"
    assert registry_copy.holders(session, "line-1") == ["u2"]


def test_an_event_that_is_not_of_the_registry_is_refused(session):
    with pytest.raises(TypeError):
        registry_copy.apply_event(session, events.ProjectResumed(occurred_at=NOW, project_id="p1", resumed_at=NOW))
