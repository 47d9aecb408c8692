"""The transactional outbox.

A state change stages its events in the same transaction (:func:`stage_event`); after the
commit the relay publishes them to the broker with publisher confirms and marks them sent.
If the broker is down the rows stay pending and the relay tries again every
``outbox_relay_interval_seconds``: a broker outage delays events, it never loses them.
Several relays may run (one per instance); on PostgreSQL they skip each other's rows.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime, timedelta

import eventlet
import sqlalchemy as sa
from eventlet.event import Event as Signal
from nameko.standalone.events import get_event_exchange
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from common import health, metrics
from common.amqp import ConfirmedPublisher, OutgoingMessage
from common.events import Event, WarningRaised
from common.schema import outbox_message, rpc_request
from common.settings import platform_settings

logger = logging.getLogger(__name__)

def stage_event(session: Session, event: Event) -> None:
    session.execute(
        sa.insert(outbox_message).values(
            event_id=str(event.event_id),
            event_type=event.event_type,
            payload=event.model_dump(mode="json"),
            created_at=event.occurred_at,
        )
    )
    session.info["outbox_staged"] = True


def stage_events(session: Session, batch: list[Event]) -> None:
    """Stage many events with one statement (the deadline sweep fires thousands at once)."""
    if not batch:
        return
    session.execute(sa.insert(outbox_message), [
        {"event_id": str(event.event_id), "event_type": event.event_type, "payload": event.model_dump(mode="json"),
         "created_at": event.occurred_at} for event in batch])
    session.info["outbox_staged"] = True


def oldest_age_seconds(oldest: datetime | None, now: datetime | None = None) -> float:
    """How long the oldest pending event has waited, by its ``created_at`` (the time it was staged:
    the platform clock, which is the real one except under a manual clock, never in production)."""
    if oldest is None:
        return 0.0
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return max(0.0, ((now or datetime.now(UTC)) - oldest).total_seconds())


def _payload(payload) -> dict:
    if isinstance(payload, str):
        payload = json.loads(payload)
    return payload if isinstance(payload, dict) else {}


class OutboxRelay:
    """Publishes a service's committed events.

    No database transaction stays open across the network: on SQLite (the embedded default,
    one relay per process) a pass reads a batch, publishes it with the confirms gathered, then
    marks what the broker confirmed in one short write. On PostgreSQL several instances may
    relay at once, so the batch's rows stay locked (``SKIP LOCKED``) while they are published;
    a row lock there holds up no other writer.
    """

    def __init__(self, engine: Engine, service_name: str, nameko_config: dict):
        settings = platform_settings()
        self.engine = engine
        self.service_name = service_name
        self.interval = settings.outbox_relay_interval_seconds
        self.batch_size = settings.outbox_relay_batch_size
        self.publisher = ConfirmedPublisher(
            nameko_config["AMQP_URI"], get_event_exchange(service_name, nameko_config),
            timeout=settings.outbox_publish_timeout_seconds)
        self.retention = timedelta(days=settings.outbox_retention_days)
        self.gather_seconds = settings.outbox_gather_seconds
        self.locks_rows = engine.dialect.name == "postgresql"
        self.heartbeat = health.heartbeat(f"{service_name}.outbox-relay",
                                          max_age_seconds=max(60.0, 20 * self.interval))
        self._next_purge = 0.0
        self._wakeup = Signal()
        self._running = False
        self._lock = eventlet.semaphore.Semaphore()

    def wake(self) -> None:
        if not self._wakeup.ready():
            self._wakeup.send(True)

    def stop(self) -> None:
        self._running = False
        self.heartbeat.retire()
        self.publisher.close()
        self.wake()

    def run_forever(self) -> None:
        self._running = True
        while self._running:
            try:
                self.relay_pending()
                self._purge_now_and_then()
            except Exception:  # the relay must outlive any one failure; the rows stay pending
                logger.exception("outbox relay pass failed", extra={"service": self.service_name})
            self.heartbeat.beat()
            with eventlet.Timeout(self.interval, False):
                self._wakeup.wait()
                # Under load many commits wake the relay at once: a moment's wait lets one pass
                # publish them together instead of one pass per commit.
                eventlet.sleep(self.gather_seconds)
            self._wakeup = Signal()

    def _purge_now_and_then(self) -> None:
        if time.monotonic() < self._next_purge:
            return
        self._next_purge = time.monotonic() + 3600
        self.purge_published(datetime.now(UTC) - self.retention)

    def purge_published(self, before: datetime) -> int:
        """Published events older than the retention go; pending ones always stay. The answers
        kept for redelivered commands go too: a command expires within seconds."""
        with Session(self.engine) as session:
            purged = session.execute(sa.delete(outbox_message).where(
                outbox_message.c.sent_at.is_not(None), outbox_message.c.sent_at < before)).rowcount
            session.execute(sa.delete(rpc_request).where(rpc_request.c.handled_at < before))
            session.commit()
        return purged

    def relay_pending(self) -> int:
        """Publish every pending event of this service; return how many were sent."""
        sent_total = 0
        with self._lock:
            while True:
                sent, complete = self._relay_batch()
                sent_total += sent
                if complete:
                    break
            with Session(self.engine) as session:
                backlog, oldest = session.execute(
                    sa.select(sa.func.count(), sa.func.min(outbox_message.c.created_at))
                    .where(outbox_message.c.sent_at.is_(None))).one()
        metrics.OUTBOX_BACKLOG.labels(self.service_name).set(backlog)
        metrics.OUTBOX_OLDEST_AGE.labels(self.service_name).set(oldest_age_seconds(oldest))
        return sent_total

    def _pending(self, session: Session):
        query = (sa.select(outbox_message.c.id, outbox_message.c.event_id, outbox_message.c.event_type,
                           outbox_message.c.payload)
                 .where(outbox_message.c.sent_at.is_(None))
                 .order_by(outbox_message.c.id)
                 .limit(self.batch_size))
        if self.locks_rows:
            query = query.with_for_update(skip_locked=True)
        return session.execute(query).all()

    def _relay_batch(self) -> tuple[int, bool]:
        with Session(self.engine) as session:
            rows = self._pending(session)
            if not self.locks_rows:
                session.rollback()  # a read snapshot held across the network would pin the WAL
            outcome = self.publisher.publish([
                OutgoingMessage(routing_key=row.event_type, body=row.payload, message_id=row.event_id)
                for row in rows])
            # Only the confirmed rows before the first unconfirmed one count as sent, so that a
            # consumer never sees an event before one that was committed earlier.
            sent_count = next((index for index, confirmed in enumerate(outcome.confirmed) if not confirmed),
                              len(rows))
            sent_ids = [row.id for row in rows[:sent_count]]
            failed_ids = [row.id for row in rows[sent_count:]]
            if sent_ids:
                session.execute(sa.update(outbox_message).where(outbox_message.c.id.in_(sent_ids))
                                .values(sent_at=datetime.now(UTC), attempts=outbox_message.c.attempts + 1))
            if failed_ids:
                session.execute(sa.update(outbox_message).where(outbox_message.c.id.in_(failed_ids))
                                .values(attempts=outbox_message.c.attempts + 1, last_error=outcome.error))
            session.commit()
        for row in rows[:sent_count]:
            metrics.EVENTS_PUBLISHED.labels(self.service_name, row.event_type).inc()
            if row.event_type == WarningRaised.event_type:
                metrics.WARNINGS_RAISED.labels(self.service_name, _payload(row.payload).get("rule_id", "")).inc()
            logger.info("event published", extra={"service": self.service_name,
                                                 "event_id": row.event_id, "event_type": row.event_type})
        if failed_ids:
            logger.warning("outbox relay cannot publish; will retry",
                           extra={"service": self.service_name, "unconfirmed": len(failed_ids),
                                  "error": outcome.error})
            return len(sent_ids), True
        return len(sent_ids), len(rows) < self.batch_size
