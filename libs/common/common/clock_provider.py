"""The platform clock as a nameko dependency, and the RPCs that set the manual time and
follow the services as they catch up with it."""

from __future__ import annotations

import logging
import time
from datetime import datetime

import eventlet
import eventlet.semaphore
from nameko.extensions import DependencyProvider

from common.clock import FixedClock, SystemClock, district_iso, read_manual_time, require_aware, write_manual_time
from common.contracts.types import check_platform_time
from common.database import engine_for
from common.errors import EXPECTED_ERRORS, CommandExpired, IllegalStep, InvalidInput, PermissionDenied
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

    def shows_a_set_time(self) -> bool:
        """True when the back office has set the platform time (it stands still between moves)."""
        self.now()
        return isinstance(self._clock, FixedClock)

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

    Setting the time only stores it, held from catching up: it is quick, so the gateway can set
    every service or, if one refuses, put the others back before any of them acted on the new
    time, and the platform never shows two times. Once every service has it, the gateway
    releases the hold and what fell due (days of sweeps and evaluations after a long jump) is
    done in bounded steps, each its own short transaction, by a one-second timer of the service
    — never inside the request, never holding the database for the whole jump.
    ``clock_status`` tells whether a service has caught up, so the back office can follow the
    catch-up to its end.
    """

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def set_platform_time(self, now: str, if_now: str | None = None, hold_seconds: float = 0.0) -> str:
        """Set the manual time. ``if_now``: only if the service still shows that time (so two
        back-office users moving the clock at once cannot interleave). ``hold_seconds``: do not
        act on the new time until :meth:`release_catch_up`, or for that long at most."""
        if not self.caller.is_back_office:
            raise PermissionDenied("only the back office sets the platform time")
        if self.request.expired():
            raise CommandExpired("the caller stopped waiting; the platform time was not changed")
        instant = _parse_time("now", now)
        if if_now is not None and self.clock.shows_a_set_time() and self.clock.now() != _parse_time("if_now", if_now):
            raise IllegalStep(f"the platform time changed meanwhile (it is {district_iso(self.clock.now())}); "
                              "read it again")
        _hold(self.name, min(max(hold_seconds, 0.0), _LONGEST_HOLD_SECONDS))
        self.clock.set_manual_time(instant)
        logger.info("platform time set", extra={"service": self.name, "now": instant.isoformat(),
                                                "principal": self.caller.user_id})
        return district_iso(instant)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def release_catch_up(self) -> None:
        if not self.caller.is_back_office:
            raise PermissionDenied("only the back office sets the platform time")
        _holds.pop(self.name, None)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def platform_time(self) -> str:
        return district_iso(self.clock.now())

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def clock_status(self) -> dict:
        now = self.clock.now()
        return {"now": district_iso(now), "caught_up": self.caught_up(now)}

    @timer(interval=1)
    def continue_catch_up(self) -> None:
        """Within a second of a new platform time (and after any restart), not at the next
        sweep or evaluation."""
        now = self.clock.now()
        if not _held(self.name) and not self.caught_up(now):
            self.catch_up(now)

    def catch_up(self, now: datetime, budget_seconds: float | None = None) -> bool:
        """Do what fell due by ``now`` in steps of :meth:`catch_up_step`, each committed on its
        own, for at most ``budget_seconds``; True when nothing is left. One catch-up at a time
        per service in a process, and none while a new time is held."""
        budget = platform_settings().clock_catch_up_budget_seconds if budget_seconds is None else budget_seconds
        lock = _catch_up_locks.setdefault(self.name, eventlet.semaphore.Semaphore())
        if _held(self.name) or not lock.acquire(blocking=False):
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


_LONGEST_HOLD_SECONDS = 120.0
_holds: dict[str, float] = {}
_catch_up_locks: dict[str, eventlet.semaphore.Semaphore] = {}


def _hold(service_name: str, seconds: float) -> None:
    if seconds > 0:
        _holds[service_name] = time.monotonic() + seconds
    else:
        _holds.pop(service_name, None)


def _held(service_name: str) -> bool:
    until = _holds.get(service_name)
    return until is not None and time.monotonic() < until


def _parse_time(field: str, value: str) -> datetime:
    try:
        return check_platform_time(require_aware(datetime.fromisoformat(value)))
    except (TypeError, ValueError) as error:
        raise InvalidInput.field(field, f"an ISO 8601 time with its offset is needed ({error})") from None
