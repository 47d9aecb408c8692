"""The attendance service's rule settings (Art. 8): every figure a setting whose default is the
regulation's, naming its article.

Figures the regulation does not state (GPS accuracy, fence tolerance, travel speed, clock skew,
duplicate interval, shared-device window, retention) are the platform's means of applying
Art. 26 ("on site", "no simulated signals or cracked software") and Art. 47 (cheating); each
names the article it serves.
"""

from __future__ import annotations

from pydantic import Field

from common.rule_settings import RuleSettings, warning_switches


def _figure(default, article: str, description: str, **bounds):
    return Field(default, description=description, json_schema_extra={"article": article}, **bounds)


def _signal(article: str, description: str):
    return Field(True, description=description, json_schema_extra={"article": article})


class AttendanceRules(RuleSettings):
    """The attendance service's indicator settings (Art. 8), each field naming its article."""

    # --- the valid day, the monthly rate and absences (Art. 26, 42) -----------------------------
    min_hours_between_checkins: int = _figure(
        4, "Art. 26",
        "Hours that must separate the two check-ins of one local day for the day to be a valid attendance day "
        "(exactly this many hours is valid).",
        ge=1, le=16,
    )
    monthly_rate_threshold: float = _figure(
        0.8, "Art. 26, 42",
        "Lowest monthly attendance rate (valid days / actual construction days); a lower rate is a warning and "
        "the owner interviews the firm's head.",
        gt=0, le=1,
    )
    consecutive_absence_days: int = _figure(
        2, "Art. 42",
        "Consecutive construction days without a valid attendance day (this many or more) after which the owner "
        "interviews the person.",
        ge=1, le=31,
    )
    # --- the owner's project lead's patrol (Art. 26) ---------------------------------------------
    patrol_interval_days: int = _figure(
        7, "Art. 26",
        "The owner's project lead patrols the site once every this many days (suspension time not counted).",
        ge=1, le=90,
    )
    patrol_min_minutes: int = _figure(
        10, "Art. 26",
        "A patrol is valid only if it lasts MORE than this many minutes on site (exactly this long is not valid).",
        ge=1, le=600,
    )
    # --- an on-site check-in (Art. 26) -----------------------------------------------------------
    max_position_accuracy_m: int = _figure(
        100, "Art. 26",
        "A check-in whose reported position accuracy (metres) is worse than this is rejected: it cannot show "
        "that the person is on site.",
        gt=0, le=5000,
    )
    fence_tolerance_m: int = _figure(
        30, "Art. 26",
        "A position at most this many metres outside the site boundary counts as on site, to absorb GPS error.",
        ge=0, le=1000,
    )
    min_checkin_interval_seconds: int = _figure(
        60, "Art. 26",
        "A check-in within this many seconds of the person's previous accepted check-in on the project is "
        "rejected as a duplicate.",
        ge=0, le=3600,
    )
    raw_position_retention_days: int = _figure(
        180, "Art. 26",
        "Days the raw positions of check-ins and patrol tracks are kept; afterwards only the decisions remain.",
        ge=1, le=3650,
    )
    # --- how long check-ins are kept (Art. 5, 26) --------------------------------------------------
    checkin_retention_months: int = _figure(
        36, "Art. 5, 26",
        "Whole months a month's check-ins are kept after that month ended; then the whole month goes at once (on "
        "PostgreSQL its partition is detached and dropped). A platform default: the regulation names no period for "
        "attendance records, and 36 months keep a project's attendance on record and traceable (Art. 5) through its "
        "construction and its settlement audit. At least 12, a whole year of records.",
        ge=12, le=240,
    )
    checkin_partitions_ahead_months: int = _figure(
        3, "Art. 26",
        "Months after the current one whose check-in partitions (PostgreSQL) are made in advance, so that a "
        "month's check-ins have their partition before the first arrives (a platform default).",
        ge=1, le=24,
    )
    # --- signals of simulated positions and cracked software (Art. 26, 47) ------------------------
    max_travel_speed_kmh: int = _figure(
        150, "Art. 26, 47",
        "A jump from the person's previous accepted position faster than this (km/h) is an impossible-travel "
        "spoofing signal.",
        gt=0, le=2000,
    )
    max_client_clock_skew_minutes: int = _figure(
        10, "Art. 26, 47",
        "A device clock more than this many minutes away from the server time is a clock-skew signal.",
        ge=1, le=1440,
    )
    shared_device_window_hours: int = _figure(
        12, "Art. 26, 47",
        "A device used by another person within this many hours before a check-in is a shared-device signal.",
        ge=1, le=720,
    )
    signal_mock_location: bool = _signal(
        "Art. 26, 47", "Raise the mock-location signal when the device reports a simulated location."
    )
    signal_unbound_device: bool = _signal(
        "Art. 26, 47", "Raise the unbound-device signal when a person checks in from a device other than the bound one."
    )
    signal_shared_device: bool = _signal(
        "Art. 26, 47", "Raise the shared-device signal when another person used the device recently."
    )
    signal_impossible_travel: bool = _signal(
        "Art. 26, 47", "Raise the impossible-travel signal when the jump from the previous position is too fast."
    )
    signal_clock_skew: bool = _signal(
        "Art. 26, 47", "Raise the clock-skew signal when the device clock is too far from the server time."
    )
    signal_repeated_coordinates: bool = _signal(
        "Art. 26, 47",
        "Raise the repeated-coordinates signal when a check-in reports exactly the previous accepted position.",
    )
    patrol_upload_window_hours: int = _figure(
        24, "Art. 26", "A patrol track is uploaded within this many hours of its end (a platform default: the "
        "regulation names no figure).", ge=1, le=168
    )
    # --- the warnings the back office has switched off (Art. 8) -----------------------------------
    warnings_switched_off: list[str] = warning_switches(
        "The attendance warning rules the back office has switched off (Art. 8): while a rule is in this list its "
        "evaluation raises no warning, and a warning it would have raised meanwhile is not raised later (a streak or "
        "an overdue patrol still going on when it is switched on again is raised at the next evaluation). The risk "
        "signals of a check-in (signal_*) still flag or block it; only the art47.suspected-spoofing warning is off."
    )
