from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from kombu import Connection, Queue
from prometheus_client import REGISTRY
from sqlalchemy.orm import Session

from common.events import PostGranted, UnitRegistered
from common.outbox import OutboxRelay, stage_event
from common.schema import infrastructure_metadata, outbox_message

DEAD_BROKER = "pyamqp://guest:guest@127.0.0.1:1/"
T0 = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)


def _events():
    return [
        UnitRegistered(occurred_at=T0, unit_id="u1", kind="construction", name="Shangyu Build Co."),
        PostGranted(occurred_at=T0 + timedelta(seconds=1), user_id="p1", unit_id="u1", post="project_manager"),
        UnitRegistered(occurred_at=T0 + timedelta(seconds=2), unit_id="u2", kind="supervision", name="Yue Supervise",
                       parent_id="u1"),
    ]


def _stage(engine, events) -> None:
    with Session(engine) as session:
        for event in events:
            stage_event(session, event)
        session.commit()


def _rows(engine):
    with engine.connect() as connection:
        return connection.execute(sa.select(outbox_message).order_by(outbox_message.c.id)).all()


def test_stage_event_writes_a_pending_row_and_flags_the_session(session):
    event = UnitRegistered(occurred_at=T0, unit_id="u1", kind="construction", name="Shangyu Build Co.")
    assert "outbox_staged" not in session.info
    stage_event(session, event)
    assert session.info["outbox_staged"] is True
    session.commit()
    [row] = session.execute(sa.select(outbox_message)).all()
    assert row.event_id == str(event.event_id)
    assert row.event_type == "unit.registered"
    assert row.payload == event.model_dump(mode="json")
    assert row.created_at == T0
    assert row.sent_at is None
    assert row.attempts == 0
    assert row.last_error is None


def test_staged_event_disappears_with_a_rollback(session):
    stage_event(session, UnitRegistered(occurred_at=T0, unit_id="u1", kind="k", name="n"))
    session.rollback()
    assert session.execute(sa.select(sa.func.count()).select_from(outbox_message)).scalar_one() == 0


def test_relay_against_a_dead_broker_keeps_everything_pending_and_returns_quickly(engine):
    _stage(engine, _events())
    relay = OutboxRelay(engine, "testsvc", {"AMQP_URI": DEAD_BROKER})
    published_before = REGISTRY.get_sample_value(
        "supervision_events_published_total", {"service": "testsvc", "event_type": "unit.registered"}) or 0

    started = time.monotonic()
    sent = relay.relay_pending()
    elapsed = time.monotonic() - started

    assert sent == 0
    rows = _rows(engine)
    assert len(rows) == 3
    assert all(row.sent_at is None for row in rows)
    assert rows[0].attempts == 1
    assert rows[0].last_error and "refused" in rows[0].last_error.lower()
    assert REGISTRY.get_sample_value("supervision_outbox_backlog", {"service": "testsvc"}) == 3
    published_after = REGISTRY.get_sample_value(
        "supervision_events_published_total", {"service": "testsvc", "event_type": "unit.registered"}) or 0
    assert published_after == published_before
    assert elapsed < 5, f"a pass against a dead broker took {elapsed:.1f} s"


@pytest.mark.integration
def test_relay_publishes_every_pending_event_once_in_order(postgres_database, amqp_uri):
    engine = sa.create_engine(postgres_database("outbox"))
    try:
        infrastructure_metadata.create_all(engine)
        events = _events()
        _stage(engine, events)
        relay = OutboxRelay(engine, "testsvc", {"AMQP_URI": amqp_uri})

        with Connection(amqp_uri) as connection:
            channel = connection.channel()
            queue = Queue(f"outbox-test-{uuid.uuid4().hex}", exchange=relay.publisher.exchange, routing_key="#",
                          exclusive=True)(channel)
            queue.declare()

            assert relay.relay_pending() == 3

            received = []
            deadline = time.monotonic() + 10
            while len(received) < 3 and time.monotonic() < deadline:
                message = queue.get(no_ack=True)
                if message is None:
                    time.sleep(0.05)
                else:
                    received.append(message)
            assert len(received) == 3
            assert [message.payload for message in received] == [event.model_dump(mode="json") for event in events]
            assert [message.delivery_info["routing_key"] for message in received] == [
                "unit.registered", "post.granted", "unit.registered"]
            assert {message.delivery_info["exchange"] for message in received} == {"testsvc.events"}

            rows = _rows(engine)
            assert [row.event_id for row in rows] == [str(event.event_id) for event in events]
            assert all(row.sent_at is not None for row in rows)
            assert [row.attempts for row in rows] == [1, 1, 1]
            assert all(row.last_error is None for row in rows)
            assert REGISTRY.get_sample_value("supervision_outbox_backlog", {"service": "testsvc"}) == 0

            # Nothing is left to send, and nothing is sent twice.
            assert relay.relay_pending() == 0
            time.sleep(0.2)
            assert queue.get(no_ack=True) is None
    finally:
        engine.dispose()


def test_published_events_are_purged_after_the_retention_and_pending_ones_stay(engine):
    now = datetime(2026, 12, 1, tzinfo=UTC)
    relay = OutboxRelay(engine, "testsvc", {"AMQP_URI": DEAD_BROKER})
    with Session(engine) as session:
        for number in range(3):
            stage_event(session, UnitRegistered(occurred_at=now, unit_id=f"u{number}", kind="owner", name="x"))
        session.execute(sa.update(outbox_message).where(outbox_message.c.id <= 2)
                        .values(sent_at=now - timedelta(days=10)))
        session.execute(sa.update(outbox_message).where(outbox_message.c.id == 2)
                        .values(sent_at=now - timedelta(days=1)))
        session.commit()
    assert relay.purge_published(now - timedelta(days=7)) == 1
    with Session(engine) as session:
        left = session.execute(sa.select(outbox_message.c.id, outbox_message.c.sent_at)
                               .order_by(outbox_message.c.id)).all()
    assert [row.id for row in left] == [2, 3] and left[1].sent_at is None


class _ConfirmingPublisher:
    """Confirms everything it is given, without a broker."""

    def publish(self, messages):
        from common.amqp import PublishOutcome

        return PublishOutcome([True] * len(messages), None)

    def close(self):
        pass


def test_relay_reports_the_age_of_its_oldest_pending_event(engine):
    staged_at = datetime.now(UTC) - timedelta(minutes=5)
    _stage(engine, [UnitRegistered(occurred_at=staged_at, unit_id="u1", kind="k", name="n"),
                    UnitRegistered(occurred_at=staged_at + timedelta(minutes=4), unit_id="u2", kind="k", name="n")])
    relay = OutboxRelay(engine, "agesvc", {"AMQP_URI": DEAD_BROKER})
    relay.relay_pending()
    age = REGISTRY.get_sample_value("supervision_outbox_oldest_age_seconds", {"service": "agesvc"})
    assert 300 <= age < 330

    relay.publisher = _ConfirmingPublisher()
    relay.relay_pending()
    assert REGISTRY.get_sample_value("supervision_outbox_oldest_age_seconds", {"service": "agesvc"}) == 0


def test_oldest_age_is_never_negative_and_zero_without_a_backlog():
    from common.outbox import oldest_age_seconds

    now = datetime(2026, 3, 1, tzinfo=UTC)
    assert oldest_age_seconds(None, now) == 0
    assert oldest_age_seconds(now + timedelta(hours=1), now) == 0  # a manual clock ahead of the real one
    assert oldest_age_seconds((now - timedelta(seconds=90)).replace(tzinfo=None), now) == 90


def test_published_warnings_are_counted_by_rule(engine):
    from common.events import AttendanceWarningRaised

    def count(rule_id: str) -> float:
        return REGISTRY.get_sample_value("supervision_warnings_raised_total",
                                         {"service": "warnsvc", "rule_id": rule_id}) or 0

    warning = dict(occurred_at=T0, project_id="p1", article="42", must_act="owner", summary="s")
    _stage(engine, [AttendanceWarningRaised(warning_id="w1", rule_id="art42.monthly-rate", **warning),
                    AttendanceWarningRaised(warning_id="w2", rule_id="art42.monthly-rate", **warning),
                    AttendanceWarningRaised(warning_id="w3", rule_id="art26.patrol-overdue", **warning),
                    _events()[0]])
    before = count("art42.monthly-rate"), count("art26.patrol-overdue")
    relay = OutboxRelay(engine, "warnsvc", {"AMQP_URI": DEAD_BROKER})
    relay.relay_pending()  # nothing published: nothing counted
    assert (count("art42.monthly-rate"), count("art26.patrol-overdue")) == before
    relay.publisher = _ConfirmingPublisher()
    assert relay.relay_pending() == 4
    assert count("art42.monthly-rate") - before[0] == 2
    assert count("art26.patrol-overdue") - before[1] == 1
