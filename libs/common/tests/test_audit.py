from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from common.audit import AuditQuery, query_trail, record_change
from common.principal import SYSTEM, Principal

ALICE = Principal(user_id="alice", portal="zzd", roles=frozenset({"line"}))
BOB = Principal(user_id="bob", portal="zlb")
START = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)


@pytest.fixture
def trail(session):
    """Six entries, one a day from START: (who, entity id) by day."""
    plan = [(ALICE, "p1"), (BOB, "p1"), (ALICE, "p2"), (SYSTEM, "p1"), (BOB, "p2"), (ALICE, "p1")]
    for day, (principal, entity_id) in enumerate(plan):
        record_change(
            session, principal=principal, at=START + timedelta(days=day), action="project.changed",
            entity_type="project", entity_id=entity_id, before={"day": day - 1}, after={"day": day},
        )
    record_change(session, principal=ALICE, at=START, action="unit.changed", entity_type="unit", entity_id="p1")
    session.commit()
    return session


def _days(entries) -> list[int | None]:
    return [entry["after"]["day"] if entry["after"] else None for entry in entries]


def test_record_change_keeps_who_what_when_and_from_where(session):
    record_change(session, principal=BOB, at=datetime(2026, 3, 1, 16, 30, tzinfo=UTC), action="project.renamed",
                  entity_type="project", entity_id="p9", before={"name": "old"}, after={"name": "new"})
    session.commit()
    [entry] = query_trail(session, AuditQuery())
    assert entry["principal_id"] == "bob"
    assert entry["portal"] == "zlb"
    assert entry["action"] == "project.renamed"
    assert entry["entity_type"] == "project"
    assert entry["entity_id"] == "p9"
    assert entry["before"] == {"name": "old"}
    assert entry["after"] == {"name": "new"}
    assert isinstance(entry["id"], int)


def test_times_are_shown_in_the_district_offset(session):
    record_change(session, principal=BOB, at=datetime(2026, 3, 1, 16, 30, tzinfo=UTC), action="project.renamed",
                  entity_type="project", entity_id="p9")
    session.commit()
    [entry] = query_trail(session, AuditQuery())
    assert entry["occurred_at"] == "2026-03-02T00:30:00+08:00"


def test_newest_first(trail):
    entries = query_trail(trail, AuditQuery(entity_type="project"))
    assert _days(entries) == [5, 4, 3, 2, 1, 0]
    ids = [entry["id"] for entry in entries]
    assert ids == sorted(ids, reverse=True)


def test_filter_by_entity(trail):
    entries = query_trail(trail, AuditQuery(entity_type="project", entity_id="p1"))
    assert _days(entries) == [5, 3, 1, 0]
    assert {entry["entity_id"] for entry in entries} == {"p1"}
    entries = query_trail(trail, AuditQuery(entity_id="p1"))
    assert len(entries) == 5  # the unit p1 too
    assert query_trail(trail, AuditQuery(entity_type="unit"))[0]["action"] == "unit.changed"


def test_filter_by_principal(trail):
    entries = query_trail(trail, AuditQuery(entity_type="project", principal_id="alice"))
    assert _days(entries) == [5, 2, 0]
    assert query_trail(trail, AuditQuery(principal_id="nobody")) == []


def test_filter_by_action(trail):
    entries = query_trail(trail, AuditQuery(action="unit.changed"))
    assert [entry["entity_type"] for entry in entries] == ["unit"]


def test_since_is_inclusive_and_until_exclusive(trail):
    query = AuditQuery(entity_type="project", since=START + timedelta(days=2), until=START + timedelta(days=4))
    assert _days(query_trail(trail, query)) == [3, 2]


def test_since_and_until_in_the_district_offset(trail):
    # 2026-03-03T08:00+08:00 is 2026-03-03T00:00Z: day 2 onwards.
    since = datetime.fromisoformat("2026-03-03T08:00:00+08:00")
    assert _days(query_trail(trail, AuditQuery(entity_type="project", since=since))) == [5, 4, 3, 2]


def test_limit_and_before_id_page_backwards(trail):
    first_page = query_trail(trail, AuditQuery(entity_type="project", limit=4))
    assert _days(first_page) == [5, 4, 3, 2]
    second_page = query_trail(trail, AuditQuery(entity_type="project", limit=4, before_id=first_page[-1]["id"]))
    assert _days(second_page) == [1, 0]
    assert query_trail(trail, AuditQuery(entity_type="project", before_id=second_page[-1]["id"])) == []


@pytest.mark.parametrize("field", ["since", "until"])
def test_audit_query_refuses_a_naive_time(field):
    # A naive time cannot be compared with the trail's UTC times: it must be refused as invalid input
    # (ValidationError, which the service turns into InvalidInput), not fail later in the database layer.
    with pytest.raises(ValidationError):
        AuditQuery.model_validate({field: "2026-03-01T00:00:00"})


@pytest.mark.parametrize("payload", [{"limit": 0}, {"limit": 1001}, {"colour": "red"}])
def test_audit_query_refuses_bad_queries(payload):
    with pytest.raises(ValidationError):
        AuditQuery.model_validate(payload)
