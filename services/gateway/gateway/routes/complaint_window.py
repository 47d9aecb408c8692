"""``/public/v1/complaints``: the complaint window (Art. 30, 49). No login; a complaint is answered
with a tracking code that cannot be guessed, and followed by it. Nothing here tells who complained
nor who handles the case inside.

Photos come first (``POST /public/v1/complaint-photos``): images only, checked and kept by content in
the file store like every upload, recorded by the complaints service for the client that sent them
and never served to the public; the complaint then names them.

A flood from one client is refused by the complaints service (429, its settings
``complaints_per_client_per_hour`` and ``complaint_photos_per_client_per_hour``); the client is
known by a keyed SHA-256 of its address, never the address itself (:func:`client_key`)."""

from __future__ import annotations

import hashlib
import hmac

from fastapi import APIRouter, Depends, File, Path, Request, UploadFile, status

from common.contracts.cases import (
    PUBLIC_STATUS_FIELDS,
    ComplaintFiling,
    ComplaintPhotoReceipt,
    ComplaintReceipt,
    PublicComplaintStatus,
)
from common.principal import ANONYMOUS
from gateway.deps import payload, services
from gateway.errors import SERVICE_ERRORS, errors
from gateway.files import received_file
from gateway.openapi import COMPLAINT_WINDOW, ContractRoute
from gateway.rpc import ServiceClient

router = APIRouter(prefix="/public/v1", tags=[COMPLAINT_WINDOW], route_class=ContractRoute,
                   responses=errors(*SERVICE_ERRORS))

TrackingCode = Path(min_length=8, max_length=40, pattern=r"^[A-Za-z0-9-]+$",
                    description="The tracking code the complaint was answered with.")


def client_address(request: Request) -> str:
    """The address of the client: the connection's peer, or — only when the gateway is configured
    to sit behind a trusted proxy — the last address of X-Forwarded-For, the one that proxy
    appended (the ones before it are whatever the client wrote)."""
    settings = request.app.state.settings
    if settings.behind_trusted_proxy:
        forwarded = [part.strip() for part in request.headers.get("x-forwarded-for", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
    return request.client.host if request.client else "unknown"


def client_key(request: Request) -> str:
    """The key of the per-client rate limit: a SHA-256 of the client's address, keyed by the
    gateway's secret so that the stored key cannot be turned back into the address by trying
    every IPv4 address."""
    secret = request.app.state.settings.jwt_secret.encode()
    return hmac.new(secret, client_address(request).encode(), hashlib.sha256).hexdigest()


def file_complaint(filing: ComplaintFiling, channel: str, request: Request, rpc: ServiceClient) -> dict:
    return rpc.call("complaints", "file_complaint", {**payload(filing), "channel": channel},
                    client_key(request), principal=ANONYMOUS)


def public_status(answer: dict) -> dict:
    """The public's fields of the service's answer (it also carries what Open311 shows)."""
    return {name: answer[name] for name in PUBLIC_STATUS_FIELDS if name in answer}


@router.post("/complaints", status_code=status.HTTP_201_CREATED, response_model=ComplaintReceipt,
             responses=errors(400, 404, 413, 429), summary="投诉 File a complaint",
             description="File a complaint about a project (`project_id`, from GET /public/v1/projects) or a place "
                         "(`location` or `address`; a point inside a project's site links it to that project), "
                         "with a category, the text and up to 9 photos (`photo_file_ids`: the `photo_id` of each "
                         "POST /public/v1/complaint-photos, from the same client); `anonymous`, or with `contact` "
                         "(name and a mobile number, kept encrypted and shown to no one but the back office's "
                         "intake). "
                         "Answers the tracking code. A complaint like an open one (same project and category) is "
                         "linked to it. 429 past the per-client limit (5 an hour by default). 404: no such "
                         "project. 422 naming `photo_file_ids`: a photo not uploaded by this client, or already "
                         "with another complaint.")
def file_window_complaint(body: ComplaintFiling, request: Request, rpc: ServiceClient = Depends(services)):
    return file_complaint(body, "window", request, rpc)


@router.post("/complaint-photos", status_code=status.HTTP_201_CREATED, response_model=ComplaintPhotoReceipt,
             responses=errors(400, 413, 429), summary="上传投诉照片 Upload a photo for a complaint",
             description="A photo for a complaint about to be filed (multipart `file`; JPEG, PNG or WebP, 5 MB by "
                         "default; its content must match its type), no login. Answers the `photo_id` to name in "
                         "the complaint's `photo_file_ids`; a photo goes with one complaint of the same client. "
                         "Those who handle the case see it; the public never does (the tracking page shows no "
                         "photos). 429 past the per-client limit (20 an hour by default).")
def upload_complaint_photo(request: Request, file: UploadFile = File(...), rpc: ServiceClient = Depends(services)):
    settings = request.app.state.settings
    with received_file(file, settings, allowed_types=settings.complaint_photo_types,
                       max_bytes=settings.max_complaint_photo_bytes) as photo:
        return rpc.call("complaints", "record_complaint_photo",
                        {"sha256": photo.sha256, "size": photo.size, "content_type": photo.content_type},
                        client_key(request), principal=ANONYMOUS)


@router.get("/complaints/{tracking_code}", response_model=PublicComplaintStatus, responses=errors(404),
            summary="查询投诉 Follow a complaint",
            description="The complaint's progress in the public's words (received, in_progress, closed) and the "
                        "replies meant for the public; nothing about who complained or who handles it.")
def follow_complaint(tracking_code: str = TrackingCode, rpc: ServiceClient = Depends(services)):
    return public_status(rpc.call("complaints", "follow_complaint", tracking_code, principal=ANONYMOUS))
