"""What keeps a service available on the embedded SQLite default: one writer at a time per
process, queued as green threads instead of spinning in SQLite's busy handler; an outbox relay
that holds no transaction while it talks to the broker; and a liveness verdict that looks at
what actually works."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime, timedelta

import eventlet
import pytest
import sqlalchemy as sa
from eventlet.event import Event as Signal
from sqlalchemy.orm import Session

from common import health
from common.amqp import PublishOutcome
from common.database import dispose_engines, engine_for
from common.events import UnitRegistered
from common.outbox import OutboxRelay, stage_event
from common.schema import infrastructure_metadata, outbox_message

T0 = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)


@pytest.fixture
def sqlite_engine(tmp_path):
    engine = engine_for(f"sqlite:///{tmp_path / 'service.sqlite3'}")
    infrastructure_metadata.create_all(engine)
    yield engine
    dispose_engines()


def _stage(engine, count: int) -> list[str]:
    events = [UnitRegistered(occurred_at=T0 + timedelta(seconds=i), unit_id=f"u{i}", kind="construction",
                             name=f"Unit {i}") for i in range(count)]
    with Session(engine) as session:
        for event in events:
            stage_event(session, event)
        session.commit()
    return [str(event.event_id) for event in events]


def _insert_audit_like_row(engine, label: str) -> None:
    with Session(engine) as session:
        session.execute(sa.insert(outbox_message).values(event_id=label, event_type="test.written", payload={},
                                                         created_at=T0))
        session.commit()


def test_two_green_writers_queue_without_freezing_the_process(sqlite_engine):
    """The first writer keeps its transaction open across a (simulated) network call; the
    second waits its turn as a green thread, so the rest of the process keeps running."""
    holding = Signal()
    gaps: list[float] = []
    finished: list[str] = []

    def slow_writer():
        with Session(sqlite_engine) as session:
            session.execute(sa.insert(outbox_message).values(event_id="slow", event_type="t", payload={},
                                                             created_at=T0))
            holding.send(True)
            eventlet.sleep(0.6)  # e.g. an RPC to another service inside the transaction
            session.commit()
        finished.append("slow")

    def second_writer():
        holding.wait()
        _insert_audit_like_row(sqlite_engine, "second")
        finished.append("second")

    def heartbeat():
        last = time.monotonic()
        while len(finished) < 2:
            eventlet.sleep(0.02)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    threads = [eventlet.spawn(slow_writer), eventlet.spawn(second_writer), eventlet.spawn(heartbeat)]
    for thread in threads:
        thread.wait()
    assert finished == ["slow", "second"]
    # SQLite's busy handler would have stopped the whole hub for the 0.6 s the lock was held.
    assert max(gaps) < 0.3
    with sqlite_engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(outbox_message)).scalar_one() == 2


def test_a_rolled_back_or_abandoned_writer_lets_the_next_one_in(sqlite_engine):
    with Session(sqlite_engine) as session:
        session.execute(sa.insert(outbox_message).values(event_id="abandoned", event_type="t", payload={},
                                                         created_at=T0))
        # closed without commit: the pool's reset rolls back and must free the process lock
    with Session(sqlite_engine) as session:
        session.execute(sa.insert(outbox_message).values(event_id="rolled-back", event_type="t", payload={},
                                                         created_at=T0))
        session.rollback()
    with eventlet.Timeout(2):
        _insert_audit_like_row(sqlite_engine, "next")


def test_the_same_task_opening_a_second_write_transaction_fails_at_once(sqlite_engine):
    with Session(sqlite_engine) as first:
        first.execute(sa.insert(outbox_message).values(event_id="first", event_type="t", payload={},
                                                       created_at=T0))
        with pytest.raises(RuntimeError, match="second write transaction"), eventlet.Timeout(2):
            _insert_audit_like_row(sqlite_engine, "second")
        first.rollback()


class _RecordingPublisher:
    """Stands in for the broker: records what it got and, while 'on the network', checks that
    the database is free for any other writer."""

    def __init__(self, database_path, confirm=None):
        self.database_path = database_path
        self.confirm = confirm
        self.batches: list[list[str]] = []
        self.free_while_publishing: list[bool] = []

    def publish(self, messages):
        self.batches.append([message.message_id for message in messages])
        other = sqlite3.connect(self.database_path, timeout=0)
        try:
            other.execute("INSERT INTO outbox_message (event_id, event_type, payload, created_at, attempts) "
                          "VALUES ('probe-' || hex(randomblob(4)), 'probe', '{}', '2026-03-01', 0)")
            other.rollback()
            self.free_while_publishing.append(True)
        except sqlite3.OperationalError:
            self.free_while_publishing.append(False)
        finally:
            other.close()
        confirmed = self.confirm(len(messages)) if self.confirm else [True] * len(messages)
        return PublishOutcome(confirmed, None if all(confirmed) else "nack")

    def close(self):
        pass


def _relay(engine, publisher, monkeypatch, batch_size=None):
    relay = OutboxRelay(engine, "relaytest", {"AMQP_URI": "pyamqp://guest:guest@127.0.0.1:1/"})
    relay.publisher = publisher
    if batch_size:
        relay.batch_size = batch_size
    return relay


def test_the_relay_holds_no_write_lock_while_it_publishes(sqlite_engine, tmp_path, monkeypatch):
    event_ids = _stage(sqlite_engine, 5)
    publisher = _RecordingPublisher(tmp_path / "service.sqlite3")
    relay = _relay(sqlite_engine, publisher, monkeypatch, batch_size=2)
    assert relay.relay_pending() == 5
    assert [event_id for batch in publisher.batches for event_id in batch] == event_ids
    assert publisher.free_while_publishing == [True, True, True]
    with sqlite_engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(outbox_message)
                                  .where(outbox_message.c.sent_at.is_(None))).scalar_one() == 0


def test_only_what_the_broker_confirmed_in_order_is_marked_sent(sqlite_engine, tmp_path, monkeypatch):
    """The third event was confirmed but the second was not: marking the third sent would let a
    consumer see it before the second, so it is published again with the second."""
    event_ids = _stage(sqlite_engine, 3)
    publisher = _RecordingPublisher(tmp_path / "service.sqlite3", confirm=lambda n: [True, False, True][:n])
    relay = _relay(sqlite_engine, publisher, monkeypatch)
    assert relay.relay_pending() == 1
    with sqlite_engine.connect() as connection:
        rows = {row.event_id: row for row in connection.execute(sa.select(outbox_message))}
    assert rows[event_ids[0]].sent_at is not None
    assert rows[event_ids[1]].sent_at is None and rows[event_ids[2]].sent_at is None
    assert rows[event_ids[1]].attempts == 1 and rows[event_ids[1]].last_error == "nack"
    # the next pass publishes the two left, in their order
    publisher.confirm = None
    assert relay.relay_pending() == 2
    assert publisher.batches[-1] == [event_ids[1], event_ids[2]]


def test_an_unreachable_broker_leaves_every_event_pending(sqlite_engine):
    event_ids = _stage(sqlite_engine, 2)
    relay = OutboxRelay(sqlite_engine, "relaytest", {"AMQP_URI": "pyamqp://guest:guest@127.0.0.1:1/"})
    started = time.monotonic()
    assert relay.relay_pending() == 0
    assert time.monotonic() - started < 10
    with sqlite_engine.connect() as connection:
        rows = connection.execute(sa.select(outbox_message.c.event_id, outbox_message.c.sent_at,
                                            outbox_message.c.last_error)).all()
    assert {row.event_id for row in rows} == set(event_ids)
    assert all(row.sent_at is None and row.last_error for row in rows)


class _Container:
    def __init__(self, name, died=False, consumer_alive=True):
        self.service_name = name
        self._died = Signal()
        if died:
            self._died.send(None)

        class _Thread:
            dead = not consumer_alive

        class _Consumer:
            _consumers_ready = Signal()
            _gt = _Thread()

        self.shared_extensions = {"consumer": _Consumer()}


@pytest.fixture
def watched():
    containers = []

    def watch(container):
        health.watch_container(container)
        containers.append(container)
        return container

    yield watch
    for container in containers:
        health.unwatch_container(container)


def test_liveness_fails_when_a_container_died_or_its_consumer_stopped(watched):
    watched(_Container("svc-ok"))
    assert health.liveness()[0] is True
    watched(_Container("svc-dead", died=True))
    alive, report = health.liveness()
    assert alive is False
    assert any("svc-dead" in problem for problem in report["problems"])


def test_liveness_fails_when_a_consumer_thread_is_gone(watched):
    watched(_Container("svc-deaf", consumer_alive=False))
    alive, report = health.liveness()
    assert alive is False
    assert report["problems"] == ["svc-deaf: the message consumer is not running"]


def test_liveness_fails_when_a_loop_stops_beating():
    beat = health.heartbeat("svc.sweeper-test", max_age_seconds=60)
    try:
        assert health.liveness()[0] is True
        beat.last -= 61
        alive, report = health.liveness()
        assert alive is False
        assert "svc.sweeper-test has not run for 61 s" in report["problems"][0]
        beat.beat()
        assert health.liveness()[0] is True
    finally:
        beat.retire()


class _Channel:
    def __init__(self):
        self.events = {"basic_ack": set(), "basic_nack": set()}

    def ack(self, tag, multiple=False):
        for callback in self.events["basic_ack"]:
            callback(tag, multiple)

    def nack(self, tag, multiple=False):
        for callback in self.events["basic_nack"]:
            callback(tag, multiple)


def test_confirmations_keep_only_what_is_outstanding():
    from common.amqp import Confirmations

    channel = _Channel()
    confirmations = Confirmations(channel)
    for _ in range(2000):
        tag = confirmations.take_tag()
        channel.ack(tag)
        assert confirmations.pop_outcome(tag) is True
    assert confirmations.pending == set() and confirmations.outcomes == {}
    tags = [confirmations.take_tag() for _ in range(4)]
    channel.ack(tags[1], multiple=True)  # the first two
    channel.nack(tags[2])
    assert [confirmations.settled(tag) for tag in tags] == [True, True, True, False]
    assert [confirmations.pop_outcome(tag) for tag in tags] == [True, True, False, False]
    channel.ack(tags[3])  # too late: forgotten, changes nothing
    assert confirmations.pending == set()
