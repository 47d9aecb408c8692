"""The workflow service as it runs: its own process (the platform runner), the real RabbitMQ
(a vhost of this test run) and a PostgreSQL database of its own."""

import json
import time
import uuid
from datetime import datetime

import httpx
import pytest
from kombu import Connection, Exchange, Queue

from common.errors import IllegalStep, InvalidInput, NotFound, PermissionDenied
from common.principal import Principal

pytestmark = pytest.mark.integration

BACK_OFFICE = Principal(user_id="demo-leading-group-chief", portal="zzd", roles=frozenset({"leading_group"}))
PROJECT = dict(name="滨江路改造", industry="housing", kind="government", contract_amount="25000000",
               below_threshold=False, geofence={"polygon": [[30.0, 120.8], [30.001, 120.8], [30.001, 120.801]]},
               planned_start="2026-12-01", planned_end="2027-12-01")


@pytest.fixture
def events(service):
    """The workflow's project events published from now on, read from a queue of the test's own
    (the demo district's own events may still be on their way when the test begins)."""
    queue = Queue(f"test-events-{uuid.uuid4().hex}", Exchange("workflow.events", type="topic", durable=True),
                  routing_key="project.#", auto_delete=True)
    connection = Connection(service.amqp_uri)
    bound = queue(connection.default_channel)
    bound.declare()
    received = []

    def drain(expected: int, seconds: float = 10):
        deadline = time.monotonic() + seconds
        while len(received) < expected and time.monotonic() < deadline:
            message = bound.get(no_ack=True)
            if message is None:
                time.sleep(0.05)
                continue
            received.append((message.delivery_info["routing_key"], json.loads(message.body)))
        return received

    yield drain
    connection.release()


def test_the_assignment_chain_over_rpc_publishes_each_fact(service, events):
    project = service.call("register_project", PROJECT, principal=BACK_OFFICE)
    assert project["acceptance_window_days"] == 60  # 25 million yuan: Art. 31's longer window
    service.call("assign_project", project["id"], {"level": "supervising_unit", "target_id": "demo-supervising"},
                 principal=BACK_OFFICE)
    chief = Principal(user_id="demo-supervising-chief", portal="zzd")
    service.call("assign_project", project["id"], {"level": "line", "target_id": "demo-line-municipal"},
                 principal=chief)
    received = events(3)
    assert [routing_key for routing_key, _ in received] == ["project.registered", "project.assigned",
                                                           "project.assigned"]
    registered = received[0][1]
    assert registered["project_id"] == project["id"]
    assert registered["schema_version"] == 1
    uuid.UUID(registered["event_id"])
    assert datetime.fromisoformat(registered["occurred_at"]).tzinfo is not None


def test_domain_errors_cross_the_wire_as_themselves(service):
    project = service.call("register_project", PROJECT, principal=BACK_OFFICE)
    with pytest.raises(IllegalStep, match="first"):
        service.call("assign_project", project["id"], {"level": "line", "target_id": "demo-line-municipal"},
                     principal=BACK_OFFICE)
    with pytest.raises(InvalidInput) as invalid:
        service.call("register_project", {**PROJECT, "kind": "private"}, principal=BACK_OFFICE)
    assert invalid.value.details[0]["field"] == "kind"
    with pytest.raises(NotFound):
        service.call("get_project", project["id"], principal=Principal(user_id="demo-parks-line-head", portal="zzd"))
    with pytest.raises(PermissionDenied):
        service.call("register_project", PROJECT, principal=Principal(portal="public"))
    with pytest.raises(PermissionDenied):
        service.call("registry_snapshot", principal=BACK_OFFICE)  # only the platform's own components


def test_rule_settings_change_without_restart_and_are_audited(service):
    updated = service.call("update_rule_settings", {"acceptance_days_small": 25}, principal=BACK_OFFICE)
    assert updated["acceptance_days_small"]["value"] == 25
    assert updated["acceptance_days_small"]["article"] == "Art. 31"
    project = service.call("register_project", {**PROJECT, "contract_amount": "1000000"}, principal=BACK_OFFICE)
    assert project["acceptance_window_days"] == 25
    with pytest.raises(InvalidInput) as invalid:
        service.call("update_rule_settings", {"acceptance_days_small": 0}, principal=BACK_OFFICE)
    assert invalid.value.details[0]["field"] == "acceptance_days_small"
    trail = service.call("audit_trail", {"action": "rule_settings.changed"}, principal=BACK_OFFICE)
    assert trail[0]["after"] == {"acceptance_days_small": 25}
    assert trail[0]["principal_id"] == "demo-leading-group-chief"
    service.call("update_rule_settings", {"acceptance_days_small": 20}, principal=BACK_OFFICE)


def test_the_manual_clock_is_followed_and_survives_a_restart(service):
    service.call("set_platform_time", "2027-03-01T09:00:00+08:00", principal=BACK_OFFICE)
    unit = service.call("register_unit", {"kind": "tester", "name": "检测公司"}, principal=BACK_OFFICE)
    trail = service.call("audit_trail", {"entity_id": unit["id"]}, principal=BACK_OFFICE)
    assert trail[0]["occurred_at"] == "2027-03-01T09:00:00+08:00"
    with pytest.raises(PermissionDenied):
        service.call("set_platform_time", "2027-03-02T09:00:00+08:00",
                     principal=Principal(user_id="demo-line-head", portal="zzd"))
    service.stop()
    service.start()
    assert service.call("platform_time", principal=BACK_OFFICE) == "2027-03-01T09:00:00+08:00"


def test_metrics_count_entrypoints_by_outcome(service):
    with pytest.raises(InvalidInput):
        service.call("register_unit", {"kind": "nonsense", "name": "x"}, principal=BACK_OFFICE)
    text = httpx.get(f"http://127.0.0.1:{service.metrics_port}/metrics").text
    rejected = 'supervision_entrypoint_calls_total{entrypoint="register_unit",outcome="rejected",service="workflow"}'
    assert rejected in text
    assert "supervision_outbox_backlog" in text
    assert "supervision_events_published_total" in text
