"""The transactional outbox.

A state change stages its events in the same transaction (:func:`stage_event`); after the
commit the relay publishes them to the broker with publisher confirms and marks them sent.
If the broker is down the rows stay pending and the relay tries again every
``outbox_relay_interval_seconds``: a broker outage delays events, it never loses them.
Several relays may run (one per instance); on PostgreSQL they skip each other's rows.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

import eventlet
import sqlalchemy as sa
from eventlet.event import Event as Signal
from nameko.amqp.publish import Publisher
from nameko.standalone.events import get_event_exchange
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from common import metrics
from common.events import Event
from common.schema import outbox_message
from common.settings import platform_settings

logger = logging.getLogger(__name__)

# The relay retries on its own timer, so a publish must fail fast instead of blocking it.
_PUBLISH_RETRY_POLICY = {"max_retries": 0}


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


class OutboxRelay:
    def __init__(self, engine: Engine, service_name: str, nameko_config: dict):
        settings = platform_settings()
        self.engine = engine
        self.service_name = service_name
        self.interval = settings.outbox_relay_interval_seconds
        self.batch_size = settings.outbox_relay_batch_size
        self.exchange = get_event_exchange(service_name, nameko_config)
        self.publisher = Publisher(
            nameko_config["AMQP_URI"],
            serializer="json",
            retry=False,
            retry_policy=_PUBLISH_RETRY_POLICY,
            declare=[self.exchange],
        )
        # nameko's default connection retries add up to 5 s per pass; the relay's own timer is
        # the retry, so one quick attempt is enough.
        self.publisher.transport_options = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5,
                                            "interval_max": 1}
        self.retention = timedelta(days=settings.outbox_retention_days)
        self.gather_seconds = settings.outbox_gather_seconds
        self._next_purge = 0.0
        self._wakeup = Signal()
        self._running = False
        self._lock = eventlet.semaphore.Semaphore()

    def wake(self) -> None:
        if not self._wakeup.ready():
            self._wakeup.send(True)

    def stop(self) -> None:
        self._running = False
        self.wake()

    def run_forever(self) -> None:
        self._running = True
        while self._running:
            try:
                self.relay_pending()
                self._purge_now_and_then()
            except Exception:  # the relay must outlive any one failure; the rows stay pending
                logger.exception("outbox relay pass failed", extra={"service": self.service_name})
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
        """Published events older than the retention go; pending ones always stay."""
        with Session(self.engine) as session:
            purged = session.execute(sa.delete(outbox_message).where(
                outbox_message.c.sent_at.is_not(None), outbox_message.c.sent_at < before)).rowcount
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
        return sent_total

    def _relay_batch(self) -> tuple[int, bool]:
        sent = 0
        with Session(self.engine) as session:
            rows = session.execute(
                sa.select(outbox_message.c.id, outbox_message.c.event_id, outbox_message.c.event_type,
                          outbox_message.c.payload)
                .where(outbox_message.c.sent_at.is_(None))
                .order_by(outbox_message.c.id)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            ).all()
            failure = None
            for row in rows:
                try:
                    self.publisher.publish(row.payload, exchange=self.exchange, routing_key=row.event_type)
                except Exception as error:  # broker down or refused: keep the row for the next pass
                    failure = error
                    session.execute(
                        sa.update(outbox_message)
                        .where(outbox_message.c.id == row.id)
                        .values(attempts=outbox_message.c.attempts + 1, last_error=repr(error)[:500])
                    )
                    break
                session.execute(
                    sa.update(outbox_message)
                    .where(outbox_message.c.id == row.id)
                    .values(sent_at=datetime.now(UTC), attempts=outbox_message.c.attempts + 1)
                )
                sent += 1
                metrics.EVENTS_PUBLISHED.labels(self.service_name, row.event_type).inc()
                logger.info("event published", extra={"service": self.service_name,
                                                     "event_id": row.event_id, "event_type": row.event_type})
            session.commit()
            backlog = session.execute(
                sa.select(sa.func.count()).select_from(outbox_message).where(outbox_message.c.sent_at.is_(None))
            ).scalar_one()
        metrics.OUTBOX_BACKLOG.labels(self.service_name).set(backlog)
        if failure is not None:
            logger.warning("outbox relay cannot publish; will retry",
                           extra={"service": self.service_name, "pending": backlog, "error": repr(failure)})
            return sent, True
        return sent, len(rows) < self.batch_size
