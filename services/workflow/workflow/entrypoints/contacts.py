"""RPC entrypoints of the contacts: a user's phone number for the platform's own components (the
notification service's SMS channel), never for a user's call."""

from __future__ import annotations

from common.errors import EXPECTED_ERRORS
from common.rpc import rpc
from workflow.usecases import contacts


class ContactEntrypoints:
    """Mixed into WorkflowService; each entrypoint is a use case of :mod:`workflow.usecases.contacts`."""

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def user_phone(self, user_id: str) -> dict:
        return contacts.user_phone(self._system_session(), user_id)
