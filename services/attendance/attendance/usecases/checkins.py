"""Check-ins (Art. 26, 47): deciding the check-ins of the intake queue, a batch at a time, and
answering what became of one.

The gateway authenticated and validated each check-in, stamped the moment it arrived and left
it with the broker (:class:`common.contracts.attendance.CheckinCommand`). A batch is decided
here with one read of each kind of fact for all its people (their rows in ``checkin_person``,
locked, so that two attendance instances never decide one person's check-ins at once; roster
rows; phases; non-working days; device bindings and uses; today's accepted check-ins), by the
domain's rules (:func:`attendance.domain.checkins.assess_checkin`), in arrival order so that a
person's second check-in of the batch sees the first; then stored with one insert per table,
their events staged in the same transaction.

The time the rules judge is the moment the gateway received the check-in, never the moment it
is decided — except on a demo whose back office set the platform clock, where the set time
stands for both (the gateway does not read the manual clock).

A check-in the service has already stored (a redelivery after a crash, or the phone's retry with
the same client_request_id, however late) is not decided again: its stored decision is the answer.
The look-up is by id in every month (on PostgreSQL one index scan per month partition for the whole
batch): the id is unique for ever, not only within a window.

Check-ins of one person may be decided out of their order of receipt (two instances, a redelivery):
the last accepted check-in kept per person only moves forward, and a check-in received before it is
not compared with it for travel or repeated coordinates.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from types import SimpleNamespace

import sqlalchemy as sa
from prometheus_client import Counter, Histogram
from sqlalchemy.orm import Session

from attendance.domain import duty
from attendance.domain.checkins import (
    CheckinAttempt,
    CheckinContext,
    CheckinDecision,
    Outcome,
    PreviousCheckin,
    Reason,
    assess_checkin,
)
from attendance.domain.evaluations import evaluate_checkin
from attendance.domain.rules import AttendanceRules
from attendance.persistence.models import (
    AttendancePhase,
    Checkin,
    CheckinPerson,
    DeviceBinding,
    DeviceUse,
    NonWorkingDay,
    ProjectCopy,
    RosterEntry,
)
from attendance.usecases.common import Call, checkin_view, raise_warning, roster
from common import events
from common.clock import local_date
from common.contracts.attendance import CheckinCommand
from common.contracts.registry import Post
from common.database import after_commit, dialect_insert, execute_many
from common.errors import NotFound
from common.outbox import stage_events
from common.principal import SYSTEM

logger = logging.getLogger(__name__)

CHECKINS = Counter("supervision_checkins_total",
                   "Check-ins decided, by outcome (accepted, flagged, rejected); a retry of one is not counted again",
                   ["outcome"])
DECISION_DELAY = Histogram(
    "attendance_checkin_decision_seconds",
    "From the gateway's receipt of a check-in to its decision committed (wall clock)",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300))


# The class of the transaction-scoped advisory locks of the phones a batch decides on (two-key form;
# an arbitrary number of this service's own).
DEVICE_LOCK_CLASS = 4726

@dataclass(frozen=True)
class Decided:
    """The answer to one check-in of a batch, and where the gateway waits for it (if it does)."""

    view: dict
    reply_to: tuple[str, ...]  # every gateway waiting for it (a retry may wait on another)


def decision_view(checkin: Checkin) -> dict:
    """A stored check-in as its person is answered (``status`` = the outcome)."""
    view = {**checkin_view(checkin), "status": checkin.outcome}
    if checkin.distance_outside_m is not None:
        view["distance_outside_m"] = round(checkin.distance_outside_m, 1)
    return view


def checkin_status(call: Call, checkin_id: str) -> dict:
    """The caller's own check-in: its decision, or ``pending`` while the queue still holds it (an id
    never received looks the same: the platform cannot tell it from one on its way)."""
    person_id = call.principal.user_id
    stored = call.session.execute(sa.select(Checkin).where(Checkin.id == checkin_id)).scalars().all()
    if not stored:
        return {"id": checkin_id, "status": "pending", "status_url": f"/zlb/v1/checkins/{checkin_id}"}
    own = [checkin for checkin in stored if checkin.person_id == person_id]
    if not own:
        raise NotFound(f"check-in {checkin_id} not found")
    return decision_view(max(own, key=lambda checkin: checkin.recorded_at))


@dataclass
class _Facts:
    """What the batch's check-ins are decided on, read once for the whole batch and updated as
    each check-in of the batch is decided (a person's second check-in sees the first)."""

    projects: dict[str, ProjectCopy]
    duty_posts: dict[tuple[str, str], list[duty.RosterPost]]
    phases: dict[str, list[duty.Phase]]
    non_working: set[tuple[str, date]]
    bound_device: dict[str, str]
    last_accepted: dict[str, PreviousCheckin]
    device_uses: dict[str, dict[str, datetime]]  # device -> person -> last used
    accepted_today: dict[tuple[str, str, date], list[datetime]]  # (person, project, day) -> times
    new_bindings: list[dict] = field(default_factory=list)
    moved_forward: set[str] = field(default_factory=set)  # people whose last accepted check-in is new
    used: set[tuple[str, str]] = field(default_factory=set)  # (device, person) used in this batch


def decide_checkins(session: Session, commands: list[CheckinCommand], rules: AttendanceRules, *,
                    platform_time: datetime | None, wall_clock: Callable[[], datetime]) -> list[Decided]:
    """Decide and stage the storage of ``commands`` (the caller commits); the answers in order.

    ``platform_time`` is the time the back office set on a demo's manual clock (None otherwise:
    each check-in is judged at its ``received_at``); ``wall_clock`` gives the real time, read as the
    decisions are stored (``decided_at``: after the waits for the people's locks and the facts)."""
    waiting: dict[str, list[str]] = defaultdict(list)  # check-in id -> the gateways waiting for it
    first_of: dict[str, CheckinCommand] = {}
    for command in commands:
        first_of.setdefault(command.checkin_id, command)
        if command.reply_to and command.reply_to not in waiting[command.checkin_id]:
            waiting[command.checkin_id].append(command.reply_to)
    commands = list(first_of.values())
    if not commands:
        return []
    at = {command.checkin_id: platform_time or command.received_at for command in commands}
    people = _lock_batch(session, sorted({command.person_id for command in commands}),
                         sorted({command.request.device.id for command in commands}))
    stored = _already_stored(session, commands)
    fresh = [command for command in commands if command.checkin_id not in stored]
    facts = _load_facts(session, fresh, at, people)
    decided_at = wall_clock()
    answers: dict[str, Decided] = {}
    rows, staged, warnings = [], [], []
    for command in fresh:
        now = at[command.checkin_id]
        attempt, decision, firm_id = _decide(command, facts, rules, now)
        row = _checkin_row(command, decision, now, decided_at)
        rows.append(row)
        if decision.accepted:
            staged.append(events.CheckinRecorded(
                occurred_at=now, checkin_id=command.checkin_id, project_id=attempt.project_id,
                person_id=attempt.person_id, recorded_at=now, outcome=str(decision.outcome),
                flags=list(decision.flags)))
            if decision.flags:
                staged.append(events.CheckinFlagged(
                    occurred_at=now, checkin_id=command.checkin_id, project_id=attempt.project_id,
                    person_id=attempt.person_id, recorded_at=now, flags=list(decision.flags)))
        warning = evaluate_checkin(attempt, decision, firm_id, now)
        if warning is not None:
            warnings.append((warning, now))
        answers[command.checkin_id] = decision_view(SimpleNamespace(**row))
    _store(session, rows, facts, staged)
    for warning, now in warnings:
        raise_warning(Call(session, now, SYSTEM), warning)
    after_commit(session, lambda: _count(rows, decided_at))
    for command in commands:
        if command.checkin_id in stored:
            answers[command.checkin_id] = decision_view(stored[command.checkin_id])
            logger.info("check-in already decided: answered again", extra={"checkin_id": command.checkin_id})
    return [Decided(answers[command.checkin_id], tuple(waiting[command.checkin_id])) for command in commands]


def _count(rows: list[dict], decided_at: datetime) -> None:
    for row in rows:
        CHECKINS.labels(row["outcome"]).inc()
        DECISION_DELAY.observe(max(0.0, (decided_at - row["received_at"]).total_seconds()))


def _lock_batch(session: Session, people: list[str], devices: list[str]) -> dict[str, CheckinPerson]:
    """Lock the batch's people — one row each, in person order — then its phones, so that two
    batches deciding at once (of one instance or two) share neither: one person's check-ins are never
    decided twice at once, and a phone two people use is seen used by the other (Art. 47). People
    first, then phones, each in one order: two batches wait for each other, never deadlock. The
    people's rows, read once locked."""
    execute_many(session, dialect_insert(session, CheckinPerson.__table__).on_conflict_do_nothing(),
                 [{"person_id": person} for person in people])
    query = sa.select(CheckinPerson).where(CheckinPerson.person_id.in_(people)).order_by(CheckinPerson.person_id)
    on_postgresql = session.get_bind().dialect.name == "postgresql"  # SQLite has one writer at a time anyway
    rows = {row.person_id: row for row in session.execute(
        query.with_for_update() if on_postgresql else query).scalars()}
    if on_postgresql and devices:
        session.execute(sa.text(
            "SELECT pg_advisory_xact_lock(:lock_class, device_key) FROM (SELECT DISTINCT hashtext(device) AS "
            "device_key FROM unnest(CAST(:devices AS text[])) AS device ORDER BY device_key OFFSET 0) AS ordered"),
            {"lock_class": DEVICE_LOCK_CLASS, "devices": devices}).all()
    return rows


def _already_stored(session: Session, commands: list[CheckinCommand]) -> dict[str, Checkin]:
    """The batch's check-ins stored before, by id."""
    found = session.execute(sa.select(Checkin).where(Checkin.id.in_([command.checkin_id for command in commands])))
    return {checkin.id: checkin for checkin in found.scalars()}


def _load_facts(session: Session, commands: list[CheckinCommand], at: dict[str, datetime],
                people_rows: dict[str, CheckinPerson]) -> _Facts:
    people = sorted({command.person_id for command in commands})
    project_ids = sorted({command.request.project_id for command in commands})
    devices = sorted({command.request.device.id for command in commands})
    days = sorted({local_date(instant) for instant in at.values()})
    projects = {project.id: project for project in session.execute(
        sa.select(ProjectCopy).where(ProjectCopy.id.in_(project_ids))).scalars() if project.geofence}
    duty_posts = _duty_posts(session, commands, projects)
    phased = sorted({project_id for (project_id, _), posts in duty_posts.items()
                     if any(post.post in duty.PHASED_POSTS for post in posts)})
    phases: dict[str, list[duty.Phase]] = defaultdict(list)
    if phased:
        rows = session.execute(sa.select(AttendancePhase).where(AttendancePhase.project_id.in_(phased))).scalars()
        for phase in rows:
            phases[phase.project_id].append(duty.Phase(Post(phase.post), phase.start_date, phase.end_date))
    non_working = {(project_id, day) for project_id, day in session.execute(
        sa.select(NonWorkingDay.project_id, NonWorkingDay.day).where(
            NonWorkingDay.project_id.in_(project_ids), NonWorkingDay.day.in_(days)))}
    bound_device = {person_id: device_id for person_id, device_id in session.execute(
        sa.select(DeviceBinding.person_id, DeviceBinding.device_id).where(DeviceBinding.person_id.in_(people)))}
    last_accepted = {
        row.person_id: PreviousCheckin(row.last_accepted_at, row.last_accepted_lat, row.last_accepted_lng,
                                       row.last_accepted_project_id)
        for row in people_rows.values() if row.last_accepted_at is not None and row.last_accepted_lat is not None}
    device_uses: dict[str, dict[str, datetime]] = defaultdict(dict)
    for device_id, person_id, used_at in session.execute(sa.select(
            DeviceUse.device_id, DeviceUse.person_id, DeviceUse.last_used_at).where(DeviceUse.device_id.in_(devices))):
        device_uses[device_id][person_id] = used_at
    accepted_today: dict[tuple[str, str, date], list[datetime]] = defaultdict(list)
    for person_id, project_id, day, recorded_at in session.execute(sa.select(
            Checkin.person_id, Checkin.project_id, Checkin.local_day, Checkin.recorded_at).where(
            Checkin.local_day.in_(days), Checkin.person_id.in_(people), Checkin.project_id.in_(project_ids),
            Checkin.outcome != str(Outcome.REJECTED))):
        accepted_today[(person_id, project_id, day)].append(recorded_at)
    return _Facts(projects, duty_posts, dict(phases), non_working, bound_device, last_accepted, device_uses,
                  accepted_today)


def _duty_posts(session: Session, commands: list[CheckinCommand],
                projects: dict[str, ProjectCopy]) -> dict[tuple[str, str], list[duty.RosterPost]]:
    """The posts each person of the batch checks in on, per (project, person). Only the batch's
    people's rows are read, except for small works, whose one checking person per firm depends on
    the whole (small) roster."""
    pairs = sorted({(command.request.project_id, command.person_id) for command in commands
                    if command.request.project_id in projects})
    posts: dict[tuple[str, str], list[duty.RosterPost]] = defaultdict(list)
    small = {project_id for project_id, _ in pairs if projects[project_id].below_threshold}
    for project_id in sorted(small):
        for entry in roster(session, projects[project_id]):
            posts[(project_id, entry.person_id)].append(entry)
    large = [pair for pair in pairs if pair[0] not in small]
    if large:
        entries = session.execute(sa.select(RosterEntry).where(
            sa.tuple_(RosterEntry.project_id, RosterEntry.person_id).in_(large))).scalars()
        for entry in entries:
            posts[(entry.project_id, entry.person_id)].append(
                duty.RosterPost(entry.person_id, entry.firm_id, Post(entry.post), entry.assigned_at,
                                entry.released_at))
        for pair in large:
            posts[pair] = duty.duty_roster(posts.get(pair, []), below_threshold=False)
    return posts


def _decide(command: CheckinCommand, facts: _Facts, rules: AttendanceRules,
            now: datetime) -> tuple[CheckinAttempt, CheckinDecision, str | None]:
    request, person_id = command.request, command.person_id
    attempt = CheckinAttempt(person_id=person_id, project_id=request.project_id, lat=request.lat, lng=request.lng,
                             accuracy_m=request.accuracy_m, client_time=request.client_time,
                             device_id=request.device.id, device_platform=request.device.platform,
                             mock_location=request.device.mock_location)
    today = local_date(now)
    project = facts.projects.get(request.project_id)
    own_posts = facts.duty_posts.get((request.project_id, person_id), [])
    on_roster = project is not None and duty.on_duty(person_id, today, own_posts,
                                                     facts.phases.get(request.project_id, []))
    if not on_roster:
        # Not the person's project today (or a project the platform does not know): stored as
        # rejected, and nothing counts for the person — nor for the phone's other users.
        return attempt, CheckinDecision(Outcome.REJECTED, str(Reason.NOT_ON_ROSTER)), None
    others = {person: used_at for person, used_at in facts.device_uses.get(attempt.device_id, {}).items()
              if person != person_id}
    last_other = max(others.items(), key=lambda item: item[1]) if others else None
    context = CheckinContext(
        on_roster=True,
        project_status=project.status,
        is_non_working_day=(project.id, today) in facts.non_working,
        fence=project.geofence,
        spoofing_policy=project.spoofing_policy,
        bound_device_id=facts.bound_device.get(person_id),
        device_last_person_id=last_other[0] if last_other else None,
        device_last_used_at=last_other[1] if last_other else None,
        previous_accepted=_earlier(facts.last_accepted.get(person_id), now),
        previous_accepted_today_on_project=list(facts.accepted_today.get((person_id, project.id, today), [])),
    )
    decision = assess_checkin(attempt, context, rules, now)
    _remember_device_use(facts, attempt, now)
    if decision.accepted:
        previous = facts.last_accepted.get(person_id)
        if previous is None or previous.time <= now:
            facts.last_accepted[person_id] = PreviousCheckin(now, attempt.lat, attempt.lng, project.id)
            facts.moved_forward.add(person_id)
        facts.accepted_today[(person_id, project.id, today)].append(now)
    if decision.binds_device and person_id not in facts.bound_device:
        facts.bound_device[person_id] = attempt.device_id
        facts.new_bindings.append({"person_id": person_id, "device_id": attempt.device_id,
                                   "platform": attempt.device_platform, "bound_at": now})
    return attempt, decision, own_posts[0].firm_id


def _earlier(previous: PreviousCheckin | None, now: datetime) -> PreviousCheckin | None:
    """``previous`` if it was received no later than ``now`` (None otherwise: a check-in decided after
    a later one of the same person is not compared with it)."""
    return previous if previous is not None and previous.time <= now else None


def _remember_device_use(facts: _Facts, attempt: CheckinAttempt, now: datetime) -> None:
    uses = facts.device_uses.setdefault(attempt.device_id, {})
    uses[attempt.person_id] = max(now, uses.get(attempt.person_id, now))
    facts.used.add((attempt.device_id, attempt.person_id))


def _checkin_row(command: CheckinCommand, decision: CheckinDecision, now: datetime, decided_at: datetime) -> dict:
    request = command.request
    return {"id": command.checkin_id, "project_id": request.project_id, "person_id": command.person_id,
            "client_request_id": request.client_request_id, "recorded_at": now, "local_day": local_date(now),
            "outcome": str(decision.outcome), "reason": decision.reason, "flags": list(decision.flags),
            "lat": request.lat, "lng": request.lng, "accuracy_m": request.accuracy_m,
            "device_id": request.device.id, "client_time": request.client_time,
            "distance_outside_m": decision.distance_outside_m, "received_at": command.received_at,
            "decided_at": decided_at}


def _store(session: Session, rows: list[dict], facts: _Facts, staged: list[events.Event]) -> None:
    """The batch's check-ins, new device bindings, people's last accepted check-ins, device uses and
    events: one statement each."""
    if not rows:
        return
    session.execute(sa.insert(Checkin.__table__), rows)  # Core: the ORM's bulk insert adds nothing here
    if facts.new_bindings:
        session.execute(sa.insert(DeviceBinding), facts.new_bindings)
    last = [{"person_id": person, "last_accepted_at": facts.last_accepted[person].time,
             "last_accepted_lat": facts.last_accepted[person].lat, "last_accepted_lng": facts.last_accepted[person].lng,
             "last_accepted_project_id": facts.last_accepted[person].project_id}
            for person in sorted(facts.moved_forward)]
    if last:
        # The people's rows exist (locked at the start of the batch): only ever moved forward.
        upsert = dialect_insert(session, CheckinPerson.__table__)
        execute_many(session, upsert.on_conflict_do_update(
            index_elements=["person_id"],
            set_={column: upsert.excluded[column] for column in
                  ("last_accepted_at", "last_accepted_lat", "last_accepted_lng", "last_accepted_project_id")},
            where=sa.or_(CheckinPerson.last_accepted_at.is_(None),
                         CheckinPerson.last_accepted_at < upsert.excluded.last_accepted_at)), last)
    uses = [{"device_id": device_id, "person_id": person_id, "last_used_at": facts.device_uses[device_id][person_id]}
            for device_id, person_id in sorted(facts.used)]
    if uses:
        upsert = dialect_insert(session, DeviceUse.__table__)
        execute_many(session, upsert.on_conflict_do_update(
            index_elements=["device_id", "person_id"], set_={"last_used_at": upsert.excluded.last_used_at},
            where=DeviceUse.last_used_at < upsert.excluded.last_used_at), uses)
    stage_events(session, staged)
    logger.info("check-ins decided", extra={"count": len(rows), "checkin_ids": [row["id"] for row in rows[:20]]})

