"""End to end: the organisation tree, an awarded project down the assignment chain, its firms
and key people — all through HTTP, with the refusals — and the back office."""

import pytest

pytestmark = pytest.mark.e2e


def test_the_district_registers_and_hands_down_a_project(client, published):
    back_office = client.zzd_login("10001")

    # The organisation tree, set up by the back office.
    def unit(**body):
        return client.ok("POST", "/zzd/v1/units", back_office, 201, json=body)["id"]

    group = client.ok("GET", "/zzd/v1/units?kind=leading_group", back_office)[0]["id"]
    housing = unit(kind="industry_authority", name="区住建局", parent_id=group, industry="housing")
    supervising = unit(kind="supervising_unit", name="区城建中心", parent_id=housing)
    municipal = unit(kind="line", name="市政条线", parent_id=supervising)
    parks = unit(kind="line", name="园林条线", parent_id=supervising)
    owner = unit(kind="owner", name="曹娥街道")
    contractor = unit(kind="contractor", name="上虞建工", credit_code="913306041000000001")
    supervisor = unit(kind="supervisor", name="正信监理", credit_code="913306042000000002")

    def person(name, portal, external, unit_id, post):
        identity = {"zzd_account_id": external} if portal == "zzd" else {"zlb_user_id": external}
        user = client.ok("POST", "/zzd/v1/users", back_office, 201,
                         json={"name": name, "portal": portal, "phone": "13812345678", **identity})
        client.ok("POST", f"/zzd/v1/users/{user['id']}/posts", back_office, 201,
                  json={"unit_id": unit_id, "post": post})
        return user["id"]

    person("张主管", "zzd", "20001", supervising, "chief")
    person("陈条线", "zzd", "20002", municipal, "line_head")
    person("周园林", "zzd", "20003", parks, "line_head")
    person("赵街道", "zzd", "20004", owner, "chief")
    lead = person("钱负责", "zzd", "20005", owner, "owner_project_lead")
    manager = person("吴项目", "zlb", "zlb-30001", contractor, "project_manager")
    person("许总监", "zlb", "zlb-30002", supervisor, "chief_engineer")

    # An awarded project, registered by the back office.
    project_body = {"name": "曹娥江堤防加固工程", "industry": "housing", "kind": "government",
                    "contract_amount": "12500000.00", "below_threshold": False,
                    "geofence": {"center": [30.03, 120.87], "radius_m": 300},
                    "planned_start": "2026-12-01", "planned_end": "2027-06-30"}
    error = client.refused("POST", "/zzd/v1/projects", back_office, 422, json={**project_body, "owner": "x"})
    assert error["details"][0]["field"] == "owner"
    project = client.ok("POST", "/zzd/v1/projects", back_office, 201, json=project_body)
    pid = project["id"]
    assert project["status"] == "awarded"
    assert project["acceptance_window_days"] == 20

    supervising_chief = client.zzd_login("20001")
    line_head = client.zzd_login("20002")
    parks_head = client.zzd_login("20003")
    owner_chief = client.zzd_login("20004")
    owner_lead = client.zzd_login("20005")

    # Down the chain; each level refused to the wrong post, and no level skipped.
    path = f"/zzd/v1/projects/{pid}/assignments"
    client.refused("POST", path, supervising_chief, 404, json={"level": "supervising_unit", "target_id": supervising})
    client.ok("POST", path, back_office, json={"level": "supervising_unit", "target_id": supervising})
    assert "first" in client.refused("POST", path, supervising_chief, 409,
                                     json={"level": "owner", "target_id": owner})["message"]
    client.refused("POST", path, back_office, 403, json={"level": "line", "target_id": municipal})
    client.ok("POST", path, supervising_chief, json={"level": "line", "target_id": municipal})
    client.refused("POST", path, parks_head, 404, json={"level": "owner", "target_id": owner})
    assert client.ok("GET", "/zzd/v1/projects", parks_head) == []
    client.ok("POST", path, line_head, json={"level": "owner", "target_id": owner})
    error = client.refused("POST", path, owner_chief, 422, json={"level": "owner_project_lead", "target_id": manager})
    assert error["details"][0]["field"] == "target_id"
    assigned = client.ok("POST", path, owner_chief, json={"level": "owner_project_lead", "target_id": lead})
    assert assigned["assignments"] == {"supervising_unit": supervising, "line": municipal, "owner": owner,
                                       "owner_project_lead": lead}
    assert [p["id"] for p in client.ok("GET", "/zzd/v1/projects", line_head)] == [pid]

    # The owner's project lead registers the firms with their contracts, then the key people.
    contract = client.ok("POST", "/zzd/v1/files", owner_lead, 201,
                         files={"file": ("contract.pdf", b"%PDF-1.4 signed contract", "application/pdf")})
    client.refused("POST", "/zzd/v1/files", owner_lead, 422, files={"file": ("x.exe", b"MZ", "application/x-msdos")})
    for firm, role in ((contractor, "contractor"), (supervisor, "supervisor")):
        client.ok("POST", f"/zzd/v1/projects/{pid}/participants", owner_lead, 201,
                  json={"unit_id": firm, "role": role, "contract_file_id": contract["id"]})
    client.refused("POST", f"/zzd/v1/projects/{pid}/participants", line_head, 403,
                   json={"unit_id": contractor, "role": "contractor", "contract_file_id": contract["id"]})
    staffed = client.ok("POST", f"/zzd/v1/projects/{pid}/personnel", owner_lead, 201,
                        json={"user_id": manager, "post": "project_manager"})
    assert [(p["user_id"], p["post"]) for p in staffed["personnel"]] == [(manager, "project_manager")]
    client.refused("POST", f"/zzd/v1/projects/{pid}/personnel", owner_lead, 409,
                   json={"user_id": manager, "post": "project_manager"})

    # The firm's people see the project on the enterprise face, and only there.
    zlb_manager = client.zlb_login("zlb-30001")
    assert [p["id"] for p in client.ok("GET", "/zlb/v1/me/projects", zlb_manager)] == [pid]
    assert client.refused("GET", "/zzd/v1/projects", zlb_manager, 403)["code"] == "wrong_portal"
    client.refused("GET", "/zlb/v1/me/projects", back_office, 403)
    client.refused("GET", "/zzd/v1/projects", None, 401)
    chief_engineer = client.zlb_login("zlb-30002")
    assert [p["id"] for p in client.ok("GET", "/zlb/v1/me/projects", chief_engineer)] == [pid]
    me = client.ok("GET", "/zlb/v1/me", zlb_manager)
    assert me["phone"] == "13812345678"  # their own number, unmasked
    assert client.ok("GET", f"/zzd/v1/users/{manager}", back_office)["phone"] == "13812345678"

    # The public finds the project, and nothing about its people.
    found = client.ok("GET", "/public/v1/projects?q=堤防", {})
    assert [p["id"] for p in found] == [pid] and "personnel" not in found[0]

    # Every change was published as a fact on the bus.
    events = published(["personnel.assigned"])
    kinds = [kind for kind, _ in events]
    # The bootstrap's own events (the leading group and its chief) may come before or after the
    # test began to listen; only the units and people made here are counted.
    made_units = {housing, supervising, municipal, parks, owner, contractor, supervisor}
    assert sorted(body["unit_id"] for kind, body in events if kind == "unit.registered"
                  and body["unit_id"] != group) == sorted(made_units)
    made_people = {body["user_id"] for kind, body in events if kind == "user.registered"} - {
        body["user_id"] for kind, body in events if kind == "post.granted" and body["unit_id"] == group}
    assert len(made_people) == 7
    assert sum(1 for kind, body in events if kind == "post.granted" and body["unit_id"] != group) == 7
    assert kinds.count("project.registered") == 1
    assert [body["level"] for kind, body in events if kind == "project.assigned"] == [
        "supervising_unit", "line", "owner", "owner_project_lead"]
    assert kinds.count("participant.added") == 2
    assert kinds.count("personnel.assigned") == 1
    assert len({body["event_id"] for _, body in events}) == len(events)


def test_the_back_office_runs_clock_settings_and_audit(client):
    back_office = client.zzd_login("10001")
    line_head = client.zzd_login("20002")
    client.refused("PUT", "/admin/v1/clock", line_head, 403, json={"now": "2027-01-04T09:00:00+08:00"})
    client.refused("PUT", "/admin/v1/clock", back_office, 422, json={"now": "2027-01-04T09:00:00"})
    clock = client.set_clock(back_office, "2027-01-04T09:00:00+08:00")
    assert clock["now"] == "2027-01-04T09:00:00+08:00" and clock["consistent"] and clock["caught_up"]
    assert clock["services"]["workflow"] == {"now": "2027-01-04T09:00:00+08:00", "caught_up": True}
    settings = client.ok("GET", "/admin/v1/settings/workflow", back_office)
    assert settings["settlement_audit_days_large"] == {
        "value": 180, "default": 180, "article": "Art. 32", "minimum": 1, "maximum": 730, "choices": None,
        "changed_by": None, "changed_at": None, "description": settings["settlement_audit_days_large"]["description"]}
    assert settings["warnings_switched_off"]["choices"]["art32.settlement-audit.large"] == "Art. 32"
    error = client.refused("PUT", "/admin/v1/settings/workflow", back_office, 422, json={"no_such_rule": 1})
    assert error["details"][0]["field"] == "no_such_rule"
    error = client.refused("PUT", "/admin/v1/settings/workflow", back_office, 422,
                           json={"warnings_switched_off": ["art42.monthly-rate"]})  # an attendance rule
    assert error["details"][0]["field"] == "warnings_switched_off"
    changed = client.ok("PUT", "/admin/v1/settings/workflow", back_office, json={"acceptance_days_small": 21})
    assert changed["acceptance_days_small"]["changed_by"] and \
        changed["acceptance_days_small"]["changed_at"] == "2027-01-04T09:00:00+08:00"
    assert changed["settlement_audit_days_large"]["changed_by"] is None
    client.refused("GET", "/admin/v1/settings/nowhere", back_office, 404)
    trail = client.ok("GET", "/admin/v1/audit/workflow?action=rule_settings.changed", back_office)
    assert trail[0]["occurred_at"] == "2027-01-04T09:00:00+08:00"
    assert trail[0]["before"] == {"acceptance_days_small": 20} and trail[0]["after"] == {"acceptance_days_small": 21}
    assert client.http.post("/auth/v1/dev/login", json={"user_id": "x"}).status_code == 404  # dev login is off
    metrics = client.http.get("/metrics").text
    assert "gateway_http_requests_total" in metrics
