"""Prometheus metrics every service exposes on its own port."""

from __future__ import annotations

import json
import logging
import threading
import time
from wsgiref.simple_server import WSGIRequestHandler, make_server

from nameko.extensions import DependencyProvider
from prometheus_client import Counter, Gauge, Histogram, make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer

from common import health

logger = logging.getLogger(__name__)

ENTRYPOINT_CALLS = Counter(
    "supervision_entrypoint_calls_total", "Entrypoint calls by outcome", ["service", "entrypoint", "outcome"]
)
ENTRYPOINT_LATENCY = Histogram(
    "supervision_entrypoint_latency_seconds", "Entrypoint latency", ["service", "entrypoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
EVENTS_PUBLISHED = Counter("supervision_events_published_total", "Events published", ["service", "event_type"])
EVENTS_HANDLED = Counter(
    "supervision_events_handled_total", "Events handled", ["service", "event_type", "outcome"]
)
EVENTS_DEAD_LETTERED = Counter(
    "supervision_events_dead_lettered_total", "Events kept aside because they can never be handled; alert on it",
    ["service", "event_type"],
)
OUTBOX_BACKLOG = Gauge("supervision_outbox_backlog", "Events committed but not yet published", ["service"])
OUTBOX_OLDEST_AGE = Gauge(
    "supervision_outbox_oldest_age_seconds",
    "Age of the oldest event committed but not yet published (0 when none waits); alert when it grows",
    ["service"],
)
WARNINGS_RAISED = Counter(
    "supervision_warnings_raised_total", "Warnings (warning.raised) published, by rule; each should open a case",
    ["service", "rule_id"],
)
TIMER_LAST_SUCCESS = Gauge(
    "supervision_timer_last_success_timestamp_seconds",
    "When a timer (the deadline sweep, the evaluations) last completed a run without error, Unix time; "
    "its start counts as a run",
    ["service", "timer"],
)

LIVENESS = Gauge("supervision_liveness",
                 "1 when the process's /livez answers 200 (consumers running, outbox relay and timers turning), "
                 "else 0")
LIVENESS.set_function(lambda: 1.0 if health.liveness()[0] else 0.0)

COMMANDS_EXPIRED = Counter(
    "supervision_commands_expired_total", "Commands dropped unexecuted because their caller had given up",
    ["service", "method"],
)

_servers: dict[int, object] = {}
_servers_lock = threading.Lock()


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *_args) -> None:
        """Probes and scrapes every few seconds would drown the service's own log."""


def _probe_app(metrics_app):
    def app(environ, start_response):
        if environ.get("PATH_INFO") == "/livez":
            alive, report = health.liveness()
            if not alive:
                logger.error("liveness probe failing", extra={"problems": report["problems"]})
            start_response("200 OK" if alive else "503 Service Unavailable",
                           [("Content-Type", "application/json")])
            return [json.dumps(report).encode()]
        return metrics_app(environ, start_response)

    return app


def serve_metrics(port: int) -> None:
    """Serve the process's ``/metrics`` and ``/livez`` on ``port``, once per process."""
    with _servers_lock:
        if port in _servers:
            return
        server = make_server("0.0.0.0", port, _probe_app(make_wsgi_app()), ThreadingWSGIServer,
                             handler_class=_QuietHandler)
        threading.Thread(target=server.serve_forever, daemon=True, name=f"metrics-{port}").start()
        _servers[port] = server
        logger.info("metrics and liveness served", extra={"port": port})


class EntrypointMetrics(DependencyProvider):
    """Counts and times every worker of the service, with its outcome.

    Domain errors a caller caused (``expected_exceptions``) count as ``rejected``, not
    ``error``: an alert on errors must mean the platform is at fault.
    """

    def __init__(self, port: int | None = None):
        self.port = port
        self.started: dict = {}

    def setup(self) -> None:
        from common.settings import metrics_port

        if self.port is None:
            self.port = metrics_port(self.container.service_name)
        if self.port:
            serve_metrics(self.port)

    def start(self) -> None:
        health.watch_container(self.container)

    def stop(self) -> None:
        health.unwatch_container(self.container)

    def kill(self) -> None:
        """A killed container stays watched, so that liveness fails until the process is
        replaced."""

    def worker_setup(self, worker_ctx) -> None:
        self.started[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None) -> None:
        service = self.container.service_name
        name = worker_ctx.entrypoint.method_name
        if exc_info is None:
            outcome = "ok"
        elif isinstance(exc_info[1], getattr(worker_ctx.entrypoint, "expected_exceptions", ())):
            outcome = "rejected"
        else:
            outcome = "error"
        ENTRYPOINT_CALLS.labels(service, name, outcome).inc()
        started = self.started.pop(worker_ctx, None)
        if started is not None:
            ENTRYPOINT_LATENCY.labels(service, name).observe(time.perf_counter() - started)

    def worker_teardown(self, worker_ctx) -> None:
        self.started.pop(worker_ctx, None)
