"""The complaint window's photos (issue 9) against the fake services: an anonymous upload checked
and kept by content like every upload and recorded by the complaints service for the client's
hashed key; what is refused keeps nothing; and the bytes of a case's photo for those who handle it."""

from __future__ import annotations

import hashlib
import hmac

from common.errors import NotFound, PermissionDenied, TooManyRequests

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x02" * 32


def stored(store_dir) -> list:
    return sorted(path for path in store_dir.rglob("*") if path.is_file()) if store_dir.exists() else []


def upload(client, content=JPEG, content_type="image/jpeg", **kwargs):
    return client.post("/public/v1/complaint-photos", files={"file": ("photo.jpg", content, content_type)}, **kwargs)


def test_a_photo_is_taken_without_a_token_kept_by_content_and_recorded_for_the_client(client, fake, store_dir,
                                                                                       jwt_secret):
    fake.answer("complaints", "record_complaint_photo", {"photo_id": "ph-1"})

    response = upload(client)

    assert response.status_code == 201, response.text
    assert response.json() == {"photo_id": "ph-1"}
    sha = hashlib.sha256(JPEG).hexdigest()
    assert stored(store_dir) == [store_dir / sha[:2] / sha]
    (call,) = fake.calls
    assert (call.service, call.method) == ("complaints", "record_complaint_photo")
    assert call.args == ({"sha256": sha, "size": len(JPEG), "content_type": "image/jpeg"},
                         hmac.new(jwt_secret.encode(), b"testclient", hashlib.sha256).hexdigest())
    assert call.principal.user_id is None
    assert upload(client, WEBP, "image/webp").status_code == 201


def test_a_photo_whose_content_is_not_its_type_is_422_and_nothing_is_kept(client, fake, store_dir):
    response = upload(client, JPEG, "image/png")

    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "file"
    assert "image/png" in response.json()["error"]["details"][0]["reason"]
    assert stored(store_dir) == [] and fake.calls == []


def test_the_window_takes_photos_only(client, fake, store_dir):
    response = upload(client, b"%PDF-1.4 not a photo", "application/pdf")

    assert response.status_code == 422
    assert "image/webp" in response.json()["error"]["details"][0]["reason"]
    assert stored(store_dir) == [] and fake.calls == []


def test_a_photo_past_the_windows_own_limit_is_413_and_nothing_is_kept(make_client, fake, store_dir):
    client = make_client(max_complaint_photo_bytes=1024)  # the other uploads keep their 20 MB

    response = upload(client, JPEG + b"\x00" * 2048)

    assert response.status_code == 413
    assert response.json()["error"]["details"] == [{"field": "file", "reason": "too large"}]
    assert stored(store_dir) == [] and fake.calls == []


def test_past_the_clients_limit_is_429_and_nothing_is_kept(client, fake, store_dir):
    fake.answer("complaints", "record_complaint_photo",
                TooManyRequests("at most 20 photos an hour from one client; try again later",
                                [{"field": "client", "reason": "rate limit", "retry_after_s": 3600}]))

    response = upload(client)

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert stored(store_dir) == []


def test_those_who_handle_the_case_get_a_photos_bytes_inline_with_its_type(client, fake, auth_headers, store_dir):
    fake.answer("complaints", "record_complaint_photo", {"photo_id": "ph-1"})
    assert upload(client).status_code == 201
    fake.answer("complaints", "case_photo", {"id": "ph-1", "sha256": hashlib.sha256(JPEG).hexdigest(),
                                             "content_type": "image/jpeg", "size": len(JPEG)})
    fake.answer("complaints", "case_photos", [{"id": "ph-1", "content_type": "image/jpeg", "size": len(JPEG),
                                               "received_at": "2027-03-01T09:00:00+08:00"}])
    headers = auth_headers("zzd", user_id="u-owner")

    listed = client.get("/zzd/v1/cases/c-1/photos?limit=10", headers=headers)
    photo = client.get("/zzd/v1/cases/c-1/photos/ph-1", headers=headers)

    assert listed.status_code == 200 and [p["id"] for p in listed.json()] == ["ph-1"]
    assert fake.calls_to("case_photos")[0].args == ("c-1", 10, 0)
    assert photo.status_code == 200
    assert photo.content == JPEG
    assert photo.headers["content-type"] == "image/jpeg"
    assert photo.headers["content-disposition"] == "inline"
    (call,) = fake.calls_to("case_photo")
    assert call.args == ("c-1", "ph-1") and call.principal.user_id == "u-owner"


def test_a_photo_the_service_does_not_show_the_caller_is_not_served(client, fake, auth_headers):
    fake.answer("complaints", "case_photo", NotFound("case c-1 not found"))
    assert client.get("/zzd/v1/cases/c-1/photos/ph-1", headers=auth_headers("zzd")).status_code == 404
    fake.answer("complaints", "case_photo", PermissionDenied("for those who handle the case"))
    assert client.get("/zzd/v1/cases/c-1/photos/ph-1", headers=auth_headers("zzd")).status_code == 403
    assert client.get("/zzd/v1/cases/c-1/photos/ph-1").status_code == 401
    # A firm's staff log in on the enterprise face, whose token the government face refuses.
    assert client.get("/zzd/v1/cases/c-1/photos/ph-1", headers=auth_headers("zlb", user_id="u-firm")).status_code \
        == 403
    assert len(fake.calls_to("case_photo")) == 2  # the service is not even asked without a government token


def test_a_photo_whose_bytes_are_missing_is_404(client, fake, auth_headers):
    fake.answer("complaints", "case_photo", {"id": "ph-1", "sha256": "a" * 64, "content_type": "image/jpeg",
                                             "size": 3})

    assert client.get("/zzd/v1/cases/c-1/photos/ph-1", headers=auth_headers("zzd")).status_code == 404
