"""The platform clock.

Every rule of the regulation counts hours and days, so every service reads time from here.
Production uses the system clock. With the manual clock enabled (tests and demos, refused in
production) the back office sets the platform time and every service follows: the time is
kept in each service's own database (table ``platform_clock``) so that every instance and a
restarted process see the same instant.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from common.schema import platform_clock

# Shangyu keeps China Standard Time, which has no daylight saving.
DISTRICT_TZ = timezone(timedelta(hours=8), "CST")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that shows one instant: the manual platform time, or a test's."""

    def __init__(self, instant: datetime):
        self._instant = require_aware(instant)

    def now(self) -> datetime:
        return self._instant


def require_aware(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("a time must carry its UTC offset")
    return instant.astimezone(UTC)


def district_iso(instant: datetime | None) -> str | None:
    """How the API shows a time: ISO 8601 in the district's offset (+08:00)."""
    if instant is None:
        return None
    return require_aware(instant).astimezone(DISTRICT_TZ).isoformat()


def local_date(instant: datetime) -> date:
    """The district's calendar day of an instant (UTC+08:00)."""
    return require_aware(instant).astimezone(DISTRICT_TZ).date()


def read_manual_time(engine: Engine) -> datetime | None:
    """The platform time the back office set, if any (UtcDateTime reads it back aware)."""
    with engine.connect() as connection:
        value = connection.execute(sa.select(platform_clock.c.now).where(platform_clock.c.id == 1)).scalar()
    return value


def write_manual_time(engine: Engine, instant: datetime) -> None:
    instant = require_aware(instant)
    with engine.begin() as connection:
        updated = connection.execute(
            sa.update(platform_clock).where(platform_clock.c.id == 1).values(now=instant)
        ).rowcount
        if not updated:
            connection.execute(sa.insert(platform_clock).values(id=1, now=instant))
