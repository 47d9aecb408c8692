"""The workflow RPC ``user_phone`` (Art. 29–30: the SMS channel of the notification service at
send time): a phone number in clear for the platform's own components only, never for a user's
call, whatever the user's posts."""

from types import SimpleNamespace

import pytest
from nameko.testing.services import worker_factory

from common.errors import NotFound, PermissionDenied
from common.principal import ANONYMOUS, SYSTEM, Principal
from workflow.service import WorkflowService
from workflow.usecases import registry


@pytest.fixture
def phoned_user(session, now):
    """A user registered by the back office with a phone number, stored encrypted."""
    back_office = registry.Call(session, now, Principal(user_id="demo-leading-group-chief", portal="zzd"))
    user = registry.register_user(back_office, {"name": "赵电话", "portal": "zzd", "phone": "13912345678",
                                                "zzd_account_id": "zzd-phone-1"})
    session.commit()
    return user["id"]


def service_as(caller: Principal, session) -> WorkflowService:
    return worker_factory(WorkflowService, caller=caller, db=SimpleNamespace(session=session))


def test_a_service_caller_gets_the_phone_in_clear(session, phoned_user):
    assert service_as(SYSTEM, session).user_phone(phoned_user) == {"user_id": phoned_user, "phone": "13912345678"}
    assert service_as(SYSTEM, session).user_phone("demo-owner-lead") == {"user_id": "demo-owner-lead", "phone": None}
    with pytest.raises(NotFound):
        service_as(SYSTEM, session).user_phone("no-such-user")


@pytest.mark.parametrize("caller", [
    Principal(user_id="demo-leading-group-chief", portal="zzd", roles=frozenset({"leading_group"})),  # back office
    Principal(user_id="u-phoned", portal="zzd"),  # the person themself
    Principal(user_id="demo-project-manager", portal="zlb"),
    ANONYMOUS,  # an RPC that carries no principal
], ids=["back-office", "self", "zlb-user", "anonymous"])
def test_a_user_caller_is_refused(session, phoned_user, caller):
    if caller.user_id == "u-phoned":
        caller = caller.model_copy(update={"user_id": phoned_user})
    with pytest.raises(PermissionDenied):
        service_as(caller, session).user_phone(phoned_user)
