"""The workflow service as it runs, for the interface tests of this folder: its own process
(the platform runner), the real RabbitMQ (a vhost of this test run) and a PostgreSQL database
of its own, seeded with the demo district."""

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from common.database import engine_for, migrate
from workflow.bootstrap import seed_demo_district
from workflow.service import MIGRATIONS_DIR


@pytest.fixture(scope="module")
def service(postgres_database, service_process):
    url = postgres_database("workflow")
    migrate(url, MIGRATIONS_DIR)
    with Session(engine_for(url)) as session:
        seed_demo_district(session, datetime.now(UTC))
        session.commit()
    running = service_process("workflow", url)
    running.start()
    yield running
    running.stop()
    engine_for(url).dispose()
