"""Who may see which project (Art. 10–21): the same rule for every service, computed from a
user's posts in the organisation tree and a project's place in it. The workflow service owns
the tree; other services keep a copy of it from its events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from common.contracts.registry import Post, UnitKind

GOVERNMENT_KINDS = frozenset({
    UnitKind.LEADING_GROUP, UnitKind.INDUSTRY_AUTHORITY, UnitKind.SUPERVISING_UNIT, UnitKind.LINE,
    UnitKind.OWNER, UnitKind.DISCIPLINE, UnitKind.AUDIT,
})
FIRM_KINDS = frozenset(set(UnitKind) - GOVERNMENT_KINDS)
# Art. 21: the firms an owner's project lead registers on a project.
PARTICIPANT_ROLES = frozenset({
    UnitKind.CONTRACTOR, UnitKind.SUPERVISOR, UnitKind.DESIGNER, UnitKind.SURVEYOR,
    UnitKind.COST_CONSULTANT, UnitKind.TESTER, UnitKind.TENDER_AGENT,
})
# Oversight bodies that see every project of the district (Art. 10, 29–30).
DISTRICT_WIDE_KINDS = frozenset({UnitKind.LEADING_GROUP, UnitKind.DISCIPLINE, UnitKind.AUDIT})


def portal_of(kind: UnitKind) -> str:
    """Government staff use ZZD, firms use ZLB (Art. 9)."""
    return "zzd" if kind in GOVERNMENT_KINDS else "zlb"


ANY_UNIT = object()


@dataclass(frozen=True)
class UnitFacts:
    id: str
    kind: UnitKind
    parent_id: str | None = None
    industry: str | None = None


@dataclass(frozen=True)
class PostHeld:
    unit: UnitFacts
    post: Post


@dataclass(frozen=True)
class Actor:
    """A user with every post they hold, as the services know them (not as a token says)."""

    user_id: str
    posts: tuple[PostHeld, ...] = ()

    def holds(self, post: Post | None = None, *, unit_id: str | object | None = ANY_UNIT,
              kinds: frozenset[UnitKind] | None = None) -> bool:
        """Whether the user holds ``post`` (any post if None) in the unit ``unit_id`` (any unit if
        not given). A unit id of None — a project's level not assigned yet — matches no unit."""
        return any(
            (post is None or held.post == post)
            and (unit_id is ANY_UNIT or (unit_id is not None and held.unit.id == unit_id))
            and (kinds is None or held.unit.kind in kinds)
            for held in self.posts
        )

    @property
    def is_back_office(self) -> bool:
        return self.holds(kinds=frozenset({UnitKind.LEADING_GROUP}))

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(str(held.unit.kind) for held in self.posts)

    @property
    def portal(self) -> str | None:
        """The portal the user logs in on; a user holds posts on one portal only."""
        portals = {portal_of(held.unit.kind) for held in self.posts}
        return portals.pop() if len(portals) == 1 else None



class ProjectPlacement(Protocol):
    """Where a project sits in the tree; what the scope rule looks at."""

    industry: str
    supervising_unit_id: str | None
    line_id: str | None
    owner_id: str | None
    participant_unit_ids: frozenset[str]


@dataclass(frozen=True)
class ProjectScope:
    """The projects an actor may see; the same rule filters lists and checks single objects."""

    everything: bool = False
    industries: frozenset[str] = frozenset()
    supervising_unit_ids: frozenset[str] = frozenset()
    line_ids: frozenset[str] = frozenset()
    owner_ids: frozenset[str] = frozenset()
    participant_unit_ids: frozenset[str] = frozenset()

    def admits(self, project: ProjectPlacement) -> bool:
        return (
            self.everything
            or project.industry in self.industries
            or project.supervising_unit_id in self.supervising_unit_ids
            or project.line_id in self.line_ids
            or project.owner_id in self.owner_ids
            or bool(project.participant_unit_ids & self.participant_unit_ids)
        )


def project_scope(actor: Actor) -> ProjectScope:
    """Art. 10–21: the leading group, discipline inspection and audit see the district; an
    industry authority its industry; a supervising unit, a line and an owner the projects
    assigned to them; a firm the projects it takes part in."""
    everything = False
    industries, supervising, lines, owners, firms = set(), set(), set(), set(), set()
    for held in actor.posts:
        kind = held.unit.kind
        if kind in DISTRICT_WIDE_KINDS:
            everything = True
        elif kind == UnitKind.INDUSTRY_AUTHORITY and held.unit.industry:
            industries.add(held.unit.industry)
        elif kind == UnitKind.SUPERVISING_UNIT:
            supervising.add(held.unit.id)
        elif kind == UnitKind.LINE:
            lines.add(held.unit.id)
        elif kind == UnitKind.OWNER:
            owners.add(held.unit.id)
        elif kind in PARTICIPANT_ROLES:
            firms.add(held.unit.id)
    return ProjectScope(everything, frozenset(industries), frozenset(supervising), frozenset(lines),
                        frozenset(owners), frozenset(firms))
