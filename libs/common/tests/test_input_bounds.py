"""What a service refuses itself, whoever calls it over RPC: numbers past their bounds are an
InvalidInput naming the field, never an overflow in the database."""

from __future__ import annotations

import pytest

from common.audit import AuditQuery
from common.contracts.types import MAX_OFFSET, MAX_ROW_ID, check_month, check_paging
from common.errors import InvalidInput
from common.rule_settings import validation_details


@pytest.mark.parametrize("limit, offset, field", [
    (0, 0, "limit"), (501, 0, "limit"), (10**30, 0, "limit"), ("100", 0, "limit"), (True, 0, "limit"),
    (100, -1, "offset"), (100, MAX_OFFSET + 1, "offset"), (100, 10**20, "offset"), (100, 1.5, "offset"),
])
def test_a_page_out_of_bounds_is_invalid_input_naming_the_field(limit, offset, field):
    with pytest.raises(InvalidInput) as refused:
        check_paging(limit, offset, max_limit=500)
    assert refused.value.details[0]["field"] == field


def test_the_bounds_themselves_are_a_page():
    check_paging(1, 0, max_limit=500)
    check_paging(500, MAX_OFFSET, max_limit=500)


@pytest.mark.parametrize("month", ["9999-01", "1999-12", "2101-01", "2027-13", "2027-00", "27-01", "", None, 202701])
def test_a_month_out_of_the_platforms_years_is_invalid_input(month):
    with pytest.raises(InvalidInput) as refused:
        check_month(month)
    assert refused.value.details[0]["field"] == "month"


def test_a_month_of_the_platforms_years_is_read():
    assert check_month("2000-01") == (2000, 1)
    assert check_month("2100-12") == (2100, 12)


@pytest.mark.parametrize("before_id", [0, MAX_ROW_ID + 1, 99999999999999999999999])
def test_an_audit_cursor_past_the_id_column_is_refused(before_id):
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as refused:
        AuditQuery.model_validate({"before_id": before_id})
    assert validation_details(refused.value)[0]["field"] == "before_id"


def test_an_audit_query_at_its_bounds_is_read():
    query = AuditQuery.model_validate({"before_id": MAX_ROW_ID, "limit": 1000, "entity_id": "x" * 64})
    assert (query.before_id, query.limit) == (MAX_ROW_ID, 1000)
