"""Fixtures shared by every test: a RabbitMQ vhost and PostgreSQL databases of the test run's
own, so that two runs, or a leftover process, never mix."""

from __future__ import annotations

import os
import shutil
import subprocess
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
