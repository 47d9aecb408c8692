"""The complaints service as it runs: its own process (the platform runner), the real RabbitMQ (a
vhost of this test run) and a PostgreSQL database of its own, fed by registry and warning events
as the workflow publishes them."""

import time
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from common import events
from common.errors import PermissionDenied, TooManyRequests
from common.principal import Principal

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC)
INTAKE = Principal(user_id="intake", portal="zzd", roles=frozenset({"leading_group"}))
OWNER = Principal(user_id="owner-chief", portal="zzd")
LINE = Principal(user_id="line-head", portal="zzd")


def district() -> list[events.Event]:
    made = [events.UnitRegistered(occurred_at=NOW, unit_id=unit, kind=kind, name=unit, parent_id=parent,
                                  industry=industry)
            for unit, kind, parent, industry in (("lg", "leading_group", None, None),
                                                 ("ia", "industry_authority", None, "municipal"),
                                                 ("su", "supervising_unit", None, None), ("line", "line", "su", None),
                                                 ("owner", "owner", None, None))]
    for user, unit, post in (("intake", "lg", "complaint_intake"), ("line-head", "line", "line_head"),
                             ("owner-chief", "owner", "chief")):
        made += [events.UserRegistered(occurred_at=NOW, user_id=user, name=user, portal="zzd"),
                 events.PostGranted(occurred_at=NOW, user_id=user, unit_id=unit, post=post)]
    made.append(events.ProjectRegistered(
        occurred_at=NOW, project_id="p1", name="上虞大道改造", industry="municipal", kind="government",
        contract_amount=Decimal("25000000"), below_threshold=False,
        geofence=events.Geofence(center=(30.0, 120.8), radius_m=300), planned_start=date(2027, 3, 1),
        planned_end=date(2028, 3, 1), intake="tender_award", status="in_construction"))
    made += [events.ProjectAssigned(occurred_at=NOW, project_id="p1", level=level, target_id=target,
                                    assigned_by="lg") for level, target in (("supervising_unit", "su"),
                                                                            ("line", "line"), ("owner", "owner"))]
    return made


@pytest.fixture(scope="module")
def service(postgres_database, service_process, publish_events):
    running = service_process("complaints", postgres_database("complaints"))
    running.start()
    publish_events(*district())
    yield running
    running.stop()


def eventually(check, seconds: float = 15):
    deadline = time.monotonic() + seconds
    while True:
        try:
            result = check()
            if result:
                return result
        except Exception:
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise AssertionError("not reached in time")
        time.sleep(0.2)


def test_a_warning_delivered_twice_opens_one_case_held_by_the_owner(service, publish_events):
    eventually(lambda: service.call("list_cases", {}, 10, 0, principal=OWNER) == [])  # the copy knows the owner
    warning = events.WorkflowWarningRaised(
        occurred_at=NOW, warning_id=f"w-{uuid.uuid4().hex[:8]}", rule_id="art31.acceptance.government-large",
        article="Art. 31", project_id="p1", must_act="owner", summary="no acceptance records after 60 days")
    publish_events(warning, warning)
    found = eventually(lambda: service.call("list_cases", {"rule_id": warning.rule_id}, 10, 0, principal=OWNER))
    time.sleep(1)  # the second delivery has had its chance
    found = service.call("list_cases", {"rule_id": warning.rule_id}, 10, 0, principal=OWNER)
    assert len(found) == 1 and found[0]["holder_unit_id"] == "owner"
    assert service.call("get_case", found[0]["id"], principal=LINE)["status"] == "dispatched"
    with pytest.raises(PermissionDenied):
        service.call("take_step", found[0]["id"], "accept", {}, principal=LINE)
    accepted = service.call("take_step", found[0]["id"], "accept", {}, principal=OWNER)
    assert accepted["status"] == "accepted"


def test_a_complaint_survives_a_restart_and_a_flood_is_refused(service):
    filing = {"project_id": "p1", "category": "wages", "text": "工人工资拖欠三个月", "anonymous": True}
    receipt = eventually(lambda: service.call("file_complaint", filing, "client-a", principal=INTAKE))
    service.stop()
    service.start()
    assert service.call("follow_complaint", receipt["tracking_code"], principal=INTAKE)["status"] == "received"
    for _ in range(4):
        service.call("file_complaint", filing, "client-a", principal=INTAKE)
    with pytest.raises(TooManyRequests):
        service.call("file_complaint", filing, "client-a", principal=INTAKE)
