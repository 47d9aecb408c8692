from __future__ import annotations

import time
from types import SimpleNamespace

from prometheus_client import REGISTRY

from common import health
from common.timer import WatchedTimer


def _last_success() -> float | None:
    return REGISTRY.get_sample_value("supervision_timer_last_success_timestamp_seconds",
                                     {"service": "timersvc", "timer": "sweep_deadlines"})


def test_a_timer_reports_its_last_successful_run(monkeypatch):
    monkeypatch.setattr("nameko.timer.Timer.start", lambda self: None)
    monkeypatch.setattr("nameko.timer.Timer.handle_result", lambda self, ctx, result, exc_info: result)
    timer = WatchedTimer(interval=30)
    timer.container = SimpleNamespace(service_name="timersvc")
    timer.method_name = "sweep_deadlines"
    try:
        before = time.time()
        timer.start()
        started = _last_success()
        assert before <= started <= time.time()  # its start counts as a run: an alert measures from it
        timer.last_success.set(1000.0)  # as if long ago
        timer.handle_result(None, None, (RuntimeError, RuntimeError("database gone"), None))
        assert _last_success() == 1000.0  # a failed run is not a run
        before = time.time()
        timer.handle_result(None, None, None)
        assert before <= _last_success() <= time.time()
    finally:
        timer.heartbeat.retire()
    assert "timersvc.sweep_deadlines" not in health._heartbeats
