"""Fixtures of the gateway's tests without a broker: the app is built around a fake
``ServiceClient`` that records every call and answers what the test programmed.

Nothing here is autouse, so the other test modules of this folder are not affected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient

from common.errors import NotFound
from common.principal import Principal
from gateway.app import create_app
from gateway.auth import issue_token
from gateway.settings import GatewaySettings

# Long enough (>= 32 bytes) that PyJWT never warns about a short HMAC key.
TEST_JWT_SECRET = "gateway-tests-jwt-secret-0123456789abcdef"


@dataclass(frozen=True)
class Call:
    service: str
    method: str
    args: tuple
    kwargs: dict
    principal: Principal


IDENTITY_LOOKUP = ("workflow", "identity_by_user_id")


@dataclass
class FakeServices:
    """Same surface as ``gateway.rpc.ServiceClient``: ``call(service, method, *args, principal, **kwargs)``
    and ``close()``. An answer programmed for ``(service, method)`` is returned as is, raised if it is an
    exception, or called with the RPC's arguments if it is callable; unprogrammed calls answer ``None``.

    ``users`` is the registry as the workflow service would hold it (user id -> identity with its
    roles); ``auth_headers`` registers the user it makes a token for. An unprogrammed
    ``workflow.identity_by_user_id`` — the back office's look-up of the caller's posts on every
    request — answers from it (``NotFound`` for an unknown user) and is recorded in ``lookups``,
    so that ``calls`` holds what a route itself sent on."""

    calls: list[Call] = field(default_factory=list)
    answers: dict[tuple[str, str], Any] = field(default_factory=dict)
    users: dict[str, dict] = field(default_factory=dict)
    lookups: list[Call] = field(default_factory=list)
    closed: bool = False
    timeout: float = 10.0

    def answer(self, service: str, method: str, outcome: Any) -> None:
        self.answers[(service, method)] = outcome

    def call(self, service: str, method: str, *args, principal: Principal, **kwargs):
        if (service, method) == IDENTITY_LOOKUP and IDENTITY_LOOKUP not in self.answers:
            self.lookups.append(Call(service, method, args, kwargs, principal))
            (user_id,) = args
            if user_id not in self.users:
                raise NotFound(f"user {user_id} not found")
            return dict(self.users[user_id])
        self.calls.append(Call(service, method, args, kwargs, principal))
        outcome = self.answers.get((service, method))
        if isinstance(outcome, BaseException):
            raise outcome
        if callable(outcome):
            return outcome(*args, **kwargs)
        return outcome

    def close(self) -> None:
        self.closed = True

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]


@dataclass
class FakeIntake:
    """Same surface as ``gateway.intake.CheckinIntake``: the commands handed over are kept in
    ``submitted``; ``answer`` is the decision to give (None: pending, or an exception to raise)."""

    submitted: list = field(default_factory=list)
    waits: list[float] = field(default_factory=list)
    answer: Any = None

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    async def submit(self, command, wait_seconds: float):
        if isinstance(self.answer, BaseException):
            raise self.answer
        self.submitted.append(command)
        self.waits.append(wait_seconds)
        return self.answer(command) if callable(self.answer) else self.answer


@pytest.fixture
def fake() -> FakeServices:
    return FakeServices()


@pytest.fixture
def intake() -> FakeIntake:
    return FakeIntake()


@pytest.fixture
def store_dir(tmp_path):
    return tmp_path / "files"


@pytest.fixture
def make_settings(store_dir) -> Callable[..., GatewaySettings]:
    def make(**overrides) -> GatewaySettings:
        values = {
            "dev_login": True,
            "jwt_secret": TEST_JWT_SECRET,
            "file_store_dir": store_dir,
            "services": ["workflow"],
        }
        values.update(overrides)
        return GatewaySettings(**values)

    return make


@pytest.fixture
def make_client(make_settings, fake, intake) -> Iterator[Callable[..., TestClient]]:
    """``make_client(**settings_overrides)``: a started TestClient of a fresh app around ``fake``
    (and ``intake`` for check-ins)."""
    started: list[TestClient] = []

    def make(**overrides) -> TestClient:
        client = TestClient(create_app(settings=make_settings(**overrides), services=fake, intake=intake))
        client.__enter__()
        started.append(client)
        return client

    yield make
    for client in started:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client()


@pytest.fixture
def jwt_secret() -> str:
    return TEST_JWT_SECRET


@pytest.fixture
def auth_headers(fake) -> Callable[..., dict]:
    """``auth_headers("zzd", roles=["leading_group"], user_id="u-1")``: an Authorization header
    with a token the gateway itself issued for that face, to a user registered in ``fake.users``
    with those roles (posts in units of those kinds), as a login would have found them."""

    def make(portal: str = "zzd", roles: list[str] | tuple[str, ...] = (), user_id: str = "u-zzd-1",
             secret: str = TEST_JWT_SECRET, ttl_seconds: int = 600) -> dict:
        identity = {"user_id": user_id, "name": "Test User", "portal": portal, "roles": sorted(roles)}
        fake.users[user_id] = identity
        token = issue_token(identity, secret, ttl_seconds)["access_token"]
        return {"Authorization": f"Bearer {token}"}

    return make


# --- answers as the services give them ---------------------------------------------------------------------------


class Answers:
    """Answers as the services give them, for the fake services: the routes validate what they
    pass on against their response models (common.contracts), so a fake answer must be real."""

    AT = "2027-03-01T09:00:00+08:00"
    @staticmethod
    def project(project_id: str = "p-1", **fields) -> dict:
        return {
            "id": project_id, "name": "曹娥江堤防加固工程", "industry": "water", "kind": "government",
            "contract_amount": "9800000.00", "below_threshold": False,
            "geofence": {"center": [30.03, 120.87], "radius_m": 300.0},
            "planned_start": "2027-03-15", "planned_end": "2027-12-31", "intake": "tender_award", "status": "awarded",
            "assignments": {"supervising_unit": None, "line": None, "owner": None, "owner_project_lead": None},
            "participants": [], "personnel": [], "construction_started_on": None, "suspensions": [],
            "acceptance_window_days": 20, "settlement_audit_window_days": 60, "registered_at": Answers.AT, **fields,
        }

    @staticmethod
    def public_project(project_id: str = "p-1", name: str = "x road") -> dict:
        return {"id": project_id, "name": name, "industry": "municipal", "kind": "government", "status": "awarded",
                "planned_start": "2027-03-15", "planned_end": "2027-12-31"}

    @staticmethod
    def unit(data: dict, unit_id: str = "u-1") -> dict:
        return {"id": unit_id, "parent_id": None, "industry": None, "credit_code": None, "portal": "zzd",
                **{key: data[key] for key in ("kind", "name", "parent_id", "industry", "credit_code") if key in data}}

    @staticmethod
    def stored_file(data: dict, file_id: str = "f-1") -> dict:
        """What record_file answers for the record the gateway sent."""
        return {"id": file_id, **data, "uploaded_by": "u-1", "uploaded_at": Answers.AT}

    @staticmethod
    def setting(value, default=None, article: str = "Art. 42", **changed) -> dict:
        return {"value": value, "default": value if default is None else default, "article": article,
                "description": "a figure of the regulation", "minimum": 1, "maximum": 365, "choices": None,
                "changed_by": changed.get("changed_by"), "changed_at": changed.get("changed_at")}

    @staticmethod
    def settings(**values) -> dict:
        return {name: Answers.setting(value) for name, value in values.items()}

    @staticmethod
    def project_attendance(project_id: str, month: str) -> dict:
        return {"project_id": project_id, "month": month, "status": "in_construction", "people": []}


@pytest.fixture
def answers() -> type[Answers]:
    return Answers
