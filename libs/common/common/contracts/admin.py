"""Answers of the back office (/admin): the platform clock, the rule settings of every service
(Art. 8) and the audit trail."""

from __future__ import annotations

from typing import Any

from pydantic import Field, JsonValue

from common.contracts.types import Timestamp, View


class ServiceClockView(View):
    now: Timestamp
    caught_up: bool = Field(description="Whether the service has worked through what fell due by now.")


class ClockView(View):
    now: Timestamp | None = Field(description="The platform time; null while the services disagree.")
    consistent: bool = Field(description="Every service shows the same time.")
    caught_up: bool = Field(description="Every service has caught up with it.")
    services: dict[str, ServiceClockView] = Field(description="Service name → its clock.")


class RuleSettingView(View):
    """One figure of the regulation, with its default and the article it comes from, and who changed
    it last (Art. 8)."""

    value: JsonValue
    default: JsonValue
    article: str | None
    description: str | None
    minimum: int | float | None = Field(description="The lowest value the setting takes, if bounded.")
    maximum: int | float | None = Field(description="The highest value the setting takes, if bounded.")
    choices: dict[str, str] | None = Field(
        description="The values the setting's list takes, each with its article (the warning rules of "
                    "`warnings_switched_off`: rule id → article); null for a setting without a fixed list.")
    changed_by: str | None = Field(description="The user who changed it last; null while it was never changed.")
    changed_at: Timestamp | None = Field(description="When it was changed last (platform clock); null while it "
                                                     "was never changed.")


RuleSettingsView = dict[str, RuleSettingView]


class AuditEntryView(View):
    """Who changed what, when (platform clock), from which portal: before and after."""

    id: int
    occurred_at: Timestamp
    principal_id: str | None
    portal: str
    action: str
    entity_type: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
