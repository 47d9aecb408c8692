"""Field types every request shares: times and dates the platform can reason about."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def _within_years(value: date) -> date:
    # Far-off years overflow day arithmetic (a 9999 clock once broke every service); no
    # construction record of the district lies outside these years.
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"the year must lie between {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value


PlatformDateTime = Annotated[AwareDatetime, AfterValidator(_within_years)]
PlatformDate = Annotated[date, AfterValidator(_within_years)]


def check_platform_time(value: datetime) -> datetime:
    return _within_years(value)
