from __future__ import annotations

import pytest
from nameko.exceptions import RemoteError, deserialize, serialize

from common.errors import EXPECTED_ERRORS, DomainError, IllegalStep, InvalidInput, NotFound, PermissionDenied


def _over_the_wire(error: Exception) -> Exception:
    return deserialize(serialize(error))


@pytest.mark.parametrize("error_cls", [InvalidInput, NotFound, PermissionDenied, IllegalStep])
def test_each_error_survives_nameko_serialization_with_details(error_cls):
    details = [{"field": "name", "reason": "too long"}, {"field": "amount", "reason": "negative"}]
    received = _over_the_wire(error_cls("it went wrong", details))
    assert type(received) is error_cls
    assert received.message == "it went wrong"
    assert str(received) == "it went wrong"
    assert received.details == details
    assert received.code == error_cls.code


@pytest.mark.parametrize("error_cls", [InvalidInput, NotFound, PermissionDenied, IllegalStep])
def test_no_details_travel_as_none(error_cls):
    received = _over_the_wire(error_cls("nothing here"))
    assert type(received) is error_cls
    assert received.message == "nothing here"
    assert received.details is None


def test_serialized_form_names_the_class_and_message():
    data = serialize(NotFound("project p1 not found"))
    assert data["exc_type"] == "NotFound"
    assert data["exc_path"] == "common.errors.NotFound"
    assert data["value"] == "project p1 not found"


def test_invalid_input_field_builds_the_details():
    error = InvalidInput.field("planned_end", "must follow planned_start")
    assert error.message == "planned_end: must follow planned_start"
    assert error.details == [{"field": "planned_end", "reason": "must follow planned_start"}]
    received = _over_the_wire(error)
    assert type(received) is InvalidInput
    assert received.details == [{"field": "planned_end", "reason": "must follow planned_start"}]


def test_codes_are_distinct_and_errors_are_expected():
    assert {cls.code for cls in EXPECTED_ERRORS} == {"invalid_input", "not_found", "forbidden", "conflict", "timeout",
                                                     "rate_limited"}
    assert all(issubclass(cls, DomainError) for cls in EXPECTED_ERRORS)


def test_an_unregistered_error_arrives_as_remote_error():
    received = _over_the_wire(DomainError("plain"))
    assert isinstance(received, RemoteError)
    assert received.exc_type == "DomainError"
