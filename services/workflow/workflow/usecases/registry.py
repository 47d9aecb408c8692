"""The registry's use cases: the organisation tree (units, users, posts), projects and their
assignment chain (Art. 12, 18–21), participants and key personnel (Art. 21, 24, 26), the
lifecycle's construction start, suspension and resumption (Art. 25, 35), files, the identities
for login, and the snapshot other services rebuild their copy from. Each loads the facts, lets
the domain decide and persists the change with its events (outbox) and its audit entry in one
transaction.

Every function takes a :class:`~workflow.usecases.common.Call` (session, platform time,
principal) so it runs the same under nameko, in the demo seeder and in tests.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.orm import Session

from common import events, usecase
from common.clock import district_iso, local_date
from common.contracts import registry as contracts
from common.contracts.types import check_paging
from common.crypto import decrypt_field, encrypt_field, mask
from common.errors import IllegalStep, InvalidInput, NotFound, PermissionDenied
from common.rule_settings import load_rules
from workflow.domain import lifecycle
from workflow.domain import organisation as org
from workflow.domain import projects as dom
from workflow.domain.rules import WorkflowRules
from workflow.persistence import repository as repo
from workflow.persistence.models import (
    FileAttachment,
    FileShare,
    Participant,
    Personnel,
    Project,
    StoredFile,
    Suspension,
    Unit,
    User,
    UserPost,
    new_id,
)
from workflow.usecases import deadline_engine
from workflow.usecases.common import (
    Call,
    change_status,
    post_lock_reason,
    project_view,
    satisfy_readiness,
    start_log_watch,
    start_readiness_watch,
    unnameable_files,
    visible_project,
)

# --- units, users, posts -----------------------------------------------------------------------


def unit_view(unit: Unit) -> dict:
    return {
        "id": unit.id, "kind": unit.kind, "name": unit.name, "parent_id": unit.parent_id,
        "industry": unit.industry, "credit_code": unit.credit_code, "portal": org.portal_of(org.UnitKind(unit.kind)),
    }


def register_unit(call: Call, data: dict, *, unit_id: str | None = None) -> dict:
    request = usecase.parse(contracts.UnitRegistration, data)
    if not call.actor().is_back_office:
        raise PermissionDenied("only the back office registers units")
    parent = None
    if request.parent_id is not None:
        parent_unit = repo.get_unit(call.session, request.parent_id)
        if parent_unit is None:
            raise InvalidInput.field("parent_id", "no such unit")
        parent = repo.unit_facts(parent_unit)
    leading_group_exists = call.session.execute(
        sa.select(sa.exists().where(Unit.kind == org.UnitKind.LEADING_GROUP))
    ).scalar()
    industry = org.check_new_unit(request.kind, parent, request.industry, leading_group_exists)
    if request.credit_code and call.session.execute(
        sa.select(sa.exists().where(Unit.credit_code == request.credit_code))
    ).scalar():
        raise IllegalStep("a unit with this credit code is already registered")
    unit = Unit(id=unit_id or new_id(), kind=request.kind, name=request.name, parent_id=request.parent_id,
                industry=industry,
                credit_code=request.credit_code, created_at=call.now)
    call.session.add(unit)
    call.session.flush()
    view = unit_view(unit)
    call.record("unit.registered", "unit", unit.id, after=view)
    call.emit(events.UnitRegistered, unit_id=unit.id, kind=unit.kind, name=unit.name,
              parent_id=unit.parent_id, industry=unit.industry)
    return view


def list_units(call: Call, kind: str | None = None, limit: int = 100, offset: int = 0) -> list[dict]:
    """One page of the organisation tree's units, by kind and name (the id breaks a tie)."""
    check_paging(limit, offset, max_limit=500)
    actor = call.actor()
    statement = sa.select(Unit).order_by(Unit.kind, Unit.name, Unit.id).limit(limit).offset(offset)
    if kind is not None:
        statement = statement.where(Unit.kind == kind)
    if actor.portal != "zzd":
        # Firms see their own units; the government tree is for government staff.
        statement = statement.where(Unit.id.in_([held.unit.id for held in actor.posts]))
    return [unit_view(unit) for unit in call.session.execute(statement).scalars()]


def _sees_personal_data(actor: org.Actor, user_id: str) -> bool:
    return actor.is_back_office or actor.user_id == user_id


def user_view(session: Session, user: User, viewer: org.Actor) -> dict:
    full = _sees_personal_data(viewer, user.id)
    phone = decrypt_field(user.phone_encrypted)
    id_card = decrypt_field(user.id_card_encrypted)
    return {
        "id": user.id,
        "name": user.name,
        "portal": user.portal,
        "phone": phone if full else mask(phone),
        "id_card": id_card if full else mask(id_card, 4, 2),
        "posts": [{"unit_id": unit_id, "post": str(post)} for unit_id, post in repo.user_posts(session, user.id)],
    }


def managed_unit_ids(session: Session, actor: org.Actor) -> list[str]:
    """The units whose staff the actor manages: where they are chief, and a supervising unit's
    lines (Art. 16-19)."""
    own = [held.unit.id for held in actor.posts if org.may_manage_unit(actor, held.unit)]
    lines = session.execute(sa.select(Unit.id).where(Unit.kind == org.UnitKind.LINE, Unit.parent_id.in_(own))).scalars()
    return [*own, *lines]


def _shares_a_managed_unit(session: Session, actor: org.Actor, user_id: str) -> bool:
    units = managed_unit_ids(session, actor)
    if not units:
        return False
    return session.execute(
        sa.select(sa.exists().where(UserPost.user_id == user_id, UserPost.unit_id.in_(units)))
    ).scalar()


def register_user(call: Call, data: dict, *, user_id: str | None = None) -> dict:
    request = usecase.parse(contracts.UserRegistration, data)
    actor = call.actor()
    may_register = actor.is_back_office or (
        request.portal == "zzd" and actor.holds(org.Post.CHIEF, kinds=org.GOVERNMENT_KINDS)
    )
    if not may_register:
        raise PermissionDenied("the back office, or a government unit's chief for its own staff, registers users")
    external = {"zzd": request.zzd_account_id, "zlb": request.zlb_user_id}
    if external[request.portal] is None:
        raise InvalidInput.field(f"{request.portal}_{'account' if request.portal == 'zzd' else 'user'}_id",
                                 f"a {request.portal.upper()} user needs their portal identity")
    for column, value in ((User.zzd_account_id, request.zzd_account_id), (User.zlb_user_id, request.zlb_user_id)):
        if value is not None and call.session.execute(sa.select(sa.exists().where(column == value))).scalar():
            raise IllegalStep(f"a user with this {column.key} is already registered")
    user = User(id=user_id or new_id(), name=request.name, portal=request.portal,
                phone_encrypted=encrypt_field(request.phone),
                id_card_encrypted=encrypt_field(request.id_card), zzd_account_id=request.zzd_account_id,
                zlb_user_id=request.zlb_user_id, created_at=call.now)
    call.session.add(user)
    call.session.flush()
    call.record("user.registered", "user", user.id, after={"name": user.name, "portal": user.portal})
    call.emit(events.UserRegistered, user_id=user.id, name=user.name, portal=user.portal,
              zzd_account_id=user.zzd_account_id, zlb_user_id=user.zlb_user_id)
    return user_view(call.session, user, actor)


def get_user(call: Call, user_id: str) -> dict:
    actor = call.actor()
    user = repo.require_user(call.session, user_id)
    if not (_sees_personal_data(actor, user_id) or _shares_a_managed_unit(call.session, actor, user_id)):
        raise NotFound(f"user {user_id} not found")
    return user_view(call.session, user, actor)


def list_users(call: Call, unit_id: str | None = None, limit: int = 100, offset: int = 0) -> list[dict]:
    """One page of the users the caller manages, by name (the id breaks a tie)."""
    check_paging(limit, offset, max_limit=500)
    actor = call.actor()
    statement = sa.select(User).order_by(User.name, User.id).limit(limit).offset(offset)
    if unit_id is not None:
        statement = statement.where(User.id.in_(sa.select(UserPost.user_id).where(UserPost.unit_id == unit_id)))
    if not actor.is_back_office:
        managed = managed_unit_ids(call.session, actor)
        statement = statement.where(User.id.in_(sa.select(UserPost.user_id).where(UserPost.unit_id.in_(managed))))
    return [user_view(call.session, user, actor) for user in call.session.execute(statement).scalars()]


def grant_post(call: Call, user_id: str, data: dict) -> dict:
    request = usecase.parse(contracts.PostGrant, data)
    actor = call.actor()
    user = repo.require_user(call.session, user_id)
    unit = repo.get_unit(call.session, request.unit_id)
    if unit is None:
        raise InvalidInput.field("unit_id", "no such unit")
    facts = repo.unit_facts(unit)
    if not org.may_manage_unit(actor, facts):
        raise PermissionDenied("only the back office or the unit's chief grants its posts")
    org.check_post(facts, request.post, user.portal)
    if (unit.id, request.post) in repo.user_posts(call.session, user.id):
        raise IllegalStep("the user already holds this post")
    call.session.add(UserPost(user_id=user.id, unit_id=unit.id, post=request.post, granted_at=call.now))
    call.session.flush()
    call.record("post.granted", "user", user.id, after={"unit_id": unit.id, "post": request.post})
    call.emit(events.PostGranted, user_id=user.id, unit_id=unit.id, post=request.post)
    return user_view(call.session, user, actor)


# --- identities for login -----------------------------------------------------------------------


def identity(session: Session, user: User) -> dict:
    actor = repo.load_actor(session, user.id)
    return {"user_id": user.id, "name": user.name, "portal": user.portal, "roles": sorted(actor.roles)}


def identity_by_portal(session: Session, portal: str, external_id: str) -> dict:
    column = {"zzd": User.zzd_account_id, "zlb": User.zlb_user_id}.get(portal)
    if column is None:
        raise InvalidInput.field("portal", "zzd or zlb")
    user = session.execute(sa.select(User).where(column == external_id)).scalar_one_or_none()
    if user is None:
        raise NotFound("no platform user has this portal identity")
    return identity(session, user)


def identity_by_user_id(session: Session, user_id: str) -> dict:
    return identity(session, repo.require_user(session, user_id))


# --- projects ------------------------------------------------------------------------------------


def register_project(call: Call, data: dict) -> dict:
    request = usecase.parse(contracts.ProjectRegistration, data)
    decision = dom.decide_registration(call.actor(), request.intake)
    project = Project(
        name=request.name, industry=request.industry, kind=request.kind, contract_amount=request.contract_amount,
        below_threshold=request.below_threshold, geofence=request.geofence.model_dump(mode="json", exclude_none=True),
        planned_start=request.planned_start, planned_end=request.planned_end, intake=request.intake,
        status=dom.ProjectStatus.AWARDED, owner_id=decision.owner_id,
        owner_project_lead_id=decision.owner_project_lead_id, registered_by=call.principal.user_id,
        registered_at=call.now, updated_at=call.now,
    )
    call.session.add(project)
    call.session.flush()
    start_readiness_watch(call.session, project)  # Art. 24: ready by the planned start
    view = project_view(call.session, project, load_rules(call.session, WorkflowRules))
    call.record("project.registered", "project", project.id, after=view)
    call.emit(events.ProjectRegistered, project_id=project.id, name=project.name, industry=project.industry,
              kind=project.kind, contract_amount=project.contract_amount, below_threshold=project.below_threshold,
              geofence=project.geofence, planned_start=project.planned_start, planned_end=project.planned_end,
              intake=project.intake, status=project.status)
    for level, target in ((contracts.AssignmentLevel.OWNER, decision.owner_id),
                          (contracts.AssignmentLevel.OWNER_PROJECT_LEAD, decision.owner_project_lead_id)):
        if target is not None:
            call.emit(events.ProjectAssigned, project_id=project.id, level=level, target_id=target,
                      assigned_by=call.principal.user_id)
    return view


def get_project(call: Call, project_id: str) -> dict:
    _, project, _ = visible_project(call, project_id)
    return project_view(call.session, project, load_rules(call.session, WorkflowRules))


def list_projects(call: Call, *, status: str | None = None, limit: int = 100, offset: int = 0) -> list[dict]:
    check_paging(limit, offset, max_limit=500)
    scope = dom.project_scope(call.actor())
    rules = load_rules(call.session, WorkflowRules)
    return [project_view(call.session, project, rules)
            for project in repo.projects_in_scope(call.session, scope, status=status, limit=limit, offset=offset)]


def public_projects(session: Session, text: str, limit: int = 20) -> list[dict]:
    """The public window's project finder (Art. 49): what a complainant needs to name a
    project, and nothing about the people on it."""
    text = (text or "").strip()
    if not text or len(text) > 100:
        raise InvalidInput.field("q", "between 1 and 100 characters")
    check_paging(limit, max_limit=100)
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    statement = (sa.select(Project).where(Project.name.ilike(pattern, escape="\\"),
                                          Project.status != dom.ProjectStatus.TERMINATED)
                 .order_by(Project.name).limit(limit))
    return [
        {"id": p.id, "name": p.name, "industry": p.industry, "kind": p.kind, "status": p.status,
         "planned_start": p.planned_start.isoformat(), "planned_end": p.planned_end.isoformat()}
        for p in session.execute(statement).scalars()
    ]


def assign_project(call: Call, project_id: str, data: dict) -> dict:
    request = usecase.parse(contracts.AssignmentRequest, data)
    actor, project, facts = visible_project(call, project_id, for_update=True)
    target_unit, target_posts = None, ()
    if request.level == contracts.AssignmentLevel.OWNER_PROJECT_LEAD:
        if call.session.get(User, request.target_id) is None:
            raise InvalidInput.field("target_id", "no such user")
        target_posts = repo.user_posts(call.session, request.target_id)
    else:
        unit = repo.get_unit(call.session, request.target_id)
        target_unit = repo.unit_facts(unit) if unit is not None else None
    dom.decide_assignment(actor, facts, request.level, target_unit, target_posts)
    before = {"level": request.level, "target_id": facts.assigned(request.level)}
    setattr(project, f"{request.level}_id", request.target_id)
    project.updated_at = call.now
    call.session.flush()
    call.record("project.assigned", "project", project.id, before=before,
                after={"level": request.level, "target_id": request.target_id})
    call.emit(events.ProjectAssigned, project_id=project.id, level=request.level, target_id=request.target_id,
              assigned_by=actor.user_id)
    return project_view(call.session, project, load_rules(call.session, WorkflowRules))


def add_participant(call: Call, project_id: str, data: dict) -> dict:
    request = usecase.parse(contracts.ParticipantRequest, data)
    actor, project, facts = visible_project(call, project_id, for_update=True)
    unit = repo.get_unit(call.session, request.unit_id)
    already = call.session.execute(sa.select(sa.exists().where(
        Participant.project_id == project.id, Participant.unit_id == request.unit_id, Participant.role == request.role
    ))).scalar()
    dom.decide_participant(actor, facts, repo.unit_facts(unit) if unit else None, request.role, already)
    contract = call.session.get(StoredFile, request.contract_file_id)
    if contract is None or not _uploaded_by_the_owner(call.session, contract, project):
        # Art. 24: the owner uploads the contracts; another's file would be shown to the project.
        raise InvalidInput.field("contract_file_id", "no such file uploaded by the owner: upload the contract first")
    call.session.add(Participant(project_id=project.id, unit_id=unit.id, role=request.role,
                                 contract_file_id=contract.id, added_by=actor.user_id, added_at=call.now))
    project.updated_at = call.now
    call.session.flush()
    call.record("participant.added", "project", project.id,
                after={"unit_id": unit.id, "role": request.role, "contract_file_id": contract.id})
    call.emit(events.ParticipantAdded, project_id=project.id, unit_id=unit.id, role=request.role,
              contract_file_id=contract.id)
    _readiness_check(call, project)
    return project_view(call.session, project, load_rules(call.session, WorkflowRules))


def _uploaded_by_the_owner(session: Session, stored: StoredFile, project: Project) -> bool:
    return stored.uploaded_by is not None and session.execute(sa.select(sa.exists().where(
        UserPost.user_id == stored.uploaded_by, UserPost.unit_id == project.owner_id))).scalar()


def assign_personnel(call: Call, project_id: str, data: dict) -> dict:
    request = usecase.parse(contracts.PersonnelRequest, data)
    actor, project, facts = visible_project(call, project_id, for_update=True)
    if call.session.get(User, request.user_id) is None:
        raise InvalidInput.field("user_id", "no such user")
    person = dom.PersonnelFacts(
        user_id=request.user_id,
        posts=repo.user_posts(call.session, request.user_id),
        current_holders=repo.current_holders_by_firm(call.session, project.id, request.post),
    )
    unit_id = dom.decide_personnel(actor, facts, person, request.post)
    lock = post_lock_reason(call.session, request.user_id, request.post, project.id)
    if lock is not None:
        raise IllegalStep(lock)  # Art. 27: a replaced person waits until that project is completed
    call.session.add(Personnel(project_id=project.id, user_id=request.user_id, unit_id=unit_id, post=request.post,
                               assigned_by=actor.user_id, assigned_at=call.now))
    project.updated_at = call.now
    call.session.flush()
    call.record("personnel.assigned", "project", project.id,
                after={"user_id": request.user_id, "unit_id": unit_id, "post": request.post})
    call.emit(events.PersonnelAssigned, project_id=project.id, user_id=request.user_id, unit_id=unit_id,
              post=request.post)
    _readiness_check(call, project)
    return project_view(call.session, project, load_rules(call.session, WorkflowRules))


# --- lifecycle (Art. 25, 35) -------------------------------------------------------------------------


def missing_before_construction(session: Session, project: Project) -> list[str]:
    roles = session.execute(sa.select(Participant.role).where(Participant.project_id == project.id)).scalars()
    posts = session.execute(sa.select(Personnel.post).where(
        Personnel.project_id == project.id, Personnel.released_at.is_(None))).scalars()
    return lifecycle.missing_before_construction(project.below_threshold, list(roles), list(posts))


def _readiness_check(call: Call, project: Project) -> None:
    """Art. 24: once every firm, contract and key person is registered, nothing is missing at the
    planned start, so its warning need not fire."""
    if project.status == dom.ProjectStatus.AWARDED and not missing_before_construction(call.session, project):
        satisfy_readiness(call.session, project.id, call.now)


def start_construction(call: Call, project_id: str) -> dict:
    actor, project, facts = visible_project(call, project_id, for_update=True)
    lifecycle.decide_construction_start(actor, facts, missing_before_construction(call.session, project))
    before = project.status
    change_status(call, project, dom.ProjectStatus.IN_CONSTRUCTION)
    project.construction_started_on = local_date(call.now)
    call.session.flush()
    satisfy_readiness(call.session, project.id, call.now)
    start_log_watch(call.session, project.id, call.now)  # Art. 22, 46: logs are due from now
    call.record("project.construction_started", "project", project.id, before={"status": before},
                after={"status": project.status})
    call.emit(events.ConstructionStarted, project_id=project.id, started_on=project.construction_started_on)
    return project_view(call.session, project, load_rules(call.session, WorkflowRules))


def suspend_project(call: Call, project_id: str, data: dict) -> dict:
    request = usecase.parse(contracts.SuspensionRequest, data)
    actor, project, facts = visible_project(call, project_id, for_update=True)
    lifecycle.decide_suspension(actor, facts, request.since, call.now)
    change_status(call, project, dom.ProjectStatus.SUSPENDED)
    call.session.add(Suspension(project_id=project.id, since=request.since, reason=request.reason,
                                declared_by=actor.user_id))
    call.session.flush()
    deadline_engine.reschedule(call.session, project_id=project.id)  # deadlines pause (Art. 35)
    call.record("project.suspended", "project", project.id, before={"status": dom.ProjectStatus.IN_CONSTRUCTION},
                after={"status": project.status, "since": district_iso(request.since), "reason": request.reason})
    call.emit(events.ProjectSuspended, project_id=project.id, since=request.since, reason=request.reason)
    return project_view(call.session, project, load_rules(call.session, WorkflowRules))


def resume_project(call: Call, project_id: str) -> dict:
    actor, project, facts = visible_project(call, project_id, for_update=True)
    lifecycle.decide_resumption(actor, facts)
    suspension = call.session.execute(sa.select(Suspension).where(
        Suspension.project_id == project.id, Suspension.until.is_(None))).scalar_one()
    suspension.until = call.now
    suspension.resumed_by = actor.user_id
    change_status(call, project, dom.ProjectStatus.IN_CONSTRUCTION)
    call.session.flush()
    deadline_engine.reschedule(call.session, project_id=project.id)  # due times move by the pause
    call.record("project.resumed", "project", project.id, before={"status": dom.ProjectStatus.SUSPENDED},
                after={"status": project.status})
    call.emit(events.ProjectResumed, project_id=project.id, resumed_at=call.now)
    return project_view(call.session, project, load_rules(call.session, WorkflowRules))


# --- files ----------------------------------------------------------------------------------------


class FileRecord(BaseModel):
    model_config = {"extra": "forbid"}

    sha256: str
    size: int
    content_type: str
    filename: str


def file_view(stored: StoredFile) -> dict:
    return {
        "id": stored.id, "sha256": stored.sha256, "size": stored.size, "content_type": stored.content_type,
        "filename": stored.filename, "uploaded_by": stored.uploaded_by, "uploaded_at": district_iso(stored.uploaded_at),
    }


def record_file(call: Call, data: dict) -> dict:
    """The gateway has stored the bytes by their SHA-256; this records who uploaded what, when."""
    record = usecase.parse(FileRecord, data)
    actor = call.actor()
    stored = StoredFile(sha256=record.sha256, size=record.size, content_type=record.content_type,
                        filename=record.filename, uploaded_by=actor.user_id, portal=call.principal.portal,
                        uploaded_at=call.now)
    call.session.add(stored)
    call.session.flush()
    call.record("file.uploaded", "file", stored.id, after=file_view(stored))
    return file_view(stored)


def share_files(call: Call, project_id: str, file_ids: list[str], audiences: list[str]) -> dict:
    """Another service keeps these files in a record of the project that only some may read (a
    leave request's documents, Art. 26): they open to ``audiences`` of the project (see
    :func:`workflow.domain.projects.may_open_shared`), not to everyone who sees the project.
    Returns the files the caller may not name (nothing is shared then)."""
    bad = [audience for audience in audiences if not isinstance(audience, str) or not dom.valid_audience(audience)]
    if bad or not audiences:
        raise InvalidInput.field("audiences", "role:owner or user:<id>")
    actor, project, _ = visible_project(call, project_id)
    missing = unnameable_files(call, file_ids)
    if missing or not file_ids:
        return {"missing": missing}
    shared = set(call.session.execute(sa.select(FileShare.file_id, FileShare.audience).where(
        FileShare.project_id == project.id, FileShare.file_id.in_(file_ids))).all())
    for file_id in dict.fromkeys(file_ids):
        for audience in dict.fromkeys(audiences):
            if (file_id, audience) not in shared:
                call.session.add(FileShare(file_id=file_id, project_id=project.id, audience=audience,
                                           shared_by=actor.user_id, shared_at=call.now))
    call.session.flush()
    call.record("files.shared", "project", project.id, after={"file_ids": file_ids, "audiences": audiences})
    return {"missing": []}


def get_file(call: Call, file_id: str) -> dict:
    """A file is visible to its uploader, the back office, those who see a project it is
    attached to, and the audience of a project it is shared with."""
    actor = call.actor()
    stored = call.session.get(StoredFile, file_id)
    if stored is None:
        raise NotFound(f"file {file_id} not found")
    if actor.is_back_office or stored.uploaded_by == actor.user_id:
        return file_view(stored)
    scope = dom.project_scope(actor)
    projects = sa.union(sa.select(Participant.project_id).where(Participant.contract_file_id == file_id),
                        sa.select(FileAttachment.project_id).where(FileAttachment.file_id == file_id))
    for project_id in call.session.execute(projects).scalars():
        if scope.admits(repo.project_facts(call.session, repo.require_project(call.session, project_id))):
            return file_view(stored)
    audiences: dict[str, set[str]] = {}
    for project_id, audience in call.session.execute(sa.select(FileShare.project_id, FileShare.audience).where(
            FileShare.file_id == file_id)):
        audiences.setdefault(project_id, set()).add(audience)
    for project_id, shared_with in audiences.items():
        facts = repo.project_facts(call.session, repo.require_project(call.session, project_id))
        if dom.may_open_shared(actor, facts, shared_with):
            return file_view(stored)
    raise NotFound(f"file {file_id} not found")


# --- snapshot for other services' local copies ---------------------------------------------------------


def snapshot(session: Session) -> dict:
    """Everything another service needs to rebuild its copy of the registry."""
    def rows(model):
        return [
            {column.key: _plain(getattr(row, column.key)) for column in model.__table__.columns
             if not column.key.endswith("_encrypted")}
            for row in session.execute(sa.select(model)).scalars()
        ]

    return {
        "units": rows(Unit),
        "users": rows(User),
        "posts": rows(UserPost),
        "projects": rows(Project),
        "participants": rows(Participant),
        "personnel": rows(Personnel),
        "suspensions": rows(Suspension),
    }


def _plain(value):
    if isinstance(value, datetime):
        return district_iso(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value.__class__.__name__ == "Decimal":
        return str(value)
    return value
