"""The relay of the outside systems' feed (Art. 37(3)): the ``score_change`` rows, committed with the
change they describe under a gap-free sequence, are published in sequence order to the topic exchange
``supervision.scores`` (routing keys ``score.changed.<subject kind>``, ``bid_ban.imposed.<subject kind>``)
with publisher confirms, and marked published. A broker that is down delays the feed, never loses or
reorders it: only the confirmed rows before the first unconfirmed one count as published.

The exchange, its payloads and a subscriber are documented in docs/asyncapi/scoring.yaml."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import eventlet
import sqlalchemy as sa
from eventlet.event import Event as Signal
from kombu import Exchange
from nameko.extensions import DependencyProvider
from prometheus_client import Gauge
from sqlalchemy.orm import Session

from common import health
from common.amqp import ConfirmedPublisher, OutgoingMessage
from common.database import engine_for
from common.settings import database_url, platform_settings
from scoring.persistence.models import ScoreChange

# The advisory lock that lets one instance's relay publish the feed (an arbitrary, fixed key).
FEED_RELAY_LOCK = 0x5C0_2E_FEED

logger = logging.getLogger(__name__)
EXCHANGE_NAME = "supervision.scores"
FEED_BACKLOG = Gauge("supervision_score_feed_backlog", "Score changes committed but not yet on the exchange")


def feed_exchange() -> Exchange:
    return Exchange(EXCHANGE_NAME, type="topic", durable=True)


class FeedRelay:
    def __init__(self, engine, amqp_uri: str, interval: float, batch_size: int = 500, timeout: float = 5.0):
        self.engine, self.interval, self.batch_size = engine, interval, batch_size
        self.publisher = ConfirmedPublisher(amqp_uri, feed_exchange(), timeout=timeout)
        self.heartbeat = health.heartbeat("scoring.feed-relay", max_age_seconds=max(60.0, 20 * interval))
        self._wakeup = Signal()
        self._running = False

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
            except Exception:  # the relay must outlive any one failure; the rows stay unpublished
                logger.exception("score feed relay pass failed")
            self.heartbeat.beat()
            with eventlet.Timeout(self.interval, False):
                self._wakeup.wait()
            self._wakeup = Signal()

    def relay_pending(self) -> int:
        """Publish what is unpublished, in order. On PostgreSQL one relay of all the service's
        instances publishes at a time (a session advisory lock): two would each publish every row,
        and their streams could interleave."""
        if self.engine.dialect.name != "postgresql":
            return self._publish_in_order()
        with self.engine.connect() as holder:
            if not holder.execute(sa.select(sa.func.pg_try_advisory_lock(FEED_RELAY_LOCK))).scalar():
                return 0
            try:
                return self._publish_in_order()
            finally:
                holder.execute(sa.select(sa.func.pg_advisory_unlock(FEED_RELAY_LOCK)))
                holder.commit()

    def _publish_in_order(self) -> int:
        published = 0
        while True:
            with Session(self.engine) as session:
                rows = session.execute(sa.select(ScoreChange.sequence, ScoreChange.routing_key, ScoreChange.payload)
                                       .where(ScoreChange.published_at.is_(None))
                                       .order_by(ScoreChange.sequence).limit(self.batch_size)).all()
                session.rollback()
                outcome = self.publisher.publish([
                    OutgoingMessage(routing_key=row.routing_key, body=row.payload,
                                    message_id=f"score-change-{row.sequence}") for row in rows])
                done = next((index for index, ok in enumerate(outcome.confirmed) if not ok), len(rows))
                if done:
                    session.execute(sa.update(ScoreChange).where(
                        ScoreChange.sequence.in_([row.sequence for row in rows[:done]]))
                        .values(published_at=datetime.now(UTC)))
                    session.commit()
                    logger.info("score changes published", extra={"first_sequence": rows[0].sequence,
                                                                  "last_sequence": rows[done - 1].sequence})
                published += done
                if done < len(rows):
                    logger.warning("score feed cannot publish; will retry", extra={"error": outcome.error})
                    break
                if len(rows) < self.batch_size:
                    break
        with Session(self.engine) as session:
            FEED_BACKLOG.set(session.execute(sa.select(sa.func.count()).select_from(ScoreChange)
                                             .where(ScoreChange.published_at.is_(None))).scalar_one())
        return published


class ScoreFeed(DependencyProvider):
    """Runs the feed relay beside the service; the use cases' commits wake it through :meth:`wake`."""

    def setup(self) -> None:
        settings = platform_settings()
        url = database_url(self.container.service_name)
        self.relay = FeedRelay(engine_for(url), self.container.config["AMQP_URI"],
                               settings.outbox_relay_interval_seconds)

    def start(self) -> None:
        self.container.spawn_managed_thread(self.relay.run_forever)

    def stop(self) -> None:
        self.relay.stop()

    def kill(self) -> None:
        self.relay.stop()

    def get_dependency(self, worker_ctx):
        return self.relay

    def worker_teardown(self, worker_ctx) -> None:
        self.relay.wake()
