from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from common.clock import (
    DISTRICT_TZ,
    FixedClock,
    SystemClock,
    district_iso,
    local_date,
    read_manual_time,
    require_aware,
    write_manual_time,
)
from common.schema import platform_clock


def test_fixed_clock_shows_its_instant_in_utc():
    instant = datetime(2026, 3, 2, 0, 30, tzinfo=DISTRICT_TZ)
    clock = FixedClock(instant)
    assert clock.now() == datetime(2026, 3, 1, 16, 30, tzinfo=UTC)
    assert clock.now().utcoffset() == timedelta(0)
    assert clock.now() == clock.now()


def test_fixed_clock_refuses_a_naive_time():
    with pytest.raises(ValueError, match="UTC offset"):
        FixedClock(datetime(2026, 3, 1, 16, 30))


def test_system_clock_is_aware_and_current():
    before = datetime.now(UTC)
    now = SystemClock().now()
    after = datetime.now(UTC)
    assert now.utcoffset() == timedelta(0)
    assert before <= now <= after


def test_require_aware_converts_to_utc():
    result = require_aware(datetime(2026, 3, 2, 8, 0, tzinfo=timezone(timedelta(hours=8))))
    assert result == datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
    assert result.tzinfo is UTC


def test_require_aware_refuses_naive():
    with pytest.raises(ValueError, match="UTC offset"):
        require_aware(datetime(2026, 3, 1))


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (datetime(2026, 3, 1, 15, 59, 59, tzinfo=UTC), date(2026, 3, 1)),  # 23:59:59 local
        (datetime(2026, 3, 1, 16, 0, tzinfo=UTC), date(2026, 3, 2)),  # local midnight
        (datetime(2026, 3, 1, 16, 30, tzinfo=UTC), date(2026, 3, 2)),
        (datetime(2026, 3, 2, 0, 30, tzinfo=DISTRICT_TZ), date(2026, 3, 2)),
    ],
)
def test_local_date_follows_the_district_calendar(instant, expected):
    assert local_date(instant) == expected


def test_local_date_refuses_naive():
    with pytest.raises(ValueError):
        local_date(datetime(2026, 3, 1, 16, 30))


def test_district_iso_shows_plus_eight():
    assert district_iso(datetime(2026, 3, 1, 16, 30, tzinfo=UTC)) == "2026-03-02T00:30:00+08:00"
    assert district_iso(None) is None


def test_district_iso_refuses_naive():
    with pytest.raises(ValueError):
        district_iso(datetime(2026, 3, 1, 16, 30))


def test_manual_time_is_none_until_written(engine):
    assert read_manual_time(engine) is None


def test_manual_time_round_trip(engine):
    instant = datetime(2026, 3, 2, 0, 30, tzinfo=DISTRICT_TZ)
    write_manual_time(engine, instant)
    read = read_manual_time(engine)
    assert read == instant
    assert read.utcoffset() == timedelta(0)


def test_manual_time_overwrites_the_single_row(engine):
    write_manual_time(engine, datetime(2026, 3, 1, tzinfo=UTC))
    write_manual_time(engine, datetime(2026, 4, 1, 12, tzinfo=UTC))
    assert read_manual_time(engine) == datetime(2026, 4, 1, 12, tzinfo=UTC)
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(platform_clock)).scalar_one() == 1


def test_write_manual_time_refuses_naive(engine):
    with pytest.raises(ValueError):
        write_manual_time(engine, datetime(2026, 3, 1))
    assert read_manual_time(engine) is None
