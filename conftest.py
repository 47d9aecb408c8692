"""Fixtures shared by every test: a RabbitMQ vhost and PostgreSQL databases of the test run's
own, so that two runs, or a leftover process, never mix."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from urllib.parse import quote

import pytest

PG_ADMIN_URL = os.environ.get("SUPERVISION_TEST_PG_ADMIN_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
AMQP_HOST = os.environ.get("SUPERVISION_TEST_AMQP_HOST", "guest:guest@127.0.0.1:5672")
RUN_ID = uuid.uuid4().hex[:10]


def _rabbitmqctl(*args: str) -> None:
    if shutil.which("rabbitmqctl") is None:
        pytest.fail("rabbitmqctl not found: the integration tests need the local RabbitMQ (rabbitmq-server -detached)")
    result = subprocess.run(["rabbitmqctl", *args], capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        pytest.fail(
            f"rabbitmqctl {' '.join(args)} failed: {result.stderr.strip() or result.stdout.strip()}\n"
            "Is RabbitMQ running? Start it with `rabbitmq-server -detached`."
        )


@pytest.fixture(scope="session")
def amqp_uri():
    """A fresh vhost for this test run, removed at the end."""
    vhost = f"supervision-test-{RUN_ID}"
    _rabbitmqctl("add_vhost", vhost)
    _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    yield f"pyamqp://{AMQP_HOST}/{quote(vhost, safe='')}"
    subprocess.run(["rabbitmqctl", "delete_vhost", vhost], capture_output=True, timeout=60)


@pytest.fixture(scope="session")
def postgres_database():
    """Make PostgreSQL databases of this run's own: ``postgres_database("workflow")`` returns a
    SQLAlchemy URL; every database made is dropped at the end."""
    import sqlalchemy as sa

    try:
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        admin.connect().close()
    except Exception as error:
        pytest.fail(
            f"PostgreSQL is not reachable at {PG_ADMIN_URL} ({error}). Start it with "
            "`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`."
        )
    made: list[str] = []

    def make(label: str) -> str:
        name = f"t_{label}_{RUN_ID}_{len(made)}"
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return str(sa.engine.make_url(PG_ADMIN_URL).set(drivername="postgresql+psycopg2", database=name))

    yield make
    with admin.connect() as connection:
        for name in made:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServiceProcess:
    """One service run by the platform runner in its own process, as in production."""

    def __init__(self, name: str, amqp_uri: str, database_url: str, workdir):
        self.name = name
        self.amqp_uri = amqp_uri
        self.metrics_port = free_port()
        upper = name.upper()
        self.env = {**os.environ, "SUPERVISION_AMQP_URI": amqp_uri, f"SUPERVISION_{upper}_DATABASE_URL": database_url,
                    f"SUPERVISION_{upper}_METRICS_PORT": str(self.metrics_port), "SUPERVISION_MANUAL_CLOCK": "true",
                    "SUPERVISION_VAR_DIR": str(workdir), "SUPERVISION_OUTBOX_RELAY_INTERVAL_SECONDS": "0.5"}
        self.log = workdir / f"{name}.log"
        self.process = None

    def start(self) -> None:
        from common.principal import SYSTEM

        logged_before = self.log.stat().st_size if self.log.exists() else 0
        self.process = subprocess.Popen([sys.executable, "-m", "common.runner", self.name], env=self.env,
                                        stdout=self.log.open("ab"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            # Another instance of the service may answer the RPC: this process's own log says when
            # its consumers run.
            if b'"services started"' not in self.log.read_bytes()[logged_before:]:
                time.sleep(0.3)
                continue
            try:
                self.call("platform_time", principal=SYSTEM, timeout=2)
                return
            except Exception:
                time.sleep(0.3)
        raise AssertionError(f"the {self.name} service did not start:\n" + self.log.read_text()[-3000:])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def call(self, method, *args, principal, timeout=10, **kwargs):
        from nameko.standalone.rpc import ClusterRpcProxy

        import common.errors  # noqa: F401 - registers the domain errors for deserialization
        from common.principal import CONTEXT_KEY

        with ClusterRpcProxy({"AMQP_URI": self.amqp_uri}, context_data={CONTEXT_KEY: principal.to_context()},
                             timeout=timeout) as rpc:
            return getattr(getattr(rpc, self.name), method)(*args, **kwargs)


@pytest.fixture(scope="session")
def service_process(amqp_uri, tmp_path_factory):
    """``service_process("workflow", database_url)`` makes a ServiceProcess (not started); all are
    stopped at the end of the run."""
    made: list[ServiceProcess] = []

    def make(name: str, database_url: str) -> ServiceProcess:
        made.append(ServiceProcess(name, amqp_uri, database_url, tmp_path_factory.mktemp(name)))
        return made[-1]

    yield make
    for process in made:
        process.stop()


@pytest.fixture(scope="session")
def publish_events(amqp_uri):
    """``publish_events(event, ...)`` puts events on their source service's exchange as its outbox
    relay would (persistent, confirmed), for interface tests of the services that consume them."""
    from nameko.standalone.events import get_event_exchange

    from common.amqp import ConfirmedPublisher, OutgoingMessage

    publishers = {}

    def publish(*published):
        for event in published:
            if event.source not in publishers:
                publishers[event.source] = ConfirmedPublisher(
                    amqp_uri, get_event_exchange(event.source, {"AMQP_URI": amqp_uri}), timeout=10)
            outcome = publishers[event.source].publish([OutgoingMessage(
                event.event_type, event.model_dump(mode="json"), str(event.event_id))])
            assert all(outcome.confirmed), outcome.error

    yield publish
    for publisher in publishers.values():
        publisher.close()


@pytest.fixture(scope="session")
def send_checkins(amqp_uri):
    """``send_checkins(command, ...)`` puts check-in commands on the intake queue as the gateway does
    (declared alike, persistent, confirmed), for interface tests of the attendance service."""
    from kombu import Exchange

    from common.amqp import ConfirmedPublisher, OutgoingMessage
    from common.contracts.attendance import CHECKIN_INTAKE_QUEUE
    from common.queues import QueuePolicy, command_queue

    intake = command_queue(CHECKIN_INTAKE_QUEUE, "attendance", QueuePolicy())
    publisher = ConfirmedPublisher(amqp_uri, Exchange("", type="direct"), timeout=10, declare=(intake,))

    def send(*commands):
        outcome = publisher.publish([OutgoingMessage(intake.name, command.model_dump(mode="json"), command.checkin_id)
                                     for command in commands])
        assert all(outcome.confirmed), outcome.error

    yield send
    publisher.close()
