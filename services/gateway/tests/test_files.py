"""Uploads: checked, hashed, stored by content, then recorded by the workflow service."""

from __future__ import annotations

import hashlib

import pytest

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _the_workflow_records_files(fake, answers):
    """The workflow service records an upload and answers its record (FileView)."""
    fake.answer("workflow", "record_file", answers.stored_file)


def _stored_files(store_dir) -> list:
    if not store_dir.exists():
        return []
    return sorted(path for path in store_dir.rglob("*") if path.is_file())


@pytest.mark.parametrize("face", ["zzd", "zlb"])
def test_an_upload_is_stored_by_its_sha256_and_recorded(client, fake, auth_headers, store_dir, face, answers):
    fake.answer("workflow", "record_file", answers.stored_file)
    sha = hashlib.sha256(PDF).hexdigest()

    response = client.post(f"/{face}/v1/files", files={"file": ("site report.pdf", PDF, "application/pdf")},
                           headers=auth_headers(face, user_id="u-up"))

    assert response.status_code == 201
    assert response.json()["id"] == "f-1"
    target = store_dir / sha[:2] / sha
    assert target.read_bytes() == PDF
    assert _stored_files(store_dir) == [target]
    [call] = fake.calls
    assert (call.service, call.method) == ("workflow", "record_file")
    assert call.args == ({"sha256": sha, "size": len(PDF), "content_type": "application/pdf",
                          "filename": "site report.pdf"},)
    assert call.principal.user_id == "u-up"
    assert call.principal.portal == face


def test_the_same_bytes_twice_are_stored_once(client, fake, auth_headers, store_dir):
    headers = auth_headers("zzd")
    for name in ("a.pdf", "b.pdf"):
        response = client.post("/zzd/v1/files", files={"file": (name, PDF, "application/pdf")}, headers=headers)
        assert response.status_code == 201

    assert len(_stored_files(store_dir)) == 1
    assert [call.args[0]["filename"] for call in fake.calls] == ["a.pdf", "b.pdf"]


def test_the_filename_loses_any_directory_part(client, fake, auth_headers):
    response = client.post("/zzd/v1/files", files={"file": ("../../etc/evil.pdf", PDF, "application/pdf")},
                           headers=auth_headers("zzd"))

    assert response.status_code == 201
    assert fake.calls[0].args[0]["filename"] == "evil.pdf"


def test_a_content_type_with_parameters_is_normalised(client, fake, auth_headers):
    response = client.post("/zzd/v1/files", files={"file": ("x.pdf", PDF, "Application/PDF; charset=binary")},
                           headers=auth_headers("zzd"))

    assert response.status_code == 201
    assert fake.calls[0].args[0]["content_type"] == "application/pdf"


def test_a_disallowed_type_is_422_and_nothing_is_stored(client, fake, auth_headers, store_dir):
    response = client.post("/zzd/v1/files", files={"file": ("notes.txt", b"hello", "text/plain")},
                           headers=auth_headers("zzd"))

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert error["details"][0]["field"] == "file"
    assert _stored_files(store_dir) == []
    assert fake.calls == []


def test_a_file_over_the_limit_is_413_and_leaves_no_temp_file(make_client, fake, auth_headers, store_dir):
    client = make_client(max_upload_bytes=1024)

    response = client.post("/zzd/v1/files", files={"file": ("big.pdf", PDF + b"0" * 2048, "application/pdf")},
                           headers=auth_headers("zzd"))

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert _stored_files(store_dir) == []
    assert fake.calls == []


def test_a_file_exactly_at_the_limit_is_accepted(make_client, fake, auth_headers, store_dir):
    client = make_client(max_upload_bytes=1024)
    content = PDF + b"0" * (1024 - len(PDF))

    response = client.post("/zzd/v1/files", files={"file": ("edge.pdf", content, "application/pdf")},
                           headers=auth_headers("zzd"))

    assert response.status_code == 201
    assert fake.calls[0].args[0]["size"] == 1024


def test_an_empty_file_is_422_and_leaves_nothing(client, fake, auth_headers, store_dir):
    response = client.post("/zzd/v1/files", files={"file": ("empty.pdf", b"", "application/pdf")},
                           headers=auth_headers("zzd"))

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"
    assert _stored_files(store_dir) == []
    assert fake.calls == []


def test_an_upload_needs_a_token_of_the_face(client, fake, auth_headers, store_dir):
    no_token = client.post("/zzd/v1/files", files={"file": ("x.pdf", PDF, "application/pdf")})
    wrong_face = client.post("/zzd/v1/files", files={"file": ("x.pdf", PDF, "application/pdf")},
                             headers=auth_headers("zlb"))

    assert no_token.status_code == 401
    assert wrong_face.status_code == 403
    assert _stored_files(store_dir) == []
    assert fake.calls == []


def test_an_upload_without_the_file_part_is_422(client, fake, auth_headers):
    response = client.post("/zzd/v1/files", data={"other": "x"}, headers=auth_headers("zzd"))

    assert response.status_code == 422
    assert fake.calls == []
