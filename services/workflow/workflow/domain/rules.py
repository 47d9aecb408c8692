"""The workflow service's rule settings (Art. 8): every figure a setting whose default is the
regulation's, naming its article."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from common.rule_settings import RuleSettings, warning_switches


def _figure(default, article: str, description: str, **bounds):
    return Field(default, description=description, json_schema_extra={"article": article}, **bounds)



class WorkflowRules(RuleSettings):
    """The workflow service's indicator settings (Art. 8), each field naming its article."""

    large_project_threshold_yuan: Decimal = _figure(
        Decimal("20000000"), "Art. 31, 32",
        "Contract amount from which a government project has the longer acceptance and audit windows.",
        gt=0,
    )
    acceptance_days_small: int = _figure(
        20, "Art. 31", "Days the owner has to accept a government project below the threshold.", ge=1, le=365
    )
    acceptance_days_large: int = _figure(
        60, "Art. 31", "Days the owner has to accept a government project at or above the threshold.", ge=1, le=365
    )
    acceptance_days_village: int = _figure(
        15, "Art. 31", "Days for a village project's self-acceptance and township re-acceptance.", ge=1, le=365
    )
    village_reacceptance_reminder_days: int = _figure(
        7, "Art. 31", "Days after which the township re-acceptance is reminded.", ge=1, le=365
    )
    acceptance_return_reason_days: int = _figure(
        3, "Art. 31", "Days the owner has to give its reason when the works are not ready.", ge=1, le=30
    )
    settlement_audit_days_small: int = _figure(
        60, "Art. 32", "Days from completion to submit a project below the threshold for settlement audit.",
        ge=1, le=730,
    )
    settlement_audit_days_large: int = _figure(
        180, "Art. 32", "Days from completion to submit a project at or above the threshold for settlement audit.",
        ge=1, le=730,
    )
    concealed_apply_days_before: int = _figure(
        2, "Art. 28", "The contractor applies within this many days before the concealed work is done.", ge=1, le=30
    )
    concealed_owner_review_days: int = _figure(
        3, "Art. 28", "Days the owner has to review the inspection photos (the regulation names no figure; a "
        "platform default).", ge=1, le=60
    )
    supervision_log_interval_days: int = _figure(
        1, "Art. 22, 46", "A supervision log is due at least this often while the project is in construction.",
        ge=1, le=31
    )
    notice_verification_days: int = _figure(
        3, "Art. 23, 45", "Days the supervisor has to verify a contractor's answer to a supervision notice before "
        "the late handling is a warning; the contractor's rectification days stand still meanwhile (the "
        "regulation names no figure; a platform default).", ge=1, le=30
    )
    concealed_photo_max_distance_m: int = _figure(
        500, "Art. 28", "How far outside the site's geofence a concealed-work photo's EXIF position may lie before "
        "the photo is flagged (the regulation names no figure; a platform default).", ge=10, le=20000
    )
    personnel_change_social_insurance_months: int = _figure(
        3, "Art. 27", "Months of social-insurance records a replacement shows (近3个月社保).", ge=1, le=24
    )
    changes_on_concealed_works_allowed: bool = _figure(
        False, "Art. 27", "Whether an engineering change may touch concealed works (in principle it may not)."
    )
    # --- the warnings the back office has switched off (Art. 8) -----------------------------------
    warnings_switched_off: list[str] = warning_switches(
        "The workflow's warning rules the back office has switched off (Art. 8): while a rule is in this list it "
        "raises no warning. A deadline's warning rung of such a rule still fires, once, and is not raised later when "
        "the rule is switched on again; its reminder still goes out."
    )
