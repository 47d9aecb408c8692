"""The attendance service as it runs — its own process, the real RabbitMQ and PostgreSQL — fed
by workflow events published on the bus exactly as the workflow's outbox relay does."""

import time
from datetime import date, datetime, timedelta

import pytest
from kombu import Connection, Exchange, Producer

from attendance.service import MIGRATIONS_DIR
from common import events
from common.clock import DISTRICT_TZ
from common.contracts.attendance import CheckinCommand, CheckinRequest, checkin_id_of
from common.database import engine_for, migrate
from common.errors import NotFound, PermissionDenied
from common.principal import Principal

pytestmark = pytest.mark.integration

BACK_OFFICE = Principal(user_id="bo", portal="zzd", roles=frozenset({"leading_group"}))
MANAGER = Principal(user_id="pm", portal="zlb", roles=frozenset({"contractor"}))
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=DISTRICT_TZ)


def registry_events(project_id: str) -> list[events.Event]:
    def at(event_cls, **fields):
        return event_cls(occurred_at=NOW - timedelta(days=1), **fields)

    return [
        at(events.UnitRegistered, unit_id="lg", kind="leading_group", name="领导小组"),
        at(events.UnitRegistered, unit_id="owner", kind="owner", name="街道"),
        at(events.UnitRegistered, unit_id="firm", kind="contractor", name="施工"),
        at(events.PostGranted, user_id="bo", unit_id="lg", post="chief"),
        at(events.PostGranted, user_id="pm", unit_id="firm", post="project_manager"),
        at(events.ProjectRegistered, project_id=project_id, name="试点工程", industry="housing", kind="government",
           contract_amount="5000000", below_threshold=False, geofence={"center": (30.0, 120.8), "radius_m": 100},
           planned_start=date(2026, 12, 1), planned_end=date(2027, 5, 1), intake="tender_award", status="awarded"),
        at(events.ProjectAssigned, project_id=project_id, level="owner", target_id="owner", assigned_by="x"),
        at(events.ParticipantAdded, project_id=project_id, unit_id="firm", role="contractor", contract_file_id="f"),
        at(events.PersonnelAssigned, project_id=project_id, user_id="pm", unit_id="firm", post="project_manager"),
        at(events.ConstructionStarted, project_id=project_id, started_on=date(2026, 12, 1)),
    ]


def publish(amqp_uri: str, batch: list[events.Event]) -> None:
    with Connection(amqp_uri) as connection:
        producer = Producer(connection.default_channel)
        for event in batch:
            producer.publish(event.model_dump(mode="json"), exchange=Exchange(f"{event.source}.events", type="topic",
                                                                             durable=True),
                             routing_key=event.event_type, serializer="json", declare=[], retry=True)


@pytest.fixture(scope="module")
def attendance(postgres_database, service_process):
    url = postgres_database("attendance")
    migrate(url, MIGRATIONS_DIR)
    running = service_process("attendance", url)
    running.start()  # its event queues exist from here on
    running.call("set_platform_time", NOW.isoformat(), principal=BACK_OFFICE)
    yield running
    running.stop()
    engine_for(url).dispose()


def wait_for(check, seconds=15):
    deadline = time.monotonic() + seconds
    while True:
        try:
            return check()
        except (NotFound, PermissionDenied, AssertionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def checkin_command(person: str, request_id: str, project: str = "p1") -> CheckinCommand:
    request = CheckinRequest.model_validate({
        "project_id": project, "lat": 30.0, "lng": 120.8, "accuracy_m": 5, "client_time": NOW.isoformat(),
        "client_request_id": request_id, "device": {"id": f"phone-{person}", "platform": "ios",
                                                    "mock_location": False}})
    return CheckinCommand(checkin_id=checkin_id_of(person, request_id), person_id=person, received_at=NOW,
                          request=request)


def decision_of(attendance, command: CheckinCommand) -> dict:
    def decided():
        answer = attendance.call("checkin_status", command.checkin_id,
                                 principal=Principal(user_id=command.person_id, portal="zlb"))
        assert answer["status"] != "pending"
        return answer

    return wait_for(decided)


def checkin(attendance, send_checkins, request_id: str):
    command = checkin_command("pm", request_id)
    send_checkins(command)
    return decision_of(attendance, command)


def test_the_roster_follows_the_workflows_events_and_a_redelivery_changes_nothing(attendance, send_checkins):
    batch = registry_events("p1")
    publish(attendance.amqp_uri, batch)
    wait_for(lambda: _assert_status(attendance, "in_construction"))
    month = wait_for(lambda: _assert_people(attendance, ["pm"]))
    assert month["status"] == "in_construction"
    assert checkin(attendance, send_checkins, "request-0001")["outcome"] == "accepted"
    # The same events again (a redelivery): the inbox skips them, the roster is unchanged.
    publish(attendance.amqp_uri, batch)
    suspension = events.ProjectSuspended(occurred_at=NOW, project_id="p1", since=NOW, reason="停工")
    publish(attendance.amqp_uri, [suspension])
    wait_for(lambda: _assert_status(attendance, "suspended"))
    assert [row["person_id"] for row in attendance.call(
        "project_attendance", "p1", "2026-12", principal=BACK_OFFICE)["people"]] == ["pm"]
    assert checkin(attendance, send_checkins, "request-0002")["reason"] == "project_suspended"
    # A retried check-in is recorded once.
    assert checkin(attendance, send_checkins, "request-0001")["outcome"] == "accepted"
    mine = attendance.call("my_attendance", "2026-12", principal=MANAGER)
    assert len(mine[0]["checkins"]) == 2


def _assert_status(attendance, status):
    assert attendance.call("project_attendance", "p1", "2026-12", principal=BACK_OFFICE)["status"] == status


def _assert_people(attendance, people):
    month = attendance.call("project_attendance", "p1", "2026-12", principal=BACK_OFFICE)
    assert [row["person_id"] for row in month["people"]] == people
    return month
