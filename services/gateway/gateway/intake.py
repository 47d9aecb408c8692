"""The check-in intake (Art. 26, 47): check-ins handed to the broker with gathered confirms, and
the decisions of the ones whose phone waits for them.

A route hands a :class:`~common.contracts.attendance.CheckinCommand` to :meth:`CheckinIntake.submit`
and awaits it. A publishing thread takes every command waiting, publishes them together to the
durable intake queue (declared here as the attendance service declares it) and waits once for the
broker's confirms of the whole batch, instead of one round trip per check-in; each request learns
whether *its* command was confirmed. ``INTAKE_PUBLISHERS`` threads, each on its own connection, take
turns: while one waits for its batch's confirms the next gathers and publishes, so that a check-in
does not wait for the confirms of the batch before its own. Only a confirmed command is answered 202: a broker that is
down, refuses, or confirms too slowly gives :class:`~gateway.rpc.BrokerUnavailable` (503) within
``intake_confirm_timeout_seconds``, never a hang.

A phone that asks to wait (``wait_ms``) names this gateway's decision queue (exclusive, deleted
with the gateway) as the command's ``reply_to``; the attendance service sends the decision there
after committing it. That answer is a convenience: when it does not come in time the phone gets
202 and reads the decision from the status URL.
"""

from __future__ import annotations

import asyncio
import json
import logging
import queue
import threading
import time
import uuid
from concurrent.futures import Future

from kombu import Connection, Exchange, Queue
from prometheus_client import Counter, Histogram

from common.amqp import ConfirmedPublisher, OutgoingMessage, close_quietly
from common.contracts.attendance import CHECKIN_INTAKE_QUEUE, CheckinCommand
from common.queues import QueuePolicy, command_queue
from gateway.rpc import BrokerUnavailable

logger = logging.getLogger(__name__)

INTAKE_BATCH = 500  # commands published before one wait for their confirms
INTAKE_BACKLOG = 20_000  # commands waiting for a publishing thread; past it, 503 at once
INTAKE_PUBLISHERS = 3
RECONNECT_PAUSE_SECONDS = 1.0

INTAKE_PUBLISHED = Counter("gateway_checkin_intake_total",
                           "Check-ins handed to the broker, by outcome: confirmed, refused (503)", ["outcome"])
CONFIRM_LATENCY = Histogram("gateway_checkin_confirm_seconds",
                            "From a check-in's hand-over to the broker's confirm of it",
                            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))


class DecisionWaiters:
    """The requests waiting for their check-in's decision, by check-in id, and this gateway's queue
    the decisions come back to (consumed by one thread; reconnected when the connection drops)."""

    def __init__(self, amqp_uri: str, timeout: float):
        self.amqp_uri = amqp_uri
        self.timeout = timeout
        self.queue_name = f"checkin-decisions.gateway-{uuid.uuid4().hex}"
        self._waiting: dict[str, list[tuple[asyncio.AbstractEventLoop, asyncio.Future]]] = {}
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def ready(self) -> bool:
        """True while decisions can reach this gateway: only then is a command sent with ``reply_to``."""
        return self._ready.is_set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._consume_forever, name="checkin-decisions", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()

    def expect(self, checkin_id: str) -> asyncio.Future:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        with self._lock:
            self._waiting.setdefault(checkin_id, []).append((loop, future))
        return future

    def forget(self, checkin_id: str, future: asyncio.Future) -> None:
        with self._lock:
            waiters = [pair for pair in self._waiting.get(checkin_id, []) if pair[1] is not future]
            if waiters:
                self._waiting[checkin_id] = waiters
            else:
                self._waiting.pop(checkin_id, None)

    def _deliver(self, body, message) -> None:
        message.ack()
        decision = body if isinstance(body, dict) else json.loads(body)
        with self._lock:
            waiters = self._waiting.pop(str(decision.get("id")), [])
        for loop, future in waiters:
            loop.call_soon_threadsafe(_settle, future, decision)

    def _consume_forever(self) -> None:
        while not self._stopping.is_set():
            connection = None
            try:
                connection = Connection(self.amqp_uri, connect_timeout=self.timeout, heartbeat=30)
                connection.ensure_connection(max_retries=1, timeout=self.timeout)
                decisions = Queue(self.queue_name, exclusive=True, auto_delete=True, durable=False)
                with connection.Consumer(decisions, callbacks=[self._deliver], accept=["json"], no_ack=False):
                    self._ready.set()
                    while not self._stopping.is_set():
                        try:
                            connection.drain_events(timeout=1.0)
                        except TimeoutError:
                            connection.heartbeat_check()
            except Exception as error:
                if not self._stopping.is_set():
                    logger.warning("check-in decision queue lost; reconnecting", extra={"error": repr(error)})
            finally:
                self._ready.clear()
                close_quietly(connection)
            self._stopping.wait(RECONNECT_PAUSE_SECONDS)


def _settle(future: asyncio.Future, value) -> None:
    if not future.done():
        future.set_result(value)


class CheckinIntake:
    """Hands check-ins to the broker (see the module's docstring)."""

    def __init__(self, amqp_uri: str, *, confirm_timeout: float, policy: QueuePolicy | None = None):
        self.amqp_uri = amqp_uri
        self.confirm_timeout = confirm_timeout
        self.intake_queue = command_queue(CHECKIN_INTAKE_QUEUE, "attendance", policy or QueuePolicy())
        self.waiters = DecisionWaiters(amqp_uri, confirm_timeout)
        self._outbox: queue.Queue[tuple[OutgoingMessage, Future, float]] = queue.Queue(INTAKE_BACKLOG)
        self._stopping = threading.Event()

    def start(self) -> None:
        self.waiters.start()
        for number in range(INTAKE_PUBLISHERS):
            threading.Thread(target=self._publish_forever, name=f"checkin-intake-{number}", daemon=True).start()

    def stop(self) -> None:
        self._stopping.set()
        self.waiters.stop()

    async def submit(self, command: CheckinCommand, wait_seconds: float) -> dict | None:
        """Hand ``command`` to the broker; its decision when it came within ``wait_seconds``, None
        when the broker holds it undecided. :class:`BrokerUnavailable` when the broker did not confirm."""
        waiting = wait_seconds > 0 and self.waiters.ready
        if waiting:
            command = command.model_copy(update={"reply_to": self.waiters.queue_name})
            decision = self.waiters.expect(command.checkin_id)
        started = time.monotonic()
        try:
            confirmed = Future()
            try:
                self._outbox.put_nowait((OutgoingMessage(self.intake_queue.name, command.model_dump(mode="json"),
                                                         command.checkin_id), confirmed, started))
            except queue.Full:
                raise BrokerUnavailable("too many check-ins wait for the broker; send it again shortly") from None
            await asyncio.wait_for(asyncio.wrap_future(confirmed), timeout=self.confirm_timeout + 1.0)
            if not waiting:
                return None
            remaining = wait_seconds - (time.monotonic() - started)
            if remaining <= 0:
                return None
            try:
                return await asyncio.wait_for(asyncio.shield(decision), timeout=remaining)
            except TimeoutError:
                return None
        except TimeoutError:
            raise BrokerUnavailable("the broker did not confirm the check-in in time") from None
        finally:
            if waiting:
                self.waiters.forget(command.checkin_id, decision)

    def _publish_forever(self) -> None:
        publisher = ConfirmedPublisher(self.amqp_uri, Exchange("", type="direct"), self.confirm_timeout,
                                       declare=(self.intake_queue,))
        try:
            while not self._stopping.is_set():
                try:
                    batch = [self._outbox.get(timeout=0.5)]
                except queue.Empty:
                    continue
                while len(batch) < INTAKE_BATCH:
                    try:
                        batch.append(self._outbox.get_nowait())
                    except queue.Empty:
                        break
                # A request that gave up (503 already) is not published: its phone sends it again.
                batch = [entry for entry in batch if entry[1].set_running_or_notify_cancel()]
                if not batch:
                    continue
                try:
                    self._publish(publisher, batch)
                except Exception as error:  # the thread must outlive any one batch, or every check-in would wait
                    logger.exception("check-in batch not published", extra={"count": len(batch)})
                    for _, confirmed, _ in batch:
                        if not confirmed.done():
                            confirmed.set_exception(BrokerUnavailable(f"the check-in was not handed over: {error!r}"))
                    publisher.close()
        finally:
            publisher.close()

    def _publish(self, publisher: ConfirmedPublisher, batch) -> None:
        outcome = publisher.publish([message for message, _, _ in batch])
        now = time.monotonic()
        for (_, confirmed, started), ok in zip(batch, outcome.confirmed, strict=True):
            INTAKE_PUBLISHED.labels("confirmed" if ok else "refused").inc()
            if ok:
                CONFIRM_LATENCY.observe(now - started)
                confirmed.set_result(True)
            else:
                confirmed.set_exception(BrokerUnavailable(
                    f"the broker did not take the check-in ({outcome.error or 'refused'}); send it again"))
        if outcome.error:
            logger.warning("check-ins refused by the broker", extra={"count": len(batch), "error": outcome.error})
