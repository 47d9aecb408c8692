"""The inbox: a handler acts on an event once, however often the broker delivers it.

:func:`handles` takes one event per transaction; :func:`handles_batch` (for a stream of many
events a second: the scoring service's warnings) takes every event waiting in its prefetch window
in one transaction, with the same inbox rows, written in one statement. :func:`consumes_batch`
takes the commands of a queue of the platform's own (the check-in intake) in batches the same way;
its method makes a command idempotent itself.
"""

from __future__ import annotations

import functools
import logging

import eventlet.event
import sqlalchemy as sa
from nameko.amqp.publish import Publisher
from nameko.events import EventHandler
from nameko.exceptions import ContainerBeingKilled
from nameko.extensions import DependencyProvider
from nameko.messaging import Consumer, QueueConsumer
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError, OperationalError
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_random

from common import metrics, queues
from common.database import dialect_insert
from common.events import EVENT_TYPES, WARNING_EVENTS
from common.schema import dead_letter, inbox_message

logger = logging.getLogger(__name__)


def first_delivery(session, event_id: str, handler: str, now) -> bool:
    """Record that ``handler`` handles ``event_id`` in the current transaction; False when it
    already has (a redelivery), in which case the handler must change nothing."""
    seen = session.execute(
        sa.select(inbox_message.c.event_id).where(
            inbox_message.c.event_id == event_id, inbox_message.c.handler == handler
        )
    ).first()
    if seen:
        return False
    session.execute(sa.insert(inbox_message).values(event_id=event_id, handler=handler, handled_at=now))
    return True


def first_deliveries(session, event_ids: list[str], handler: str, now) -> set[str]:
    """:func:`first_delivery` of many events in one statement (``ON CONFLICT DO NOTHING``): the ids
    among ``event_ids`` that ``handler`` had not handled; an id given twice counts once."""
    if not event_ids:
        return set()
    statement = dialect_insert(session, inbox_message).on_conflict_do_nothing().returning(inbox_message.c.event_id)
    rows = [{"event_id": event_id, "handler": handler, "handled_at": now} for event_id in dict.fromkeys(event_ids)]
    return set(session.execute(statement, rows).scalars())  # compiled once; sent as one multi-row insert


def keep_aside(unit_of_work, service_name: str, source: str, message_type: str, payload, error: Exception,
               now) -> None:
    """Keep a message that breaks its contract in the service's ``dead_letter`` table, for people
    to look at: no retry can mend it, and it must hold up nothing behind it."""
    unit_of_work.rollback()
    unit_of_work.session.execute(sa.insert(dead_letter).values(
        source=source, event_type=message_type,
        payload=payload if isinstance(payload, dict) else {"raw": repr(payload)}, error=str(error)[:4000],
        received_at=now))
    unit_of_work.commit()
    metrics.EVENTS_DEAD_LETTERED.labels(service_name, message_type).inc()
    logger.error("message kept aside: it breaks its contract", extra={"service": service_name,
                                                                      "event_type": message_type})


def _handle_once(service, method, event, unit_of_work, clock_attr: str, handler_name: str):
    service_name = type(service).name
    now = getattr(service, clock_attr).now()
    if not first_delivery(unit_of_work.session, str(event.event_id), handler_name, now):
        logger.info("duplicate event skipped", extra={"service": service_name, "event_id": str(event.event_id),
                                                     "event_type": event.event_type})
        metrics.EVENTS_HANDLED.labels(service_name, event.event_type, "duplicate").inc()
        return None
    result = method(service, event)
    unit_of_work.commit()
    metrics.EVENTS_HANDLED.labels(service_name, event.event_type, "handled").inc()
    return result


class PlatformEventHandler(EventHandler):
    """nameko's event handler on the platform's queue (``common.queues``): a quorum queue with a
    delivery limit and a dead-letter queue, the classic queue of an earlier start retired into it;
    a message that failed is given back after a wait that grows with its deliveries."""

    def setup(self):
        super().setup()
        self.queue = queues.platform_queue(self.container.config, self.queue, self.container.service_name)

    @property
    def queue_policy(self) -> queues.QueuePolicy:
        return queues.QueuePolicy.of(self.container.config)

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        if exc_info is not None and self.requeue_on_error:
            eventlet.sleep(self.queue_policy.redelivery_wait(message))
        return super().handle_result(message, worker_ctx, result, exc_info)


def handles(event_cls, *, database_attr: str = "db", clock_attr: str = "clock", **handler_options):
    """Make a service method an idempotent handler of ``event_cls``.

    The method receives the validated event and runs only on the first delivery of its
    ``event_id``; the inbox row and the method's changes commit together.
    """
    if event_cls.event_type not in EVENT_TYPES and event_cls not in WARNING_EVENTS.values():
        raise ValueError(f"{event_cls.__name__} is not listed in common.events.EVENT_TYPES")

    def decorate(method):
        handler_name = f"{method.__qualname__}"

        @functools.wraps(method)
        def wrapper(self, payload):
            unit_of_work = getattr(self, database_attr)
            try:
                event = event_cls.model_validate(payload)
            except ValidationError as error:
                # No retry can mend a message that breaks its contract: keep it aside for people.
                keep_aside(unit_of_work, type(self).name, event_cls.source, event_cls.event_type, payload, error,
                           getattr(self, clock_attr).now())
                return None
            # Two handlers writing the same rows at once (events arrive concurrently) conflict
            # now and then; the loser rolls back and runs again, so no fact is dropped.
            for attempt in Retrying(retry=retry_if_exception_type((IntegrityError, OperationalError)),
                                    stop=stop_after_attempt(5), wait=wait_random(0.01, 0.2), reraise=True):
                with attempt:
                    try:
                        result = _handle_once(self, method, event, unit_of_work, clock_attr, handler_name)
                    except Exception:
                        unit_of_work.rollback()
                        raise
            return result

        # A handler that still fails after its retries (the database is down, say) gives the
        # message back to the broker, after a growing wait, so that no fact is dropped; one that
        # fails on it every time has it dead-lettered by the quorum queue's delivery limit
        # (common.queues) rather than looping for ever.
        handler_options.setdefault("requeue_on_error", True)
        return PlatformEventHandler.decorator(event_cls.source, event_cls.event_type, **handler_options)(wrapper)

    return decorate


def _handle_batch_once(service, method, batch, unit_of_work, clock_attr: str, handler_name: str):
    service_name = type(service).name
    now = getattr(service, clock_attr).now()
    fresh = first_deliveries(unit_of_work.session, [str(event.event_id) for event in batch], handler_name, now)
    new, duplicates = [], []
    for event in batch:
        if str(event.event_id) in fresh:
            fresh.discard(str(event.event_id))
            new.append(event)
        else:
            duplicates.append(event)
    result = method(service, new) if new else None
    unit_of_work.commit()
    for event in duplicates:
        logger.info("duplicate event skipped", extra={"service": service_name, "event_id": str(event.event_id),
                                                     "event_type": event.event_type})
        metrics.EVENTS_HANDLED.labels(service_name, event.event_type, "duplicate").inc()
    for event in new:
        metrics.EVENTS_HANDLED.labels(service_name, event.event_type, "handled").inc()
    return result


class _WindowedQueueConsumer(QueueConsumer):
    """The queue consumer of batch handlers: a connection of its own whose prefetch window holds
    the batches its handlers run at once and one more, handing each message straight to its
    handler (which queues it)."""

    @property
    def prefetch_count(self):
        # While the batches in flight run (their messages still unacknowledged), the next can
        # gather a whole window.
        return max(((provider.in_flight + 1) * provider.window for provider in self._providers),
                   default=self.container.max_workers)

    def handle_message(self, provider, body, message):
        provider.handle_message(body, message)


class BatchingEntrypoint:
    """An entrypoint whose worker takes every message waiting (up to ``window``) at once.

    Up to ``in_flight`` batches run at a time: while they run, the next messages gather (the broker
    lets up to ``in_flight + 1`` windows be unacknowledged), so a batch grows with the load. A batch
    that would start with less than a tenth of its window first waits ``linger`` seconds for more (0:
    a lone message waits for nothing; one batch gathers at a time), so that its fixed cost (a dozen
    statements and a commit) is shared by the messages of a moderate stream rather than paid for
    each; under a heavy one the batches start at once. More than one in flight lets one
    batch's work overlap another's waits on the database; the method must then be safe beside itself
    (the check-ins lock their people). The messages of a batch are acknowledged after its worker committed; a batch that
    fails is run again one message at a time, so one bad message holds up no other, and a message
    that fails alone goes back to the broker (nothing dropped)."""

    queue_consumer = _WindowedQueueConsumer()
    window: int
    in_flight: int = 1
    linger: float = 0.0

    @property
    def queue_policy(self) -> queues.QueuePolicy:
        return queues.QueuePolicy.of(self.container.config)

    def setup(self):
        self._waiting: list = []
        self._draining = 0
        self._lingering = False
        super().setup()

    def handle_message(self, body, message):
        self._waiting.append((body, message))
        if self._draining < self.in_flight:
            self._draining += 1
            self.container.spawn_managed_thread(self._drain, identifier=f"{self.method_name}.batches")

    def _drain(self):
        try:
            while self._waiting:
                if self.linger and len(self._waiting) < self.window / 10:
                    if self._lingering:  # another batch is gathering already: these are its
                        break
                    self._lingering = True
                    try:
                        eventlet.sleep(self.linger)
                    finally:
                        self._lingering = False
                    if not self._waiting:  # the other batch in flight took them meanwhile
                        continue
                batch, self._waiting = self._waiting[:self.window], self._waiting[self.window:]
                if not self._run(batch) and len(batch) > 1:
                    for one in batch:
                        self._run([one])
        finally:
            self._draining -= 1

    def _run(self, batch) -> bool:
        """Run one worker on ``batch``; True when it committed (the messages are acknowledged)."""
        done = eventlet.event.Event()

        def handle_result(worker_ctx, result=None, exc_info=None):
            done.send(exc_info is None)
            return result, exc_info

        try:
            self.container.spawn_worker(self, ([body for body, _ in batch],), {},
                                        context_data=self.unpack_message_headers(batch[0][1]),
                                        handle_result=handle_result)
        except ContainerBeingKilled:
            for _, message in batch:
                self.queue_consumer.requeue_message(message)
            return True
        committed = done.wait()
        for _, message in batch:
            if committed:
                self.queue_consumer.ack_message(message)
            elif len(batch) == 1:
                # Given back after a wait that grows with its deliveries, without holding up the
                # batches behind it.
                self.container.spawn_managed_thread(lambda message=message: self._requeue_later(message),
                                                    identifier=f"{self.method_name}.requeue")
        return committed

    def _requeue_later(self, message) -> None:
        eventlet.sleep(self.queue_policy.redelivery_wait(message))
        self.queue_consumer.requeue_message(message)


class BatchEventHandler(BatchingEntrypoint, PlatformEventHandler):
    """An event handler taking its events in batches (:class:`BatchingEntrypoint`)."""

    def __init__(self, source_service, event_type, window: int = 200, **kwargs):
        self.window = window
        super().__init__(source_service, event_type, **kwargs)


class BatchCommandConsumer(BatchingEntrypoint, Consumer):
    """A consumer of one of the platform's command queues (``common.queues.command_queue``), in
    batches (:class:`BatchingEntrypoint`). The queue is declared by its publishers too, with the
    same arguments, so that nothing sent before the service first started is lost."""

    def __init__(self, queue_name: str, window: int = 200, in_flight: int = 1, linger: float = 0.0, **kwargs):
        self.queue_name = queue_name
        self.window = window
        self.in_flight = in_flight
        self.linger = linger
        super().__init__(queue=None, requeue_on_error=True, **kwargs)

    def setup(self):
        self.queue = queues.declare_command_queue(self.container.config, self.queue_name,
                                                  self.container.service_name)
        super().setup()


def handles_batch(event_cls, *, window: int = 200, database_attr: str = "db", clock_attr: str = "clock"):
    """Make a service method an idempotent handler of batches of ``event_cls`` (:class:`BatchEventHandler`).

    The method receives the list of validated events of a batch that this handler has not
    handled before (each once, in the order of delivery, never empty) and runs in one
    transaction with their inbox rows; a message that breaks the contract is kept aside alone.
    """
    if event_cls.event_type not in EVENT_TYPES and event_cls not in WARNING_EVENTS.values():
        raise ValueError(f"{event_cls.__name__} is not listed in common.events.EVENT_TYPES")

    def decorate(method):
        handler_name = f"{method.__qualname__}"

        @functools.wraps(method)
        def wrapper(self, payloads):
            unit_of_work = getattr(self, database_attr)
            batch = []
            for payload in payloads:
                try:
                    batch.append(event_cls.model_validate(payload))
                except ValidationError as error:
                    keep_aside(unit_of_work, type(self).name, event_cls.source, event_cls.event_type, payload,
                               error, getattr(self, clock_attr).now())
            if not batch:
                return None
            for attempt in Retrying(retry=retry_if_exception_type((IntegrityError, OperationalError)),
                                    stop=stop_after_attempt(5), wait=wait_random(0.01, 0.2), reraise=True):
                with attempt:
                    try:
                        result = _handle_batch_once(self, method, batch, unit_of_work, clock_attr, handler_name)
                    except Exception:
                        unit_of_work.rollback()
                        raise
            return result

        return BatchEventHandler.decorator(event_cls.source, event_cls.event_type, window=window)(wrapper)

    return decorate


def consumes_batch(queue_name: str, message_model, *, source: str, window: int = 200, in_flight: int = 1,
                   linger: float = 0.0, database_attr: str = "db", clock_attr: str = "clock"):
    """Make a service method the consumer of the command queue ``queue_name``, in batches
    (:class:`BatchCommandConsumer`), up to ``in_flight`` at once, each gathering up to ``linger``
    seconds when short of a window.

    The method receives the list of validated commands of a batch (``message_model``, in the order
    of delivery, never empty) and must commit, and be idempotent: a batch is delivered again after a
    crash between its commit and the acknowledgement. A message that breaks the contract is kept
    aside alone (``dead_letter``, with ``source``)."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, payloads):
            unit_of_work = getattr(self, database_attr)
            batch = []
            for payload in payloads:
                try:
                    batch.append(message_model.model_validate(payload))
                except ValidationError as error:
                    keep_aside(unit_of_work, type(self).name, source, queue_name, payload, error,
                               getattr(self, clock_attr).now())
            if not batch:
                return None
            for attempt in Retrying(retry=retry_if_exception_type((IntegrityError, OperationalError)),
                                    stop=stop_after_attempt(5), wait=wait_random(0.01, 0.2), reraise=True):
                with attempt:
                    try:
                        result = method(self, batch)
                    except Exception:
                        unit_of_work.rollback()
                        raise
            return result

        return BatchCommandConsumer.decorator(queue_name, window=window, in_flight=in_flight,
                                              linger=linger)(wrapper)

    return decorate


class Replies(DependencyProvider):
    """Best-effort answers to the reply queues that commands name (``reply_to``: a gateway waiting
    for a check-in's decision), sent after the commit, unconfirmed and transient. A failure to send
    is logged and never fails the worker: the caller reads the answer elsewhere (the status URL)."""

    def setup(self) -> None:
        self.publisher = Publisher(self.container.config["AMQP_URI"], use_confirms=False)

    def get_dependency(self, worker_ctx):
        return self.send

    def send(self, answers: list[tuple[str, dict]]) -> None:
        for reply_to, body in answers:
            try:
                self.publisher.publish(body, routing_key=reply_to, delivery_mode=1, mandatory=False, retry=False,
                                       serializer="json")
            except Exception as error:
                logger.warning("reply not sent", extra={"reply_to": reply_to, "error": repr(error)})
