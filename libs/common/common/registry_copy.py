"""A service's copy of the registry: the organisation tree, who holds which post, how each user is
reached, and where each project sits in the tree — fed by the workflow's events, rebuilt from its
snapshot when empty (architecture: "local copies"). The complaints, notification and scoring
services keep it; attendance keeps a richer copy of its own (roster, calendar).

How a service keeps it:

1. its first migration calls :func:`create_registry_copy_tables` (the tables are Core tables of
   :data:`registry_copy_metadata`, in the service's own database), a later one
   :func:`add_assignment_times`;
2. its nameko class mixes in :class:`RegistryCopyEntrypoints` and declares ``workflow =
   ServiceRpc("workflow")``: the mixin handles the events and rebuilds an empty copy at start;
3. its use cases read it with :func:`actor`, :func:`placement`, :func:`holders` and
   :func:`user_contacts`.

Events come in any order (handlers run concurrently): every write is an upsert, and a project
whose assignment arrives before its registration is made empty first and filled in later. What
an event may change again — each level of a project's assignment chain, its status — keeps the
time it was set (the event's ``occurred_at``) and only a newer one replaces it; the snapshot's
values count as of the project's ``updated_at``. A copy is rebuilt until a rebuild has succeeded
(``copy_rebuilt``), not only while it is empty: events handled before the first rebuild do not
stand in for it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from common import events
from common.contracts.registry import Post, UnitKind
from common.geo import bounds, on_site
from common.inbox import handles
from common.schema import UtcDateTime
from common.scope import Actor, PostHeld, UnitFacts
from common.timer import timer

logger = logging.getLogger(__name__)

registry_copy_metadata = sa.MetaData()

copy_unit = sa.Table(
    "copy_unit", registry_copy_metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False, index=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("parent_id", sa.String(32), index=True),
    sa.Column("industry", sa.String(32)),
)
copy_user = sa.Table(
    "copy_user", registry_copy_metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("portal", sa.String(8), nullable=False),
    sa.Column("zzd_account_id", sa.String(64)),
    sa.Column("zlb_user_id", sa.String(64)),
)
copy_post = sa.Table(
    "copy_post", registry_copy_metadata,
    sa.Column("user_id", sa.String(32), primary_key=True),
    sa.Column("unit_id", sa.String(32), primary_key=True, index=True),
    sa.Column("post", sa.String(32), primary_key=True),
)
copy_project = sa.Table(
    "copy_project", registry_copy_metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, server_default=""),
    sa.Column("industry", sa.String(32), nullable=False, server_default="", index=True),
    sa.Column("kind", sa.String(16)),
    sa.Column("contract_amount", sa.Numeric(16, 2)),
    sa.Column("geofence", sa.JSON(none_as_null=True)),
    # The box around the site (common.geo.bounds): a point is looked up by an indexed range first.
    sa.Column("site_south", sa.Double),
    sa.Column("site_north", sa.Double),
    sa.Column("site_west", sa.Double),
    sa.Column("site_east", sa.Double),
    sa.Column("status", sa.String(32)),
    sa.Column("supervising_unit_id", sa.String(32), index=True),
    sa.Column("line_id", sa.String(32), index=True),
    sa.Column("owner_id", sa.String(32), index=True),
    sa.Column("owner_project_lead_id", sa.String(32)),
    # When each value that events change again was set: only a newer event (or snapshot) replaces it.
    sa.Column("supervising_unit_assigned_at", UtcDateTime()),
    sa.Column("line_assigned_at", UtcDateTime()),
    sa.Column("owner_assigned_at", UtcDateTime()),
    sa.Column("owner_project_lead_assigned_at", UtcDateTime()),
    sa.Column("status_changed_at", UtcDateTime()),
    sa.Index("ix_copy_project_site", "site_south", "site_north"),
)
copy_participant = sa.Table(
    "copy_participant", registry_copy_metadata,
    sa.Column("project_id", sa.String(32), primary_key=True),
    sa.Column("unit_id", sa.String(32), primary_key=True, index=True),
    sa.Column("role", sa.String(32), primary_key=True),
)
copy_rebuilt = sa.Table(  # one row once the copy was rebuilt from the workflow's snapshot
    "copy_rebuilt", registry_copy_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("rebuilt_at", UtcDateTime(), nullable=False),
)
ASSIGNMENT_COLUMNS = {"supervising_unit": "supervising_unit_id", "line": "line_id", "owner": "owner_id",
                      "owner_project_lead": "owner_project_lead_id"}
SET_AT = {**{column: f"{level}_assigned_at" for level, column in ASSIGNMENT_COLUMNS.items()},
          "status": "status_changed_at"}  # the column of a value -> the column of when it was set


def create_registry_copy_tables(op) -> None:
    """In a service's first Alembic migration (it makes the tables as they are now, so
    :func:`add_assignment_times` after it adds only what is missing)."""
    registry_copy_metadata.create_all(bind=op.get_bind())


def drop_registry_copy_tables(op) -> None:
    registry_copy_metadata.drop_all(bind=op.get_bind())


def add_assignment_times(op) -> None:
    """In a later migration: when each level and the status of a project was set, and the marker of
    a rebuilt copy — added where an older database lacks them."""
    bind = op.get_bind()
    present = {column["name"] for column in sa.inspect(bind).get_columns("copy_project")}
    missing = [column for column in SET_AT.values() if column not in present]
    if missing:
        with op.batch_alter_table("copy_project") as batch:
            for column in missing:
                batch.add_column(sa.Column(column, UtcDateTime(), nullable=True))
    copy_rebuilt.create(bind=bind, checkfirst=True)


SITE_COLUMNS = ("site_south", "site_north", "site_west", "site_east")


def add_site_bounds(op) -> None:
    """In a later migration: the box around each project's site, filled from its geofence, where
    an older database lacks it."""
    bind = op.get_bind()
    present = {column["name"] for column in sa.inspect(bind).get_columns("copy_project")}
    if "site_south" in present:
        return
    with op.batch_alter_table("copy_project") as batch:
        for column in SITE_COLUMNS:
            batch.add_column(sa.Column(column, sa.Double, nullable=True))
        batch.create_index("ix_copy_project_site", ["site_south", "site_north"])
    for project_id, fence in bind.execute(sa.select(copy_project.c.id, copy_project.c.geofence)
                                          .where(copy_project.c.geofence.is_not(None))).all():
        bind.execute(sa.update(copy_project).where(copy_project.c.id == project_id).values(**_site(fence)))


def drop_site_bounds(op) -> None:
    with op.batch_alter_table("copy_project") as batch:
        batch.drop_index("ix_copy_project_site")
        for column in SITE_COLUMNS:
            batch.drop_column(column)


def _site(fence: dict | None) -> dict:
    if not fence:
        return dict.fromkeys(SITE_COLUMNS)
    return dict(zip(SITE_COLUMNS, bounds(fence), strict=True))


def drop_assignment_times(op) -> None:
    copy_rebuilt.drop(bind=op.get_bind(), checkfirst=True)
    with op.batch_alter_table("copy_project") as batch:
        for column in SET_AT.values():
            batch.drop_column(column)


# --- writing the copy ------------------------------------------------------------------------------------------


def _upsert(session: Session, table: sa.Table, key: dict, values: dict) -> None:
    """Update the row of ``key``, or insert it. Two handlers inserting the same row at once make
    one of them fail with an IntegrityError, which the inbox retries as an update."""
    condition = sa.and_(*(table.c[column] == value for column, value in key.items()))
    if values and session.execute(sa.update(table).where(condition).values(**values)).rowcount:
        return
    if not values and session.execute(sa.select(sa.literal(1)).select_from(table).where(condition)).first():
        return
    session.execute(sa.insert(table).values(**key, **values))


def _project_row(session: Session, project_id: str) -> None:
    """The project's row, made empty if a later event of it arrived first."""
    _upsert(session, copy_project, {"id": project_id}, {})


def _set_if_newer(session: Session, project_id: str, column: str, value, at: datetime | None) -> None:
    """``column`` of the project set to ``value`` as of ``at``, unless a value set at the same time or
    later is there; with no ``at`` (a snapshot without times) only where no time is known."""
    set_at = copy_project.c[SET_AT[column]]
    newer = set_at.is_(None) if at is None else sa.or_(set_at.is_(None), set_at < at)
    session.execute(sa.update(copy_project).where(copy_project.c.id == project_id, newer)
                    .values({column: value, set_at.key: at}))


def apply_event(session: Session, event: events.Event) -> None:
    """Write one of the workflow's registry events into the copy."""
    if isinstance(event, events.UnitRegistered):
        _upsert(session, copy_unit, {"id": event.unit_id},
                {"kind": event.kind, "name": event.name, "parent_id": event.parent_id, "industry": event.industry})
    elif isinstance(event, events.UserRegistered):
        _upsert(session, copy_user, {"id": event.user_id},
                {"name": event.name, "portal": event.portal, "zzd_account_id": event.zzd_account_id,
                 "zlb_user_id": event.zlb_user_id})
    elif isinstance(event, events.PostGranted):
        _upsert(session, copy_post, {"user_id": event.user_id, "unit_id": event.unit_id, "post": event.post}, {})
    elif isinstance(event, events.ProjectRegistered):
        _upsert(session, copy_project, {"id": event.project_id},
                {"name": event.name, "industry": event.industry, "kind": event.kind,
                 "contract_amount": event.contract_amount,
                 "geofence": event.geofence.model_dump(mode="json", exclude_none=True),
                 **_site(event.geofence.model_dump(mode="json", exclude_none=True))})
        _set_if_newer(session, event.project_id, "status", event.status, event.occurred_at)
    elif isinstance(event, events.ProjectAssigned):
        _project_row(session, event.project_id)
        _set_if_newer(session, event.project_id, ASSIGNMENT_COLUMNS[event.level], event.target_id,
                      event.occurred_at)
    elif isinstance(event, events.ParticipantAdded):
        _upsert(session, copy_participant,
                {"project_id": event.project_id, "unit_id": event.unit_id, "role": event.role}, {})
    elif isinstance(event, events.ProjectStatusChanged):
        _project_row(session, event.project_id)
        _set_if_newer(session, event.project_id, "status", event.status, event.occurred_at)
    else:
        raise TypeError(f"{type(event).__name__} is not a registry event")


def needs_rebuild(session: Session) -> bool:
    """No rebuild of the copy has succeeded yet (events handled meanwhile do not count)."""
    return session.execute(sa.select(copy_rebuilt.c.id).limit(1)).first() is None


def rebuild(session: Session, snapshot: dict, now: datetime | None = None) -> None:
    """Fill the copy from the workflow's ``registry_snapshot`` and mark it rebuilt. Rows are
    upserted, never deleted first: events handled meanwhile stay (they and the snapshot agree, or
    they are newer — a level or status set by an event later than the project's ``updated_at`` in
    the snapshot is kept)."""
    for unit in snapshot["units"]:
        _upsert(session, copy_unit, {"id": unit["id"]},
                {"kind": unit["kind"], "name": unit["name"], "parent_id": unit["parent_id"],
                 "industry": unit["industry"]})
    for user in snapshot.get("users", []):
        _upsert(session, copy_user, {"id": user["id"]},
                {"name": user["name"], "portal": user["portal"], "zzd_account_id": user.get("zzd_account_id"),
                 "zlb_user_id": user.get("zlb_user_id")})
    for post in snapshot["posts"]:
        _upsert(session, copy_post, {"user_id": post["user_id"], "unit_id": post["unit_id"], "post": post["post"]}, {})
    for project in snapshot["projects"]:
        _upsert(session, copy_project, {"id": project["id"]}, {
            "name": project["name"], "industry": project["industry"], "kind": project.get("kind"),
            "contract_amount": Decimal(str(project["contract_amount"])) if project.get("contract_amount") else None,
            "geofence": project["geofence"], **_site(project["geofence"])})
        as_of = _aware(project.get("updated_at"))
        for column in SET_AT:
            _set_if_newer(session, project["id"], column, project.get(column), as_of)
    for participant in snapshot["participants"]:
        _upsert(session, copy_participant, {"project_id": participant["project_id"],
                                            "unit_id": participant["unit_id"], "role": participant["role"]}, {})
    _upsert(session, copy_rebuilt, {"id": 1}, {"rebuilt_at": now or datetime.now(UTC)})


def _aware(value) -> datetime | None:
    """The snapshot's time (ISO text with its offset), or None if it has none."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if isinstance(value, datetime) and value.utcoffset() is not None else None


# --- reading the copy ------------------------------------------------------------------------------------------


def actor(session: Session, user_id: str) -> Actor:
    """The user with every post they hold, as the copy knows them."""
    rows = session.execute(
        sa.select(copy_post.c.post, copy_unit.c.id, copy_unit.c.kind, copy_unit.c.parent_id, copy_unit.c.industry)
        .join(copy_unit, copy_unit.c.id == copy_post.c.unit_id).where(copy_post.c.user_id == user_id)).all()
    return Actor(user_id, tuple(PostHeld(UnitFacts(row.id, UnitKind(row.kind), row.parent_id, row.industry),
                                         Post(row.post)) for row in rows))


@dataclass(frozen=True)
class Placement:
    """Where a project sits in the tree (satisfies :class:`common.scope.ProjectPlacement`)."""

    id: str
    name: str
    industry: str
    kind: str | None
    contract_amount: Decimal | None
    geofence: dict | None
    status: str | None
    supervising_unit_id: str | None
    line_id: str | None
    owner_id: str | None
    owner_project_lead_id: str | None
    participant_unit_ids: frozenset[str]
    participant_roles: tuple[tuple[str, str], ...]  # (unit id, role)

    def firm_of(self, role: str) -> str | None:
        """The first firm registered in ``role`` (contractor, supervisor…)."""
        return next((unit for unit, held in self.participant_roles if held == role), None)


def placement(session: Session, project_id: str) -> Placement | None:
    row = session.execute(sa.select(copy_project).where(copy_project.c.id == project_id)).first()
    if row is None or not row.name:  # no name: its registration has not arrived yet
        return None
    participants = tuple((unit_id, role) for unit_id, role in session.execute(
        sa.select(copy_participant.c.unit_id, copy_participant.c.role)
        .where(copy_participant.c.project_id == project_id).order_by(copy_participant.c.unit_id)).all())
    return Placement(row.id, row.name, row.industry, row.kind, row.contract_amount, row.geofence, row.status,
                     row.supervising_unit_id, row.line_id, row.owner_id, row.owner_project_lead_id,
                     frozenset(unit for unit, _ in participants), participants)


def project_at(session: Session, lat: float, lng: float) -> str | None:
    """The project (not terminated) whose site the point lies in: the boxes around the sites
    narrow it by an indexed range, the fences of the few left decide."""
    p = copy_project.c
    rows = session.execute(sa.select(p.id, p.geofence).where(
        p.site_south <= lat, p.site_north >= lat, p.site_west <= lng, p.site_east >= lng,
        sa.or_(p.status.is_(None), p.status != "terminated")).order_by(p.id)).all()
    return next((row.id for row in rows if row.geofence and on_site((lat, lng), row.geofence, 0)), None)


def units_of_kind(session: Session, kind: UnitKind, *, industry: str | None = None) -> list[str]:
    statement = sa.select(copy_unit.c.id).where(copy_unit.c.kind == str(kind)).order_by(copy_unit.c.id)
    if industry is not None:
        statement = statement.where(copy_unit.c.industry == industry)
    return list(session.execute(statement).scalars())


def unit(session: Session, unit_id: str) -> UnitFacts | None:
    row = session.execute(sa.select(copy_unit).where(copy_unit.c.id == unit_id)).first()
    return None if row is None else UnitFacts(row.id, UnitKind(row.kind), row.parent_id, row.industry)


def unit_names(session: Session, unit_ids) -> dict[str, str]:
    return dict(session.execute(sa.select(copy_unit.c.id, copy_unit.c.name)
                                .where(copy_unit.c.id.in_(list(unit_ids)))).all())


def holders(session: Session, unit_id: str, posts=None) -> list[str]:
    """The users holding one of ``posts`` (any post if None) in the unit, in a stable order."""
    statement = sa.select(copy_post.c.user_id).where(copy_post.c.unit_id == unit_id)
    if posts is not None:
        statement = statement.where(copy_post.c.post.in_([str(post) for post in posts]))
    return sorted(set(session.execute(statement).scalars()))


@dataclass(frozen=True)
class Contacts:
    user_id: str
    name: str
    portal: str
    zzd_account_id: str | None
    zlb_user_id: str | None


def user_contacts(session: Session, user_ids) -> dict[str, Contacts]:
    return {row.id: Contacts(row.id, row.name, row.portal, row.zzd_account_id, row.zlb_user_id)
            for row in session.execute(sa.select(copy_user).where(copy_user.c.id.in_(list(user_ids))))}


# --- the entrypoints -------------------------------------------------------------------------------------------


class RegistryCopyEntrypoints:
    """Mixed into a service class that declares ``workflow = ServiceRpc("workflow")``."""

    @handles(events.UnitRegistered)
    def copy_unit_registered(self, event):
        apply_event(self.db.session, event)

    @handles(events.UserRegistered)
    def copy_user_registered(self, event):
        apply_event(self.db.session, event)

    @handles(events.PostGranted)
    def copy_post_granted(self, event):
        apply_event(self.db.session, event)

    @handles(events.ProjectRegistered)
    def copy_project_registered(self, event):
        apply_event(self.db.session, event)

    @handles(events.ProjectAssigned)
    def copy_project_assigned(self, event):
        apply_event(self.db.session, event)

    @handles(events.ParticipantAdded)
    def copy_participant_added(self, event):
        apply_event(self.db.session, event)

    @handles(events.ProjectStatusChanged)
    def copy_project_status_changed(self, event):
        apply_event(self.db.session, event)

    @timer(interval=30, eager=True)
    def ensure_registry_copy(self):
        """At start (and until it succeeds) the copy is rebuilt from the workflow's snapshot."""
        if not needs_rebuild(self.db.session):
            return
        snapshot = self.workflow.registry_snapshot()
        rebuild(self.db.session, snapshot)
        self.db.commit()
        logger.info("registry copy rebuilt", extra={"service": self.name, "units": len(snapshot["units"]),
                                                     "projects": len(snapshot["projects"])})
