"""The organisation tree (rules.md "Who is who")."""

import pytest

from common.errors import InvalidInput
from common.scope import PostHeld
from workflow.domain.organisation import (
    Actor,
    Post,
    UnitFacts,
    UnitKind,
    check_new_unit,
    check_post,
    may_manage_unit,
    portal_of,
)

LEADING_GROUP = UnitFacts("lg", UnitKind.LEADING_GROUP)
HOUSING = UnitFacts("ia", UnitKind.INDUSTRY_AUTHORITY, "lg", "housing")
SUPERVISING = UnitFacts("su", UnitKind.SUPERVISING_UNIT, "ia", "housing")
LINE = UnitFacts("line", UnitKind.LINE, "su", "housing")
CONTRACTOR = UnitFacts("c", UnitKind.CONTRACTOR)


def test_government_units_use_zzd_and_firms_zlb():
    assert portal_of(UnitKind.OWNER) == "zzd"
    assert portal_of(UnitKind.DISCIPLINE) == "zzd"
    assert portal_of(UnitKind.CONTRACTOR) == "zlb"
    assert portal_of(UnitKind.TENDER_AGENT) == "zlb"


def test_the_district_has_one_leading_group():
    assert check_new_unit(UnitKind.LEADING_GROUP, None, None, leading_group_exists=False) is None
    with pytest.raises(InvalidInput) as refused:
        check_new_unit(UnitKind.LEADING_GROUP, None, None, leading_group_exists=True)
    assert refused.value.details[0]["field"] == "kind"


def test_an_industry_authority_names_its_industry_and_sits_under_the_leading_group():
    assert check_new_unit(UnitKind.INDUSTRY_AUTHORITY, LEADING_GROUP, "water", True) == "water"
    with pytest.raises(InvalidInput, match="industry"):
        check_new_unit(UnitKind.INDUSTRY_AUTHORITY, LEADING_GROUP, None, True)
    with pytest.raises(InvalidInput, match="parent_id"):
        check_new_unit(UnitKind.INDUSTRY_AUTHORITY, None, "water", True)


def test_supervising_units_and_lines_inherit_the_industry_above_them():
    assert check_new_unit(UnitKind.SUPERVISING_UNIT, HOUSING, None, True) == "housing"
    assert check_new_unit(UnitKind.LINE, SUPERVISING, None, True) == "housing"


def test_a_line_hangs_under_a_supervising_unit_only():
    with pytest.raises(InvalidInput, match="supervising_unit"):
        check_new_unit(UnitKind.LINE, HOUSING, None, True)
    with pytest.raises(InvalidInput):
        check_new_unit(UnitKind.LINE, None, None, True)


def test_a_firm_has_no_parent_and_an_owner_only_a_supervising_unit_or_line():
    with pytest.raises(InvalidInput, match="no parent"):
        check_new_unit(UnitKind.CONTRACTOR, SUPERVISING, None, True)
    assert check_new_unit(UnitKind.OWNER, LINE, None, True) == "housing"
    with pytest.raises(InvalidInput, match="owner may sit"):
        check_new_unit(UnitKind.OWNER, CONTRACTOR, None, True)


def test_an_industry_other_than_the_parents_is_refused():
    with pytest.raises(InvalidInput, match="belongs to housing"):
        check_new_unit(UnitKind.SUPERVISING_UNIT, HOUSING, "water", True)


def test_posts_fit_the_kind_of_unit_and_the_users_portal():
    check_post(LINE, Post.LINE_HEAD, "zzd")
    check_post(CONTRACTOR, Post.PROJECT_MANAGER, "zlb")
    with pytest.raises(InvalidInput, match="post"):
        check_post(LINE, Post.CHIEF, "zzd")
    with pytest.raises(InvalidInput, match="post"):
        check_post(CONTRACTOR, Post.CHIEF_ENGINEER, "zlb")
    with pytest.raises(InvalidInput) as refused:
        check_post(CONTRACTOR, Post.PROJECT_MANAGER, "zzd")
    assert refused.value.details[0]["field"] == "unit_id"


def test_actor_roles_portal_and_back_office():
    chief = Actor("u1", (PostHeld(LEADING_GROUP, Post.CHIEF),))
    assert chief.is_back_office
    assert chief.roles == {"leading_group"}
    assert chief.portal == "zzd"
    manager = Actor("u2", (PostHeld(CONTRACTOR, Post.PROJECT_MANAGER),))
    assert not manager.is_back_office
    assert manager.portal == "zlb"
    assert Actor("u3").portal is None


def test_who_manages_a_unit():
    supervising_chief = Actor("u", (PostHeld(SUPERVISING, Post.CHIEF),))
    assert may_manage_unit(supervising_chief, SUPERVISING)
    assert may_manage_unit(supervising_chief, LINE)  # its own lines
    assert not may_manage_unit(supervising_chief, HOUSING)
    line_head = Actor("u", (PostHeld(LINE, Post.LINE_HEAD),))
    assert not may_manage_unit(line_head, LINE)
    back_office = Actor("u", (PostHeld(LEADING_GROUP, Post.STAFF),))
    assert may_manage_unit(back_office, CONTRACTOR)


def test_a_level_not_assigned_yet_matches_no_unit():
    chief = Actor("u", (PostHeld(SUPERVISING, Post.CHIEF),))
    assert chief.holds(Post.CHIEF)
    assert chief.holds(Post.CHIEF, unit_id="su")
    assert not chief.holds(Post.CHIEF, unit_id=None)
