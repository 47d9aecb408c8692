from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import ClassVar

import eventlet
import pytest
import sqlalchemy as sa
from nameko.testing.services import worker_factory
from prometheus_client import REGISTRY

from common.clock import FixedClock
from common.clock_provider import PlatformClock
from common.database import Database
from common.events import AttendanceWarningRaised, Event, UnitRegistered
from common.inbox import (
    BatchCommandConsumer,
    BatchEventHandler,
    first_deliveries,
    first_delivery,
    handles,
    handles_batch,
)
from common.schema import dead_letter, inbox_message

NOW = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)


def test_first_delivery_once_per_event_and_handler(session):
    event_id = str(uuid.uuid4())
    assert first_delivery(session, event_id, "Roster.on_unit", NOW) is True
    assert first_delivery(session, event_id, "Roster.on_unit", NOW) is False
    assert first_delivery(session, event_id, "Calendar.on_unit", NOW) is True
    assert first_delivery(session, str(uuid.uuid4()), "Roster.on_unit", NOW) is True
    session.commit()
    rows = session.execute(sa.select(inbox_message).order_by(inbox_message.c.handler)).all()
    assert [(row.event_id, row.handler) for row in rows if row.event_id == event_id] == [
        (event_id, "Calendar.on_unit"), (event_id, "Roster.on_unit")]
    assert rows[0].handled_at == NOW


def test_first_deliveries_in_one_statement_each_event_once(session):
    old, new = str(uuid.uuid4()), str(uuid.uuid4())
    assert first_delivery(session, old, "Ledger.on_warnings", NOW) is True
    assert first_deliveries(session, [old, new, new], "Ledger.on_warnings", NOW) == {new}
    assert first_deliveries(session, [old, new], "Ledger.on_warnings", NOW) == set()
    assert first_deliveries(session, [], "Ledger.on_warnings", NOW) == set()
    assert first_deliveries(session, [old], "Other.on_warnings", NOW) == {old}


class LedgerService:
    name = "ledger"
    db = Database()
    clock = PlatformClock()
    taken: ClassVar[list] = []

    @handles_batch(UnitRegistered, window=50)
    def on_units(self, batch):
        self.taken.append([event.unit_id for event in batch])


def test_handles_batch_takes_each_new_event_of_a_batch_once_in_one_commit(session):
    unit = FakeUnitOfWork(session)
    service = worker_factory(LedgerService, db=unit, clock=FixedClock(NOW))
    one, two = (UnitRegistered(occurred_at=NOW, unit_id=unit_id, kind="construction", name=unit_id).model_dump(
        mode="json") for unit_id in ("u1", "u2"))
    service.on_units([one, two, one, {"occurred_at": "2026-03-01T16:30:00Z", "name": "breaks the contract"}])
    service.on_units([two, one])  # redelivered: nothing new, the body does not run
    assert LedgerService.taken == [["u1", "u2"]]
    assert session.execute(sa.select(sa.func.count()).select_from(inbox_message)).scalar_one() == 2
    assert session.execute(sa.select(sa.func.count()).select_from(dead_letter)).scalar_one() == 1
    [handler] = LedgerService.on_units.nameko_entrypoints
    assert isinstance(handler, BatchEventHandler) and (handler.source_service, handler.window) == ("workflow", 50)


def test_first_delivery_is_forgotten_with_a_rollback(session):
    event_id = str(uuid.uuid4())
    assert first_delivery(session, event_id, "Roster.on_unit", NOW) is True
    session.rollback()
    assert first_delivery(session, event_id, "Roster.on_unit", NOW) is True


class FakeUnitOfWork:
    def __init__(self, session):
        self.session = session
        self.commits = 0

    def commit(self):
        self.commits += 1
        self.session.commit()

    def rollback(self):
        self.session.rollback()


class RosterService:
    name = "roster"

    db = Database()
    clock = PlatformClock()

    def __init__(self):
        self.handled: list[UnitRegistered] = []

    @handles(UnitRegistered)
    def on_unit_registered(self, event):
        self.handled.append(event)
        return event.unit_id


def _handled(outcome: str) -> float:
    return REGISTRY.get_sample_value(
        "supervision_events_handled_total",
        {"service": "roster", "event_type": "unit.registered", "outcome": outcome},
    ) or 0


def test_handles_runs_the_body_once_per_event(session):
    unit = FakeUnitOfWork(session)
    service = worker_factory(RosterService, db=unit, clock=FixedClock(NOW))
    payload = UnitRegistered(occurred_at=NOW, unit_id="u1", kind="construction", name="Build Co.").model_dump(
        mode="json")
    handled_before, duplicates_before = _handled("handled"), _handled("duplicate")

    assert service.on_unit_registered(payload) == "u1"
    assert service.on_unit_registered(payload) is None

    assert len(service.handled) == 1
    event = service.handled[0]
    assert isinstance(event, UnitRegistered)
    assert str(event.event_id) == payload["event_id"]
    assert event.occurred_at == NOW
    assert unit.commits == 1
    [row] = session.execute(sa.select(inbox_message)).all()
    assert row.event_id == payload["event_id"]
    assert row.handler == "RosterService.on_unit_registered"
    assert row.handled_at == NOW
    assert _handled("handled") - handled_before == 1
    assert _handled("duplicate") - duplicates_before == 1

    other = UnitRegistered(occurred_at=NOW, unit_id="u2", kind="supervision", name="Sup Co.")
    assert service.on_unit_registered(other.model_dump(mode="json")) == "u2"
    assert [event.unit_id for event in service.handled] == ["u1", "u2"]


def test_handles_is_a_nameko_event_handler_of_the_source():
    from nameko.events import EventHandler

    entrypoints = [ext for ext in RosterService.on_unit_registered.nameko_entrypoints if isinstance(ext, EventHandler)]
    assert len(entrypoints) == 1
    handler = entrypoints[0]
    assert handler.source_service == "workflow"
    assert handler.event_type == "unit.registered"


@pytest.mark.parametrize(
    "payload",
    [
        {"occurred_at": "2026-03-01T16:30:00Z", "kind": "construction", "name": "no unit id"},
        {"occurred_at": "2026-03-01T16:30:00", "unit_id": "u1", "kind": "construction", "name": "naive"},
        {"occurred_at": "2026-03-01T16:30:00Z", "unit_id": "u1", "kind": "c", "name": "n", "colour": "red"},
    ],
)
def test_an_invalid_payload_is_kept_aside_and_changes_nothing_else(session, payload):
    unit = FakeUnitOfWork(session)
    service = worker_factory(RosterService, db=unit, clock=FixedClock(NOW))
    service.on_unit_registered(payload)  # acknowledged: no retry can mend it
    assert service.handled == []
    assert session.execute(sa.select(sa.func.count()).select_from(inbox_message)).scalar_one() == 0
    kept = session.execute(sa.select(dead_letter)).one()
    assert (kept.source, kept.event_type) == ("workflow", "unit.registered")
    assert kept.payload == payload and kept.error


def test_handles_refuses_an_event_not_in_the_catalogue():
    class SomethingHappened(Event):
        source: ClassVar[str] = "nowhere"
        event_type: ClassVar[str] = "something.happened"

    with pytest.raises(ValueError, match="EVENT_TYPES"):
        handles(SomethingHappened)


def test_handles_accepts_a_warning_of_one_source():
    class CaseService:
        name = "cases"
        db = Database()
        clock = PlatformClock()

        @handles(AttendanceWarningRaised)
        def on_warning(self, event):
            return event.warning_id

    [handler] = CaseService.on_warning.nameko_entrypoints
    assert handler.source_service == "attendance"
    assert handler.event_type == "warning.raised"


class _BatchContainer:
    """Just what a batching entrypoint asks of its container: green threads and workers."""

    max_workers = 10
    service_name = "intake"
    config: ClassVar[dict] = {"QUEUE_REDELIVERY_DELAY": 0.001}

    def __init__(self, body):
        self.body = body
        self.thread_errors = []  # nameko kills the container when a managed thread dies

    def spawn_managed_thread(self, run, identifier=None):
        def managed():
            try:
                run()
            except Exception as error:
                self.thread_errors.append(error)
        return eventlet.spawn(managed)

    def spawn_worker(self, entrypoint, args, kwargs, context_data=None, handle_result=None):
        def work():
            try:
                handle_result(None, self.body(args[0]), None)
            except Exception as error:
                handle_result(None, None, (type(error), error, None))
        return eventlet.spawn(work)


class _Acks:
    def __init__(self):
        self.acked, self.requeued = [], []

    def ack_message(self, message):
        self.acked.append(message.body)

    def requeue_message(self, message):
        self.requeued.append(message.body)


class _Message:
    headers: ClassVar[dict] = {}

    def __init__(self, body):
        self.body = body


def _batching(body, *, window: int, in_flight: int) -> tuple[BatchCommandConsumer, _Acks]:
    consumer = BatchCommandConsumer("intake-queue", window=window, in_flight=in_flight)
    consumer.container, consumer.queue_consumer, consumer.method_name = _BatchContainer(body), _Acks(), "decide"
    consumer._waiting, consumer._draining, consumer._lingering = [], 0, False
    return consumer, consumer.queue_consumer


@pytest.mark.parametrize("in_flight", [1, 2])
def test_batches_in_flight_at_most_as_set_each_message_acknowledged_once_after_its_batch(in_flight):
    running, most, batches = [0], [0], []

    def decide(batch):
        running[0] += 1
        most[0] = max(most[0], running[0])
        eventlet.sleep(0.01)  # the database's wait, during which another batch may run
        batches.append(batch)
        running[0] -= 1

    consumer, acks = _batching(decide, window=4, in_flight=in_flight)
    for number in range(20):
        consumer.handle_message(number, _Message(number))
    while consumer._draining:
        eventlet.sleep(0.005)
    assert most[0] == in_flight
    assert all(1 <= len(batch) <= 4 for batch in batches)
    assert sorted(acks.acked) == sorted(number for batch in batches for number in batch) == list(range(20))
    assert acks.requeued == [] and consumer.container.thread_errors == []


def test_a_failed_batch_is_run_again_one_by_one_and_only_the_bad_message_goes_back():
    def decide(batch):
        eventlet.sleep(0)
        if 3 in batch:
            raise RuntimeError("no retry mends this one")

    consumer, acks = _batching(decide, window=5, in_flight=2)
    for number in range(5):
        consumer.handle_message(number, _Message(number))
    while consumer._draining:
        eventlet.sleep(0.005)
    eventlet.sleep(0.01)  # the bad message is given back after its wait
    assert sorted(acks.acked) == [0, 1, 2, 4]
    assert acks.requeued == [3]


def test_a_small_batch_lingers_for_more_and_a_bigger_one_does_not():
    batches = []
    consumer, acks = _batching(batches.append, window=40, in_flight=1)
    consumer.linger = 0.05
    consumer.handle_message(0, _Message(0))
    eventlet.sleep(0.01)
    for number in range(1, 3):  # arrive while the first lingers: one batch of three
        consumer.handle_message(number, _Message(number))
    while consumer._draining:
        eventlet.sleep(0.005)
    assert batches == [[0, 1, 2]]
    for number in range(3, 7):  # a tenth of the window waiting: decided at once, no linger
        consumer.handle_message(number, _Message(number))
    eventlet.sleep(0.01)
    assert batches == [[0, 1, 2], [3, 4, 5, 6]]
    assert sorted(acks.acked) == list(range(7))


def test_two_lingering_batches_never_start_empty():
    batches = []
    consumer, acks = _batching(batches.append, window=40, in_flight=2)
    consumer.linger = 0.02
    consumer.handle_message(0, _Message(0))  # the first batch lingers...
    eventlet.sleep(0.005)
    consumer.handle_message(1, _Message(1))  # ...and so does the second, which then finds nothing left
    eventlet.sleep(0.06)
    assert consumer.container.thread_errors == []
    assert batches == [[0, 1]] and acks.acked == [0, 1]


def test_one_batch_gathers_at_a_time_so_a_trickle_is_not_split_between_two():
    batches = []
    consumer, acks = _batching(batches.append, window=400, in_flight=2)
    consumer.linger = 0.02
    for number in range(20):  # one message every 5 ms for 100 ms
        consumer.handle_message(number, _Message(number))
        eventlet.sleep(0.005)
    while consumer._draining:
        eventlet.sleep(0.005)
    assert consumer.container.thread_errors == []
    assert sorted(acks.acked) == list(range(20))
    # About one batch per 20 ms of gathering; two batches gathering side by side made twice as many.
    assert len(batches) <= 6, [len(batch) for batch in batches]
