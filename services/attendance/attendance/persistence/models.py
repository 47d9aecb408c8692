"""The attendance service's tables: its copy of the registry (fed by workflow events), and
its own records — check-ins, devices, leave, patrols, phases, non-working days, warnings."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from common.schema import UtcDateTime


def new_id() -> str:
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime(), dict: sa.JSON(none_as_null=True), list: sa.JSON(none_as_null=True)}


# --- the copy of the registry ------------------------------------------------------------------


class UnitCopy(Base):
    __tablename__ = "unit_copy"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    parent_id: Mapped[str | None] = mapped_column(sa.String(32))
    industry: Mapped[str | None] = mapped_column(sa.String(32))


class UserPostCopy(Base):
    __tablename__ = "user_post_copy"

    user_id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    unit_id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    post: Mapped[str] = mapped_column(sa.String(32), primary_key=True)


class ProjectCopy(Base):
    __tablename__ = "project_copy"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    industry: Mapped[str] = mapped_column(sa.String(32))
    below_threshold: Mapped[bool]
    geofence: Mapped[dict]
    status: Mapped[str] = mapped_column(sa.String(32))
    construction_started_on: Mapped[date | None]
    # When the project left construction (completion acceptance, termination; Art. 25, 34): no
    # duty from that day on, and the month it ends in still has its month-end rate (Art. 42).
    construction_ended_at: Mapped[datetime | None]
    supervising_unit_id: Mapped[str | None] = mapped_column(sa.String(32))
    line_id: Mapped[str | None] = mapped_column(sa.String(32))
    owner_id: Mapped[str | None] = mapped_column(sa.String(32))
    owner_project_lead_id: Mapped[str | None] = mapped_column(sa.String(32))
    # Art. 26, 47: the owner chooses whether suspected spoofing is flagged or blocked.
    spoofing_policy: Mapped[str] = mapped_column(sa.String(8), default="flag")


class ParticipantCopy(Base):
    __tablename__ = "participant_copy"

    project_id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    unit_id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(32), primary_key=True)


class RosterEntry(Base):
    """A key person on a project post (Art. 26)."""

    __tablename__ = "roster_entry"
    __table_args__ = (sa.UniqueConstraint("project_id", "person_id", "post"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(sa.String(32), index=True)
    person_id: Mapped[str] = mapped_column(sa.String(32), index=True)
    firm_id: Mapped[str] = mapped_column(sa.String(32))
    post: Mapped[str] = mapped_column(sa.String(32))
    assigned_at: Mapped[datetime]
    released_at: Mapped[datetime | None]  # replaced by a personnel change (Art. 27)


class SuspensionCopy(Base):
    __tablename__ = "suspension_copy"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(sa.String(32), index=True)
    since: Mapped[datetime | None]  # None: a resumption whose suspension has not arrived yet
    until: Mapped[datetime | None]


# --- attendance's own records -------------------------------------------------------------------


class AttendancePhase(Base):
    """When the technical lead and the specialist engineer must check in (Art. 26)."""

    __tablename__ = "attendance_phase"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(sa.String(32), index=True)
    post: Mapped[str] = mapped_column(sa.String(32))
    start_date: Mapped[date]
    end_date: Mapped[date]
    set_by: Mapped[str | None] = mapped_column(sa.String(32))
    set_at: Mapped[datetime]


class NonWorkingDay(Base):
    """A day the owner declared without construction (a Spring Festival shutdown, say)."""

    __tablename__ = "non_working_day"

    project_id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    reason: Mapped[str] = mapped_column(sa.String(200))
    declared_by: Mapped[str | None] = mapped_column(sa.String(32))


class DeviceBinding(Base):
    """The device a person checks in with: the first one binds; a change needs the owner."""

    __tablename__ = "device_binding"

    person_id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    device_id: Mapped[str] = mapped_column(sa.String(128), index=True)
    platform: Mapped[str] = mapped_column(sa.String(32))
    bound_at: Mapped[datetime]
    approved_by: Mapped[str | None] = mapped_column(sa.String(32))


class Checkin(Base):
    """A check-in (Art. 26). On PostgreSQL the table is partitioned by month of ``local_day``
    (migration 0006_checkin_partitions; the months kept by :mod:`attendance.usecases.partitions`):
    there its primary key is (id, local_day), since a partition's keys must hold the partition key,
    and the unique (person_id, client_request_id) below is not made, since it cannot span the
    partitions — the intake stores a check-in once by its id, derived from both. SQLite keeps one
    table with both keys as declared. A read that means a day or a month filters on ``local_day``, so
    that it touches that month's partition only."""

    __tablename__ = "checkin"
    __table_args__ = (
        sa.UniqueConstraint("person_id", "client_request_id"),  # SQLite only (above)
        sa.Index("ix_checkin_day", "project_id", "person_id", "local_day"),
        # The rows still holding a raw position, for its purge (evaluations.purge_positions): the
        # months already purged are not read again.
        sa.Index("ix_checkin_positions_kept", "local_day", sqlite_where=sa.text("lat IS NOT NULL"),
                 postgresql_where=sa.text("lat IS NOT NULL")),
    )

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(sa.String(32))
    person_id: Mapped[str] = mapped_column(sa.String(32))
    client_request_id: Mapped[str] = mapped_column(sa.String(64))
    recorded_at: Mapped[datetime]
    local_day: Mapped[date]
    outcome: Mapped[str] = mapped_column(sa.String(16))
    reason: Mapped[str | None] = mapped_column(sa.String(40))
    flags: Mapped[list] = mapped_column(default=list)
    # Raw positions are kept for raw_position_retention_days, then cleared (privacy).
    lat: Mapped[float | None]
    lng: Mapped[float | None]
    accuracy_m: Mapped[float | None]
    device_id: Mapped[str] = mapped_column(sa.String(128))
    client_time: Mapped[datetime]
    distance_outside_m: Mapped[float | None]
    # Wall-clock times of the intake: when the gateway received it and when its decision was
    # committed (the decision's delay, measured; rows of before the intake have none).
    received_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]


class CheckinPerson(Base):
    """Per person who checks in: the last accepted check-in (the duplicate, travel and repeated-
    coordinates checks compare with it, Art. 26, 47), kept here so that deciding a check-in never
    searches a year of check-ins. Its row is also the lock that decides one person's check-ins one
    batch at a time, whichever attendance instance takes them."""

    __tablename__ = "checkin_person"

    person_id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    last_accepted_at: Mapped[datetime | None]
    last_accepted_lat: Mapped[float | None]
    last_accepted_lng: Mapped[float | None]
    last_accepted_project_id: Mapped[str | None] = mapped_column(sa.String(32))


class DeviceUse(Base):
    """When each person last checked in with each device (any outcome): the shared-device check
    (Art. 47) asks who else used a phone lately."""

    __tablename__ = "device_use"

    device_id: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    person_id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    last_used_at: Mapped[datetime]


class LeaveRequest(Base):
    __tablename__ = "leave_request"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(sa.String(32), index=True)
    person_id: Mapped[str] = mapped_column(sa.String(32), index=True)
    start_date: Mapped[date]
    end_date: Mapped[date]
    reason: Mapped[str] = mapped_column(sa.Text)
    document_file_ids: Mapped[list] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(sa.String(16))
    requested_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(sa.String(32))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(sa.Text)
    approval_file_ids: Mapped[list] = mapped_column(default=list)


class Patrol(Base):
    """The owner's project lead's patrol track (Art. 26)."""

    __tablename__ = "patrol"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(sa.String(32), index=True)
    person_id: Mapped[str] = mapped_column(sa.String(32))
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    duration_minutes: Mapped[float]
    valid: Mapped[bool]
    reason: Mapped[str | None] = mapped_column(sa.String(40))
    points: Mapped[list | None]
    recorded_at: Mapped[datetime]


class RaisedWarning(Base):
    """Each warning is raised once: its key (rule, project, person, period) is remembered."""

    __tablename__ = "raised_warning"

    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    warning_id: Mapped[str] = mapped_column(sa.String(32))
    rule_id: Mapped[str] = mapped_column(sa.String(60))
    project_id: Mapped[str] = mapped_column(sa.String(32), index=True)
    person_id: Mapped[str | None] = mapped_column(sa.String(32))
    raised_at: Mapped[datetime]
    detail: Mapped[dict]


class EvaluationMark(Base):
    """The last local day whose end-of-day evaluation ran, so that each day runs once."""

    __tablename__ = "evaluation_mark"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    through: Mapped[date]


class PositionView(Base):
    """Who looked at a person's raw positions, and when (privacy)."""

    __tablename__ = "position_view"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    viewer_id: Mapped[str | None] = mapped_column(sa.String(32))
    person_id: Mapped[str] = mapped_column(sa.String(32))
    project_id: Mapped[str] = mapped_column(sa.String(32))
    viewed_at: Mapped[datetime]
