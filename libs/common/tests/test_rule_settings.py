from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from pydantic import Field

from common.errors import InvalidInput
from common.principal import Principal
from common.rule_settings import (
    RuleSettings,
    describe_rules,
    describe_stored,
    load_rules,
    update_rules,
    warning_switches,
)
from common.schema import audit_entry, rule_setting


class PatrolRules(RuleSettings):
    min_hours_between_checkins: float = Field(
        4, gt=0, le=24, description="Hours between two check-ins of one person.",
        json_schema_extra={"article": "Art. 26"},
    )
    patrol_interval_days: int = Field(
        7, ge=1, le=60, description="Days between two patrols of a site.", json_schema_extra={"article": "Art. 31"},
    )


BACK_OFFICE = Principal(user_id="lead-1", portal="zzd", roles=frozenset({"leading_group"}))
AT = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)


def _count(session, table) -> int:
    return session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_an_empty_table_gives_the_defaults(session):
    rules = load_rules(session, PatrolRules)
    assert rules == PatrolRules()
    assert rules.min_hours_between_checkins == 4
    assert rules.patrol_interval_days == 7


def test_a_good_change_persists_is_returned_and_audited(session):
    updated = update_rules(session, PatrolRules, {"patrol_interval_days": 14}, principal=BACK_OFFICE, at=AT)
    session.commit()
    assert updated.patrol_interval_days == 14
    assert updated.min_hours_between_checkins == 4
    assert load_rules(session, PatrolRules) == updated

    stored = session.execute(sa.select(rule_setting)).one()
    assert stored.name == "patrol_interval_days"
    assert stored.value == 14
    assert stored.updated_at == AT
    assert stored.updated_by == "lead-1"

    entries = session.execute(sa.select(audit_entry)).all()
    assert len(entries) == 1
    entry = entries[0]
    assert entry.action == "rule_settings.changed"
    assert entry.entity_type == "rule_settings"
    assert entry.entity_id == "PatrolRules"
    assert entry.principal_id == "lead-1"
    assert entry.portal == "zzd"
    assert entry.occurred_at == AT
    assert entry.before == {"patrol_interval_days": 7}
    assert entry.after == {"patrol_interval_days": 14}


def test_a_second_change_replaces_the_stored_value(session):
    update_rules(session, PatrolRules, {"patrol_interval_days": 14}, principal=BACK_OFFICE, at=AT)
    update_rules(session, PatrolRules, {"patrol_interval_days": 10}, principal=BACK_OFFICE, at=AT)
    session.commit()
    assert load_rules(session, PatrolRules).patrol_interval_days == 10
    assert _count(session, rule_setting) == 1
    befores = session.execute(sa.select(audit_entry.c.before).order_by(audit_entry.c.id)).scalars().all()
    assert befores == [{"patrol_interval_days": 7}, {"patrol_interval_days": 14}]


def _assert_nothing_changed(session) -> None:
    assert load_rules(session, PatrolRules) == PatrolRules()
    assert _count(session, rule_setting) == 0
    assert _count(session, audit_entry) == 0


def test_a_bad_value_is_refused_with_its_field_named_and_nothing_changes(session):
    with pytest.raises(InvalidInput) as caught:
        update_rules(
            session, PatrolRules, {"patrol_interval_days": 14, "min_hours_between_checkins": -1},
            principal=BACK_OFFICE, at=AT,
        )
    fields = [item["field"] for item in caught.value.details]
    assert fields == ["min_hours_between_checkins"]
    assert caught.value.details[0]["reason"]
    _assert_nothing_changed(session)


def test_a_value_of_the_wrong_type_is_refused(session):
    with pytest.raises(InvalidInput) as caught:
        update_rules(session, PatrolRules, {"patrol_interval_days": "weekly"}, principal=BACK_OFFICE, at=AT)
    assert [item["field"] for item in caught.value.details] == ["patrol_interval_days"]
    _assert_nothing_changed(session)


def test_an_unknown_name_is_refused(session):
    with pytest.raises(InvalidInput) as caught:
        update_rules(session, PatrolRules, {"patrol_interval_days": 14, "tea_breaks": 3}, principal=BACK_OFFICE, at=AT)
    assert caught.value.details == [{"field": "tea_breaks", "reason": "no such setting"}]
    _assert_nothing_changed(session)


@pytest.mark.parametrize("changes", [{}, None, ["patrol_interval_days"]])
def test_no_changes_is_refused(session, changes):
    with pytest.raises(InvalidInput) as caught:
        update_rules(session, PatrolRules, changes, principal=BACK_OFFICE, at=AT)
    assert caught.value.details[0]["field"] == "body"
    _assert_nothing_changed(session)


def test_stored_values_of_removed_settings_are_ignored(session):
    session.execute(sa.insert(rule_setting).values(name="retired_rule", value=5, updated_at=AT, updated_by=None))
    session.execute(sa.insert(rule_setting).values(name="patrol_interval_days", value=9, updated_at=AT,
                                                   updated_by=None))
    assert load_rules(session, PatrolRules) == PatrolRules(patrol_interval_days=9)


def test_describe_rules_shows_value_default_and_article():
    described = describe_rules(PatrolRules(patrol_interval_days=14))
    assert set(described) == {"min_hours_between_checkins", "patrol_interval_days"}
    days = described["patrol_interval_days"]
    assert days["value"] == 14
    assert days["default"] == 7
    assert days["article"] == "Art. 31"
    assert days["description"] == "Days between two patrols of a site."
    assert days["minimum"] == 1
    assert days["maximum"] == 60
    hours = described["min_hours_between_checkins"]
    assert hours["value"] == 4
    assert hours["default"] == 4
    assert hours["article"] == "Art. 26"
    assert hours["minimum"] == 0  # exclusive minimum
    assert hours["maximum"] == 24


def test_describe_rules_shows_no_choices_and_no_change_for_a_plain_figure():
    days = describe_rules(PatrolRules())["patrol_interval_days"]
    assert days["choices"] is None
    assert (days["changed_by"], days["changed_at"]) == (None, None)


def test_the_stored_settings_show_who_changed_each_last_and_when(session):
    later = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    update_rules(session, PatrolRules, {"patrol_interval_days": 14}, principal=BACK_OFFICE, at=AT)
    other = Principal(user_id="lead-2", portal="zzd", roles=frozenset({"leading_group"}))
    update_rules(session, PatrolRules, {"patrol_interval_days": 10}, principal=other, at=later)
    session.commit()

    described = describe_stored(session, PatrolRules)

    days = described["patrol_interval_days"]
    assert days["value"] == 10
    assert days["changed_by"] == "lead-2"
    assert days["changed_at"] == "2026-03-02T09:00:00+08:00"  # the district's offset
    hours = described["min_hours_between_checkins"]
    assert (hours["value"], hours["changed_by"], hours["changed_at"]) == (4, None, None)


def test_the_stored_settings_ignore_rows_of_removed_settings(session):
    session.execute(sa.insert(rule_setting).values(name="retired_rule", value=5, updated_at=AT, updated_by="x"))
    assert set(describe_stored(session, PatrolRules)) == {"min_hours_between_checkins", "patrol_interval_days"}


# --- switching warning rules off (Art. 8) -------------------------------------------------------------

KNOWN_WARNINGS = {"art42.monthly-rate": "Art. 42", "art26.patrol-overdue": "Art. 26"}
CHOICES = {"warnings_switched_off": KNOWN_WARNINGS}


class WarningRules(PatrolRules):
    warnings_switched_off: list[str] = warning_switches("Warnings the back office switched off.")


def test_no_warning_is_switched_off_by_default_and_the_setting_lists_the_rules_with_their_articles():
    described = describe_rules(WarningRules(), choices=CHOICES)
    switches = described["warnings_switched_off"]
    assert switches["value"] == []
    assert switches["default"] == []
    assert switches["article"] == "Art. 8"
    assert switches["choices"] == {"art26.patrol-overdue": "Art. 26", "art42.monthly-rate": "Art. 42"}
    assert list(switches["choices"]) == sorted(KNOWN_WARNINGS)
    assert switches["description"].startswith("Warnings the back office switched off.")
    assert described["patrol_interval_days"]["choices"] is None


def test_a_known_warning_rule_is_switched_off_once_and_audited(session):
    updated = update_rules(session, WarningRules, {"warnings_switched_off": ["art42.monthly-rate"] * 2},
                           principal=BACK_OFFICE, at=AT, choices=CHOICES)
    session.commit()
    assert updated.warnings_switched_off == ["art42.monthly-rate"]
    assert load_rules(session, WarningRules).warnings_switched_off == ["art42.monthly-rate"]
    entry = session.execute(sa.select(audit_entry)).one()
    assert (entry.before, entry.after) == ({"warnings_switched_off": []},
                                           {"warnings_switched_off": ["art42.monthly-rate"]})
    assert describe_stored(session, WarningRules, CHOICES)["warnings_switched_off"]["changed_by"] == "lead-1"


def test_an_unknown_warning_rule_is_refused_naming_it_and_nothing_changes(session):
    with pytest.raises(InvalidInput) as caught:
        update_rules(session, WarningRules, {"warnings_switched_off": ["art42.monthly-rate", "art99.tea-break"]},
                     principal=BACK_OFFICE, at=AT, choices=CHOICES)
    [detail] = caught.value.details
    assert detail["field"] == "warnings_switched_off"
    assert "art99.tea-break" in detail["reason"] and "art42.monthly-rate" not in detail["reason"].split(";")[0]
    assert load_rules(session, WarningRules) == WarningRules()
    assert _count(session, rule_setting) == 0
    assert _count(session, audit_entry) == 0
