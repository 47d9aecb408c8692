"""The platform's queues on this machine's RabbitMQ (common.queues), each test in a vhost of its own:
a service's durable queues are quorum queues (its reply queues are not), the classic queues an earlier
version left are moved over, and a message its handler fails on every time goes to the dead-letter
queue after the delivery limit instead of looping for ever."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import time
import uuid
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from kombu import Connection, Exchange, Producer

from common import events
from common.queues import DEAD_LETTER_EXCHANGE, QUORUM_SUFFIX

pytestmark = pytest.mark.integration

AMQP_HOST = "guest:guest@127.0.0.1:5672"


def rabbitmqctl(*args: str) -> str:
    if shutil.which("rabbitmqctl") is None:
        pytest.fail("rabbitmqctl not found: these tests need the local RabbitMQ (rabbitmq-server -detached)")
    result = subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr or result.stdout
    return result.stdout


@pytest.fixture
def vhost():
    """A vhost of this test's own, and its AMQP URI."""
    name = f"supervision-queues-{uuid.uuid4().hex[:10]}"
    rabbitmqctl("add_vhost", name)
    rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    yield name, f"pyamqp://{AMQP_HOST}/{quote(name, safe='')}"
    subprocess.run(["rabbitmqctl", "delete_vhost", name], capture_output=True, timeout=60, check=False)


def queues_of(vhost: str) -> dict[str, dict]:
    out = rabbitmqctl("list_queues", "-p", vhost, "name", "type", "durable", "exclusive", "auto_delete", "messages",
                      "--formatter", "json")
    return {queue["name"]: queue for queue in json.loads(out or "[]")}


def publish(amqp_uri: str, event: events.Event, queue: str | None = None) -> None:
    """On the source's exchange as its outbox relay would, or straight into ``queue``."""
    with Connection(amqp_uri) as connection:
        producer = Producer(connection.default_channel)
        exchange = Exchange(f"{event.source}.events", type="topic", durable=True)
        producer.publish(event.model_dump(mode="json"), exchange="" if queue else exchange,
                         routing_key=queue or event.event_type, serializer="json", delivery_mode=2,
                         declare=[] if queue else [exchange], retry=True)


def unit_registered(unit_id: str) -> events.UnitRegistered:
    from datetime import UTC, datetime

    return events.UnitRegistered(occurred_at=datetime(2026, 12, 1, tzinfo=UTC), unit_id=unit_id, kind="owner",
                                 name="街道")


def wait_for(check, seconds=20.0):
    deadline = time.monotonic() + seconds
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_a_services_durable_queues_are_quorum_and_its_old_classic_queues_are_moved(
        vhost, postgres_database, service_process):
    name, amqp_uri = vhost
    old_event_queue = "evt-workflow-unit.registered--attendance.on_unit_registered"
    # What an earlier version left on a developer's broker: classic queues, one holding an event.
    with Connection(amqp_uri) as connection:
        channel = connection.channel()
        channel.exchange_declare("workflow.events", "topic", durable=True, auto_delete=False)
        channel.queue_declare(old_event_queue, durable=True, auto_delete=False)
        channel.queue_bind(old_event_queue, "workflow.events", routing_key="unit.registered")
        channel.exchange_declare("nameko-rpc", "topic", durable=True, auto_delete=False)
        channel.queue_declare("rpc-attendance", durable=True, auto_delete=False)
        channel.queue_bind("rpc-attendance", "nameko-rpc", routing_key="attendance.*")
    waiting = unit_registered("waiting-in-the-classic-queue")
    publish(amqp_uri, waiting, queue=old_event_queue)

    url = postgres_database("attendance")
    attendance = service_process("attendance", url)
    attendance.amqp_uri = attendance.env["SUPERVISION_AMQP_URI"] = amqp_uri
    attendance.start()
    try:
        declared = queues_of(name)
        assert old_event_queue not in declared and "rpc-attendance" not in declared, "the classic queues are retired"
        ours = {queue: info for queue, info in declared.items() if "attendance" in queue}
        durable = {queue: info for queue, info in ours.items() if info["durable"]}
        assert f"{old_event_queue}{QUORUM_SUFFIX}" in durable
        assert f"rpc-attendance{QUORUM_SUFFIX}" in durable
        assert "dlq-attendance" in durable
        assert len([queue for queue in durable if queue.startswith("evt-")]) >= 5, sorted(durable)
        assert {queue: info["type"] for queue, info in durable.items() if info["type"] != "quorum"} == {}
        replies = {queue: info for queue, info in ours.items() if queue.startswith("rpc.reply-")}
        assert replies, "the service's reply queue for its calls to other services"
        for queue, info in replies.items():
            assert info["type"] == "classic" and not info["durable"], (queue, info)
        standalone = {queue: info for queue, info in declared.items() if queue.startswith("rpc.reply-standalone")}
        assert all(info["type"] == "classic" for info in standalone.values())

        # The event that waited in the classic queue was moved, and handled once.
        engine = sa.create_engine(url)
        try:
            def handled():
                with engine.connect() as connection:
                    ids = set(connection.execute(sa.text("SELECT event_id FROM inbox_message")).scalars())
                assert str(waiting.event_id) in ids
            wait_for(handled)
        finally:
            engine.dispose()
        # A new event reaches the quorum queue only.
        publish(amqp_uri, unit_registered("after-the-move"))

        def consumed():
            assert queues_of(name)[f"{old_event_queue}{QUORUM_SUFFIX}"]["messages"] == 0
            assert old_event_queue not in queues_of(name)
        wait_for(consumed)
    finally:
        attendance.stop()


POISONED_SERVICE = textwrap.dedent('''
    import eventlet
    eventlet.monkey_patch()
    import sys
    from datetime import UTC, datetime

    import sqlalchemy as sa
    from nameko.extensions import DependencyProvider
    from nameko.runners import ServiceRunner
    from sqlalchemy.orm import Session

    from common.events import UnitRegistered
    from common.inbox import handles
    from common.schema import infrastructure_metadata

    ENGINE = sa.create_engine(sys.argv[2])
    infrastructure_metadata.create_all(ENGINE)


    class UnitOfWork:
        def __init__(self):
            self.session = Session(ENGINE)

        def commit(self):
            self.session.commit()

        def rollback(self):
            self.session.rollback()


    class Db(DependencyProvider):
        def get_dependency(self, worker_ctx):
            return UnitOfWork()


    class Clock(DependencyProvider):
        def get_dependency(self, worker_ctx):
            return type("Clock", (), {"now": staticmethod(lambda: datetime.now(UTC))})()


    class Poisoned:
        name = "poisoned"
        db = Db()
        clock = Clock()

        @handles(UnitRegistered)
        def on_unit_registered(self, event):
            print("attempt", event.unit_id, flush=True)
            raise RuntimeError("this handler fails on every message")


    runner = ServiceRunner({"AMQP_URI": sys.argv[1], "serializer": "json", "QUEUE_DELIVERY_LIMIT": 3,
                            "QUEUE_REDELIVERY_DELAY": 0.05, "QUEUE_REDELIVERY_DELAY_MAX": 0.2})
    runner.add_service(Poisoned)
    runner.start()
    print("started", flush=True)
    runner.wait()
''')


def test_a_message_a_handler_fails_on_every_time_is_dead_lettered_after_the_delivery_limit(vhost, tmp_path):
    name, amqp_uri = vhost
    script = tmp_path / "poisoned.py"
    script.write_text(POISONED_SERVICE, encoding="utf-8")
    log = tmp_path / "poisoned.log"
    process = subprocess.Popen([sys.executable, str(script), amqp_uri, f"sqlite:///{tmp_path / 'poisoned.sqlite3'}"],
                               stdout=log.open("wb"), stderr=subprocess.STDOUT)
    queue = f"evt-workflow-unit.registered--poisoned.on_unit_registered{QUORUM_SUFFIX}"
    try:
        def declared():
            assert queue in queues_of(name), log.read_text()
        wait_for(declared)
        poison = unit_registered("poison")
        publish(amqp_uri, poison)

        def dead_lettered():
            assert queues_of(name)["dlq-poisoned"]["messages"] == 1, log.read_text()
        wait_for(dead_lettered)
        attempts = log.read_text().count("attempt poison")
        time.sleep(1.5)
        assert log.read_text().count("attempt poison") == attempts, "no delivery after the message was dead-lettered"
        assert 3 <= attempts <= 4, f"delivered {attempts} times with a delivery limit of 3"
        assert queues_of(name)[queue]["messages"] == 0

        with Connection(amqp_uri) as connection:
            message = connection.channel().basic_get("dlq-poisoned", no_ack=True)
        assert json.loads(message.body)["event_id"] == str(poison.event_id)
        death = message.headers["x-death"][0]
        assert death["queue"] == queue and death["reason"] == "delivery_limit", death
        assert death["exchange"] == "workflow.events"
        assert message.delivery_info["exchange"] == DEAD_LETTER_EXCHANGE
    finally:
        process.terminate()
        process.wait(timeout=30)
