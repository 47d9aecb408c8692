"""A user's step and the deadline sweep on the same case at once, on PostgreSQL: they take the
case's deadline and the case in the same order, so one waits for the other — never a deadlock —
and the late step is refused as the state it finds says."""

import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from common.database import migrate
from common.principal import Principal
from complaints.persistence.models import Case, CaseStep
from complaints.service import MIGRATIONS_DIR
from complaints.usecases import cases, deadlines, warnings
from complaints.usecases.common import RULES, Call
from complaints.usecases.deadline_engine import ENGINE

from ..unit.conftest import NOW, seed_district
from ..unit.test_case_flows import warning

pytestmark = pytest.mark.integration


def test_the_sweep_and_a_users_step_on_one_case_never_deadlock(postgres_database):
    url = postgres_database("complaints_race")
    migrate(url, MIGRATIONS_DIR)
    engine = sa.create_engine(url)
    with Session(engine) as session:
        seed_district(session)
        case_id = warnings.open_for_warning(session, warning(), NOW, RULES.get(session)).id
        session.commit()
    later = NOW + timedelta(days=RULES.get(Session(engine)).accept_days + 1)
    sweep_holds_the_deadline, outcome = threading.Event(), {}

    def sweep():
        with Session(engine) as session:
            def slowly(session, fired):
                sweep_holds_the_deadline.set()
                time.sleep(1.0)  # the owner's step arrives now
                deadlines.on_rungs_fired(session, fired)
            try:
                ENGINE.sweep(session, later, slowly)
                session.commit()
                outcome["sweep"] = "committed"
            except Exception as error:
                outcome["sweep"] = type(error).__name__

    def owner_accepts():
        sweep_holds_the_deadline.wait(10)
        with Session(engine) as session:
            try:
                cases.take_step(Call(session, later, Principal(user_id="owner-chief", portal="zzd")), case_id,
                                "accept", {})
                session.commit()
                outcome["owner"] = "committed"
            except Exception as error:
                outcome["owner"] = type(error).__name__

    threads = [threading.Thread(target=sweep), threading.Thread(target=owner_accepts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcome == {"sweep": "committed", "owner": "PermissionDenied"}  # it had gone up to the line
    with Session(engine) as session:
        case = session.get(Case, case_id)
        assert (case.status, case.holder_unit_id) == ("escalated", "line")
        steps = session.execute(sa.select(CaseStep.step).where(CaseStep.case_id == case_id)
                                .order_by(CaseStep.id)).scalars().all()
        assert steps == ["dispatched", "reminded", "escalated"]
    engine.dispose()
