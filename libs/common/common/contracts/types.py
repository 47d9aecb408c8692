"""Field types every request shares: times and dates the platform can reason about, and the
bounds of every number a caller may send (paging, row ids, months)."""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, WithJsonSchema

from common.errors import InvalidInput

EARLIEST_YEAR, LATEST_YEAR = 2000, 2100

# Paging: no list of the platform holds a million rows per caller, and a number past the
# database's integer range fails inside the driver (an overflow, not an answer).
MAX_OFFSET = 1_000_000
# Row ids of integer key columns (the audit trail's, the dead letters'): PostgreSQL INTEGER.
MAX_ROW_ID = 2**31 - 1


def _within_years(value: date) -> date:
    # Far-off years overflow day arithmetic (a 9999 clock once broke every service); no
    # construction record of the district lies outside these years.
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"the year must lie between {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value


_MONTH_PATTERN = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"  # YYYY-MM of the platform's years
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def _month(value: str) -> str:
    match = _MONTH.match(value)
    if match is None:
        raise ValueError("a month is written YYYY-MM")
    if not EARLIEST_YEAR <= int(match.group(1)) <= LATEST_YEAR:
        raise ValueError(f"the year must lie between {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value


PlatformDateTime = Annotated[AwareDatetime, AfterValidator(_within_years)]
PlatformDate = Annotated[date, AfterValidator(_within_years)]
# The pattern is documented (OpenAPI) and the validator says what is wrong in words.
PlatformMonth = Annotated[str, Field(max_length=7, json_schema_extra={"pattern": _MONTH_PATTERN}),
                          AfterValidator(_month)]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]


def check_platform_time(value: datetime) -> datetime:
    return _within_years(value)


def check_month(value) -> tuple[int, int]:
    """A month a service was sent (``YYYY-MM`` within the platform's years) as (year, month);
    anything else is an InvalidInput naming ``month``."""
    try:
        _month(value if isinstance(value, str) else "")
    except ValueError as error:
        raise InvalidInput.field("month", str(error)) from None
    year, number = value.split("-")
    return int(year), int(number)


def check_paging(limit, offset=0, *, max_limit: int) -> None:
    """The bounds of a page a service was sent, whoever calls it: an InvalidInput naming the field."""
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= max_limit:
        raise InvalidInput.field("limit", f"an integer between 1 and {max_limit}")
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset <= MAX_OFFSET:
        raise InvalidInput.field("offset", f"an integer between 0 and {MAX_OFFSET}")


# --- answers ------------------------------------------------------------------------------------------------------

# Times and days in answers are the text the services wrote (``district_iso``: ISO 8601 with the
# district's offset, ``+08:00``), passed on as they are: never parsed and written again.
Timestamp = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time",
                                           "description": "ISO 8601 with offset, e.g. 2027-03-01T09:00:00+08:00"})]
Day = Annotated[str, WithJsonSchema({"type": "string", "format": "date", "description": "YYYY-MM-DD"})]
Month = Annotated[str, WithJsonSchema({"type": "string", "pattern": _MONTH_PATTERN, "description": "YYYY-MM"})]
Yuan = Annotated[str, WithJsonSchema({"type": "string", "pattern": r"^-?\d+(\.\d+)?$",
                                      "description": "An amount in yuan, as decimal text."})]

# ``SUPERVISION_CONTRACT_STRICT=true`` (the conformance test sets it) makes an answer with a field
# its model does not describe a failure instead of a field left out: the gateway answers 500 and
# the test names the route, so that a model never lags behind what its service answers.
STRICT_ANSWERS = os.environ.get("SUPERVISION_CONTRACT_STRICT", "").lower() in {"1", "true", "yes"}


class View(BaseModel):
    """An answer of a service as the gateway passes it on (the response models of the OpenAPI).
    A field that is sometimes left out of an answer has a default; the gateway's routes leave out
    what the service left out (``response_model_exclude_unset``), so the shape is the service's."""

    model_config = ConfigDict(extra="forbid" if STRICT_ANSWERS else "ignore")
