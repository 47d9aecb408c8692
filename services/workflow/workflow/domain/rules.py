"""The workflow service's rule settings (Art. 8): every figure a setting whose default is the
regulation's, naming its article."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from common.rule_settings import RuleSettings


def _figure(default, article: str, description: str, **bounds):
    return Field(default, description=description, json_schema_extra={"article": article}, **bounds)


class WorkflowRules(RuleSettings):
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
