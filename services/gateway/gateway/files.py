"""Uploads: the bytes are kept by their SHA-256 in the file store (a folder under var/ by
default). A registered user's upload is recorded by the workflow service (who uploaded what and
when, :func:`store_upload`); a photo of the public complaint window by the complaints service
(``gateway.routes.complaint_window``). Both are received by :func:`received_file`: the type
allowed, the content that of its type, the size within its limit, then kept by content."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import UploadFile

from common.principal import Principal
from gateway.errors import ApiError
from gateway.exif import read_photo_metadata
from gateway.filetypes import check_signature
from gateway.rpc import ServiceClient
from gateway.settings import GatewaySettings

_CHUNK = 1024 * 1024


def _clean_filename(name: str | None) -> str:
    # Only the last part of the path, without control characters (a NUL is refused by PostgreSQL).
    name = "".join(char for char in Path(name or "").name if char.isprintable())[:255].strip()
    return name or "upload"


@dataclass(frozen=True)
class ReceivedFile:
    sha256: str
    size: int
    content_type: str


def stored_path(settings: GatewaySettings, sha256: str) -> Path:
    """Where the file store keeps the bytes of this SHA-256."""
    if len(sha256) != 64 or not all(char in "0123456789abcdef" for char in sha256):
        raise ValueError("not a SHA-256 in hex")
    return Path(settings.file_store_dir) / sha256[:2] / sha256


@contextmanager
def received_file(upload: UploadFile, settings: GatewaySettings, *, allowed_types: list[str],
                  max_bytes: int) -> Iterator[ReceivedFile]:
    """Check an upload (its declared type among ``allowed_types``, its first bytes those of that
    type, at most ``max_bytes``) and spool it while hashing it; the block records it, and only when
    the block ends without an error are the bytes kept in the store, by their SHA-256 (the same
    bytes land on the same name). A refusal anywhere keeps nothing."""
    content_type = (upload.content_type or "").split(";")[0].strip().lower()
    if content_type not in allowed_types:
        raise ApiError(422, "invalid_input", "this type of file is not accepted",
                       [{"field": "file", "reason": f"allowed types: {', '.join(allowed_types)}"}])
    head = upload.file.read(_CHUNK)
    if not head:
        raise ApiError(422, "invalid_input", "the file is empty", [{"field": "file", "reason": "empty"}])
    check_signature(content_type, head)
    store = Path(settings.file_store_dir)
    store.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with tempfile.NamedTemporaryFile(dir=store, delete=False, prefix=".upload-") as spool:
        try:
            chunk = head
            while chunk:
                size += len(chunk)
                if size > max_bytes:
                    raise ApiError(413, "too_large", f"files are limited to {max_bytes} bytes",
                                   [{"field": "file", "reason": "too large"}])
                digest.update(chunk)
                spool.write(chunk)
                chunk = upload.file.read(_CHUNK)
        except BaseException:
            spool.close()
            os.unlink(spool.name)
            raise
    received = ReceivedFile(digest.hexdigest(), size, content_type)
    try:
        yield received
    except BaseException:
        os.unlink(spool.name)
        raise
    target = stored_path(settings, received.sha256)
    target.parent.mkdir(exist_ok=True)
    os.replace(spool.name, target)


def store_upload(upload: UploadFile, principal: Principal, settings: GatewaySettings,
                 services: ServiceClient) -> dict:
    """A registered user's upload, recorded by the workflow service."""
    with received_file(upload, settings, allowed_types=settings.allowed_upload_types,
                       max_bytes=settings.max_upload_bytes) as received:
        recorded = services.call("workflow", "record_file",
                                 {"sha256": received.sha256, "size": received.size,
                                  "content_type": received.content_type,
                                  "filename": _clean_filename(upload.filename)},
                                 principal=principal)
    if received.content_type.startswith("image/"):
        # Art. 28: where and when a photo was taken, for the checks of the inspection photos.
        services.call("workflow", "record_photo_metadata", recorded["id"],
                      read_photo_metadata(stored_path(settings, received.sha256)).as_record(), principal=principal)
    return recorded
