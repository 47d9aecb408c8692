"""Request bodies have a size limit, checked before they are read: by Content-Length when the
client declares it, by counting as the body streams when it does not (chunked). Uploads have
their own, larger limit."""

from __future__ import annotations

import asyncio
import json

import pytest

from gateway.app import create_app
from gateway.limits import MULTIPART_OVERHEAD_BYTES

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
LIMIT = 4096


@pytest.fixture
def zzd(fake, auth_headers) -> dict:
    return auth_headers("zzd", user_id="u-zzd")


def _upload_too_large(response, max_upload_bytes: int) -> None:
    assert response.status_code == 413, response.text
    assert response.json() == {"error": {
        "code": "too_large", "message": f"files are limited to {max_upload_bytes} bytes",
        "details": [{"field": "file", "reason": "too large"}]}}


def _too_large(response, limit: int) -> None:
    assert response.status_code == 413, response.text
    assert response.json() == {"error": {
        "code": "too_large", "message": f"the request body is limited to {limit} bytes",
        "details": [{"field": "body", "reason": f"larger than {limit} bytes"}]}}


def _unit(name_length: int) -> bytes:
    return json.dumps({"kind": "owner", "name": "x" * name_length}).encode()


def test_a_json_body_over_the_limit_is_413_and_no_service_is_called(make_client, fake, zzd):
    client = make_client(max_json_body_bytes=LIMIT)

    response = client.post("/zzd/v1/units", content=_unit(LIMIT), headers={**zzd,
                                                                           "content-type": "application/json"})

    _too_large(response, LIMIT)
    assert fake.calls == []


def test_a_json_body_at_the_limit_goes_through(make_client, fake, zzd, answers):
    client = make_client(max_json_body_bytes=LIMIT)
    fake.answer("workflow", "register_unit", answers.unit)
    body = _unit(0)
    body = _unit(LIMIT - len(body))
    assert len(body) == LIMIT

    response = client.post("/zzd/v1/units", content=body, headers={**zzd, "content-type": "application/json"})

    # Past the door: the model's own bounds answer now (a name is at most 200 characters).
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "name"


def test_the_default_json_limit_is_one_mebibyte(make_client, fake, zzd):
    client = make_client()

    response = client.post("/zzd/v1/units", content=b" " * (1024 * 1024 + 1),
                           headers={**zzd, "content-type": "application/json"})

    _too_large(response, 1024 * 1024)


def test_a_body_without_a_json_content_type_has_the_json_limit(make_client, fake, zzd):
    client = make_client(max_json_body_bytes=LIMIT)

    response = client.post("/zzd/v1/units", content=b"a" * (LIMIT + 1), headers={**zzd,
                                                                                  "content-type": "text/plain"})

    _too_large(response, LIMIT)


# --- below the HTTP client: what the application reads ---------------------------------------------------------


def _asgi_request(app, *, path: str, headers: list[tuple[bytes, bytes]], chunks, max_reads: int = 10_000):
    """Drive the ASGI app with a body arriving in ``chunks`` (an iterator); return the status, the
    JSON answer and how many chunks the app asked for."""
    reads = 0
    sent: list[dict] = []

    async def receive():
        nonlocal reads
        reads += 1
        assert reads <= max_reads, "the application kept reading a body past its limit"
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": headers, "client": ("127.0.0.1", 1234), "server": ("testserver", 80)}
    asyncio.run(app(scope, receive, send))
    start = next(message for message in sent if message["type"] == "http.response.start")
    body = b"".join(message.get("body", b"") for message in sent if message["type"] == "http.response.body")
    return start["status"], json.loads(body), reads


def _endless(chunk: bytes):
    while True:
        yield chunk


def test_a_declared_length_over_the_limit_is_refused_without_reading_the_body(make_settings, fake, zzd):
    """200 MiB announced: not one byte of it is read (the old gateway read it whole, 128 → 728 MB)."""
    app = create_app(settings=make_settings(), services=fake)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(200 * 1024 * 1024).encode()),
               (b"authorization", zzd["Authorization"].encode())]

    status, answer, reads = _asgi_request(app, path="/zzd/v1/units", headers=headers, chunks=_endless(b"{"))

    assert status == 413
    assert answer["error"]["code"] == "too_large"
    assert reads == 0
    assert fake.calls == []


def test_a_chunked_body_is_counted_as_it_streams_and_stops_at_the_limit(make_settings, fake, zzd):
    """No Content-Length: the body is counted chunk by chunk, and the app stops reading once it
    passes the limit, however long the client would go on."""
    app = create_app(settings=make_settings(max_json_body_bytes=64 * 1024), services=fake)
    headers = [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked"),
               (b"authorization", zzd["Authorization"].encode())]

    status, answer, reads = _asgi_request(app, path="/zzd/v1/units", headers=headers,
                                          chunks=_endless(b" " * 1024), max_reads=200)

    assert status == 413
    assert answer["error"]["details"] == [{"field": "body", "reason": f"larger than {64 * 1024} bytes"}]
    assert reads <= 64 + 2  # the chunks up to the limit, the one past it, and at most one more
    assert fake.calls == []


def test_a_chunked_body_within_the_limit_reaches_the_route(make_settings, fake, zzd, answers):
    fake.answer("workflow", "register_unit", answers.unit)
    app = create_app(settings=make_settings(max_json_body_bytes=LIMIT), services=fake)
    headers = [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked"),
               (b"authorization", zzd["Authorization"].encode())]
    body = json.dumps({"kind": "owner", "name": "上虞区城投"}).encode()

    status, answer, _ = _asgi_request(app, path="/zzd/v1/units", headers=headers,
                                      chunks=iter([body[:10], body[10:]]))

    assert status == 201
    assert answer["id"] == "u-1"


def test_a_nul_escape_split_across_two_chunks_is_still_found(make_settings, fake, zzd):
    app = create_app(settings=make_settings(), services=fake)
    headers = [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked"),
               (b"authorization", zzd["Authorization"].encode())]
    body = b'{"kind": "owner", "name": "a\\u0000b"}'
    split = body.index(b"\\u00") + 3

    status, answer, _ = _asgi_request(app, path="/zzd/v1/units", headers=headers,
                                      chunks=iter([body[:split], body[split:]]))

    assert status == 422
    assert answer["error"]["details"] == [{"field": "body", "reason": "NUL character"}]
    assert fake.calls == []


# --- uploads -----------------------------------------------------------------------------------------------------


def test_an_upload_has_its_own_larger_limit(make_client, fake, auth_headers, answers):
    """A file far past the JSON limit but within max_upload_bytes is taken."""
    client = make_client(max_json_body_bytes=LIMIT, max_upload_bytes=64 * 1024)
    fake.answer("workflow", "record_file", answers.stored_file)
    content = PDF + b"0" * (32 * 1024)

    response = client.post("/zzd/v1/files", files={"file": ("big.pdf", content, "application/pdf")},
                           headers=auth_headers("zzd"))

    assert response.status_code == 201
    assert fake.calls_to("record_file")[0].args[0]["size"] == len(content)


def test_a_multipart_body_past_the_upload_limit_is_refused_at_the_door(make_client, fake, auth_headers, store_dir):
    client = make_client(max_upload_bytes=8 * 1024)
    limit = 8 * 1024 + MULTIPART_OVERHEAD_BYTES

    response = client.post("/zzd/v1/files", files={"file": ("big.pdf", PDF + b"0" * limit, "application/pdf")},
                           headers=auth_headers("zzd"))

    _upload_too_large(response, 8 * 1024)
    assert fake.calls == []
    assert not store_dir.exists() or not any(path.is_file() for path in store_dir.rglob("*"))


def test_a_chunked_upload_past_its_limit_stops_being_read(make_settings, fake, auth_headers):
    app = create_app(settings=make_settings(max_upload_bytes=8 * 1024), services=fake)
    boundary = b"b0undary"
    head = (b"--" + boundary + b'\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
            b"Content-Type: application/pdf\r\n\r\n%PDF-1.4\n")
    chunks = iter([head, *_take(_endless(b"0" * 4096), 1000)])
    headers = [(b"content-type", b"multipart/form-data; boundary=" + boundary), (b"transfer-encoding", b"chunked"),
               (b"authorization", auth_headers("zzd")["Authorization"].encode())]

    status, answer, reads = _asgi_request(app, path="/zzd/v1/files", headers=headers, chunks=chunks, max_reads=100)

    assert status == 413
    assert answer["error"]["details"] == [{"field": "file", "reason": "too large"}]
    assert reads <= (8 * 1024 + MULTIPART_OVERHEAD_BYTES) // 4096 + 3
    assert fake.calls == []


def _take(iterator, count: int):
    return [next(iterator) for _ in range(count)]


def test_the_json_limit_is_a_setting_with_a_floor(make_settings):
    from pydantic import ValidationError

    assert make_settings().max_json_body_bytes == 1024 * 1024
    assert make_settings(max_json_body_bytes=2 * 1024 * 1024).max_json_body_bytes == 2 * 1024 * 1024
    with pytest.raises(ValidationError):
        make_settings(max_json_body_bytes=10)
