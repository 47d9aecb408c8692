"""The scoring service as it runs (its own process, the real RabbitMQ and PostgreSQL): a warning event
delivered twice deducts once; each score change reaches an outside system's own durable queue (the
subscriber of scripts/) exactly once and in order, and the partner catch-up sees the same."""

import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from nameko.standalone.events import event_dispatcher
from sqlalchemy.orm import Session

from common import events
from common.database import engine_for, migrate
from common.principal import SYSTEM, Principal
from scoring.service import MIGRATIONS_DIR

from ..conftest import PROJECT, feed_registry

ROOT = Path(__file__).resolve().parents[4]
BACK_OFFICE = Principal(user_id="back-office", portal="zzd", roles=frozenset({"leading_group"}))


@pytest.fixture(scope="module")
def scoring(postgres_database, service_process):
    url = postgres_database("scoring")
    migrate(url, MIGRATIONS_DIR)
    with Session(engine_for(url)) as session:
        feed_registry(session)
        session.commit()
    running = service_process("scoring", url)
    running.start()
    yield running
    running.stop()
    engine_for(url).dispose()


def subscriber(amqp_uri: str, queue: str, *extra: str) -> subprocess.Popen:
    amqp = amqp_uri.replace("pyamqp://", "amqp://")
    return subprocess.Popen([sys.executable, str(ROOT / "scripts" / "score_subscriber.py"), "--amqp", amqp,
                             "--queue", queue, *extra], stdout=subprocess.PIPE, text=True)


def test_a_warning_delivered_twice_deducts_once_and_the_subscriber_sees_each_change_once_in_order(scoring, amqp_uri):
    # The outside system declares its queue first (then runs as it likes; the queue is durable).
    subscriber(amqp_uri, "tender.scores", "--idle-seconds", "0.5").wait(timeout=30)
    dispatch = event_dispatcher({"AMQP_URI": amqp_uri})
    now = datetime.now(UTC)
    warnings = [events.AttendanceWarningRaised(
        occurred_at=now, warning_id=f"w{n}", rule_id="art42.consecutive-absence", article="Art. 42",
        project_id=PROJECT, person_id="pm", firm_id="contractor", must_act="owner", summary="absent")
        for n in range(3)]
    key = scoring.call("create_partner", {"name": "tender", "system": "tender"}, principal=BACK_OFFICE)["key"]

    def entry_changes(feed):
        return [change for change in feed["changes"] if change["payload"]["cause"] == "ledger_entry"]

    def published(count: int) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if len(entry_changes(scoring.call("score_changes", key, 0, 100, principal=SYSTEM))) >= count:
                return
            time.sleep(0.1)

    # One warning after the other: each moves the contractor and its manager (warnings that arrive
    # together are scored in one batch, which publishes each subject's final standing once).
    for n, warning in enumerate(warnings, start=1):
        dispatch("attendance", warning.event_type, warning.model_dump(mode="json"))
        published(2 * n)
    dispatch("attendance", warnings[0].event_type, warnings[0].model_dump(mode="json"))  # redelivered
    time.sleep(1)  # a duplicate deduction, had there been one, would show up by now
    feed = scoring.call("score_changes", key, 0, 100, principal=SYSTEM)
    # The start-up recomputation scores the project's other members for the first time (3 changes
    # at most, before or between the warnings'); the feed is gap-free either way.
    assert [change["sequence"] for change in feed["changes"]] == list(range(1, len(feed["changes"]) + 1))
    assert len(entry_changes(feed)) == 6 and len(feed["changes"]) <= 9
    recomputed = [change["payload"]["subject_id"] for change in feed["changes"]
                  if change["payload"]["cause"] == "recomputation"]
    assert len(recomputed) == len(set(recomputed)) and set(recomputed) <= {"contractor", "supervisor", "owner"}
    contractor = scoring.call("partner_subject", key, "contractor", now.year, principal=SYSTEM)
    assert contractor["composite"] == "97.00" and contractor["colour"] == "green"

    received = subscriber(amqp_uri, "tender.scores", "--idle-seconds", "3")
    lines = [json.loads(line) for line in received.communicate(timeout=60)[0].splitlines()]
    # The queue holds what was published once it was bound: every change of the warnings (the start-up
    # recomputation may have gone before), once each and in the feed's order.
    since = [change for change in feed["changes"] if change["sequence"] >= lines[0]["sequence"]]
    assert [(line["sequence"], line["routing_key"]) for line in lines] == \
        [(change["sequence"], change["routing_key"]) for change in since]
    assert {change["sequence"] for change in entry_changes(feed)} <= {line["sequence"] for line in lines}
    assert [line["composite"] for line in lines if line["subject_id"] == "contractor"
            and line["cause"] == "ledger_entry"] == ["99.00", "98.00", "97.00"]


def test_a_wrong_or_revoked_key_is_refused(scoring):
    from common.errors import NotFound

    created = scoring.call("create_partner", {"name": "audit", "system": "audit"}, principal=BACK_OFFICE)
    scoring.call("revoke_partner", created["id"], principal=BACK_OFFICE)
    for key in (created["key"], "sk_wrong"):
        with pytest.raises(NotFound):
            scoring.call("authenticate_partner", key, principal=SYSTEM)


def test_new_bands_from_the_back_office_recolour_at_once_on_the_feed(scoring):
    key = scoring.call("create_partner", {"name": "credit", "system": "credit_code"}, principal=BACK_OFFICE)["key"]
    last = scoring.call("score_changes", key, 0, 1000, principal=SYSTEM)["next_cursor"]
    # the contractor's and its project manager's 97 turn blue; the others' 100 stays green
    scoring.call("update_rule_settings", {"green_min": "98"}, principal=BACK_OFFICE)
    try:
        changes = scoring.call("score_changes", key, last, 100, principal=SYSTEM)["changes"]
        assert [(c["sequence"], c["payload"]["subject_id"], c["payload"]["colour"], c["payload"]["cause"])
                for c in changes] == [(last + 1, "contractor", "blue", "settings"),
                                  (last + 2, "pm", "blue", "settings")]
    finally:
        scoring.call("update_rule_settings", {"green_min": "90"}, principal=BACK_OFFICE)


def test_an_upheld_objection_restores_on_postgresql(scoring):
    manager = Principal(user_id="pm", portal="zlb")
    authority = Principal(user_id="ia-chief", portal="zzd")
    mine = scoring.call("my_scores", None, 100, 0, principal=manager)
    entry = next(e for e in mine["ledger"] if e["subject_id"] == "contractor" and e["points"] == "-1.00")
    objection = scoring.call("file_objection", entry["id"], {"reasons": "on leave"}, principal=manager)
    decided = scoring.call("decide_objection", objection["id"], {"upheld": True, "note": "leave approved"},
                           principal=authority)
    assert decided["status"] == "upheld" and decided["restoration_entry_id"]
