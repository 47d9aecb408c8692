"""Uploads: the bytes are kept by their SHA-256 in the file store (a folder under var/ by
default), the workflow service records who uploaded what and when."""

from __future__ import annotations

import hashlib
import os
import tempfile
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


def store_upload(upload: UploadFile, principal: Principal, settings: GatewaySettings,
                 services: ServiceClient) -> dict:
    content_type = (upload.content_type or "").split(";")[0].strip().lower()
    if content_type not in settings.allowed_upload_types:
        raise ApiError(422, "invalid_input", "this type of file is not accepted",
                       [{"field": "file", "reason": f"allowed types: {', '.join(settings.allowed_upload_types)}"}])
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
                if size > settings.max_upload_bytes:
                    raise ApiError(413, "too_large", f"files are limited to {settings.max_upload_bytes} bytes",
                                   [{"field": "file", "reason": "too large"}])
                digest.update(chunk)
                spool.write(chunk)
                chunk = upload.file.read(_CHUNK)
        except BaseException:
            spool.close()
            os.unlink(spool.name)
            raise
    sha256 = digest.hexdigest()
    target = store / sha256[:2] / sha256
    target.parent.mkdir(exist_ok=True)
    os.replace(spool.name, target)  # content-addressed: the same bytes land on the same name
    filename = _clean_filename(upload.filename)
    recorded = services.call("workflow", "record_file",
                             {"sha256": sha256, "size": size, "content_type": content_type, "filename": filename},
                             principal=principal)
    if content_type.startswith("image/"):
        # Art. 28: where and when a photo was taken, for the checks of the inspection photos.
        services.call("workflow", "record_photo_metadata", recorded["id"], read_photo_metadata(target).as_record(),
                      principal=principal)
    return recorded
