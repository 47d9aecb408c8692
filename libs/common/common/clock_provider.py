"""The platform clock as a nameko dependency, and the RPC that sets the manual time."""

from __future__ import annotations

import logging
from datetime import datetime

from nameko.extensions import DependencyProvider

from common.clock import FixedClock, SystemClock, district_iso, read_manual_time, require_aware, write_manual_time
from common.contracts.types import check_platform_time
from common.database import engine_for
from common.errors import EXPECTED_ERRORS, IllegalStep, InvalidInput, PermissionDenied
from common.rpc import rpc
from common.settings import database_url, platform_settings

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
    service through this RPC. After the time moves, the service runs what fell due
    (:meth:`on_platform_time_set`)."""

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def set_platform_time(self, now: str) -> str:
        if not self.caller.is_back_office:
            raise PermissionDenied("only the back office sets the platform time")
        try:
            instant = check_platform_time(require_aware(datetime.fromisoformat(now)))
        except (TypeError, ValueError) as error:
            raise InvalidInput.field("now", f"an ISO 8601 time with its offset is needed ({error})") from None
        self.clock.set_manual_time(instant)
        logger.info("platform time set", extra={"service": self.name, "now": instant.isoformat(),
                                                "principal": self.caller.user_id})
        self.on_platform_time_set(instant)
        return district_iso(instant)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def platform_time(self) -> str:
        return district_iso(self.clock.now())

    def on_platform_time_set(self, instant: datetime) -> None:
        """Fire what became due at the new platform time; services with timers override it."""
