"""Concealed works (隐蔽工程, Art. 28): the contractor applies within the 2 days before the work;
on the day the supervisor stands by (旁站) and inspects, with photos before, after and with a
measuring scale in view; the owner reviews the photos and, for important parts, stands by
itself. Every step is a warning point: the deadline engine warns when no inspection is recorded
on the day (CONCEALED_INSPECTION) or the owner does not review in time (CONCEALED_REVIEW);
missing photo kinds are refused at input; photos whose EXIF says they were taken on another day
or elsewhere are flagged (issue item 10).

| step | who | when | then starts |
|---|---|---|---|
| apply | contractor: project manager or chief | today to 2 days before | CONCEALED_INSPECTION, from the day's start |
| inspect | supervisor: chief/specialist engineer, inspector | on the day | CONCEALED_REVIEW, from the inspection |
| review | owner staff, in person for important parts | within the review days | — |
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from common.clock import DISTRICT_TZ, district_iso, local_date
from common.contracts.registry import Post, UnitKind
from common.errors import IllegalStep, InvalidInput, PermissionDenied
from common.geo import distance_outside_fence_m
from common.scope import Actor
from workflow.domain.acceptance import is_owner_staff
from workflow.domain.projects import ProjectFacts, ProjectStatus, firms_acted_for
from workflow.domain.rules import WorkflowRules

AWAITING_INSPECTION, AWAITING_REVIEW, REVIEWED = "awaiting_inspection", "awaiting_review", "reviewed"
PHOTO_KINDS = ("before", "after", "with_scale")

APPLICANT_POSTS = frozenset({Post.PROJECT_MANAGER, Post.CHIEF})
INSPECTOR_POSTS = frozenset({Post.CHIEF_ENGINEER, Post.SPECIALIST_ENGINEER, Post.INSPECTOR})

PHOTO_EVIDENCE_SUSPECT = "art28.photo-evidence-suspect"
PHOTO_EVIDENCE_SUSPECT_ARTICLE = "Art. 28"
NO_EXIF, OTHER_DAY, ELSEWHERE = "no_exif", "other_day", "elsewhere"



def _firm_of(actor: Actor, project: ProjectFacts, kind: UnitKind, posts: frozenset[Post]) -> str | None:
    firms = firms_acted_for(actor, project, kind, posts)
    return firms[0] if firms else None


def decide_application(actor: Actor, project: ProjectFacts, planned_date: date, today: date,
                       rules: WorkflowRules) -> str:
    """Art. 28(1): the contractor applies within the days before the work. Returns the firm."""
    contractor = _firm_of(actor, project, UnitKind.CONTRACTOR, APPLICANT_POSTS)
    if contractor is None:
        raise PermissionDenied("the contractor's project manager applies for the concealed-work inspection (Art. 28)")
    if project.status != ProjectStatus.IN_CONSTRUCTION:
        raise IllegalStep(f"concealed works are applied for while the project is in construction; it is "
                          f"{project.status}")
    days_before = rules.concealed_apply_days_before
    latest = today + timedelta(days=days_before)
    if not today <= planned_date <= latest:
        raise InvalidInput.field("planned_date", f"the application is made within the {days_before} days before "
                                 f"the work (Art. 28): a date from {today} to {latest}")
    return contractor


def inspection_day_start(planned_date: date) -> datetime:
    """Art. 28(2): the local midnight that opens the planned day: the inspection deadline runs
    from it, so its one-day warning falls at the end of the day."""
    return datetime.combine(planned_date, time(0), tzinfo=DISTRICT_TZ)


def check_photo_kinds(photos: Mapping[str, Sequence[str]]) -> None:
    """Art. 28(2): photos before, after and with a measuring scale, each kind at least one, and
    no photo standing for two kinds."""
    problems = [{"field": f"photos.{kind}", "reason": "at least one photo of this kind is required (Art. 28)"}
                for kind in PHOTO_KINDS if not photos.get(kind)]
    seen: dict[str, str] = {}
    for kind in PHOTO_KINDS:
        for file_id in photos.get(kind, ()):
            if file_id in seen:
                problems.append({"field": f"photos.{kind}",
                                 "reason": f"photo {file_id} is already given as {seen[file_id]}"})
            seen.setdefault(file_id, kind)
    if problems:
        raise InvalidInput("photos: " + "; ".join(f"{p['field']} {p['reason']}" for p in problems), problems)


def decide_inspection(actor: Actor, project: ProjectFacts, status: str, planned_date: date, today: date,
                      photos: Mapping[str, Sequence[str]]) -> str:
    """Art. 28(2): the supervisor records the stand-by and inspection on the day. Returns the firm."""
    supervisor = _firm_of(actor, project, UnitKind.SUPERVISOR, INSPECTOR_POSTS)
    if supervisor is None:
        raise PermissionDenied("the supervisor's engineers or inspector record the concealed-work inspection "
                               "(Art. 28)")
    if status != AWAITING_INSPECTION:
        raise IllegalStep(f"the concealed work is {status}; its inspection is already recorded")
    if today != planned_date:
        when = "has not come yet" if today < planned_date else "has passed"
        raise IllegalStep(f"the inspection is recorded on the day of the work, {planned_date}; that day {when}")
    check_photo_kinds(photos)
    return supervisor


def decide_review(actor: Actor, project: ProjectFacts, status: str, important: bool, owner_present: bool,
                  presence_photo_ids: Sequence[str]) -> None:
    """Art. 28(3): the owner reviews the photos; for important parts it stands by itself."""
    if not is_owner_staff(actor, project):
        raise PermissionDenied("the owner reviews the concealed-work photos (Art. 28)")
    if status == AWAITING_INSPECTION:
        raise IllegalStep("the supervisor has not recorded the inspection yet; there is nothing to review")
    if status != AWAITING_REVIEW:
        raise IllegalStep(f"the concealed work is {status}; its review is already recorded")
    if presence_photo_ids and not owner_present:
        raise InvalidInput.field("owner_present", "presence photos show the owner was present; set it true")
    if important:
        problems = []
        if not owner_present:
            problems.append({"field": "owner_present",
                             "reason": "for an important part the owner stands by in person (Art. 28)"})
        if not presence_photo_ids:
            problems.append({"field": "presence_photo_ids",
                             "reason": "at least one photo of the owner's presence is required (Art. 28)"})
        if problems:
            raise InvalidInput("an important part needs the owner's recorded presence (Art. 28)", problems)


# --- photo evidence (issue item 10) -------------------------------------------------------------


@dataclass(frozen=True)
class PhotoEvidence:
    """What a photo's EXIF says about where and when it was taken."""

    taken_at: datetime | None = None
    lat: float | None = None
    lng: float | None = None


def photo_flags(photos: Mapping[str, Sequence[str]], evidence: Mapping[str, PhotoEvidence], planned_date: date,
                geofence: dict, max_distance_m: float) -> list[dict]:
    """Art. 28(2): the photos whose EXIF does not vouch for the inspection: no capture time,
    another local day than the planned one, or a position more than ``max_distance_m`` outside the
    site; they are raised as the PHOTO_EVIDENCE_SUSPECT warning. A photo without EXIF position is
    not flagged for place: its EXIF says nothing of elsewhere."""
    flags = []
    for kind in PHOTO_KINDS:
        for file_id in photos.get(kind, ()):
            seen = evidence.get(file_id, PhotoEvidence())
            reasons = []
            if seen.taken_at is None:
                reasons.append(NO_EXIF)
            elif local_date(seen.taken_at) != planned_date:
                reasons.append(OTHER_DAY)
            distance = None
            if seen.lat is not None and seen.lng is not None:
                distance = distance_outside_fence_m((seen.lat, seen.lng), geofence)
                if distance > max_distance_m:
                    reasons.append(ELSEWHERE)
            if reasons:
                flags.append({"file_id": file_id, "kind": kind, "reasons": reasons,
                              "taken_at": district_iso(seen.taken_at),
                              "distance_m": None if distance is None else round(distance)})
    return flags

