"""The platform clock as a nameko dependency, and the RPCs that set the manual time and
follow the services as they catch up with it."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

import eventlet
import eventlet.semaphore
from nameko.extensions import DependencyProvider

from common.clock import FixedClock, SystemClock, district_iso, read_manual_time, require_aware, write_manual_time
from common.contracts.types import check_platform_time
from common.database import engine_for
from common.errors import EXPECTED_ERRORS, IllegalStep, InvalidInput, PermissionDenied
from common.rpc import rpc
from common.settings import database_url, platform_settings
from common.timer import timer

logger = logging.getLogger(__name__)


class ServiceClock:
    """What a worker sees of the platform clock."""

    def __init__(self, manual: bool, engine):
        self._manual = manual
        self._engine = engine
        self._clock = None

    def now(self) -> datetime:
        if self._clock is None:
            instant = read_manual_time(self._engine) if self._manual else None
            self._clock = FixedClock(instant) if instant else SystemClock()
        return self._clock.now()

    def set_manual_time(self, instant: datetime) -> None:
        if not self._manual:
            raise IllegalStep("the manual clock is not enabled on this platform")
        write_manual_time(self._engine, instant)
        self._clock = FixedClock(instant)


class PlatformClock(DependencyProvider):
    """System time in production. With the manual clock on, each worker reads the platform
    time the back office set (from the service's database, so every instance and a restarted
    process agree); until one is set it shows system time."""

    def __init__(self, url: str | None = None):
        self._url = url

    def setup(self) -> None:
        self.manual = platform_settings().manual_clock
        self.engine = engine_for(self._url or database_url(self.container.service_name))

    def get_dependency(self, worker_ctx) -> ServiceClock:
        return ServiceClock(self.manual, self.engine)


class ManualClockEntrypoints:
    """Mixed into every service: the back office's ``PUT /admin/v1/clock`` reaches each
    service through these RPCs, and each service's timers catch up through :meth:`catch_up`.

    Setting the time only stores it: it is quick, so the gateway can set every service or, if
    one refuses, put the others back, and the platform never shows two times. What fell due
    (days of sweeps and evaluations after a long jump) is then done in bounded steps, each its
    own short transaction, by a one-second timer of the service — never inside the request,
    never holding the database for the whole jump. ``clock_status`` tells whether a service
    has caught up, so the back office can follow the catch-up to its end.
    """

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def set_platform_time(self, now: str) -> str:
        if not self.caller.is_back_office:
            raise PermissionDenied("only the back office sets the platform time")
        try:
            instant = check_platform_time(require_aware(datetime.fromisoformat(now)))
        except (TypeError, ValueError) as error:
            raise InvalidInput.field("now", f"an ISO 8601 time with its offset is needed ({error})") from None
        self.clock.set_manual_time(instant)
        _catch_up_wanted(self.name).set()
        logger.info("platform time set", extra={"service": self.name, "now": instant.isoformat(),
                                                "principal": self.caller.user_id})
        return district_iso(instant)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def platform_time(self) -> str:
        return district_iso(self.clock.now())

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def clock_status(self) -> dict:
        now = self.clock.now()
        return {"now": district_iso(now), "caught_up": self.caught_up(now)}

    @timer(interval=1)
    def continue_catch_up(self) -> None:
        wanted = _catch_up_wanted(self.name)
        if wanted.is_set() and self.catch_up(self.clock.now()):
            wanted.clear()

    def catch_up(self, now: datetime, budget_seconds: float | None = None) -> bool:
        """Do what fell due by ``now`` in steps of :meth:`catch_up_step`, each committed on its
        own, for at most ``budget_seconds``; True when nothing is left. One catch-up at a time
        per service in a process."""
        budget = platform_settings().clock_catch_up_budget_seconds if budget_seconds is None else budget_seconds
        lock = _catch_up_lock(self.name)
        if not lock.acquire(blocking=False):
            return False
        try:
            deadline = time.monotonic() + budget
            while True:
                done = self.catch_up_step(now)
                self.db.commit()
                if done:
                    return True
                if time.monotonic() >= deadline:
                    logger.info("catching up with the platform time", extra={"service": self.name,
                                                                            "now": now.isoformat()})
                    return False
                eventlet.sleep(0)  # let requests in between the steps
        finally:
            lock.release()

    def catch_up_step(self, now: datetime) -> bool:
        """One bounded step of the work that fell due by ``now``, left for the caller to
        commit; True when it was the last. Services with timers override it."""
        return True

    def caught_up(self, now: datetime) -> bool:
        """Whether nothing that fell due by ``now`` is left undone."""
        return True


_catch_up_state: dict[str, tuple[threading.Event, eventlet.semaphore.Semaphore]] = {}


def _state(service_name: str):
    if service_name not in _catch_up_state:
        _catch_up_state[service_name] = (threading.Event(), eventlet.semaphore.Semaphore())
    return _catch_up_state[service_name]


def _catch_up_wanted(service_name: str) -> threading.Event:
    return _state(service_name)[0]


def _catch_up_lock(service_name: str) -> eventlet.semaphore.Semaphore:
    return _state(service_name)[1]
