"""The arguments of the platform's queues and the wait before a failed message goes back
(common.queues); the broker's side is in test_queues_broker.py."""

from __future__ import annotations

from types import SimpleNamespace

from kombu import Exchange, Queue

from common.queues import (
    DEAD_LETTER_EXCHANGE,
    QUORUM_SUFFIX,
    QueuePolicy,
    dead_letter_queue,
    is_replicable,
    quorum_twin,
)


def test_a_quorum_queue_is_bound_like_nameko_s_with_a_delivery_limit_and_a_dead_letter_queue():
    exchange = Exchange("workflow.events", type="topic", durable=True)
    nameko = Queue("evt-workflow-unit.registered--attendance.on_unit", exchange=exchange,
                   routing_key="unit.registered", durable=True)
    twin = quorum_twin(nameko, "attendance", QueuePolicy(delivery_limit=7))
    assert twin.name == nameko.name + QUORUM_SUFFIX
    assert (twin.exchange.name, twin.routing_key, twin.durable) == ("workflow.events", "unit.registered", True)
    assert twin.queue_arguments == {
        "x-queue-type": "quorum", "x-delivery-limit": 7, "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
        "x-dead-letter-routing-key": "attendance", "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish"}
    dlq = dead_letter_queue("attendance")
    assert (dlq.name, dlq.routing_key, dlq.exchange.name) == ("dlq-attendance", "attendance", DEAD_LETTER_EXCHANGE)
    assert dlq.queue_arguments == {"x-queue-type": "quorum"}


def test_only_durable_queues_that_outlive_their_consumers_are_replicated():
    assert is_replicable(Queue("evt-x", durable=True))
    assert not is_replicable(Queue("rpc.reply-x", durable=False))
    assert not is_replicable(Queue("evt-broadcast", durable=True, exclusive=True))
    assert not is_replicable(Queue("evt-unreliable", durable=True, auto_delete=True))


def test_the_policy_comes_from_the_nameko_config_with_the_settings_defaults():
    assert QueuePolicy.of({}) == QueuePolicy(quorum=True, delivery_limit=20, redelivery_delay=0.5,
                                             redelivery_delay_max=60.0)
    assert QueuePolicy.of({"QUORUM_QUEUES": False, "QUEUE_DELIVERY_LIMIT": 3}).delivery_limit == 3
    assert not QueuePolicy.of({"QUORUM_QUEUES": False}).quorum


def test_the_wait_before_a_redelivery_doubles_with_each_delivery_up_to_the_maximum():
    policy = QueuePolicy(redelivery_delay=0.5, redelivery_delay_max=60)

    def wait(count):
        headers = {} if count is None else {"x-delivery-count": count}
        return policy.redelivery_wait(SimpleNamespace(headers=headers))

    assert [wait(None), wait(1), wait(2), wait(6), wait(7), wait(19), wait(10_000)] == [0.5, 1, 2, 32, 60, 60, 60]
    assert policy.redelivery_wait(SimpleNamespace(headers=None)) == 0.5
    assert sum(wait(count or None) for count in range(20)) < 15 * 60, "20 deliveries take under a quarter hour"
