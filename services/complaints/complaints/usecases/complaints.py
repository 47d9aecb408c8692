"""The public complaint window (Art. 30, 49): the photos the public uploads before filing, filing a
complaint (from the window or an Open311 client) with them, following it by its tracking code, the
photos of a case for those who handle it, and the intake's reading of who complained — kept
apart, encrypted, and audited at every reading."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from common import registry_copy, usecase
from common.audit import record_change
from common.clock import district_iso
from common.contracts import cases as contracts
from common.contracts.types import check_paging
from common.crypto import decrypt_field, encrypt_field
from common.errors import InvalidInput, NotFound, PermissionDenied, TooManyRequests
from common.principal import Principal
from complaints.domain import cases as dom
from complaints.domain import complaints as window
from complaints.domain.rules import CaseRules
from complaints.persistence.models import Case, CaseStep, Complainant, Complaint, ComplaintPhoto, new_id
from complaints.usecases.common import Call, case_facts, is_firm_view, opened, record_step, visible_case

PUBLIC = Principal(user_id=None, portal="public")
MAX_PHOTO_PAGE = 100


def complaint_categories() -> list[dict]:
    return [{"code": c.code, "name_zh": c.name_zh, "name_en": c.name_en, "description": c.description}
            for c in window.CATEGORIES.values()]


def _one_client_at_a_time(session: Session, client_key: str) -> None:
    """Check the client's key, and serialise the requests of one client until the transaction ends,
    so that parallel requests cannot all pass the per-client limit (on SQLite the service's one
    writer already does)."""
    if not isinstance(client_key, str) or not client_key or len(client_key) > 64:
        raise InvalidInput.field("client_key", "the client's key (a hash of its address)")
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(client_key, 0))))


def record_complaint_photo(session: Session, now: datetime, rules: CaseRules, data: dict, client_key: str) -> dict:
    """A photo the gateway took at the complaint window and keeps by its SHA-256: recorded for the
    client that sent it, to go with one complaint of that client; a flood is refused (429)."""
    photo = usecase.parse(contracts.ComplaintPhotoRecord, data)
    _one_client_at_a_time(session, client_key)
    recent = session.execute(sa.select(sa.func.count()).select_from(ComplaintPhoto).where(
        ComplaintPhoto.client_key == client_key, ComplaintPhoto.received_at > now - timedelta(hours=1))).scalar()
    limit = rules.complaint_photos_per_client_per_hour
    if not window.within_rate(recent, limit):
        raise TooManyRequests(f"at most {limit} photos an hour from one client; try again later",
                              [{"field": "client", "reason": "rate limit", "retry_after_s": 3600}])
    row = ComplaintPhoto(id=new_id(), sha256=photo.sha256, size=photo.size, content_type=photo.content_type,
                         client_key=client_key, received_at=now)
    session.add(row)
    session.flush()
    record_change(session, principal=PUBLIC, at=now, action="complaint_photo.received", entity_type="complaint_photo",
                  entity_id=row.id, after={"sha256": row.sha256, "size": row.size, "content_type": row.content_type})
    return {"photo_id": row.id}


def _photos_to_attach(session: Session, photo_ids: list[str], client_key: str) -> list[ComplaintPhoto]:
    """The photos a complaint names: each uploaded by the same client and with no complaint yet."""
    if len(set(photo_ids)) != len(photo_ids):
        raise InvalidInput.field("photo_file_ids", "a photo is named once")
    if not photo_ids:
        return []
    photos = list(session.execute(sa.select(ComplaintPhoto).where(ComplaintPhoto.id.in_(photo_ids))
                                  .with_for_update()).scalars())
    usable = {photo.id for photo in photos if photo.client_key == client_key and photo.complaint_id is None}
    unusable = [photo_id for photo_id in photo_ids if photo_id not in usable]
    if unusable:
        raise InvalidInput.field("photo_file_ids", f"{unusable[0]} is not a photo this client uploaded for a new "
                                                   "complaint (POST /public/v1/complaint-photos)")
    return photos


def file_complaint(session: Session, now: datetime, rules: CaseRules, data: dict, client_key: str) -> dict:
    filing = usecase.parse(contracts.ComplaintFiling, data)
    channel = data.get("channel", "window")
    if channel not in ("window", "open311"):
        raise InvalidInput.field("channel", "window or open311")
    _one_client_at_a_time(session, client_key)
    recent = session.execute(sa.select(sa.func.count()).select_from(Complaint).where(
        Complaint.client_key == client_key, Complaint.filed_at > now - timedelta(hours=1))).scalar()
    if not window.within_rate(recent, rules.complaints_per_client_per_hour):
        raise TooManyRequests(f"at most {rules.complaints_per_client_per_hour} complaints an hour from one client; "
                              "try again later", [{"field": "client", "reason": "rate limit", "retry_after_s": 3600}])
    if len(filing.photo_file_ids) > rules.complaint_max_photos:
        raise InvalidInput.field("photo_file_ids", f"at most {rules.complaint_max_photos} photos")
    photos = _photos_to_attach(session, list(filing.photo_file_ids), client_key)
    category = window.CATEGORIES[filing.category]
    lat, lng = (filing.location.lat, filing.location.lng) if filing.location else (None, None)
    project_id = filing.project_id
    if project_id is not None and registry_copy.placement(session, project_id) is None:
        raise InvalidInput.field("project_id", "no such project")
    if project_id is None and lat is not None:
        project_id = registry_copy.project_at(session, lat, lng)
    placement = registry_copy.placement(session, project_id) if project_id else None

    case = _similar_open_case(session, now, rules, project_id, category.code)
    if case is None:
        case = Case(id=new_id(), kind=dom.Kind.COMPLAINT, category=category.code, status=dom.Status.RECEIVED,
                    discipline=category.discipline, summary=_summary(category, filing.text), text=filing.text,
                    project_id=project_id, industry=placement.industry if placement else None, lat=lat, lng=lng,
                    opened_at=now, complaint_count=0)
        session.add(case)
        session.flush()
        opened(session, case, now)
        facts = case_facts(session, case)
        record_step(session, case, facts, "received", now, by_user_id=None, acting_unit_id=None, rules=rules,
                    principal=PUBLIC)
    case.complaint_count += 1
    code = window.new_tracking_code()
    complaint = Complaint(id=new_id(), case_id=case.id, tracking_hash=window.tracking_hash(code),
                          category=category.code, text=filing.text, media_url=filing.media_url,
                          project_id=project_id, lat=lat, lng=lng, address=filing.address, anonymous=filing.anonymous,
                          channel=channel, client_key=client_key, filed_at=now)
    session.add(complaint)
    session.flush()
    for photo in photos:
        photo.complaint_id = complaint.id
    if not filing.anonymous and filing.contact is not None:
        session.add(Complainant(complaint_id=complaint.id, name_encrypted=encrypt_field(filing.contact.name),
                                phone_encrypted=encrypt_field(filing.contact.phone)))
    record_change(session, principal=PUBLIC, at=now, action="complaint.filed", entity_type="case", entity_id=case.id,
                  after={"complaint_id": complaint.id, "category": category.code, "channel": channel,
                         "anonymous": filing.anonymous, "linked": case.complaint_count > 1,
                         "photos": [photo.id for photo in photos]})
    return {"tracking_code": code, "status": window.public_status(case.status)}


def _summary(category: window.Category, text: str) -> str:
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    return f"{category.name_zh}: {first_line}"[:200]


def _similar_open_case(session: Session, now: datetime, rules: CaseRules, project_id: str | None,
                       category: str) -> Case | None:
    if project_id is None or rules.similar_complaint_days <= 0:
        return None
    case = session.execute(sa.select(Case).where(
        Case.project_id == project_id, Case.category == category, Case.kind == dom.Kind.COMPLAINT,
        # One the intake found to concern discipline (or not) takes no complaint of the other kind.
        Case.discipline.is_(window.CATEGORIES[category].discipline),
        Case.status != dom.Status.CLOSED, Case.opened_at >= now - timedelta(days=rules.similar_complaint_days))
        .order_by(Case.opened_at).limit(1).with_for_update()).scalar_one_or_none()
    return case if case is not None and window.links_to(case.opened_at, now, rules.similar_complaint_days) else None


def follow_complaint(session: Session, code: str) -> dict:
    """What the complainant sees by the tracking code: progress and public replies only."""
    if not isinstance(code, str) or not 4 <= len(code) <= 64:
        raise NotFound("no complaint with this tracking code")
    row = session.execute(sa.select(Complaint, Case).join(Case, Case.id == Complaint.case_id)
                          .where(Complaint.tracking_hash == window.tracking_hash(code))).first()
    if row is None:
        raise NotFound("no complaint with this tracking code")
    complaint, case = row
    steps = list(session.execute(sa.select(CaseStep.at, CaseStep.public_reply).where(CaseStep.case_id == case.id)
                                 .order_by(CaseStep.at, CaseStep.id)).all())
    updated = steps[-1].at if steps else complaint.filed_at
    return {"tracking_code": code.strip().upper(), "status": window.public_status(case.status),
            "category": complaint.category, "filed_at": district_iso(complaint.filed_at),
            "updated_at": district_iso(max(updated, complaint.filed_at)),
            "replies": [{"at": district_iso(at), "text": reply} for at, reply in steps if reply],
            "service_code": complaint.category, "description": complaint.text, "lat": complaint.lat,
            "lng": complaint.lng, "address": complaint.address, "media_url": complaint.media_url,
            "requested_at": district_iso(complaint.filed_at)}


def complainants(call: Call, case_id: str) -> list[dict]:
    """Who complained about a case: only the back office's complaint intake and discipline
    inspection read it, and each reading is in the audit trail (architecture "Data")."""
    _, case = visible_case(call, case_id)
    caller = call.caller()
    if not (caller.intake or caller.discipline_unit_ids):
        raise PermissionDenied("only the complaint intake and discipline inspection read who complained")
    rows = call.session.execute(sa.select(Complaint, Complainant).outerjoin(
        Complainant, Complainant.complaint_id == Complaint.id).where(Complaint.case_id == case.id)
        .order_by(Complaint.filed_at)).all()
    call.record("complainant.read", "case", case.id, after={"complaints": len(rows)})
    return [{"name": decrypt_field(person.name_encrypted) if person else None,
             "phone": decrypt_field(person.phone_encrypted) if person else None,
             "anonymous": complaint.anonymous, "filed_at": district_iso(complaint.filed_at),
             "channel": complaint.channel} for complaint, person in rows]


# --- the photos of a case --------------------------------------------------------------------------------------


def _handled_case(call: Call, case_id: str) -> Case:
    """A case whose complainants' photos the caller may see: one it may see, as one who handles it
    (a firm follows the cases about it, without what the public sent)."""
    actor, case = visible_case(call, case_id)
    if is_firm_view(actor):
        raise PermissionDenied("the photos of a complaint are for those who handle the case")
    return case


def _photos_of(case: Case):
    return (sa.select(ComplaintPhoto).join(Complaint, Complaint.id == ComplaintPhoto.complaint_id)
            .where(Complaint.case_id == case.id))


def case_photos(call: Call, case_id: str, limit: int = 50, offset: int = 0) -> list[dict]:
    """The photos sent with the complaints of a case, oldest first."""
    check_paging(limit, offset, max_limit=MAX_PHOTO_PAGE)
    case = _handled_case(call, case_id)
    rows = call.session.execute(_photos_of(case).order_by(ComplaintPhoto.received_at, ComplaintPhoto.id)
                                .limit(limit).offset(offset)).scalars()
    return [{"id": photo.id, "content_type": photo.content_type, "size": photo.size,
             "received_at": district_iso(photo.received_at)} for photo in rows]


def case_photo(call: Call, case_id: str, photo_id: str) -> dict:
    """Where the gateway finds one photo of a case in its file store (its SHA-256) and its type."""
    case = _handled_case(call, case_id)
    photo = call.session.execute(_photos_of(case).where(ComplaintPhoto.id == photo_id)).scalar_one_or_none()
    if photo is None:
        raise NotFound(f"photo {photo_id} not found")
    return {"id": photo.id, "sha256": photo.sha256, "content_type": photo.content_type, "size": photo.size}
