"""The back office's delivery log (issue 9, /admin/v1/notifications) against the fake services: who
may read it, what is refused before the service is called (422 with the field), what is sent on, and
that an answer carries ids and the channel's recipient id only — never a phone number."""

from __future__ import annotations

from common.errors import IllegalStep, NotFound

AT = "2027-03-01T09:00:00+08:00"


def delivery(delivery_id: str = "d-1", **fields) -> dict:
    """A delivery as the notification service answers it."""
    return {"id": delivery_id, "event_key": "workflow.warning_raised:e-1", "kind": "warning",
            "article": "Art. 31", "project_id": "p-1", "recipient_user_id": "u-lead", "channel": "zzd",
            "address": "zzd-201", "title": "预警 acceptance.overdue (Art. 31)", "status": "parked", "attempts": 5,
            "next_attempt_at": None, "digest_id": None, "last_error": "the portal refused the notice (code 500)",
            "created_at": AT, "sent_at": None, **fields}


def back_office(auth_headers):
    return auth_headers("zzd", roles=["leading_group"], user_id="u-back-office")


def test_the_log_is_listed_for_the_back_office_with_its_filters_and_page(client, fake, auth_headers):
    fake.answer("notification", "list_deliveries", [delivery()])

    response = client.get("/admin/v1/notifications", headers=back_office(auth_headers),
                          params={"status": "parked", "recipient_user_id": "u-lead", "limit": 200, "offset": 10})

    assert response.status_code == 200, response.text
    assert response.json() == [delivery()]
    (call,) = fake.calls_to("list_deliveries")
    assert (call.service, call.args) == ("notification", ("parked", "u-lead", 200, 10))
    assert call.principal.is_back_office and call.principal.user_id == "u-back-office"


def test_the_log_pages_fifty_by_default_without_filters(client, fake, auth_headers):
    fake.answer("notification", "list_deliveries", [])

    assert client.get("/admin/v1/notifications", headers=back_office(auth_headers)).json() == []
    assert fake.calls_to("list_deliveries")[0].args == (None, None, 50, 0)


def test_a_token_that_is_not_the_back_offices_is_refused(client, fake, auth_headers):
    for headers in (auth_headers("zzd", roles=["owner"], user_id="u-owner-chief"),
                    auth_headers("zlb", roles=["contractor"], user_id="u-pm")):
        for method, path in (("GET", "/admin/v1/notifications"), ("GET", "/admin/v1/notifications/d-1"),
                             ("POST", "/admin/v1/notifications/d-1/resend")):
            response = client.request(method, path, headers=headers)
            assert response.status_code == 403, (method, path, response.text)
    assert client.get("/admin/v1/notifications").status_code == 401
    assert fake.calls == []


def test_a_bad_filter_or_page_is_422_naming_the_field_and_nothing_is_asked(client, fake, auth_headers):
    for params, field in (({"status": "lost"}, "status"), ({"limit": 201}, "limit"), ({"limit": 0}, "limit"),
                          ({"offset": -1}, "offset"), ({"recipient_user_id": "u" * 33}, "recipient_user_id")):
        response = client.get("/admin/v1/notifications", headers=back_office(auth_headers), params=params)
        assert response.status_code == 422, (params, response.text)
        details = response.json()["error"]["details"]
        assert [detail["field"] for detail in details] == [f"query.{field}"] and details[0]["reason"], details
    assert fake.calls == []


def test_one_delivery_comes_with_its_attempt_log(client, fake, auth_headers):
    log = [{"at": AT, "outcome": "failed", "error": "the portal refused the notice (code 500)"}]
    fake.answer("notification", "get_delivery", lambda delivery_id: {**delivery(delivery_id), "attempt_log": log})

    response = client.get("/admin/v1/notifications/d-7", headers=back_office(auth_headers))

    assert response.status_code == 200, response.text
    assert response.json() == {**delivery("d-7"), "attempt_log": log}


def test_an_unknown_delivery_is_404(client, fake, auth_headers):
    fake.answer("notification", "get_delivery", NotFound("delivery d-9 not found"))

    assert client.get("/admin/v1/notifications/d-9", headers=back_office(auth_headers)).status_code == 404


def test_a_parked_delivery_is_resent_and_any_other_is_409(client, fake, auth_headers):
    fake.answer("notification", "resend_delivery",
                lambda delivery_id: delivery(delivery_id, status="pending", attempts=0, next_attempt_at=AT))

    response = client.post("/admin/v1/notifications/d-1/resend", headers=back_office(auth_headers))

    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["attempts"]) == ("pending", 0)
    assert fake.calls_to("resend_delivery")[0].args == ("d-1",)

    fake.answer("notification", "resend_delivery", IllegalStep("only a parked delivery can be resent"))
    refused = client.post("/admin/v1/notifications/d-1/resend", headers=back_office(auth_headers))
    assert refused.status_code == 409
    assert "parked" in refused.json()["error"]["message"]


def test_an_answer_never_carries_the_text_or_a_phone_number(client, fake, auth_headers):
    # Should a service ever answer more, the response model passes on only what it describes.
    fake.answer("notification", "list_deliveries",
                [delivery(text="请联系 13912345678", phone="13912345678", channel="sms", address=None)])

    body = client.get("/admin/v1/notifications", headers=back_office(auth_headers)).text

    assert "13912345678" not in body and "text" not in body
