"""Bounded AMQP connections and publishing with gathered confirms.

Every network step here has a time limit: a broker that is down, or a network that drops
bytes without closing the connection, costs a caller at most the time it allowed, never a
hang. The outbox relay and the gateway's RPC client both sit on this module.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass

from kombu import Connection, Exchange

logger = logging.getLogger(__name__)


class PublishFailed(ConnectionError):
    """The broker did not confirm every message in time; the unconfirmed ones may be retried."""


def open_connection(amqp_uri: str, timeout: float) -> Connection:
    """A connected kombu connection whose socket reads and writes give up after ``timeout``."""
    connection = Connection(
        amqp_uri, connect_timeout=timeout, heartbeat=0,
        transport_options={"read_timeout": timeout, "write_timeout": timeout},
    )
    # kombu would retry for ever by default; the caller decides what to do with a refusal.
    connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
    return connection


def close_quietly(connection: Connection | None) -> None:
    if connection is None:
        return
    try:
        connection.collect()
    except Exception:  # the socket is gone already; there is nothing left to release
        logger.debug("AMQP connection could not be closed cleanly", exc_info=True)


class Confirmations:
    """The broker's confirms of a channel in confirm mode (delivery tags 1, 2, 3…), kept only
    for the messages still outstanding or whose outcome has not been read yet."""

    def __init__(self, channel):
        self.next_tag = 1
        self.pending: set[int] = set()
        self.outcomes: dict[int, bool] = {}
        channel.events["basic_ack"].add(self._on_ack)
        channel.events["basic_nack"].add(self._on_nack)

    def take_tag(self) -> int:
        tag, self.next_tag = self.next_tag, self.next_tag + 1
        self.pending.add(tag)
        return tag

    def _settle(self, delivery_tag: int, multiple: bool, acked: bool) -> None:
        tags = [tag for tag in self.pending if tag <= delivery_tag] if multiple else [delivery_tag]
        for tag in tags:
            if tag in self.pending:
                self.pending.discard(tag)
                self.outcomes[tag] = acked

    def _on_ack(self, delivery_tag: int, multiple: bool) -> None:
        self._settle(delivery_tag, multiple, True)

    def _on_nack(self, delivery_tag: int, multiple: bool) -> None:
        self._settle(delivery_tag, multiple, False)

    def settled(self, tag: int) -> bool:
        return tag in self.outcomes

    def pop_outcome(self, tag: int) -> bool:
        """True when the broker took the message; False when it refused it or has not answered
        (then the tag is forgotten: a late answer changes nothing)."""
        self.pending.discard(tag)
        return self.outcomes.pop(tag, False)


@dataclass(frozen=True)
class OutgoingMessage:
    routing_key: str
    body: dict
    message_id: str


@dataclass(frozen=True)
class PublishOutcome:
    confirmed: list[bool]
    error: str | None


class ConfirmedPublisher:
    """Publishes batches of persistent JSON messages to one exchange and waits once for the
    broker's confirms of the whole batch, instead of one round trip per message.

    Not safe to share between green threads: each relay owns one.
    """

    def __init__(self, amqp_uri: str, exchange: Exchange, timeout: float, declare: tuple = ()):
        self.amqp_uri = amqp_uri
        self.exchange = exchange
        self.timeout = timeout
        self.declare = declare  # queues (say) declared with the exchange on each new channel
        self._connection: Connection | None = None
        self._channel = None
        self._confirmations: Confirmations | None = None

    def _ensure_channel(self):
        if self._channel is None:
            connection = open_connection(self.amqp_uri, self.timeout)
            try:
                channel = connection.channel()
                channel.confirm_select()
                self.exchange.bind(channel).declare()
                for entity in self.declare:
                    entity.bind(channel).declare()
            except Exception:
                close_quietly(connection)
                raise
            self._connection, self._channel = connection, channel
            self._confirmations = Confirmations(channel)
        return self._channel

    def close(self) -> None:
        connection, self._connection, self._channel, self._confirmations = self._connection, None, None, None
        close_quietly(connection)

    def publish(self, messages: list[OutgoingMessage]) -> PublishOutcome:
        """Publish ``messages`` and say, for each, whether the broker confirmed it within the
        timeout. A connection error closes the connection (the next call opens a new one)
        and leaves the unconfirmed messages unconfirmed."""
        if not messages:
            return PublishOutcome([], None)
        tags: list[int] = []
        try:
            channel = self._ensure_channel()
            confirmations = self._confirmations
            for message in messages:
                payload = json.dumps(message.body).encode()
                prepared = channel.prepare_message(
                    payload, content_type="application/json", content_encoding="utf-8",
                    properties={"delivery_mode": 2, "message_id": message.message_id})
                tags.append(confirmations.take_tag())
                channel.basic_publish(prepared, exchange=self.exchange.name, routing_key=message.routing_key)
            deadline = time.monotonic() + self.timeout
            while not all(confirmations.settled(tag) for tag in tags):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise PublishFailed(f"the broker confirmed too slowly ({self.timeout:.1f} s)")
                self._connection.drain_events(timeout=remaining)
            confirmed = [confirmations.pop_outcome(tag) for tag in tags]
            return PublishOutcome(confirmed, None if all(confirmed) else "the broker refused (nack)")
        except Exception as error:
            confirmations = self._confirmations
            outcome = [confirmations is not None and confirmations.pop_outcome(tag) for tag in tags]
            outcome += [False] * (len(messages) - len(outcome))
            logger.warning("publishing interrupted", extra={"exchange": self.exchange.name, "error": repr(error),
                                                            "confirmed": sum(outcome), "batch": len(messages)})
            self.close()
            return PublishOutcome(outcome, repr(error)[:500])
