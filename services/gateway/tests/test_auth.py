"""Logins, the gateway's own tokens, and which face a token opens."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from common.errors import NotFound
from common.principal import SYSTEM, Principal
from gateway.auth import ALGORITHM, ISSUER
from gateway.portals import PortalIdentity, PortalLoginFailed, PortalUnavailable

ZLB_IDENTITY = {"user_id": "u-contractor-7", "name": "Wang Wu", "portal": "zlb", "roles": ["contractor"]}
ZZD_IDENTITY = {"user_id": "u-line-3", "name": "Li Si", "portal": "zzd", "roles": ["line"]}


def _claims(token: str, secret: str, audience: str) -> dict:
    return jwt.decode(token, secret, algorithms=[ALGORITHM], audience=audience, issuer=ISSUER)


# --- dev login ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("identity", [ZLB_IDENTITY, ZZD_IDENTITY], ids=["zlb", "zzd"])
def test_dev_login_issues_a_token_for_the_users_own_portal(client, fake, jwt_secret, make_settings, identity):
    fake.answer("workflow", "identity_by_user_id", identity)

    response = client.post("/auth/v1/dev/login", json={"user_id": identity["user_id"]})

    assert response.status_code == 200
    body = response.json()
    claims = _claims(body["access_token"], jwt_secret, identity["portal"])
    assert claims["aud"] == identity["portal"]
    assert claims["sub"] == identity["user_id"]
    assert claims["roles"] == identity["roles"]
    assert claims["exp"] > time.time()
    assert claims["exp"] <= time.time() + make_settings().jwt_ttl_seconds + 5
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == make_settings().jwt_ttl_seconds
    assert body["principal"] == identity
    [call] = fake.calls
    assert (call.service, call.method, call.args) == ("workflow", "identity_by_user_id", (identity["user_id"],))
    assert call.principal == SYSTEM


def test_dev_login_token_opens_its_face(client, fake):
    fake.answer("workflow", "identity_by_user_id", ZLB_IDENTITY)
    token = client.post("/auth/v1/dev/login", json={"user_id": ZLB_IDENTITY["user_id"]}).json()["access_token"]
    fake.answer("workflow", "list_projects", [{"id": "p-1"}])

    response = client.get("/zlb/v1/me/projects", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert response.json() == [{"id": "p-1"}]
    assert fake.calls[-1].principal == Principal(user_id=ZLB_IDENTITY["user_id"], portal="zlb",
                                                 roles=frozenset(ZLB_IDENTITY["roles"]))


def test_dev_login_of_an_unknown_user_is_404(client, fake):
    fake.answer("workflow", "identity_by_user_id", NotFound("no user u-ghost"))

    response = client.post("/auth/v1/dev/login", json={"user_id": "u-ghost"})

    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "not_found"
    assert "u-ghost" in error["message"]
    assert "access_token" not in response.text


def test_dev_login_does_not_exist_when_it_is_off(make_client, fake):
    client = make_client(dev_login=False)
    fake.answer("workflow", "identity_by_user_id", ZLB_IDENTITY)

    response = client.post("/auth/v1/dev/login", json={"user_id": ZLB_IDENTITY["user_id"]})

    assert response.status_code == 404
    assert fake.calls == []


def test_dev_login_refuses_unknown_fields(client, fake):
    response = client.post("/auth/v1/dev/login", json={"user_id": "u-1", "roles": ["leading_group"]})

    assert response.status_code == 422
    assert fake.calls == []


# --- portal logins (the adapters replaced by fakes) -------------------------------------------------------------


class FakeAdapter:
    def __init__(self, outcome):
        self.outcome = outcome
        self.seen: list[str] = []

    def identify(self, secret_of_portal: str) -> PortalIdentity:
        self.seen.append(secret_of_portal)
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return self.outcome


def test_zzd_login_maps_the_portal_identity_to_a_zzd_token(client, fake, jwt_secret):
    adapter = FakeAdapter(PortalIdentity(portal="zzd", external_id="zzd-acct-9", name="Li Si"))
    client.app.state.portals["zzd"] = adapter
    fake.answer("workflow", "identity_by_portal", ZZD_IDENTITY)

    response = client.post("/auth/v1/zzd/login", json={"auth_code": "code-123"})

    assert response.status_code == 200
    assert adapter.seen == ["code-123"]
    [call] = fake.calls
    assert call.args == ("zzd", "zzd-acct-9")
    assert call.principal == SYSTEM
    assert _claims(response.json()["access_token"], jwt_secret, "zzd")["sub"] == ZZD_IDENTITY["user_id"]


@pytest.mark.parametrize(("outcome", "status", "code"), [
    (PortalLoginFailed("code expired", portal="zlb"), 401, "login_failed"),
    (PortalUnavailable("connect timeout", portal="zlb"), 503, "portal_unavailable"),
], ids=["refused", "unavailable"])
def test_zlb_login_failures_of_the_portal(client, fake, outcome, status, code):
    client.app.state.portals["zlb"] = FakeAdapter(outcome)

    response = client.post("/auth/v1/zlb/login", json={"ticket": "t-1"})

    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert fake.calls == []


def test_portal_login_of_an_unregistered_account_is_403(client, fake):
    client.app.state.portals["zlb"] = FakeAdapter(PortalIdentity(portal="zlb", external_id="zlb-77", name=None))
    fake.answer("workflow", "identity_by_portal", NotFound("no such account"))

    response = client.post("/auth/v1/zlb/login", json={"ticket": "t-1"})

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_registered"


# --- face separation ------------------------------------------------------------------------------------------


def test_a_zlb_token_does_not_open_the_zzd_face(client, fake, auth_headers):
    response = client.get("/zzd/v1/projects", headers=auth_headers("zlb", roles=["contractor"]))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "wrong_portal"
    assert fake.calls == []


def test_a_zzd_token_does_not_open_the_zlb_face(client, fake, auth_headers):
    response = client.get("/zlb/v1/me/projects", headers=auth_headers("zzd", roles=["line"]))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "wrong_portal"
    assert fake.calls == []


@pytest.mark.parametrize("path", ["/zzd/v1/projects", "/zlb/v1/me/projects", "/admin/v1/clock"])
def test_no_token_is_401_with_www_authenticate(client, fake, path):
    response = client.get(path)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "unauthenticated"
    assert fake.calls == []


def test_a_non_bearer_authorization_is_401(client, fake):
    response = client.get("/zzd/v1/projects", headers={"Authorization": "Basic dXNlcjpwYXNz"})

    assert response.status_code == 401
    assert fake.calls == []


def _tampered(headers: dict) -> dict:
    token = headers["Authorization"].removeprefix("Bearer ")
    header, payload, signature = token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    return {"Authorization": f"Bearer {header}.{payload}.{flipped}"}


def _forged(secret: str, **changes) -> dict:
    now = datetime.now(UTC)
    claims = {"iss": ISSUER, "sub": "u-zzd-1", "aud": "zzd", "iat": now, "exp": now + timedelta(minutes=5),
              "name": "x", "roles": ["leading_group"]}
    claims.update(changes)
    return {"Authorization": f"Bearer {jwt.encode(claims, secret, algorithm=ALGORITHM)}"}


@pytest.mark.parametrize("kind", ["tampered", "expired", "other_secret", "other_issuer", "alg_none", "garbage"])
def test_invalid_tokens_are_401(client, fake, auth_headers, jwt_secret, kind):
    past = datetime.now(UTC) - timedelta(hours=1)
    headers = {
        "tampered": lambda: _tampered(auth_headers("zzd")),
        "expired": lambda: _forged(jwt_secret, iat=past - timedelta(minutes=30), exp=past),
        "other_secret": lambda: _forged("another-secret-of-at-least-32-bytes!!"),
        "other_issuer": lambda: _forged(jwt_secret, iss="someone-else"),
        "alg_none": lambda: {"Authorization": "Bearer " + jwt.encode(
            {"iss": ISSUER, "sub": "u-zzd-1", "aud": "zzd", "exp": datetime.now(UTC) + timedelta(minutes=5)},
            None, algorithm="none")},
        "garbage": lambda: {"Authorization": "Bearer not-a-jwt"},
    }[kind]()

    response = client.get("/zzd/v1/projects", headers=headers)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "unauthenticated"
    assert fake.calls == []


def test_the_back_office_refuses_a_zzd_token_without_the_leading_group(client, fake, auth_headers):
    response = client.get("/admin/v1/settings/workflow", headers=auth_headers("zzd", roles=["line", "owner"]))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert fake.calls == []


def test_the_back_office_refuses_a_zlb_token_even_with_the_role(client, fake, auth_headers):
    response = client.get("/admin/v1/settings/workflow", headers=auth_headers("zlb", roles=["leading_group"]))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "wrong_portal"
    assert fake.calls == []


def test_the_back_office_opens_for_the_leading_group(client, fake, auth_headers):
    fake.answer("workflow", "get_rule_settings", {"absence_warning_days": {"value": 3}})

    response = client.get("/admin/v1/settings/workflow",
                          headers=auth_headers("zzd", roles=["leading_group"], user_id="u-lead"))

    assert response.status_code == 200
    assert response.json() == {"absence_warning_days": {"value": 3}}
    [call] = fake.calls
    assert (call.service, call.method) == ("workflow", "get_rule_settings")
    assert call.principal.user_id == "u-lead"
    assert call.principal.is_back_office


def test_the_back_office_settings_of_an_unconfigured_service_are_404(client, fake, auth_headers):
    response = client.get("/admin/v1/settings/payroll", headers=auth_headers("zzd", roles=["leading_group"]))

    assert response.status_code == 404
    assert fake.calls == []


# --- the principal reaches the service ------------------------------------------------------------------------


def test_the_callers_principal_reaches_the_service(client, fake, auth_headers, jwt_secret):
    headers = auth_headers("zzd", roles=["line"], user_id="u-line-3")
    sub = _claims(headers["Authorization"].removeprefix("Bearer "), jwt_secret, "zzd")["sub"]
    fake.answer("workflow", "get_project", {"id": "p-9"})

    response = client.get("/zzd/v1/projects/p-9", headers=headers)

    assert response.status_code == 200
    [call] = fake.calls
    assert (call.service, call.method, call.args) == ("workflow", "get_project", ("p-9",))
    assert call.principal.user_id == sub == "u-line-3"
    assert call.principal.portal == "zzd"
    assert call.principal.roles == frozenset({"line"})
