"""Fault drills, each as an operator would run it against `make run`: many concurrent writers on
the SQLite default, `kill -9` of a service under load, the broker's connections cut, the network
to the broker hung. Each asserts what a user and an operator must be able to rely on: every
2xx stored exactly once, no event lost (the attendance copy converges and the outbox empties),
no command executed after its caller gave up, every answer within the gateway's timeout, and
recovery without a hand on the keyboard."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter

import pytest

pytestmark = pytest.mark.drill

UNAVAILABLE = {503, 504}


def assert_stored_exactly_once(platform, prefix: str, answers) -> None:
    stored = Counter(platform.stored_projects(prefix))
    assert [name for name, count in stored.items() if count > 1] == []
    accepted = {answer.name for answer in answers if answer.status == 201}
    assert accepted <= set(stored), f"answered 201 but not stored: {sorted(accepted - set(stored))[:5]}"


def assert_converges(platform, prefix: str) -> None:
    platform.wait_until("every stored project reached the attendance copy",
                        lambda: set(platform.copied_projects(prefix)) == set(platform.stored_projects(prefix)))
    platform.wait_until("the workflow outbox is empty", lambda: platform.unpublished_events() == 0)


def assert_bounded(platform, answers) -> None:
    slow = [(answer.name, answer.status, round(answer.elapsed, 1)) for answer in answers
            if answer.elapsed > platform.answer_bound]
    assert slow == [], f"answers slower than the gateway's timeout allows: {slow[:5]}"


def test_concurrent_writers_on_sqlite_neither_freeze_nor_fail(drill_platform):
    answers = drill_platform.register_many("sqlite", count=200, clients=20)
    statuses = Counter(answer.status for answer in answers)
    assert statuses == {201: 200}, statuses
    # Before one writer per process, 192 of these 200 froze for SQLite's 10 s busy timeout and
    # failed. Each 201 above came within the drill's RPC deadline; how fast they come is
    # measured by `make bench` (sqlite_concurrent_writes_p99), not asserted on a busy machine.
    assert_bounded(drill_platform, answers)
    assert_stored_exactly_once(drill_platform, "sqlite", answers)
    assert len(drill_platform.stored_projects("sqlite")) == 200
    assert_converges(drill_platform, "sqlite")


def test_a_service_killed_under_load_is_restarted_by_the_launcher(drill_platform):
    victim = drill_platform.service_pid("workflow")
    killed: list[float] = []

    def kill_then_watch():
        time.sleep(1.5)
        killed.append(time.monotonic())
        os.kill(victim, signal.SIGKILL)
        drill_platform.wait_until("the launcher restarted workflow",
                                  lambda: _restarted(drill_platform, "workflow", victim), seconds=30)

    answers = drill_platform.register_for("killed", seconds=9, clients=6, during=kill_then_watch)
    drill_platform.wait_until("the platform serves again", drill_platform.serves_again)
    assert {answer.status for answer in answers} <= {201} | UNAVAILABLE
    # Requests in flight at the kill either waited in the queue for the restarted service (201)
    # or were answered 503/504 within the timeout.
    assert any(a.sent_at <= killed[0] <= a.sent_at + a.elapsed for a in answers), "no request met the outage"
    assert_bounded(drill_platform, answers)
    assert_stored_exactly_once(drill_platform, "killed", answers)
    assert_converges(drill_platform, "killed")


def test_commands_that_waited_in_a_stalled_service_past_their_deadline_are_never_executed(drill_platform):
    """The service stops (as a process frozen by SIGSTOP, a long GC, a saturated host) while
    requests keep coming; their callers get 504. When it resumes it must not carry them out
    with the clock of that later moment."""
    victim = drill_platform.service_pid("workflow")
    outage: dict[str, float] = {}

    def stall():
        time.sleep(1.0)
        outage["stopped"] = time.monotonic()
        os.kill(victim, signal.SIGSTOP)
        time.sleep(3 * drill_platform.rpc_timeout)
        outage["resumed"] = time.monotonic()
        os.kill(victim, signal.SIGCONT)

    answers = drill_platform.register_for("stalled", seconds=3 * drill_platform.rpc_timeout + 3, clients=6,
                                          during=stall)
    drill_platform.wait_until("the platform serves again", drill_platform.serves_again)
    assert {answer.status for answer in answers} <= {201} | UNAVAILABLE
    assert_bounded(drill_platform, answers)
    # A request whose deadline passed before the service resumed can only have been executed late.
    stale = {a.name for a in answers if a.status in UNAVAILABLE
             and outage["stopped"] < a.sent_at and a.sent_at + drill_platform.rpc_timeout < outage["resumed"] - 0.5}
    assert len(stale) >= 3, "too few requests waited in the stalled service for the drill to mean anything"
    assert_converges(drill_platform, "stalled")
    assert stale.isdisjoint(drill_platform.stored_projects("stalled"))
    assert_stored_exactly_once(drill_platform, "stalled", answers)


def _restarted(platform, service: str, old_pid: int) -> bool:
    try:
        return platform.service_pid(service) != old_pid
    except AssertionError:
        return False


def test_cut_broker_connections_answer_503_or_504_in_time_and_heal(drill_platform):
    proxy = drill_platform.proxy

    def outage():
        time.sleep(1.0)
        proxy.refuse(True)
        proxy.cut()
        time.sleep(5)
        proxy.refuse(False)

    answers = drill_platform.register_for("cut", seconds=8, clients=4, during=outage)
    assert {answer.status for answer in answers} <= {201} | UNAVAILABLE
    assert any(answer.status in UNAVAILABLE for answer in answers)
    assert_bounded(drill_platform, answers)
    drill_platform.wait_until("the platform serves again", drill_platform.serves_again, seconds=90)
    assert_stored_exactly_once(drill_platform, "cut", answers)
    assert_converges(drill_platform, "cut")


def test_a_hung_network_never_hangs_a_caller(drill_platform):
    proxy = drill_platform.proxy

    def outage():
        time.sleep(1.0)
        proxy.black_hole(True)
        time.sleep(6)
        proxy.black_hole(False)

    answers = drill_platform.register_for("hung", seconds=8, clients=4, during=outage)
    assert {answer.status for answer in answers} <= {201} | UNAVAILABLE
    assert any(answer.status in UNAVAILABLE for answer in answers)
    assert_bounded(drill_platform, answers)
    drill_platform.wait_until("the platform serves again", drill_platform.serves_again, seconds=90)
    assert_stored_exactly_once(drill_platform, "hung", answers)
    assert_converges(drill_platform, "hung")


def test_check_in_intake_answers_503_while_the_broker_is_away_and_202_when_it_is_back(drill_platform):
    """Issue 11: a check-in is answered 202 only once the broker holds it; while the broker is away
    the answer is 503 at once (nothing taken, the phone sends it again), and the check-ins taken
    are all decided."""
    proxy, http = drill_platform.proxy, drill_platform.http
    headers = {"authorization": f"Bearer {drill_platform.token('demo-project-manager')}"}

    def check_in(request_id: str):
        body = {"project_id": "nowhere", "lat": 30.03, "lng": 120.87, "accuracy_m": 8,
                "client_time": "2026-12-01T09:00:00+08:00", "client_request_id": request_id,
                "device": {"id": "drill-phone", "platform": "android", "mock_location": False}}
        sent = time.monotonic()
        answer = http.post("/zlb/v1/checkins", json=body, headers=headers)
        return answer, time.monotonic() - sent

    taken = [check_in("drill-before-0001")[0]]
    proxy.refuse(True)
    proxy.cut()
    try:
        while_away = [check_in(f"drill-away-{n:04d}") for n in range(5)]
    finally:
        proxy.refuse(False)
    assert [answer.status_code for answer, _ in while_away] == [503] * 5
    assert max(elapsed for _, elapsed in while_away) < drill_platform.answer_bound
    deadline = time.monotonic() + 30
    while True:
        answer, _ = check_in(f"drill-back-{time.monotonic_ns()}")
        if answer.status_code == 202 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    taken.append(answer)
    assert [answer.status_code for answer in taken] == [202, 202]

    def decided() -> bool:
        statuses = [http.get(answer.headers["location"], headers=headers) for answer in taken]
        return all(status.status_code == 200 and status.json()["status"] == "rejected" for status in statuses)

    # Neither project exists: each is decided rejected (not on the roster), and none is lost.
    drill_platform.wait_until("every check-in taken is decided", decided, seconds=60)
