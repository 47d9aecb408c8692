"""The attendance settings (Art. 8): the regulation's defaults, each naming its article."""

import pytest
from pydantic import ValidationError

from attendance.domain.evaluations import WARNING_RULES
from attendance.domain.rules import AttendanceRules
from common.rule_settings import RuleSettings, describe_rules

REGULATION_DEFAULTS = {
    "min_hours_between_checkins": (4, "Art. 26"),
    "monthly_rate_threshold": (0.8, "Art. 26, 42"),
    "consecutive_absence_days": (2, "Art. 42"),
    "patrol_interval_days": (7, "Art. 26"),
    "patrol_min_minutes": (10, "Art. 26"),
    "max_position_accuracy_m": (100, "Art. 26"),
    "fence_tolerance_m": (30, "Art. 26"),
    "max_travel_speed_kmh": (150, "Art. 26, 47"),
    "max_client_clock_skew_minutes": (10, "Art. 26, 47"),
    "min_checkin_interval_seconds": (60, "Art. 26"),
    "patrol_upload_window_hours": (24, "Art. 26"),
    "raw_position_retention_days": (180, "Art. 26"),
    "checkin_retention_months": (36, "Art. 5, 26"),  # a platform default: the regulation names no period
    "checkin_partitions_ahead_months": (3, "Art. 26"),
    "shared_device_window_hours": (12, "Art. 26, 47"),
    "warnings_switched_off": ([], "Art. 8"),
}
SIGNALS = [
    "signal_mock_location",
    "signal_unbound_device",
    "signal_shared_device",
    "signal_impossible_travel",
    "signal_clock_skew",
    "signal_repeated_coordinates",
]


def test_is_a_rule_settings_model():
    assert issubclass(AttendanceRules, RuleSettings)


@pytest.mark.parametrize(("name", "expected"), REGULATION_DEFAULTS.items())
def test_default_is_the_regulations_figure_and_names_its_article(name, expected):
    value, article = expected
    described = describe_rules(AttendanceRules())[name]
    assert described["value"] == value
    assert described["default"] == value
    assert described["article"] == article
    assert described["description"]


@pytest.mark.parametrize("name", SIGNALS)
def test_every_risk_signal_is_on_by_default_and_names_its_article(name):
    described = describe_rules(AttendanceRules())[name]
    assert described["value"] is True
    assert described["article"] == "Art. 26, 47"
    assert described["description"]


def test_the_warning_switch_lists_every_warning_rule_with_its_article():
    described = describe_rules(AttendanceRules(), choices={"warnings_switched_off": WARNING_RULES})
    assert described["warnings_switched_off"]["choices"] == WARNING_RULES
    assert described["warnings_switched_off"]["article"] == "Art. 8"
    assert described["warnings_switched_off"]["choices"]["art47.suspected-spoofing"] == "Art. 47"


def test_every_setting_has_an_article_and_a_description():
    described = describe_rules(AttendanceRules())
    assert set(described) == set(REGULATION_DEFAULTS) | set(SIGNALS)
    for name, item in described.items():
        assert item["article"] and item["article"].startswith("Art. "), name
        assert item["description"], name


@pytest.mark.parametrize(
    "change",
    [
        {"monthly_rate_threshold": 1.01},
        {"monthly_rate_threshold": 0},
        {"min_hours_between_checkins": 0},
        {"consecutive_absence_days": 0},
        {"fence_tolerance_m": -1},
        {"max_position_accuracy_m": 0},
        {"checkin_retention_months": 11},
        {"checkin_partitions_ahead_months": 0},
        {"unknown_figure": 3},
    ],
)
def test_out_of_range_or_unknown_settings_are_refused(change):
    with pytest.raises(ValidationError):
        AttendanceRules(**change)


def test_settings_are_frozen():
    rules = AttendanceRules()
    with pytest.raises(ValidationError):
        rules.fence_tolerance_m = 50


def test_a_setting_can_be_changed_within_range():
    rules = AttendanceRules(monthly_rate_threshold=0.9, signal_clock_skew=False)
    assert rules.monthly_rate_threshold == 0.9
    assert rules.signal_clock_skew is False
