"""Who must be told (Art. 8, 26, 29–30, 42, 47): the people holding the acting posts of the unit
that must act, and through which channel each is reached.

* A warning (Art. 26, 42, 47 for attendance; the workflow's deadline warnings, Art. 29–30) or a
  deadline reminder names the unit that must act (``must_act``): a unit id, or a role of the
  project (``owner``, ``line``, ``supervising_unit``, ``contractor``…) that the project's
  placement turns into the unit. That unit's acting posts are told: the owner's chief and the
  project's owner's project lead (Art. 20–21); a line's head (Art. 19); a firm's chief, and the
  key person a warning names (Art. 26); any other unit's chief (Art. 16–18).
* A case step (Art. 10, 29–30: dispatched, not ours, returned, escalated, triaged, reported; a
  reminder half-way through a step's limit, in the day's digest — ``notices.CASE_STEPS``) tells the
  acting posts of the unit that must act next.
* A flagged check-in (Art. 26, 47) tells the owner's project lead of the project, who keeps the
  attendance of its site (or the owner's chief when no lead is assigned yet).

Government staff (ZZD identity) get a work notice, enterprise staff (ZLB identity) a message, and
a person neither portal reaches a text message (Art. 8: the channels are settings).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from common.contracts.registry import Post, UnitKind
from notification.domain.rules import NotificationRules


class NoticeKind(StrEnum):
    WARNING = "warning"
    REMINDER = "reminder"
    CASE_STEP = "case_step"
    ATTENDANCE_FLAG = "attendance_flag"


class Channel(StrEnum):
    ZZD = "zzd"
    ZLB = "zlb"
    SMS = "sms"


# The roles of a project a ``must_act`` may name instead of a unit id, and where the placement keeps them.
PROJECT_ROLES = {"owner": "owner_id", "line": "line_id", "supervising_unit": "supervising_unit_id"}


@dataclass(frozen=True)
class Notice:
    """Something that happened that someone must be told of; ``event_key`` identifies the event
    (a delivery is made once per event, recipient and channel)."""

    event_key: str
    kind: NoticeKind
    article: str
    title: str
    text: str
    project_id: str | None = None
    must_act: str | None = None
    person_id: str | None = None


class Placement(Protocol):
    owner_id: str | None
    line_id: str | None
    supervising_unit_id: str | None
    owner_project_lead_id: str | None

    def firm_of(self, role: str) -> str | None: ...


class Directory(Protocol):
    """What the domain reads of the registry copy."""

    def unit_kind(self, unit_id: str) -> UnitKind | None: ...

    def holders(self, unit_id: str, posts: tuple[Post, ...]) -> list[str]: ...


@dataclass(frozen=True)
class Person:
    user_id: str
    zzd_account_id: str | None
    zlb_user_id: str | None


def acting_unit(must_act: str | None, placement: Placement | None) -> str | None:
    """The unit id a ``must_act`` names: a role of the project through its placement, else the id itself."""
    if not must_act:
        return None
    if must_act in PROJECT_ROLES:
        return None if placement is None else getattr(placement, PROJECT_ROLES[must_act])
    if must_act == "owner_project_lead":
        return None if placement is None else placement.owner_id
    if placement is not None and must_act in {str(kind) for kind in UnitKind}:
        return placement.firm_of(must_act)
    return must_act


FIRM_KINDS = frozenset({UnitKind.CONTRACTOR, UnitKind.SUPERVISOR, UnitKind.DESIGNER, UnitKind.SURVEYOR,
                        UnitKind.COST_CONSULTANT, UnitKind.TESTER, UnitKind.TENDER_AGENT})


def unit_recipients(unit_id: str, directory: Directory, placement: Placement | None,
                    person_id: str | None = None) -> list[str]:
    """The people holding the acting posts of ``unit_id`` (module docstring), in a stable order."""
    kind = directory.unit_kind(unit_id)
    people: list[str] = []
    if kind == UnitKind.OWNER:
        people = directory.holders(unit_id, (Post.CHIEF,))
        if placement is not None and placement.owner_id == unit_id and placement.owner_project_lead_id:
            people.append(placement.owner_project_lead_id)
    elif kind == UnitKind.LINE:
        people = directory.holders(unit_id, (Post.LINE_HEAD,)) or directory.holders(unit_id, (Post.CHIEF,))
    else:
        people = directory.holders(unit_id, (Post.CHIEF,))
        if kind in FIRM_KINDS and person_id:
            people.append(person_id)
    return sorted(set(people))


def recipients(notice: Notice, directory: Directory, placement: Placement | None) -> list[str]:
    """Everyone who must be told of ``notice``."""
    if notice.kind == NoticeKind.ATTENDANCE_FLAG:
        if placement is None:
            return []
        if placement.owner_project_lead_id:
            return [placement.owner_project_lead_id]
        return [] if placement.owner_id is None else directory.holders(placement.owner_id, (Post.CHIEF,))
    unit_id = acting_unit(notice.must_act, placement)
    if unit_id is None:
        return []
    return unit_recipients(unit_id, directory, placement, notice.person_id)


def channels_for(person: Person, notice: Notice, rules: NotificationRules) -> list[Channel]:
    """The channels that reach ``person``: their portal's, SMS when no portal reaches them (or for
    every warning when so set)."""
    chosen: list[Channel] = []
    if person.zzd_account_id and rules.zzd_enabled:
        chosen.append(Channel.ZZD)
    elif person.zlb_user_id and rules.zlb_enabled:
        chosen.append(Channel.ZLB)
    if rules.sms_enabled and (not chosen or (rules.sms_for_urgent and notice.kind == NoticeKind.WARNING)):
        chosen.append(Channel.SMS)
    return chosen
