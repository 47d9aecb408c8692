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
    assert "roles" not in claims  # a token says who, never what they may do
    assert claims["exp"] > time.time()
    assert claims["exp"] <= time.time() + make_settings().jwt_ttl_seconds + 5
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == make_settings().jwt_ttl_seconds
    assert body["principal"] == identity
    [call] = fake.calls
    assert (call.service, call.method, call.args) == ("workflow", "identity_by_user_id", (identity["user_id"],))
    assert call.principal == SYSTEM


def test_dev_login_token_opens_its_face(client, fake, answers):
    fake.answer("workflow", "identity_by_user_id", ZLB_IDENTITY)
    token = client.post("/auth/v1/dev/login", json={"user_id": ZLB_IDENTITY["user_id"]}).json()["access_token"]
    fake.answer("workflow", "list_projects", [answers.project("p-1")])

    response = client.get("/zlb/v1/me/projects", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert response.json() == [answers.project("p-1")]
    assert fake.calls[-1].principal == Principal(user_id=ZLB_IDENTITY["user_id"], portal="zlb")


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


def test_the_back_office_opens_for_the_leading_group(client, fake, auth_headers, answers):
    fake.answer("workflow", "get_rule_settings", answers.settings(absence_warning_days=3))

    response = client.get("/admin/v1/settings/workflow",
                          headers=auth_headers("zzd", roles=["leading_group"], user_id="u-lead"))

    assert response.status_code == 200
    assert response.json() == answers.settings(absence_warning_days=3)
    [lookup] = fake.lookups
    assert (lookup.service, lookup.method, lookup.args) == ("workflow", "identity_by_user_id", ("u-lead",))
    assert lookup.principal == SYSTEM
    [call] = fake.calls
    assert (call.service, call.method) == ("workflow", "get_rule_settings")
    assert call.principal == Principal(user_id="u-lead", portal="zzd", roles=frozenset({"leading_group"}))


# The back office is decided on the posts the registry holds now, looked up on every request: a
# token signed with the gateway's own key proves who the caller is, never what they may do.

BACK_OFFICE_REQUESTS = [
    ("GET", "/admin/v1/settings/workflow", None),
    ("PUT", "/admin/v1/settings/workflow", {"acceptance_days_small": 25}),
    ("GET", "/admin/v1/audit/workflow", None),
    ("GET", "/admin/v1/clock", None),
    ("PUT", "/admin/v1/clock", {"now": "2027-03-01T09:00:00+08:00"}),
]
BACK_OFFICE_IDS = [f"{method} {path.removeprefix('/admin/v1/')}" for method, path, _ in BACK_OFFICE_REQUESTS]


@pytest.mark.parametrize(("method", "path", "body"), BACK_OFFICE_REQUESTS, ids=BACK_OFFICE_IDS)
def test_the_back_office_refuses_a_signed_token_of_a_user_who_does_not_exist(client, fake, jwt_secret,
                                                                             method, path, body):
    response = client.request(method, path, json=body, headers=_forged(jwt_secret, sub="u-nobody"))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert "not registered" in response.json()["error"]["message"]
    assert [lookup.args for lookup in fake.lookups] == [("u-nobody",)]
    assert fake.calls == []


@pytest.mark.parametrize(("method", "path", "body"), BACK_OFFICE_REQUESTS, ids=BACK_OFFICE_IDS)
def test_the_back_office_refuses_a_leading_group_role_the_registry_does_not_hold(client, fake, jwt_secret,
                                                                                 method, path, body):
    fake.users["u-line-3"] = ZZD_IDENTITY  # a line head: no post in the leading group

    response = client.request(method, path, json=body, headers=_forged(jwt_secret, sub="u-line-3"))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert fake.calls == []


def test_the_back_office_refuses_a_zlb_user_behind_a_zzd_token(client, fake, jwt_secret):
    fake.users["u-contractor-7"] = {**ZLB_IDENTITY, "roles": ["leading_group"]}

    response = client.get("/admin/v1/clock", headers=_forged(jwt_secret, sub="u-contractor-7"))

    assert response.status_code == 403
    assert fake.calls == []


def test_a_post_taken_away_shuts_the_back_office_at_the_next_request(client, fake, auth_headers):
    headers = auth_headers("zzd", roles=["leading_group"], user_id="u-lead")
    fake.answer("workflow", "get_rule_settings", {})
    assert client.get("/admin/v1/settings/workflow", headers=headers).status_code == 200

    fake.users["u-lead"] = {**fake.users["u-lead"], "roles": ["owner"]}  # the leading-group post removed
    response = client.get("/admin/v1/settings/workflow", headers=headers)

    assert response.status_code == 403
    assert len(fake.lookups) == 2  # looked up again, not cached
    assert len(fake.calls) == 1


def test_a_post_given_opens_the_back_office_at_the_next_request(client, fake, auth_headers):
    headers = auth_headers("zzd", roles=["owner"], user_id="u-new-lead")
    for service in client.app.state.settings.services:
        fake.answer(service, "clock_status", {"now": "2027-03-01T09:00:00+08:00", "caught_up": True})
    assert client.get("/admin/v1/clock", headers=headers).status_code == 403

    fake.users["u-new-lead"] = {**fake.users["u-new-lead"], "roles": ["leading_group", "owner"]}
    response = client.get("/admin/v1/clock", headers=headers)

    assert response.status_code == 200
    assert {call.principal.roles for call in fake.calls} == {frozenset({"leading_group", "owner"})}


def test_the_back_office_answers_504_when_the_registry_does_not(client, fake, auth_headers):
    from nameko.exceptions import RpcTimeout

    headers = auth_headers("zzd", roles=["leading_group"], user_id="u-lead")
    fake.answer("workflow", "identity_by_user_id", RpcTimeout())

    response = client.get("/admin/v1/settings/workflow", headers=headers)

    assert response.status_code == 504
    assert [call.method for call in fake.calls] == ["identity_by_user_id"]


def test_the_back_office_settings_of_an_unconfigured_service_are_404(client, fake, auth_headers):
    response = client.get("/admin/v1/settings/payroll", headers=auth_headers("zzd", roles=["leading_group"]))

    assert response.status_code == 404
    assert fake.calls == []


# --- the principal reaches the service ------------------------------------------------------------------------


def test_the_callers_principal_reaches_the_service(client, fake, auth_headers, jwt_secret, answers):
    headers = auth_headers("zzd", roles=["line"], user_id="u-line-3")
    sub = _claims(headers["Authorization"].removeprefix("Bearer "), jwt_secret, "zzd")["sub"]
    fake.answer("workflow", "get_project", answers.project("p-9"))

    response = client.get("/zzd/v1/projects/p-9", headers=headers)

    assert response.status_code == 200
    [call] = fake.calls
    assert (call.service, call.method, call.args) == ("workflow", "get_project", ("p-9",))
    assert call.principal.user_id == sub == "u-line-3"
    assert call.principal.portal == "zzd"
    assert call.principal.roles == frozenset()  # the token's roles are never sent on


def test_roles_claimed_in_a_token_are_not_sent_on(client, fake, jwt_secret, answers):
    fake.answer("workflow", "get_project", answers.project("p-9"))

    response = client.get("/zzd/v1/projects/p-9", headers=_forged(jwt_secret, sub="u-line-3"))

    assert response.status_code == 200
    [call] = fake.calls
    assert call.principal == Principal(user_id="u-line-3", portal="zzd")
    assert not call.principal.is_back_office
