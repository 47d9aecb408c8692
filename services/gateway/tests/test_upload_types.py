"""An uploaded file must be what it says it is: its first bytes are those of its declared type,
or it is refused with 422 naming the file, and nothing is stored or recorded."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from pydantic import ValidationError

from gateway.filetypes import SIGNATURES


@pytest.fixture(autouse=True)
def _the_workflow_records_files(fake, answers):
    """The workflow service records an upload and answers its record (FileView)."""
    fake.answer("workflow", "record_file", answers.stored_file)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (10, 200, 30)).save(out, format="PNG")
    return out.getvalue()


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (10, 200, 30)).save(out, format="JPEG")
    return out.getvalue()


MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08free"
GOOD = {
    "application/pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\n%%EOF\n",
    "image/jpeg": _jpeg(),
    "image/png": _png(),
    "video/mp4": MP4,
}
TEXT = b"just some plain text pretending to be evidence\n"


def _stored_files(store_dir) -> list:
    return sorted(path for path in store_dir.rglob("*") if path.is_file()) if store_dir.exists() else []


@pytest.fixture
def recording(fake, answers):
    fake.answer("workflow", "record_file", answers.stored_file)
    fake.answer("workflow", "record_photo_metadata", lambda file_id, metadata: None)
    return fake


def test_every_accepted_type_has_a_content_check(make_settings):
    assert set(make_settings().allowed_upload_types) <= set(SIGNATURES)
    assert set(GOOD) == set(make_settings().allowed_upload_types)


@pytest.mark.parametrize("content_type", sorted(GOOD))
@pytest.mark.parametrize("face", ["zzd", "zlb"])
def test_a_file_of_its_declared_type_is_stored(client, recording, auth_headers, store_dir, content_type, face):
    response = client.post(f"/{face}/v1/files", files={"file": ("evidence", GOOD[content_type], content_type)},
                           headers=auth_headers(face))

    assert response.status_code == 201, response.text
    assert recording.calls_to("record_file")[0].args[0]["content_type"] == content_type
    assert len(_stored_files(store_dir)) == 1


@pytest.mark.parametrize("content_type", sorted(GOOD))
def test_plain_text_declared_as_any_accepted_type_is_422_and_nothing_is_kept(client, recording, auth_headers,
                                                                              store_dir, content_type):
    response = client.post("/zlb/v1/files", files={"file": ("photo", TEXT, content_type)},
                           headers=auth_headers("zlb"))

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    [detail] = error["details"]
    assert detail["field"] == "file"
    assert f"does not match the declared type {content_type}" in detail["reason"]
    assert recording.calls == []
    assert _stored_files(store_dir) == []


def test_text_uploaded_as_a_jpeg_is_refused_with_the_jpeg_signature_named(client, recording, auth_headers):
    """The case of the issue: plain text as image/jpeg was stored and taken as concealed-works evidence."""
    response = client.post("/zlb/v1/files", files={"file": ("before.jpg", TEXT, "image/jpeg")},
                           headers=auth_headers("zlb"))

    assert response.status_code == 422
    assert response.json()["error"]["details"] == [{
        "field": "file",
        "reason": "the content does not match the declared type image/jpeg (a JPEG starts with FF D8 FF)"}]
    assert recording.calls == []


@pytest.mark.parametrize("declared, actual", [("application/pdf", "image/png"), ("image/jpeg", "image/png"),
                                              ("image/png", "image/jpeg"), ("video/mp4", "application/pdf")])
def test_a_file_of_another_accepted_type_is_refused(client, recording, auth_headers, declared, actual):
    response = client.post("/zzd/v1/files", files={"file": ("x", GOOD[actual], declared)},
                           headers=auth_headers("zzd"))

    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "file"
    assert recording.calls == []


@pytest.mark.parametrize("content", [b"%PDF", b"\xff\xd8", b"\x89PNG\r\n"])
def test_a_file_shorter_than_its_signature_is_refused(client, recording, auth_headers, content):
    kind = {b"%": "application/pdf", b"\xff": "image/jpeg", b"\x89": "image/png"}[content[:1]]

    response = client.post("/zzd/v1/files", files={"file": ("x", content, kind)}, headers=auth_headers("zzd"))

    assert response.status_code == 422
    assert recording.calls == []


def test_a_filename_loses_control_characters(client, recording, auth_headers):
    # Written by hand: an HTTP client would escape them, a hostile one need not.
    body = (b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="re\x00port\x1f.pdf"\r\n'
            b"Content-Type: application/pdf\r\n\r\n" + GOOD["application/pdf"] + b"\r\n--XyZ--\r\n")

    response = client.post("/zzd/v1/files", content=body,
                           headers={**auth_headers("zzd"), "content-type": "multipart/form-data; boundary=XyZ"})

    assert response.status_code == 201
    assert recording.calls_to("record_file")[0].args[0]["filename"] == "report.pdf"


def test_a_type_without_a_known_signature_cannot_be_configured(make_settings):
    with pytest.raises(ValidationError, match="text/plain"):
        make_settings(allowed_upload_types=["application/pdf", "text/plain"])


def test_configured_types_are_normalised(make_settings):
    assert make_settings(allowed_upload_types=[" Image/JPEG "]).allowed_upload_types == ["image/jpeg"]
