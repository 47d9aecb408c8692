"""The ZZD task list's approvals (/zzd/v1/me/leave-requests, /zzd/v1/me/changes) against the fake
services: sent on with the caller and the page, answered as the services give them, a ZLB token
refused and a page past its bound a 422 naming the field, before any service is asked."""

from __future__ import annotations

AT = "2027-03-01T09:00:00+08:00"
LEAVE = {"id": "l-1", "project_id": "p-1", "person_id": "u-pm", "start_date": "2027-03-02",
         "end_date": "2027-03-03", "reason": "病假", "document_file_ids": ["f-1"], "status": "pending",
         "requested_at": AT, "decided_by": None, "decided_at": None, "decision_note": None, "approval_file_ids": []}
CHANGE = {"id": "c-1", "kind": "engineering", "project_id": "p-1", "status": "pending",
          "contractor_id": "u-contractor", "raised_by": "u-pm", "raised_at": AT, "description": "路基加宽0.5米",
          "reason": "现场地质条件与设计不符", "affected_part": "K1+200 路基", "touches_concealed_works": False,
          "planned_on": "2027-03-05", "executed_on": None, "after_the_fact": False, "file_ids": [], "steps": [],
          "closed_at": None}


def test_the_approvals_waiting_for_the_caller_are_asked_of_their_services_with_the_page(
        client, fake, auth_headers):
    fake.answer("attendance", "leave_to_decide", [LEAVE])
    fake.answer("workflow", "changes_to_decide", [CHANGE])
    owner = auth_headers("zzd", roles=["owner"], user_id="u-owner-chief")

    leave = client.get("/zzd/v1/me/leave-requests", headers=owner, params={"limit": 20, "offset": 40})
    changes = client.get("/zzd/v1/me/changes", headers=owner)

    assert (leave.status_code, leave.json()) == (200, [LEAVE]), leave.text
    assert (changes.status_code, changes.json()) == (200, [CHANGE]), changes.text
    (leave_call,) = fake.calls_to("leave_to_decide")
    (change_call,) = fake.calls_to("changes_to_decide")
    assert (leave_call.service, leave_call.args, leave_call.principal.user_id) == (
        "attendance", (20, 40), "u-owner-chief")
    assert (change_call.service, change_call.args, change_call.principal.user_id) == (
        "workflow", (100, 0), "u-owner-chief")


def test_a_firms_token_or_a_page_past_its_bound_is_refused_before_any_service_is_asked(
        client, fake, auth_headers):
    firm = auth_headers("zlb", roles=["contractor"], user_id="u-pm")
    for path in ("/zzd/v1/me/leave-requests", "/zzd/v1/me/changes"):
        assert client.get(path, headers=firm).status_code == 403, path
        assert client.get(path).status_code == 401, path
    owner = auth_headers("zzd", roles=["owner"], user_id="u-owner-chief")
    for path, params, field in (("/zzd/v1/me/leave-requests", {"limit": 501}, "limit"),
                                ("/zzd/v1/me/changes", {"limit": 101}, "limit"),
                                ("/zzd/v1/me/changes", {"offset": -1}, "offset")):
        response = client.get(path, headers=owner, params=params)
        assert response.status_code == 422, (path, response.text)
        assert field in response.text, (path, response.text)
    assert fake.calls == []
