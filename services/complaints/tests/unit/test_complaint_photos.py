"""The complaint window's photos as the use cases run them (Art. 30): recorded for the client that
uploaded them, attached to one complaint of that client only, a flood refused, and seen by those
who handle the case — not by an owner off the case, nor a firm, nor the public's tracking page."""

import hashlib

import pytest
import sqlalchemy as sa

from common.errors import InvalidInput, NotFound, PermissionDenied, TooManyRequests
from common.schema import audit_entry
from complaints.domain.complaints import tracking_hash
from complaints.persistence.models import Case, Complaint, ComplaintPhoto
from complaints.usecases import cases, complaints
from complaints.usecases.common import RULES

from .conftest import NOW

COMPLAINT = {"project_id": "p1", "category": "quality", "text": "桥面浇筑后出现多条裂缝", "anonymous": True}


def upload(session, client="client-1", content=b"\xff\xd8\xff photo", at=NOW) -> str:
    record = {"sha256": hashlib.sha256(content).hexdigest(), "size": len(content), "content_type": "image/jpeg"}
    return complaints.record_complaint_photo(session, at, RULES.get(session), record, client)["photo_id"]


def file(session, photo_ids, client="client-1") -> str:
    receipt = complaints.file_complaint(session, NOW, RULES.get(session),
                                        {**COMPLAINT, "photo_file_ids": photo_ids}, client)
    return session.execute(sa.select(Complaint.case_id).where(
        Complaint.tracking_hash == tracking_hash(receipt["tracking_code"]))).scalar_one()


def complaint_count(session) -> int:
    return session.execute(sa.select(sa.func.count()).select_from(Complaint)).scalar()


def test_a_photo_is_recorded_for_its_client_and_goes_with_its_complaint(session, call_as):
    first, second = upload(session), upload(session, content=b"\x89PNG\r\n\x1a\n photo")
    case_id = file(session, [first, second])

    attached = session.execute(sa.select(ComplaintPhoto.id, ComplaintPhoto.complaint_id)).all()
    assert {photo_id for photo_id, complaint_id in attached if complaint_id} == {first, second}
    shown = complaints.case_photos(call_as("lg-staff"), case_id)
    # Received at the same instant: their order is the ids', so compare them as a set.
    assert {(p["id"], p["content_type"], p["size"]) for p in shown} == {
        (first, "image/jpeg", len(b"\xff\xd8\xff photo")), (second, "image/jpeg", len(b"\x89PNG\r\n\x1a\n photo"))}
    found = complaints.case_photo(call_as("intake"), case_id, first)
    assert found["sha256"] == hashlib.sha256(b"\xff\xd8\xff photo").hexdigest()
    assert found["content_type"] == "image/jpeg"
    assert session.execute(sa.select(sa.func.count()).select_from(audit_entry).where(
        audit_entry.c.action == "complaint_photo.received")).scalar() == 2


def test_a_photo_of_another_client_is_refused_and_nothing_is_filed(session):
    theirs = upload(session, client="client-2")
    session.commit()  # as the RPC that recorded it
    with pytest.raises(InvalidInput) as refused:
        file(session, [theirs], client="client-1")
    assert refused.value.details[0]["field"] == "photo_file_ids"
    with pytest.raises(InvalidInput, match="photo_file_ids"):
        file(session, ["no-such-photo"])
    session.rollback()
    assert complaint_count(session) == 0
    assert session.execute(sa.select(ComplaintPhoto.complaint_id)).scalars().all() == [None]


def test_a_photo_goes_with_one_complaint_only(session):
    photo = upload(session)
    file(session, [photo])
    with pytest.raises(InvalidInput, match="photo_file_ids"):
        file(session, [photo])
    with pytest.raises(InvalidInput, match="photo_file_ids"):
        file(session, [upload(session)] * 2)


def test_a_flood_of_photos_from_one_client_is_refused_and_the_hour_after_taken(session):
    limit = RULES.get(session).complaint_photos_per_client_per_hour
    for _ in range(limit):
        upload(session)
    with pytest.raises(TooManyRequests):
        upload(session)
    assert upload(session, client="client-2")
    assert upload(session, at=NOW.replace(hour=NOW.hour + 2))
    with pytest.raises(InvalidInput) as refused:
        complaints.record_complaint_photo(session, NOW, RULES.get(session),
                                          {"sha256": "0" * 64, "size": 3, "content_type": "text/html"}, "client-3")
    assert refused.value.details[0]["field"] == "content_type"


def test_the_photos_of_a_case_are_for_those_who_handle_it(session, call_as):
    photo = upload(session)
    case_id = file(session, [photo])
    with pytest.raises(NotFound):  # an owner off the case does not see it, nor its photos
        complaints.case_photo(call_as("owner2-chief"), case_id, photo)
    with pytest.raises(NotFound):
        complaints.case_photos(call_as("owner-chief"), case_id)
    cases.take_step(call_as("intake"), case_id, "triage", {})
    cases.take_step(call_as("intake"), case_id, "dispatch", {"unit_id": "line"})
    cases.take_step(call_as("line-head"), case_id, "dispatch", {"unit_id": "owner"})
    assert complaints.case_photo(call_as("owner-chief"), case_id, photo)["id"] == photo
    with pytest.raises(NotFound):  # a photo of no complaint of this case
        complaints.case_photo(call_as("owner-chief"), case_id, upload(session))
    with pytest.raises(NotFound):
        complaints.case_photo(call_as("owner2-chief"), case_id, photo)
    # A firm sees a case about itself (as a warning's), never what the public sent with it.
    session.get(Case, case_id).subject_unit_id = "firm"
    with pytest.raises(PermissionDenied):
        complaints.case_photo(call_as("pm"), case_id, photo)
    with pytest.raises(PermissionDenied):
        complaints.case_photos(call_as("pm"), case_id)
    # The public's tracking page names no photo.
    code = complaints.file_complaint(session, NOW, RULES.get(session), {**COMPLAINT, "photo_file_ids": [upload(
        session, content=b"\xff\xd8\xff another")]}, "client-1")["tracking_code"]
    public = complaints.follow_complaint(session, code)
    assert not any("photo" in key for key in public) and str(public).count(photo) == 0
