"""End to end: the back office is decided on the caller's posts as the registry holds them on
each request, never on the roles a token claims — a token signed with the gateway's own key
proves who the caller is, not what they may do."""

import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
import sqlalchemy as sa

from gateway.auth import ALGORITHM, ISSUER
from gateway.settings import GatewaySettings

pytestmark = pytest.mark.e2e

BACK_OFFICE_REQUESTS = [
    ("GET", "/admin/v1/settings/workflow", None),
    ("PUT", "/admin/v1/settings/workflow", {"acceptance_days_small": 25}),
    ("GET", "/admin/v1/settings/attendance", None),
    ("GET", "/admin/v1/audit/workflow", None),
    ("GET", "/admin/v1/audit/attendance", None),
    ("GET", "/admin/v1/clock", None),
    ("PUT", "/admin/v1/clock", {"now": "2027-03-01T09:00:00+08:00"}),
]


def signed_token(user_id: str, roles=("leading_group",)) -> dict:
    """A token as the gateway signs them (the platform runs with this process' settings), with
    whatever subject and roles a forger with the key would write."""
    now = datetime.now(UTC)
    claims = {"iss": ISSUER, "sub": user_id, "aud": "zzd", "iat": now, "exp": now + timedelta(minutes=10),
              "name": "forged", "roles": list(roles)}
    return {"Authorization": f"Bearer {jwt.encode(claims, GatewaySettings().jwt_secret, algorithm=ALGORITHM)}"}


def assert_refused_everywhere(client, headers: dict, status: int) -> None:
    for method, path, body in BACK_OFFICE_REQUESTS:
        client.refused(method, path, headers, status, json=body)


def test_the_back_office_trusts_the_registry_not_the_token(client, platform):
    back_office = client.zzd_login("10001")
    before = client.ok("GET", "/admin/v1/settings/workflow", back_office)

    # A validly signed token for a user who does not exist.
    assert_refused_everywhere(client, signed_token("u-does-not-exist"), 401)

    # A registered owner's chief, no post in the leading group, with roles ["leading_group"] in a
    # token signed with the gateway's key — and with the honest token of their own login.
    owner = client.ok("POST", "/zzd/v1/units", back_office, 201, json={"kind": "owner", "name": "百官街道"})["id"]
    chief = client.ok("POST", "/zzd/v1/users", back_office, 201,
                      json={"name": "孙街道", "portal": "zzd", "zzd_account_id": "40001"})["id"]
    client.ok("POST", f"/zzd/v1/users/{chief}/posts", back_office, 201, json={"unit_id": owner, "post": "chief"})
    assert_refused_everywhere(client, signed_token(chief), 403)
    assert_refused_everywhere(client, client.zzd_login("40001"), 403)

    # Nothing the refused calls asked for happened.
    assert client.ok("GET", "/admin/v1/settings/workflow", back_office) == before
    assert "2027-03-01" not in json.dumps(client.ok("GET", "/admin/v1/clock", back_office))


def test_a_leading_group_post_taken_away_counts_at_the_next_request(client, platform):
    back_office = client.zzd_login("10001")
    group = client.ok("GET", "/zzd/v1/units?kind=leading_group", back_office)[0]["id"]
    member = client.ok("POST", "/zzd/v1/users", back_office, 201,
                       json={"name": "李组员", "portal": "zzd", "zzd_account_id": "40002"})["id"]
    client.ok("POST", f"/zzd/v1/users/{member}/posts", back_office, 201, json={"unit_id": group, "post": "staff"})
    token = client.zzd_login("40002")
    trail = client.ok("GET", f"/admin/v1/audit/workflow?entity_id={member}", token)
    assert [entry["action"] for entry in trail][:2] == ["post.granted", "user.registered"]

    # The post is removed in the registry (there is no route for it yet): the same token, still
    # valid for minutes, no longer opens the back office.
    engine = sa.create_engine(platform["workflow_database_url"])
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM user_post WHERE user_id = :user"), {"user": member})
    engine.dispose()

    assert_refused_everywhere(client, token, 403)
