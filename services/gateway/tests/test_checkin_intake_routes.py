"""The check-in intake on the ZLB face (Art. 26, 47; issue 11): a valid check-in is handed to the
broker and answered 202 with its status URL, or 200 with its decision when it comes within the
wait the phone asked for; an invalid one is 422 and never reaches the broker; a broker that does
not confirm is 503."""

from datetime import UTC, datetime

from common.contracts.attendance import checkin_id_of
from gateway.rpc import BrokerUnavailable

BODY = {"project_id": "p-1", "lat": 30.03, "lng": 120.87, "accuracy_m": 8,
        "client_time": "2026-12-01T09:00:00+08:00", "client_request_id": "request-0001",
        "device": {"id": "phone-1", "platform": "android", "mock_location": False}}


def test_a_check_in_is_taken_and_answered_202_with_its_status_url(client, intake, auth_headers):
    before = datetime.now(UTC)
    answer = client.post("/zlb/v1/checkins", json=BODY, headers=auth_headers("zlb", user_id="pm-1"))
    assert answer.status_code == 202
    checkin_id = checkin_id_of("pm-1", "request-0001")
    assert answer.json()["id"] == checkin_id and answer.json()["status"] == "pending"
    assert answer.headers["location"] == answer.json()["status_url"] == f"/zlb/v1/checkins/{checkin_id}"
    [command] = intake.submitted
    assert command.person_id == "pm-1" and command.request.project_id == "p-1"
    assert before <= command.received_at <= datetime.now(UTC)  # the gateway's clock, never the phone's
    assert intake.waits == [0.0]


def test_a_retry_is_the_same_check_in(client, intake, auth_headers):
    headers = auth_headers("zlb", user_id="pm-1")
    first = client.post("/zlb/v1/checkins", json=BODY, headers=headers).json()["id"]
    assert client.post("/zlb/v1/checkins", json=BODY, headers=headers).json()["id"] == first
    other = client.post("/zlb/v1/checkins", json=BODY, headers=auth_headers("zlb", user_id="pm-2")).json()["id"]
    assert other != first


def test_a_decision_within_the_wait_is_answered_200_and_the_wait_is_capped(make_client, intake, auth_headers):
    client = make_client(checkin_wait_max_ms=500)
    intake.answer = lambda command: {
        "id": command.checkin_id, "project_id": "p-1", "outcome": "rejected", "status": "rejected",
        "reason": "outside_site", "flags": [], "recorded_at": "2026-12-01T09:00:00+08:00",
        "local_day": "2026-12-01", "distance_outside_m": 412.6}
    answer = client.post("/zlb/v1/checkins?wait_ms=5000", json=BODY, headers=auth_headers("zlb"))
    assert answer.status_code == 200
    assert (answer.json()["status"], answer.json()["reason"]) == ("rejected", "outside_site")
    assert intake.waits == [0.5]


def test_an_invalid_check_in_never_reaches_the_broker(client, intake, auth_headers):
    headers = auth_headers("zlb")
    for field, value in (("lat", 95), ("client_request_id", "short"), ("client_time", "2026-12-01T09:00:00")):
        answer = client.post("/zlb/v1/checkins", json={**BODY, field: value}, headers=headers)
        assert answer.status_code == 422
        assert field in {detail["field"] for detail in answer.json()["error"]["details"]}
    assert client.post("/zlb/v1/checkins?wait_ms=-1", json=BODY, headers=headers).status_code == 422
    assert client.post("/zlb/v1/checkins", json=BODY, headers=auth_headers("zzd")).status_code == 403
    assert intake.submitted == []


def test_a_broker_that_does_not_confirm_is_503(client, intake, auth_headers):
    intake.answer = BrokerUnavailable("the broker did not confirm the check-in in time")
    answer = client.post("/zlb/v1/checkins", json=BODY, headers=auth_headers("zlb"))
    assert answer.status_code == 503 and answer.json()["error"]["code"] == "service_unavailable"


def test_the_status_of_ones_check_in_comes_from_the_attendance_service(client, fake, auth_headers):
    checkin_id = checkin_id_of("pm-1", "request-0001")
    fake.answer("attendance", "checkin_status", {"id": checkin_id, "status": "pending",
                                                 "status_url": f"/zlb/v1/checkins/{checkin_id}"})
    answer = client.get(f"/zlb/v1/checkins/{checkin_id}", headers=auth_headers("zlb", user_id="pm-1"))
    assert answer.status_code == 200 and answer.json()["status"] == "pending"
    [call] = fake.calls_to("checkin_status")
    assert call.args == (checkin_id,) and call.principal.user_id == "pm-1"
    assert client.get("/zlb/v1/checkins/not-an-id", headers=auth_headers("zlb")).status_code == 422
