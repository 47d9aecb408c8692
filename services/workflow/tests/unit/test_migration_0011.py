"""Revision 0011 on a database with a supervision notice already answered: the notice's deadline
names its contractor, its rectification is held from the answer, and the supervisor's
verification deadline runs from it (Art. 23, 45); down and up again both run."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.orm import Session

from common.database import engine_for
from common.schema import UtcDateTime, outbox_message
from workflow.domain.deadlines import NOTICE_RECTIFICATION, NOTICE_VERIFICATION
from workflow.persistence.models import Deadline, DeadlineHold
from workflow.service import MIGRATIONS_DIR
from workflow.usecases import deadlines

ISSUED = datetime(2027, 3, 1, 1, 0, tzinfo=UTC)
ANSWERED = ISSUED + timedelta(days=1)


def to_revision(engine, revision: str, *, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)
        connection.commit()


def insert(connection, statement: str, **values) -> None:
    """A row of revision 0010, its times bound as the service binds them."""
    times = [sa.bindparam(name, type_=UtcDateTime()) for name, value in values.items() if isinstance(value, datetime)]
    connection.execute(sa.text(statement).bindparams(*times), values)


def seed_answered_notice(connection) -> None:
    """What revision 0010 holds of a notice with two contractors on the project, answered by the
    second one and awaiting the supervisor's verification."""
    for unit_id, kind in (("ct1", "contractor"), ("ct2", "contractor"), ("sv", "supervisor")):
        insert(connection, "INSERT INTO unit (id, kind, name, created_at) VALUES (:id, :kind, :id, :at)",
               id=unit_id, kind=kind, at=ISSUED)
    insert(connection, "INSERT INTO user_account (id, name, portal, created_at) VALUES ('u', 'u', 'zlb', :at)",
           at=ISSUED)
    insert(connection, "INSERT INTO project (id, name, industry, kind, contract_amount, below_threshold, geofence, "
           "planned_start, planned_end, intake, status, registered_at, updated_at) VALUES ('p', 'p', 'housing', "
           "'government', 1, :small, '{}', '2027-03-01', '2027-12-31', 'tender_award', 'in_construction', :at, :at)",
           small=False, at=ISSUED)
    insert(connection, "INSERT INTO supervision_notice (id, project_id, supervisor_unit_id, contractor_unit_id, "
           "subject, requirement, rectify_within_days, file_ids, status, issued_by, issued_at) VALUES ('n', 'p', "
           "'sv', 'ct2', 's', 'r', 2, '[]', 'awaiting_verification', 'u', :at)", at=ISSUED)
    insert(connection, "INSERT INTO supervision_notice_rectification (notice_id, description, file_ids, "
           "submitted_by, submitted_at) VALUES ('n', 'done', '[]', 'u', :at)", at=ANSWERED)
    insert(connection, "INSERT INTO deadline (id, rule_id, project_id, subject_type, subject_id, started_at, "
           "length_days, extension_days, status, next_due_at) VALUES ('d', :rule, 'p', 'supervision_notice', 'n', "
           ":at, 2, 0, 'open', :due)", rule=NOTICE_RECTIFICATION, at=ISSUED, due=ISSUED + timedelta(days=2))
    connection.commit()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def engine(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'workflow.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_database")("workflow_migration")
    engine = engine_for(url)
    yield engine
    engine.dispose()


def test_an_answered_notice_is_held_and_verified_against_its_own_supervisor(engine):
    to_revision(engine, "0010")
    with engine.connect() as connection:
        seed_answered_notice(connection)
    to_revision(engine, "heads")
    with Session(engine) as session:
        rectification = session.get(Deadline, "d")
        assert (rectification.responsible_unit_id, rectification.next_due_at) == ("ct2", None)
        [hold] = session.execute(sa.select(DeadlineHold)).scalars()
        assert (hold.deadline_id, hold.since, hold.until) == ("d", ANSWERED, None)
        [verification] = session.execute(sa.select(Deadline).where(
            Deadline.rule_id == NOTICE_VERIFICATION)).scalars()
        assert (verification.responsible_unit_id, verification.started_at, verification.next_due_at) == (
            "sv", ANSWERED, ANSWERED + timedelta(days=3))
        # The sweep warns the supervisor, not the contractor, when the verification is late.
        assert deadlines.sweep(session, ANSWERED + timedelta(days=3)) == 1
        [warning] = session.execute(sa.select(outbox_message.c.payload)).scalars()
        assert (warning["rule_id"], warning["must_act"], warning["firm_id"]) == (NOTICE_VERIFICATION, "sv", "sv")
        session.commit()
    to_revision(engine, "0010", down=True)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT rule_id FROM deadline")).scalars().all() == [NOTICE_RECTIFICATION]
    to_revision(engine, "heads")
