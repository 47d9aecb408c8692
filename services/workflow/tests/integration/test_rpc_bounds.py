"""The gateway's RPC client against the workflow service as it runs (its own process, the real
RabbitMQ): a call is bounded end to end, an unknown service or an unreachable broker answers
at once, and a command whose caller gave up is never executed."""

import json
import threading
import time
import uuid

import httpx
import pytest
from kombu import Connection, Exchange, Producer
from nameko.exceptions import RpcTimeout, UnknownService

from common.principal import CONTEXT_KEY, Principal
from gateway import rpc as gateway_rpc
from gateway.rpc import BrokerUnavailable, ServiceClient

pytestmark = pytest.mark.integration

BACK_OFFICE = Principal(user_id="demo-leading-group-chief", portal="zzd", roles=frozenset({"leading_group"}))


@pytest.fixture
def client(service):
    made = ServiceClient({"AMQP_URI": service.amqp_uri}, timeout=3)
    yield made
    made.close()


def _expired_commands(service) -> float:
    text = httpx.get(f"http://127.0.0.1:{service.metrics_port}/metrics").text
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("supervision_commands_expired_total{"))


def test_calls_reuse_pooled_connections_and_retired_threads_leave_none_behind(client):
    assert client.call("workflow", "platform_time", principal=BACK_OFFICE)
    assert client.call("workflow", "platform_time", principal=BACK_OFFICE)
    assert len(client._idle) == 1
    # FastAPI's pool starts and retires threads; the connections stay with the client's pool.
    threads = [threading.Thread(target=client.call, args=("workflow", "platform_time"),
                                kwargs={"principal": BACK_OFFICE}) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 1 <= len(client._idle) <= 12
    assert len(client._idle) <= gateway_rpc.IDLE_CONNECTIONS_KEPT


def test_a_connection_the_broker_closed_while_idle_is_replaced_without_an_error(client):
    assert client.call("workflow", "platform_time", principal=BACK_OFFICE)
    [idle] = client._idle
    idle.connection.connection.sock.close()  # as a broker restart or a NAT timeout leaves it
    assert client.call("workflow", "platform_time", principal=BACK_OFFICE)
    assert idle not in client._idle


def test_an_unknown_service_answers_at_once(client):
    started = time.monotonic()
    with pytest.raises(UnknownService):
        client.call("nosuchservice", "anything", principal=BACK_OFFICE)
    assert time.monotonic() - started < 2


def test_an_unreachable_broker_is_reported_within_the_timeout():
    client = ServiceClient({"AMQP_URI": "pyamqp://guest:guest@127.0.0.1:1/"}, timeout=2)
    started = time.monotonic()
    with pytest.raises(BrokerUnavailable):
        client.call("workflow", "platform_time", principal=BACK_OFFICE)
    assert time.monotonic() - started < 4


def test_a_request_left_unanswered_times_out_on_time(service):
    """A queue that exists but that nobody consumes: the call ends at its deadline."""
    with Connection(service.amqp_uri) as connection:
        channel = connection.channel()
        exchange = Exchange("nameko-rpc", type="topic", durable=True)(channel)
        exchange.declare()
        name = f"silent-{uuid.uuid4().hex[:8]}"
        channel.queue_declare(name, auto_delete=False, exclusive=False)
        channel.queue_bind(name, "nameko-rpc", routing_key=f"{name}.*")
        client = ServiceClient({"AMQP_URI": service.amqp_uri}, timeout=1.5)
        try:
            started = time.monotonic()
            with pytest.raises(RpcTimeout):
                client.call(name, "anything", principal=BACK_OFFICE)
            assert 1.4 < time.monotonic() - started < 3
            # the request carried the caller's deadline as its TTL: the broker drops it unread
            time.sleep(0.3)
            assert channel.queue_declare(name, passive=True).message_count == 0
        finally:
            client.close()
            channel.queue_delete(name)


def test_a_command_whose_caller_gave_up_is_dropped_and_counted(service, client):
    """A request that reaches the service after its deadline (it waited in a stalled or
    restarted service) is acknowledged and dropped, never executed."""
    in_time = client.call("workflow", "register_unit", {"kind": "tester", "name": "准时的单位"},
                          principal=BACK_OFFICE)
    assert in_time["name"] == "准时的单位"
    before = _expired_commands(service)
    unit_name = f"过期的单位-{uuid.uuid4().hex[:6]}"
    with Connection(service.amqp_uri) as connection:
        producer = Producer(connection.channel(), exchange=Exchange("nameko-rpc", type="topic", durable=True))
        producer.publish(
            {"args": [{"kind": "tester", "name": unit_name}], "kwargs": {}},
            routing_key="workflow.register_unit", serializer="json",
            headers={f"nameko.{CONTEXT_KEY}": BACK_OFFICE.to_context(),
                     "nameko.command_expires_at": time.time() - 1})
    deadline = time.monotonic() + 10
    while _expired_commands(service) == before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _expired_commands(service) == before + 1
    units = service.call("list_units", principal=BACK_OFFICE)
    assert unit_name not in str(units)


def test_a_late_request_with_a_caller_still_listening_is_answered_command_expired(service):
    """Another service calling with the deadline it inherited must not wait for ever."""
    from common.errors import CommandExpired

    with Connection(service.amqp_uri) as connection:
        channel = connection.channel()
        reply_queue = f"test-replies-{uuid.uuid4().hex[:8]}"
        channel.queue_declare(reply_queue, exclusive=True, auto_delete=True)
        channel.queue_bind(reply_queue, "nameko-rpc", routing_key=reply_queue)
        producer = Producer(channel, exchange=Exchange("nameko-rpc", type="topic", durable=True))
        producer.publish({"args": [], "kwargs": {}}, routing_key="workflow.platform_time", serializer="json",
                         reply_to=reply_queue, correlation_id="late-1",
                         headers={f"nameko.{CONTEXT_KEY}": BACK_OFFICE.to_context(),
                                  "nameko.command_expires_at": time.time() - 1})
        deadline = time.monotonic() + 10
        reply = None
        while reply is None and time.monotonic() < deadline:
            reply = channel.basic_get(reply_queue, no_ack=True)
            time.sleep(0.05)
    assert reply is not None, "the late request was not answered"
    error = json.loads(reply.body)["error"]
    assert error["exc_type"] == CommandExpired.__name__


def test_a_redelivered_command_is_answered_again_not_carried_out_twice(service):
    """What a crash between the commit and the broker's acknowledgement leaves: the same request
    message (same correlation id) delivered twice."""
    name = f"重投的单位-{uuid.uuid4().hex[:6]}"
    with Connection(service.amqp_uri) as connection:
        channel = connection.channel()
        reply_queue = f"test-replies-{uuid.uuid4().hex[:8]}"
        channel.queue_declare(reply_queue, exclusive=True, auto_delete=True)
        channel.queue_bind(reply_queue, "nameko-rpc", routing_key=reply_queue)
        producer = Producer(channel, exchange=Exchange("nameko-rpc", type="topic", durable=True))
        replies = []
        for _ in range(2):
            producer.publish({"args": [{"kind": "tester", "name": name}], "kwargs": {}},
                             routing_key="workflow.register_unit", serializer="json", reply_to=reply_queue,
                             correlation_id="same-request-twice-" + name[-6:],
                             headers={f"nameko.{CONTEXT_KEY}": BACK_OFFICE.to_context(),
                                      "nameko.command_expires_at": time.time() + 30})
            deadline = time.monotonic() + 10
            reply = None
            while reply is None and time.monotonic() < deadline:
                reply = channel.basic_get(reply_queue, no_ack=True)
                time.sleep(0.05)
            assert reply is not None
            replies.append(json.loads(reply.body))
    assert replies[0]["error"] is None
    assert replies[1] == replies[0]
    units = service.call("list_units", principal=BACK_OFFICE)
    assert str(units).count(name) == 1
