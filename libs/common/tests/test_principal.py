from __future__ import annotations

from types import SimpleNamespace

import pytest
from nameko.events import EventHandler
from nameko.rpc import Rpc
from nameko.timer import Timer
from pydantic import ValidationError

from common.principal import ANONYMOUS, CONTEXT_KEY, SYSTEM, Caller, Principal


def test_context_round_trip():
    principal = Principal(user_id="u-42", portal="zlb", roles=frozenset({"construction", "supervision"}))
    carried = principal.to_context()
    assert isinstance(carried, str)
    restored = Principal.from_context(carried)
    assert restored == principal
    assert restored.roles == frozenset({"construction", "supervision"})


@pytest.mark.parametrize("value", [None, ""])
def test_no_context_is_no_principal(value):
    assert Principal.from_context(value) is None


def test_context_with_unknown_fields_is_refused():
    with pytest.raises(ValidationError):
        Principal.from_context('{"user_id": "u1", "portal": "zzd", "superuser": true}')


@pytest.mark.parametrize(
    ("portal", "roles", "expected"),
    [
        ("zzd", {"leading_group"}, True),
        ("zzd", {"leading_group", "line"}, True),
        ("zzd", {"line"}, False),
        ("zzd", set(), False),
        ("zlb", {"leading_group"}, False),
        ("public", {"leading_group"}, False),
        ("system", {"leading_group"}, False),
    ],
)
def test_is_back_office_only_for_zzd_leading_group(portal, roles, expected):
    assert Principal(user_id="u1", portal=portal, roles=frozenset(roles)).is_back_office is expected


def test_system_and_anonymous():
    assert SYSTEM.portal == "system" and SYSTEM.user_id is None
    assert ANONYMOUS.portal == "public" and ANONYMOUS.user_id is None
    assert not SYSTEM.is_back_office
    assert not ANONYMOUS.is_back_office


def _worker_ctx(entrypoint, data=None):
    return SimpleNamespace(entrypoint=entrypoint, data=data or {})


def test_caller_of_an_rpc_without_context_is_anonymous():
    assert Caller().get_dependency(_worker_ctx(Rpc())) == ANONYMOUS


def test_caller_of_an_event_handler_is_system():
    assert Caller().get_dependency(_worker_ctx(EventHandler("workflow", "unit.registered"))) == SYSTEM


def test_caller_of_a_timer_is_system():
    assert Caller().get_dependency(_worker_ctx(Timer(interval=60))) == SYSTEM


def test_caller_reads_the_principal_from_the_context():
    principal = Principal(user_id="u-7", portal="zzd", roles=frozenset({"leading_group"}))
    caller = Caller().get_dependency(_worker_ctx(Rpc(), {CONTEXT_KEY: principal.to_context()}))
    assert caller == principal
    assert caller.is_back_office
