"""The console's figure of scores: firms by colour, within the caller's scope."""

import pytest

from common.errors import InvalidInput
from scoring.usecases import ledger, overview

from .test_ledger_and_scores import warning


def test_firms_are_counted_by_colour_within_the_callers_scope(session, call_as):
    for n in range(3):  # 3 × 3 points off the contractor: 91, still green
        ledger.on_warning(call_as(), warning("art27.after-the-fact-change", warning_id=f"w{n}", person_id=None))

    seen_by_authority = overview.firm_colours(call_as("ia-chief", "zzd"), 2027)

    assert seen_by_authority == {"year": 2027, "rows": [
        {"colour": "green", "count": 1}, {"colour": "blue", "count": 0}, {"colour": "yellow", "count": 0},
        {"colour": "orange", "count": 0}, {"colour": "red", "count": 0}]}
    assert sum(row["count"] for row in overview.firm_colours(call_as("water-chief", "zzd"), 2027)["rows"]) == 0
    with pytest.raises(InvalidInput):
        overview.firm_colours(call_as("ia-chief", "zzd"), 1999)
