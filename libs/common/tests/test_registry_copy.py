"""The registry copy the complaints, notification and scoring services keep: events in any order,
a rebuild from the workflow's snapshot, and the reads their use cases make."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

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
    assert registry_copy.needs_rebuild(session)
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
    assert not registry_copy.needs_rebuild(session)
    placed = registry_copy.placement(session, "p1")
    assert (placed.line_id, placed.status) == ("line-1", "in_construction")
    assert registry_copy.unit(session, "line-1").parent_id == "su-1"
    assert registry_copy.holders(session, "line-1") == ["u2"]


def test_an_event_that_is_not_of_the_registry_is_refused(session):
    with pytest.raises(TypeError):
        registry_copy.apply_event(session, events.ProjectResumed(occurred_at=NOW, project_id="p1", resumed_at=NOW))


LATER = NOW + timedelta(hours=1)


def assigned(level, target, at):
    return events.ProjectAssigned(occurred_at=at, project_id="p1", level=level, target_id=target, assigned_by="u")


def status_changed(status, at):
    return events.ProjectStatusChanged(occurred_at=at, project_id="p1", status=status, previous_status="x")


def test_a_reassignment_or_a_status_handled_out_of_order_does_not_go_back(session):
    # Line A then line B, and the project started then suspended, handled in the opposite order.
    registry_copy.apply_event(session, assigned("line", "line-B", LATER))
    registry_copy.apply_event(session, assigned("line", "line-A", NOW))
    registry_copy.apply_event(session, status_changed("suspended", LATER))
    registry_copy.apply_event(session, status_changed("in_construction", NOW))
    registry_copy.apply_event(session, project_registered())  # its status "awarded" is older still
    registry_copy.apply_event(session, assigned("owner", "owner-1", NOW))  # another level is its own
    placed = registry_copy.placement(session, "p1")
    assert (placed.line_id, placed.status, placed.owner_id) == ("line-B", "suspended", "owner-1")
    # In order, the newer one replaces it.
    registry_copy.apply_event(session, assigned("line", "line-C", LATER + timedelta(minutes=1)))
    assert registry_copy.placement(session, "p1").line_id == "line-C"


def snapshot_of(project_fields):
    return {"units": [], "users": [], "posts": [], "participants": [], "projects": [{
        "id": "p1", "name": "上虞大道改造", "industry": "municipal", "kind": "government",
        "contract_amount": "25000000.00", "geofence": None, "status": "in_construction",
        "supervising_unit_id": "su-1", "line_id": "line-A", "owner_id": None, "owner_project_lead_id": None,
        **project_fields}]}


def test_the_snapshot_does_not_overwrite_what_a_newer_event_set(session):
    registry_copy.apply_event(session, project_registered())
    registry_copy.apply_event(session, assigned("line", "line-B", LATER))
    registry_copy.apply_event(session, status_changed("suspended", LATER))
    # Taken before the reassignment (the workflow's times are district ISO text).
    registry_copy.rebuild(session, snapshot_of({"updated_at": "2027-03-01T09:30:00+08:00"}))
    placed = registry_copy.placement(session, "p1")
    assert (placed.line_id, placed.status, placed.supervising_unit_id) == ("line-B", "suspended", "su-1")
    # An older event after the snapshot does not undo what the snapshot brought.
    registry_copy.apply_event(session, assigned("supervising_unit", "su-0", NOW))
    assert registry_copy.placement(session, "p1").supervising_unit_id == "su-1"
    # A snapshot taken later wins.
    registry_copy.rebuild(session, snapshot_of({"updated_at": (LATER + timedelta(minutes=5)).isoformat(),
                                                "line_id": "line-C", "status": "completed"}))
    placed = registry_copy.placement(session, "p1")
    assert (placed.line_id, placed.status) == ("line-C", "completed")


def test_a_snapshot_without_times_fills_only_what_no_event_set(session):
    registry_copy.apply_event(session, assigned("line", "line-B", LATER))
    registry_copy.rebuild(session, snapshot_of({}))
    placed = registry_copy.placement(session, "p1")
    assert (placed.line_id, placed.supervising_unit_id, placed.status) == ("line-B", "su-1", "in_construction")


def test_a_copy_is_rebuilt_until_a_rebuild_succeeded_even_when_events_came_first(session):
    # The first snapshot call failed; a unit arrived by event before the retry.
    registry_copy.apply_event(session, events.UnitRegistered(
        occurred_at=NOW, unit_id="owner-1", kind="owner", name="区城投", parent_id=None))
    assert registry_copy.needs_rebuild(session)
    registry_copy.rebuild(session, snapshot_of({}), NOW)
    assert not registry_copy.needs_rebuild(session)
    assert session.execute(sa.select(registry_copy.copy_rebuilt.c.rebuilt_at)).scalar_one() == NOW
    registry_copy.rebuild(session, snapshot_of({}), LATER)  # again: still one row
    assert session.execute(sa.select(registry_copy.copy_rebuilt.c.rebuilt_at)).scalar_one() == LATER


def test_the_migration_adds_the_times_and_the_marker_to_a_copy_made_before(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    with engine.begin() as connection:
        # The copy as the first migration made it before this version: no times, no marker.
        connection.exec_driver_sql("CREATE TABLE copy_project (id VARCHAR(32) PRIMARY KEY, name VARCHAR(200), "
                                   "status VARCHAR(32), line_id VARCHAR(32))")
        connection.exec_driver_sql("INSERT INTO copy_project (id, name, line_id) VALUES ('p1', 'x', 'line-A')")
        registry_copy.add_assignment_times(Operations(MigrationContext.configure(connection)))
        columns = {column["name"] for column in sa.inspect(connection).get_columns("copy_project")}
        assert set(registry_copy.SET_AT.values()) <= columns
        assert "copy_rebuilt" in sa.inspect(connection).get_table_names()
        assert connection.exec_driver_sql("SELECT line_id FROM copy_project").scalar_one() == "line-A"
        # On a copy the first migration of this version made, it adds nothing and fails on nothing.
        registry_copy.add_assignment_times(Operations(MigrationContext.configure(connection)))
        registry_copy.drop_assignment_times(Operations(MigrationContext.configure(connection)))
        assert "copy_rebuilt" not in sa.inspect(connection).get_table_names()
    engine.dispose()


def test_a_point_finds_the_project_whose_site_holds_it(session):
    registry_copy.apply_event(session, project_registered("p1"))  # a 300 m circle at (30.0, 120.8)
    registry_copy.apply_event(session, events.ProjectRegistered(
        occurred_at=NOW, project_id="p2", name="江滨公园", industry="landscaping", kind="government",
        contract_amount=Decimal("1000000"), below_threshold=True,
        geofence=events.Geofence(polygon=[(30.01, 120.81), (30.01, 120.82), (30.02, 120.82), (30.02, 120.81)]),
        planned_start=date(2027, 3, 1), planned_end=date(2028, 3, 1), intake="tender_award", status="awarded"))
    assert registry_copy.project_at(session, 30.001, 120.801) == "p1"
    assert registry_copy.project_at(session, 30.015, 120.815) == "p2"
    assert registry_copy.project_at(session, 30.0, 120.805) is None  # inside the circle's box, outside the circle
    assert registry_copy.project_at(session, 31.0, 121.0) is None


def test_the_migration_fills_the_site_boxes_of_a_copy_made_before(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE copy_project (id VARCHAR(32) PRIMARY KEY, name VARCHAR(200), "
                                   "geofence JSON, status VARCHAR(32))")
        connection.exec_driver_sql("""INSERT INTO copy_project (id, name, geofence) VALUES
                                   ('p1', 'x', '{"center": [30.0, 120.8], "radius_m": 300}')""")
        registry_copy.add_site_bounds(Operations(MigrationContext.configure(connection)))
        south, north = connection.exec_driver_sql("SELECT site_south, site_north FROM copy_project").one()
        assert south < 30.0 < north and round(north - south, 4) == round(2 * 300 / 111195, 4)
        registry_copy.add_site_bounds(Operations(MigrationContext.configure(connection)))  # once only
        registry_copy.drop_site_bounds(Operations(MigrationContext.configure(connection)))
        assert "site_south" not in {c["name"] for c in sa.inspect(connection).get_columns("copy_project")}
    engine.dispose()
