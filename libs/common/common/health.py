"""Is this service process alive, in the sense that matters: still consuming, and its
background loops (the outbox relay, the timers) still turning?

A nameko container can lose its consumers while the process lives on; an HTTP port that
answers proves nothing then. :func:`liveness` looks at what actually works, and each
service's metrics port serves it on ``/livez`` for the orchestrator's liveness probe.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_heartbeats: dict[str, Heartbeat] = {}
_containers: dict[int, object] = {}


@dataclass
class Heartbeat:
    """A loop that must run at least every ``max_age_seconds``."""

    name: str
    max_age_seconds: float
    last: float = field(default_factory=time.monotonic)

    def beat(self) -> None:
        self.last = time.monotonic()

    def age(self) -> float:
        return time.monotonic() - self.last

    def retire(self) -> None:
        with _lock:
            if _heartbeats.get(self.name) is self:
                del _heartbeats[self.name]


def heartbeat(name: str, max_age_seconds: float) -> Heartbeat:
    """Register a loop that must keep beating (it counts as fresh from now)."""
    beat = Heartbeat(name, max_age_seconds)
    with _lock:
        _heartbeats[name] = beat
    return beat


def watch_container(container) -> None:
    with _lock:
        _containers[id(container)] = container


def unwatch_container(container) -> None:
    with _lock:
        _containers.pop(id(container), None)


def _consumer_problems(container) -> list[str]:
    if container._died.ready():
        return [f"{container.service_name}: the service container has stopped"]
    problems = []
    for extension in container.shared_extensions.values():
        thread = getattr(extension, "_gt", None)
        if hasattr(extension, "_consumers_ready") and (thread is None or thread.dead):
            problems.append(f"{container.service_name}: the message consumer is not running")
    return problems


def liveness() -> tuple[bool, dict]:
    """``(alive, report)``: alive when every watched container still consumes and every
    heartbeat is fresh."""
    with _lock:
        containers = list(_containers.values())
        beats = list(_heartbeats.values())
    problems = [problem for container in containers for problem in _consumer_problems(container)]
    for beat in beats:
        if beat.age() > beat.max_age_seconds:
            problems.append(f"{beat.name} has not run for {beat.age():.0f} s (limit {beat.max_age_seconds:.0f} s)")
    report = {
        "alive": not problems,
        "services": sorted(container.service_name for container in containers),
        "loops": {beat.name: round(beat.age(), 1) for beat in beats},
        "problems": problems,
    }
    return not problems, report
