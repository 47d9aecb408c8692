from __future__ import annotations

from types import SimpleNamespace

from prometheus_client import REGISTRY

from common.errors import EXPECTED_ERRORS, InvalidInput, NotFound
from common.metrics import EntrypointMetrics

SERVICE = "metricstest"


def _provider() -> EntrypointMetrics:
    provider = EntrypointMetrics(port=0)
    provider.container = SimpleNamespace(service_name=SERVICE)
    return provider


class FakeWorkerContext:
    """Hashable, like nameko's WorkerContext: the provider keys its timings by it."""

    def __init__(self, entrypoint):
        self.entrypoint = entrypoint


def _worker_ctx(method_name: str, expected=EXPECTED_ERRORS):
    return FakeWorkerContext(SimpleNamespace(method_name=method_name, expected_exceptions=expected))


def _calls(entrypoint: str, outcome: str) -> float:
    return REGISTRY.get_sample_value(
        "supervision_entrypoint_calls_total", {"service": SERVICE, "entrypoint": entrypoint, "outcome": outcome}
    ) or 0


def _latency_count(entrypoint: str) -> float:
    return REGISTRY.get_sample_value(
        "supervision_entrypoint_latency_seconds_count", {"service": SERVICE, "entrypoint": entrypoint}
    ) or 0


def _exc_info(error: Exception):
    return (type(error), error, None)


def _snapshot(entrypoint: str) -> dict:
    return {outcome: _calls(entrypoint, outcome) for outcome in ("ok", "rejected", "error")}


def _delta(before: dict, entrypoint: str) -> dict:
    after = _snapshot(entrypoint)
    return {outcome: after[outcome] - before[outcome] for outcome in after}


def test_a_successful_worker_counts_ok_and_is_timed():
    provider = _provider()
    worker_ctx = _worker_ctx("register_project")
    before, latency_before = _snapshot("register_project"), _latency_count("register_project")
    provider.worker_setup(worker_ctx)
    provider.worker_result(worker_ctx, result={"id": "p1"})
    provider.worker_teardown(worker_ctx)
    assert _delta(before, "register_project") == {"ok": 1, "rejected": 0, "error": 0}
    assert _latency_count("register_project") - latency_before == 1
    assert provider.started == {}


def test_an_expected_exception_counts_rejected():
    provider = _provider()
    before = _snapshot("assign_project")
    for error in (InvalidInput.field("name", "missing"), NotFound("no such project")):
        worker_ctx = _worker_ctx("assign_project")
        provider.worker_setup(worker_ctx)
        provider.worker_result(worker_ctx, exc_info=_exc_info(error))
    assert _delta(before, "assign_project") == {"ok": 0, "rejected": 2, "error": 0}


def test_an_unexpected_exception_counts_error():
    provider = _provider()
    before = _snapshot("close_case")
    worker_ctx = _worker_ctx("close_case")
    provider.worker_result(worker_ctx, exc_info=_exc_info(RuntimeError("database gone")))
    assert _delta(before, "close_case") == {"ok": 0, "rejected": 0, "error": 1}


def test_an_entrypoint_without_expected_exceptions_counts_every_exception_as_error():
    provider = _provider()
    before = _snapshot("on_event")
    worker_ctx = FakeWorkerContext(SimpleNamespace(method_name="on_event"))
    provider.worker_result(worker_ctx, exc_info=_exc_info(InvalidInput("bad")))
    assert _delta(before, "on_event") == {"ok": 0, "rejected": 0, "error": 1}


def test_a_worker_without_setup_is_counted_but_not_timed():
    provider = _provider()
    before, latency_before = _snapshot("tick"), _latency_count("tick")
    provider.worker_result(_worker_ctx("tick"))
    assert _delta(before, "tick") == {"ok": 1, "rejected": 0, "error": 0}
    assert _latency_count("tick") == latency_before


def test_setup_with_port_zero_serves_nothing():
    provider = _provider()
    provider.setup()
    assert provider.port == 0


def test_liveness_is_exported_as_a_gauge_read_at_each_scrape():
    from common import health

    assert REGISTRY.get_sample_value("supervision_liveness") == (1.0 if health.liveness()[0] else 0.0)
    stalled = health.heartbeat("metricstest.stalled-loop", max_age_seconds=0.0)
    stalled.last -= 1
    try:
        assert REGISTRY.get_sample_value("supervision_liveness") == 0.0
    finally:
        stalled.retire()
