"""The concealed-works process (隐蔽工程, Art. 28) with its deadlines, and the EXIF of uploaded
photos that lets the inspection flag photos taken on another day or elsewhere (issue item 10)."""

from __future__ import annotations

import sqlalchemy as sa

from common import usecase
from common.clock import district_iso, local_date
from common.contracts import concealed as contracts
from common.contracts.types import check_paging
from common.errors import IllegalStep, InvalidInput, NotFound, PermissionDenied
from common.rule_settings import load_rules
from workflow.domain import concealed as cw
from workflow.domain import deadlines as dl
from workflow.domain.projects import ProjectStatus
from workflow.domain.rules import WorkflowRules
from workflow.persistence.concealed_models import ConcealedWork, PhotoMetadata
from workflow.persistence.models import StoredFile, new_id
from workflow.usecases import deadline_engine
from workflow.usecases.common import Call, raise_warning, require_files, visible_project

SUBJECT = "concealed_work"


def concealed_work_view(work: ConcealedWork) -> dict:
    inspection = None if work.inspected_at is None else {
        "by": work.inspected_by, "at": district_iso(work.inspected_at), "supervisor_id": work.supervisor_id,
        "result": work.inspection_result, "note": work.inspection_note, "photos": work.photos,
        "photo_flags": work.photo_flags,
    }
    review = None if work.reviewed_at is None else {
        "by": work.reviewed_by, "at": district_iso(work.reviewed_at), "verdict": work.review_verdict,
        "note": work.review_note, "owner_present": work.owner_present,
        "presence_photo_ids": work.presence_photo_ids,
    }
    return {
        "id": work.id, "project_id": work.project_id, "part": work.part,
        "planned_date": work.planned_date.isoformat(), "important": work.important, "status": work.status,
        "application": {"by": work.applied_by, "at": district_iso(work.applied_at),
                        "contractor_id": work.contractor_id, "file_ids": work.file_ids},
        "inspection": inspection,
        "review": review,
    }


def _concealed_work(call: Call, concealed_work_id: str):
    work = call.session.get(ConcealedWork, concealed_work_id)
    if work is None:
        raise NotFound(f"concealed work {concealed_work_id} not found")
    actor, project, facts = visible_project(call, work.project_id, for_update=True)
    if project.status == ProjectStatus.TERMINATED:
        raise IllegalStep("the project is terminated (Art. 34)")
    return actor, project, facts, work


def apply_concealed_work(call: Call, data: dict) -> dict:
    """Art. 28(1): the contractor applies; the inspection is due on the planned day."""
    request = usecase.parse(contracts.ConcealedWorkApplication, data)
    actor, project, facts = visible_project(call, request.project_id, for_update=True)
    contractor = cw.decide_application(actor, facts, request.planned_date, local_date(call.now),
                                       load_rules(call.session, WorkflowRules))
    require_files(call, "file_ids", request.file_ids)
    work = ConcealedWork(id=new_id(), project_id=project.id, part=request.part, planned_date=request.planned_date,
                         important=request.important, status=cw.AWAITING_INSPECTION, contractor_id=contractor,
                         applied_by=actor.user_id, applied_at=call.now, file_ids=request.file_ids)
    call.session.add(work)
    deadline_engine.start(call.session, rule_id=dl.CONCEALED_INSPECTION, project_id=project.id,
                          subject_type=SUBJECT, subject_id=work.id,
                          started_at=cw.inspection_day_start(request.planned_date))
    call.session.flush()
    view = concealed_work_view(work)
    call.record("concealed_work.applied", SUBJECT, work.id, after=view)
    return view


def _require_photos(call: Call, field: str, file_ids: list[str]) -> None:
    """Every file named as a photo was uploaded, and is an image; a 422 names the others."""
    require_files(call, field, file_ids)
    not_photos = call.session.execute(sa.select(StoredFile.id, StoredFile.content_type).where(
        StoredFile.id.in_(file_ids), StoredFile.content_type.not_like("image/%"))).all()
    if not_photos:
        raise InvalidInput(f"{field}: not photos", [{"field": field, "reason": f"file {file_id} is {content_type}"}
                                                    for file_id, content_type in not_photos])


def _photo_evidence(call: Call, file_ids: list[str]) -> dict[str, cw.PhotoEvidence]:
    rows = call.session.execute(sa.select(PhotoMetadata).where(PhotoMetadata.file_id.in_(file_ids))).scalars()
    return {row.file_id: cw.PhotoEvidence(row.taken_at, row.lat, row.lng) for row in rows}


def record_concealed_inspection(call: Call, concealed_work_id: str, data: dict) -> dict:
    """Art. 28(2): the supervisor's stand-by and inspection on the day, with the three kinds of
    photos; photos whose EXIF does not vouch for the day and the site are flagged and warned of."""
    request = usecase.parse(contracts.ConcealedInspection, data)
    actor, project, facts, work = _concealed_work(call, concealed_work_id)
    photos = request.photos.model_dump()
    supervisor = cw.decide_inspection(actor, facts, work.status, work.planned_date, local_date(call.now), photos)
    for kind in cw.PHOTO_KINDS:
        _require_photos(call, f"photos.{kind}", photos[kind])
    all_photos = [file_id for kind in cw.PHOTO_KINDS for file_id in photos[kind]]
    flags = cw.photo_flags(photos, _photo_evidence(call, all_photos), work.planned_date, project.geofence,
                           load_rules(call.session, WorkflowRules).concealed_photo_max_distance_m)
    work.status, work.supervisor_id = cw.AWAITING_REVIEW, supervisor
    work.inspected_by, work.inspected_at = actor.user_id, call.now
    work.inspection_result, work.inspection_note = request.result, request.note
    work.photos, work.photo_flags = photos, flags
    deadline_engine.close(call.session, SUBJECT, work.id, call.now)
    deadline_engine.start(call.session, rule_id=dl.CONCEALED_REVIEW, project_id=project.id, subject_type=SUBJECT,
                          subject_id=work.id, started_at=call.now)
    if flags:
        raise_warning(call, rule_id=cw.PHOTO_EVIDENCE_SUSPECT, article=cw.PHOTO_EVIDENCE_SUSPECT_ARTICLE,
                      project_id=project.id, firm_id=supervisor, must_act=project.owner_id or "owner",
                      summary="concealed-work photos taken on another day, away from the site or without EXIF time",
                      detail={"concealed_work_id": work.id, "part": work.part,
                              "planned_date": work.planned_date.isoformat(), "photo_flags": flags})
    call.session.flush()
    view = concealed_work_view(work)
    call.record("concealed_work.inspected", SUBJECT, work.id, after=view["inspection"])
    return view


def review_concealed_work(call: Call, concealed_work_id: str, data: dict) -> dict:
    """Art. 28(3): the owner reviews the photos and, for important parts, records its presence."""
    request = usecase.parse(contracts.ConcealedReview, data)
    actor, _, facts, work = _concealed_work(call, concealed_work_id)
    cw.decide_review(actor, facts, work.status, work.important, request.owner_present, request.presence_photo_ids)
    _require_photos(call, "presence_photo_ids", request.presence_photo_ids)
    work.status = cw.REVIEWED
    work.reviewed_by, work.reviewed_at = actor.user_id, call.now
    work.review_verdict, work.review_note = request.verdict, request.note
    work.owner_present, work.presence_photo_ids = request.owner_present, request.presence_photo_ids
    deadline_engine.close(call.session, SUBJECT, work.id, call.now)
    call.session.flush()
    view = concealed_work_view(work)
    call.record("concealed_work.reviewed", SUBJECT, work.id, after=view["review"])
    return view


def list_concealed_works(call: Call, project_id: str, limit: int = 100, offset: int = 0) -> list[dict]:
    """One page of the project's concealed works, by planned day and application (the id breaks a tie)."""
    check_paging(limit, offset, max_limit=500)
    visible_project(call, project_id)
    return [concealed_work_view(work) for work in call.session.execute(
        sa.select(ConcealedWork).where(ConcealedWork.project_id == project_id)
        .order_by(ConcealedWork.planned_date, ConcealedWork.applied_at, ConcealedWork.id)
        .limit(limit).offset(offset)).scalars()]


def photo_metadata_view(row: PhotoMetadata) -> dict:
    return {"file_id": row.file_id, "taken_at": district_iso(row.taken_at), "lat": row.lat, "lng": row.lng}


def record_photo_metadata(call: Call, file_id: str, data: dict) -> dict:
    """The gateway read a photo's EXIF at upload; its uploader's call records it, once."""
    request = usecase.parse(contracts.PhotoMetadataRecord, data)
    actor = call.actor()
    stored = call.session.get(StoredFile, file_id)
    if stored is None:
        raise NotFound(f"file {file_id} not found")
    if stored.uploaded_by != actor.user_id:
        raise PermissionDenied("a photo's EXIF is recorded with its upload, by its uploader")
    if not stored.content_type.startswith("image/"):
        raise InvalidInput.field("file_id", f"the file is {stored.content_type}, not a photo")
    if call.session.get(PhotoMetadata, file_id) is not None:
        raise IllegalStep("the photo's EXIF is already recorded; it does not change")
    row = PhotoMetadata(file_id=file_id, taken_at=request.taken_at, lat=request.lat, lng=request.lng)
    call.session.add(row)
    call.session.flush()
    view = photo_metadata_view(row)
    call.record("file.photo_metadata_recorded", "file", file_id, after=view)
    return view
