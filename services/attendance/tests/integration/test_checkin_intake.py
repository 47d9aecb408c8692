"""The check-in intake as it runs (Art. 26, 47): attendance processes consuming the intake queue on
the real RabbitMQ and PostgreSQL decide every check-in exactly once — with two instances competing
for the queue, and when one is killed (``kill -9``) in the middle of its batches."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from attendance.persistence.models import Checkin
from attendance.service import MIGRATIONS_DIR
from attendance.usecases import registry_copy
from common import events
from common.contracts.attendance import CheckinCommand, CheckinRequest, checkin_id_of
from common.database import engine_for, migrate
from common.principal import Principal
from common.schema import outbox_message

pytestmark = pytest.mark.integration

START = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
JUDGED_AT = START + timedelta(hours=1)  # the platform time the back office sets: 09:00 on Dec 1
BACK_OFFICE = Principal(user_id="back-office", portal="zzd", roles=frozenset({"leading_group"}))
SAFETY_OFFICERS = [f"officer-{n:03d}" for n in range(120)]


def seeded_database(postgres_database, registry_feeder, label: str) -> str:
    """A migrated attendance database whose registry copy holds the project of the attendance tests
    with 120 more safety officers of the contractor on it."""
    url = postgres_database(label)
    migrate(url, MIGRATIONS_DIR)
    with Session(engine_for(url)) as session:
        registry_feeder(session)
        for person in SAFETY_OFFICERS:
            registry_copy.apply_personnel(session, events.PersonnelAssigned(
                occurred_at=START, project_id="p-dike", user_id=person, unit_id="contractor", post="safety_officer"))
        session.commit()
    return url


def command(person: str) -> CheckinCommand:
    request = CheckinRequest.model_validate({
        "project_id": "p-dike", "lat": 30.03, "lng": 120.87, "accuracy_m": 8, "client_time": JUDGED_AT.isoformat(),
        "client_request_id": uuid.uuid4().hex,
        "device": {"id": f"phone-{person}", "platform": "android", "mock_location": False}})
    return CheckinCommand(checkin_id=checkin_id_of(person, request.client_request_id), person_id=person,
                          received_at=datetime.now(UTC), request=request)


def started(service_process, url: str):
    process = service_process("attendance", url)
    process.start()
    process.call("set_platform_time", JUDGED_AT.isoformat(), principal=BACK_OFFICE)
    return process


def stored(url: str) -> list[tuple[str, str, str]]:
    with engine_for(url).connect() as connection:
        return [tuple(row) for row in connection.execute(
            sa.select(Checkin.id, Checkin.person_id, Checkin.outcome))]


def wait_until_stored(url: str, count: int, seconds: float = 90) -> list[tuple[str, str, str]]:
    deadline = time.monotonic() + seconds
    while True:
        rows = stored(url)
        if len(rows) >= count or time.monotonic() > deadline:
            return rows
        time.sleep(0.2)


def recorded_events(url: str) -> list[str]:
    with engine_for(url).connect() as connection:
        return [payload["checkin_id"] if isinstance(payload, dict) else payload for payload in connection.execute(
            sa.select(outbox_message.c.payload).where(outbox_message.c.event_type == "checkin.recorded")).scalars()]


def decided_here(process) -> float:
    text = httpx.get(f"http://127.0.0.1:{process.metrics_port}/metrics", timeout=5).text
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("supervision_checkins_total{"))


def assert_each_decided_once(url: str, sent: list[CheckinCommand]) -> None:
    rows = wait_until_stored(url, len({c.checkin_id for c in sent}))
    ids = [checkin_id for checkin_id, _, _ in rows]
    assert len(ids) == len(set(ids)) == len({c.checkin_id for c in sent})
    assert set(ids) == {c.checkin_id for c in sent}
    # All of a person's check-ins are judged at the same platform time: the first is accepted, the
    # others are duplicates — two decisions of one person at once would have accepted two.
    accepted = [(person, checkin_id) for checkin_id, person, outcome in rows if outcome != "rejected"]
    assert sorted(person for person, _ in accepted) == sorted({c.person_id for c in sent})
    events_of = recorded_events(url)
    assert sorted(events_of) == sorted(checkin_id for _, checkin_id in accepted)  # one event each, never two


def test_two_consumers_decide_each_check_in_once(postgres_database, registry_feeder, service_process, send_checkins):
    url = seeded_database(postgres_database, registry_feeder, "intake_pair")
    first, second = started(service_process, url), started(service_process, url)
    try:
        people = SAFETY_OFFICERS[:100]
        sent = [command(person) for _ in range(3) for person in people]
        send_checkins(*sent)
        send_checkins(*sent[::6])  # some sent again, as a phone retries
        assert_each_decided_once(url, sent)
        assert decided_here(first) > 0 and decided_here(second) > 0, "both instances took check-ins"
    finally:
        first.stop()
        second.stop()


def test_a_consumer_killed_mid_batch_leaves_nothing_decided_twice(postgres_database, registry_feeder,
                                                                   service_process, send_checkins):
    url = seeded_database(postgres_database, registry_feeder, "intake_kill")
    victim = started(service_process, url)
    sent = [command(person) for _ in range(25) for person in SAFETY_OFFICERS]
    send_checkins(*sent)
    deadline = time.monotonic() + 60
    while not stored(url) and time.monotonic() < deadline:
        time.sleep(0.02)
    victim.process.kill()  # SIGKILL: no goodbye; its unacknowledged batch goes back to the queue
    victim.process.wait(timeout=10)
    done_before = len(stored(url))
    assert 0 < done_before < len(sent), "the kill came in the middle of the work"
    successor = started(service_process, url)
    try:
        assert_each_decided_once(url, sent)
    finally:
        successor.stop()


def test_two_batches_at_once_see_a_phone_they_share(postgres_database, registry_feeder):
    """Two batches decided at once (two instances, or two batches in flight in one) hold different
    people; the second to reach a phone both use waits for the first and sees the other person's use
    of it (Art. 47: shared device), instead of both missing it."""
    import threading

    from attendance.domain.rules import AttendanceRules
    from attendance.usecases.checkins import decide_checkins

    url = seeded_database(postgres_database, registry_feeder, "intake_shared_phone")
    first, second = command(SAFETY_OFFICERS[0]), command(SAFETY_OFFICERS[1])
    shared = first.request.device.id
    second = second.model_copy(update={"request": second.request.model_copy(update={
        "device": second.request.device.model_copy(update={"id": shared})})})
    engine = engine_for(url)

    def decide(session, batch):
        return decide_checkins(session, batch, AttendanceRules(), platform_time=JUDGED_AT,
                               wall_clock=lambda: datetime.now(UTC))

    holder = Session(engine)
    [held] = decide(holder, [first])  # decided, not yet committed: it holds the phone
    answers = []
    waiter = threading.Thread(target=lambda: answers.append(_decided_and_committed(engine, decide, second)))
    waiter.start()
    waiter.join(timeout=1.0)
    assert waiter.is_alive(), "the second batch waits for the phone the first holds"
    holder.commit()
    holder.close()
    waiter.join(timeout=30)
    assert held.view["flags"] == [] and answers[0]["flags"] == ["shared_device"]


def _decided_and_committed(engine, decide, command_) -> dict:
    with Session(engine) as session:
        [answer] = decide(session, [command_])
        session.commit()
        return answer.view
