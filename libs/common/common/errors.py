"""Domain errors that cross the RPC boundary intact.

Each is registered with nameko's ``deserialize_to_instance`` so a caller (the gateway) gets
the same class with its message and details back, and maps it to HTTP in one table.
Services list :data:`EXPECTED_ERRORS` as ``expected_exceptions`` on their RPC entrypoints.
"""

from __future__ import annotations

from nameko.exceptions import deserialize_to_instance


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, message: str, details: list | None = None):
        # nameko sends args as strings unless they are lists or dicts, so "no details" travels as [].
        super().__init__(message, details or [])
        self.message = message
        self.details = details or None

    def __str__(self) -> str:
        return self.message


@deserialize_to_instance
class InvalidInput(DomainError):
    """The request is malformed; ``details`` lists ``{"field", "reason"}`` items."""

    code = "invalid_input"

    @classmethod
    def field(cls, field: str, reason: str) -> InvalidInput:
        return cls(f"{field}: {reason}", [{"field": field, "reason": reason}])


@deserialize_to_instance
class NotFound(DomainError):
    code = "not_found"


@deserialize_to_instance
class PermissionDenied(DomainError):
    code = "forbidden"


@deserialize_to_instance
class IllegalStep(DomainError):
    """The request is well formed but the state of the thing forbids it now."""

    code = "conflict"


@deserialize_to_instance
class CommandExpired(DomainError):
    """The caller stopped waiting before the service could start on its request, so the
    request was not carried out (see :mod:`common.rpc`)."""

    code = "timeout"


@deserialize_to_instance
class TooManyRequests(DomainError):
    """The caller sent more than a limit allows in its window (a flood of complaints from one
    client); ``details`` says the limit and when to try again."""

    code = "rate_limited"


EXPECTED_ERRORS = (InvalidInput, NotFound, PermissionDenied, IllegalStep, CommandExpired, TooManyRequests)
