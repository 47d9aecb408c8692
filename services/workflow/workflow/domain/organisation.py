"""The organisation tree (rules.md "Who is who"; Art. 9–21).

Units of government sit on the ZZD portal (浙政钉), firms on the ZLB portal (浙里办) (Art. 9).
"""

from __future__ import annotations

from common.contracts.registry import Industry, Post, UnitKind
from common.errors import InvalidInput
from common.scope import GOVERNMENT_KINDS, Actor, UnitFacts, portal_of

__all__ = ["GOVERNMENT_KINDS", "Actor", "Industry", "Post", "UnitFacts", "UnitKind", "portal_of"]


_COMMON_POSTS = {Post.CHIEF, Post.STAFF}
POSTS_BY_UNIT_KIND: dict[UnitKind, frozenset[Post]] = {
    kind: frozenset(_COMMON_POSTS) for kind in UnitKind
}
POSTS_BY_UNIT_KIND[UnitKind.LINE] = frozenset({Post.LINE_HEAD, Post.STAFF})
# Art. 30: the back office receives, analyses and dispatches complaints; its intake reads who complained.
POSTS_BY_UNIT_KIND[UnitKind.LEADING_GROUP] = frozenset(_COMMON_POSTS | {Post.COMPLAINT_INTAKE})
POSTS_BY_UNIT_KIND[UnitKind.OWNER] = frozenset(_COMMON_POSTS | {Post.OWNER_PROJECT_LEAD})
POSTS_BY_UNIT_KIND[UnitKind.CONTRACTOR] = frozenset(
    _COMMON_POSTS | {Post.PROJECT_MANAGER, Post.TECHNICAL_LEAD, Post.SAFETY_OFFICER}
)
POSTS_BY_UNIT_KIND[UnitKind.SUPERVISOR] = frozenset(
    _COMMON_POSTS | {Post.CHIEF_ENGINEER, Post.SPECIALIST_ENGINEER, Post.INSPECTOR}
)

# The key posts that are filled on a project (Art. 21, 26), and those one person holds alone:
# replacing their holder is a personnel change (Art. 27), not a second assignment.
PROJECT_POSTS: dict[Post, UnitKind] = {
    Post.PROJECT_MANAGER: UnitKind.CONTRACTOR,
    Post.TECHNICAL_LEAD: UnitKind.CONTRACTOR,
    Post.SAFETY_OFFICER: UnitKind.CONTRACTOR,
    Post.CHIEF_ENGINEER: UnitKind.SUPERVISOR,
    Post.SPECIALIST_ENGINEER: UnitKind.SUPERVISOR,
    Post.INSPECTOR: UnitKind.SUPERVISOR,
}
SOLE_HOLDER_POSTS = frozenset({Post.PROJECT_MANAGER, Post.TECHNICAL_LEAD, Post.CHIEF_ENGINEER})

# The kind of parent each kind of unit hangs under in the four-level chain (Art. 10–13).
REQUIRED_PARENT_KIND: dict[UnitKind, UnitKind] = {
    UnitKind.INDUSTRY_AUTHORITY: UnitKind.LEADING_GROUP,
    UnitKind.SUPERVISING_UNIT: UnitKind.INDUSTRY_AUTHORITY,
    UnitKind.LINE: UnitKind.SUPERVISING_UNIT,
}


def check_new_unit(kind: UnitKind, parent: UnitFacts | None, industry: str | None,
                   leading_group_exists: bool) -> str | None:
    """Art. 10–13: validate a new unit's place in the four-level tree (leading group, industry
    authority, supervising unit and its lines, owners); return the industry it belongs to."""
    if kind == UnitKind.LEADING_GROUP and leading_group_exists:
        raise InvalidInput.field("kind", "the district has one leading group")
    required_parent = REQUIRED_PARENT_KIND.get(kind)
    if required_parent is not None:
        if parent is None:
            raise InvalidInput.field("parent_id", f"a {kind} sits under a {required_parent}")
        if parent.kind != required_parent:
            raise InvalidInput.field("parent_id", f"a {kind} sits under a {required_parent}, not a {parent.kind}")
    elif parent is not None and kind != UnitKind.OWNER:
        raise InvalidInput.field("parent_id", f"a {kind} has no parent unit")
    elif parent is not None and parent.kind not in {UnitKind.SUPERVISING_UNIT, UnitKind.LINE}:
        raise InvalidInput.field("parent_id", "an owner may sit under a supervising unit or a line only")
    if kind == UnitKind.INDUSTRY_AUTHORITY:
        if industry is None:
            raise InvalidInput.field("industry", "an industry authority names its industry")
        return industry
    if industry is not None and kind != UnitKind.INDUSTRY_AUTHORITY:
        if parent is not None and parent.industry and parent.industry != industry:
            raise InvalidInput.field("industry", f"the parent unit belongs to {parent.industry}")
    # Supervising units and lines belong to the industry of the authority above them.
    return industry or (parent.industry if parent is not None else None)


def check_post(unit: UnitFacts, post: Post, user_portal: str) -> None:
    """Art. 9: a post exists in its kind of unit, and a person holds it on that unit's portal:
    government staff on ZZD (浙政钉), firms on ZLB (浙里办)."""
    if post not in POSTS_BY_UNIT_KIND[unit.kind]:
        allowed = ", ".join(sorted(POSTS_BY_UNIT_KIND[unit.kind]))
        raise InvalidInput.field("post", f"a {unit.kind} has the posts {allowed}")
    if portal_of(unit.kind) != user_portal:
        unit_portal = portal_of(unit.kind).upper()
        raise InvalidInput.field(
            "unit_id", f"a {user_portal.upper()} user cannot hold a post in a {unit.kind} ({unit_portal})"
        )


def may_manage_unit(actor: Actor, unit: UnitFacts) -> bool:
    """The back office manages every unit; a unit's chief manages its own unit and, for a
    supervising unit, its lines (Art. 10, 17–20)."""
    if actor.is_back_office:
        return True
    if actor.holds(Post.CHIEF, unit_id=unit.id):
        return True
    return unit.kind == UnitKind.LINE and unit.parent_id is not None and actor.holds(Post.CHIEF, unit_id=unit.parent_id)
