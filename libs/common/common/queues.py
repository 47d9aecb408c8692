"""The platform's durable queues: replicated quorum queues with a delivery limit and a dead-letter queue.

Every durable queue a service declares — each event handler's queue (``common.inbox``) and its RPC
command queue (``common.rpc``) — is a quorum queue when ``SUPERVISION_QUORUM_QUEUES`` is on (the
default; a single-node broker runs them too), declared with:

- ``x-queue-type: quorum``: replicated over the cluster's nodes (RabbitMQ Cluster Operator, 3 nodes),
  so that a node lost is no message lost;
- ``x-delivery-limit`` (``SUPERVISION_QUEUE_DELIVERY_LIMIT``, 20): a message given back that often
  (a handler that fails on it every time) is dead-lettered instead of looping for ever;
- ``x-dead-letter-exchange`` ``supervision.dead-letter`` (direct) with the service's name as routing
  key, at-least-once: it lands in the service's quorum queue ``dlq-<service>``, where the ``x-death``
  header names the queue it came from. Nothing consumes it: alert on its depth, look, and move the
  messages back (README, "Deploying and watching") once the cause is mended.

A handler that failed waits before giving its message back, ``SUPERVISION_QUEUE_REDELIVERY_DELAY_SECONDS``
(0.5) doubled with each delivery up to the maximum (60): a database down for a few minutes does not
exhaust the limit in a second. What breaks its contract never reaches the limit: the inbox keeps it in
the service's ``dead_letter`` table at once (``common.inbox.keep_aside``).

RPC reply queues stay exclusive or transient (never durable, never quorum).

**The move from classic queues.** A broker that already holds a service's classic queues (an earlier
version, a developer's ``make run``) would refuse their redeclaration with other arguments
(PRECONDITION_FAILED) and stop the service. So a quorum queue has a name of its own, nameko's name with
``.quorum`` after it, and at start each entrypoint retires the queue of the other type: it declares and
binds its own queue first, unbinds the old one (no new message reaches it), moves every message waiting
in it over (publisher confirms, then ack; a message moved twice by two replicas is skipped by the
inbox or answered again by ``common.service.command``), and deletes it if it is then empty and nobody
consumes it — an old replica still consuming it during a rolling update keeps it until the next
start. Each step is logged (``queue moved``, ``old queue left in place``). Turning the setting off
moves the messages back the same way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import amqp
from amqp.exceptions import NotFound, PreconditionFailed, ResourceLocked
from kombu import Connection, Exchange, Queue

logger = logging.getLogger(__name__)

QUORUM_SUFFIX = ".quorum"
DEAD_LETTER_EXCHANGE = "supervision.dead-letter"
DEAD_LETTER_PREFIX = "dlq-"


@dataclass(frozen=True)
class QueuePolicy:
    quorum: bool = True
    delivery_limit: int = 20
    redelivery_delay: float = 0.5
    redelivery_delay_max: float = 60.0

    @classmethod
    def of(cls, config: dict) -> QueuePolicy:
        """The policy in a nameko config (``PlatformSettings.nameko_config``); a config without these
        keys (a test's container) gets the settings' defaults."""
        default = cls()
        return cls(quorum=bool(config.get("QUORUM_QUEUES", default.quorum)),
                   delivery_limit=int(config.get("QUEUE_DELIVERY_LIMIT", default.delivery_limit)),
                   redelivery_delay=float(config.get("QUEUE_REDELIVERY_DELAY", default.redelivery_delay)),
                   redelivery_delay_max=float(config.get("QUEUE_REDELIVERY_DELAY_MAX", default.redelivery_delay_max)))

    def redelivery_wait(self, message) -> float:
        """Seconds to wait before giving ``message`` back: the quorum queue counts its earlier
        deliveries in ``x-delivery-count`` (absent on the first)."""
        headers = getattr(message, "headers", None) or {}
        try:
            earlier = int(headers.get("x-delivery-count", 0))
        except (TypeError, ValueError):
            earlier = 0
        return min(self.redelivery_delay * 2 ** min(earlier, 30), self.redelivery_delay_max)


def dead_letter_exchange() -> Exchange:
    return Exchange(DEAD_LETTER_EXCHANGE, type="direct", durable=True)


def dead_letter_queue(service: str) -> Queue:
    """The service's dead-letter queue: every message one of its queues gave up on."""
    return Queue(f"{DEAD_LETTER_PREFIX}{service}", exchange=dead_letter_exchange(), routing_key=service,
                 durable=True, queue_arguments={"x-queue-type": "quorum"})


def is_replicable(queue: Queue) -> bool:
    """Only a durable queue that outlives its consumers becomes a quorum queue (not an exclusive,
    auto-deleted or reply queue)."""
    return bool(queue.durable and not queue.exclusive and not queue.auto_delete)


def quorum_twin(queue: Queue, service: str, policy: QueuePolicy) -> Queue:
    """``queue`` (as nameko names and binds it) as the platform's quorum queue."""
    return Queue(queue.name + QUORUM_SUFFIX, exchange=queue.exchange, routing_key=queue.routing_key, durable=True,
                 queue_arguments={
                     "x-queue-type": "quorum",
                     "x-delivery-limit": policy.delivery_limit,
                     "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
                     "x-dead-letter-routing-key": service,
                     "x-dead-letter-strategy": "at-least-once",
                     "x-overflow": "reject-publish",  # required by at-least-once dead-lettering
                 })


def platform_queue(config: dict, queue: Queue, service: str) -> Queue:
    """The queue an entrypoint consumes instead of nameko's ``queue``, declared and bound now, with
    the queue of the other type (an earlier start's) retired into it. A queue that is not durable
    is returned unchanged."""
    if not is_replicable(queue):
        return queue
    policy = QueuePolicy.of(config)
    twin = quorum_twin(queue, service, policy)
    own, other = (twin, queue) if policy.quorum else (queue, twin)
    with Connection(config["AMQP_URI"], connect_timeout=10) as connection:
        connection.ensure_connection(max_retries=3)
        channel = connection.channel()
        if policy.quorum:
            dead_letter_exchange()(channel).declare()
            dead_letter_queue(service)(channel).declare()
        own(channel).declare()
        retire(connection, other, own)
    return own


def command_queue(name: str, service: str, policy: QueuePolicy) -> Queue:
    """A durable queue of commands for ``service`` that its publishers send to by name (through the
    default exchange): the check-in intake. Publishers and the consumer declare it alike, so that
    a command sent before the service's first start waits for it; a quorum queue under the quorum
    policy (named with ``.quorum``, as every platform queue), a classic durable queue otherwise."""
    classic = Queue(name, durable=True)
    return quorum_twin(classic, service, policy) if policy.quorum else classic


def declare_command_queue(config: dict, name: str, service: str) -> Queue:
    """Declare :func:`command_queue` (and the service's dead-letter queue) for its consumer; the
    queue of the other type (the quorum setting turned) is retired into it as every platform queue's."""
    policy = QueuePolicy.of(config)
    queue = command_queue(name, service, policy)
    other = command_queue(name, service, QueuePolicy(quorum=not policy.quorum,
                                                     delivery_limit=policy.delivery_limit))
    with Connection(config["AMQP_URI"], connect_timeout=10) as connection:
        connection.ensure_connection(max_retries=3)
        channel = connection.channel()
        if policy.quorum:
            dead_letter_exchange()(channel).declare()
            dead_letter_queue(service)(channel).declare()
        queue(channel).declare()
        retire(connection, other, queue)  # the commands waiting in the queue of the other type move over
    return queue


def retire(connection: Connection, old: Queue, new: Queue) -> int:
    """Unbind ``old``, move its messages to ``new`` and delete it if empty and unused; the number
    of messages moved (0 when ``old`` does not exist)."""
    channel = connection.channel()
    try:
        _, waiting, consumers = channel.queue_declare(old.name, passive=True)
    except NotFound:
        return 0
    except ResourceLocked:  # an exclusive queue of someone else's: not ours to touch
        return 0
    channel = connection.channel()
    if old.exchange is not None and old.exchange.name:
        channel.queue_unbind(old.name, old.exchange.name, routing_key=old.routing_key)
    moved = 0
    while True:
        message = channel.basic_get(old.name, no_ack=False)
        if message is None:
            break
        copy = amqp.Message(message.body, **message.properties)
        channel.basic_publish_confirm(copy, exchange="", routing_key=new.name)
        channel.basic_ack(message.delivery_tag)
        moved += 1
    try:
        channel.queue_delete(old.name, if_unused=True, if_empty=True)
    except PreconditionFailed as error:
        logger.warning("old queue left in place: it no longer receives messages; the next start moves what is left",
                       extra={"queue": old.name, "into": new.name, "moved": moved, "reason": str(error)})
        return moved
    logger.warning("queue moved", extra={"queue": old.name, "into": new.name, "moved": moved,
                                         "waiting_at_start": waiting, "consumers_at_start": consumers})
    return moved
