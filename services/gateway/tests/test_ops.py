"""Health, readiness, metrics, the OpenAPI document and the app's lifespan."""

from __future__ import annotations

from fastapi.testclient import TestClient
from nameko.exceptions import UnknownService

from common.principal import SYSTEM
from gateway.app import create_app


def test_healthz_answers_ok_without_calling_any_service(client, fake):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert fake.calls == []


def test_readyz_is_ready_when_every_service_answers(make_client, fake):
    client = make_client(services=["workflow", "attendance"])
    fake.answer("workflow", "platform_time", "2026-12-01T09:00:00+08:00")
    fake.answer("attendance", "platform_time", "2026-12-01T09:00:00+08:00")

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready"}
    assert [(call.service, call.method) for call in fake.calls] == [
        ("workflow", "platform_time"), ("attendance", "platform_time")]
    assert all(call.principal == SYSTEM for call in fake.calls)


def test_readyz_is_503_and_names_the_failing_service(make_client, fake):
    client = make_client(services=["workflow", "attendance"])
    fake.answer("attendance", "platform_time", UnknownService("attendance"))

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert list(body["failing"]) == ["attendance"]
    assert "UnknownService" in body["failing"]["attendance"]


def test_metrics_count_requests_by_route_template(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/zzd/v1/projects/p-metrics-42").status_code == 401

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'gateway_http_requests_total{method="GET",route="/healthz",status="200"}' in text
    # The label is the route template, never the concrete id (bounded cardinality).
    assert 'route="/zzd/v1/projects/{project_id}",status="401"' in text
    assert "p-metrics-42" not in text


def test_openapi_lists_the_main_paths_of_the_contract(client):
    response = client.get("/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    expected = {
        "/auth/v1/zzd/login": "post",
        "/auth/v1/zlb/login": "post",
        "/auth/v1/dev/login": "post",
        "/zzd/v1/projects": "post",
        "/zzd/v1/projects/{project_id}": "get",
        "/zzd/v1/projects/{project_id}/assignments": "post",
        "/zzd/v1/files": "post",
        "/zlb/v1/me/projects": "get",
        "/zlb/v1/files": "post",
        "/admin/v1/clock": "put",
        "/admin/v1/settings/{service}": "put",
        "/public/v1/projects": "get",
    }
    for path, verb in expected.items():
        assert path in paths, path
        assert verb in paths[path], (path, verb)
    assert "get" in paths["/zzd/v1/projects"]
    assert "get" in paths["/admin/v1/settings/{service}"]
    assert "/metrics" not in paths


def test_openapi_has_no_dev_login_when_it_is_off(make_client):
    paths = make_client(dev_login=False).get("/openapi.json").json()["paths"]

    assert "/auth/v1/dev/login" not in paths
    assert "/auth/v1/zzd/login" in paths


def test_the_service_client_is_closed_when_the_app_stops(make_settings, fake, intake):
    with TestClient(create_app(settings=make_settings(), services=fake, intake=intake)) as client:
        assert client.get("/healthz").status_code == 200
        assert fake.closed is False

    assert fake.closed is True


def test_unknown_paths_answer_404_in_the_error_envelope(client):
    response = client.get("/zzd/v1/no-such-thing")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
