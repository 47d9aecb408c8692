"""The notification service's settings (Art. 8): the digest hour, the retries of a delivery and the
channels in use. The regulation states none of these figures; each is the platform's means of
telling the unit that must act in time (Art. 29–30: warnings dispatched and handled within their
limits) and names the article it serves."""

from __future__ import annotations

from pydantic import Field

from common.rule_settings import RuleSettings


def _figure(default, article: str, description: str, **bounds):
    return Field(default, description=description, json_schema_extra={"article": article}, **bounds)


class NotificationRules(RuleSettings):
    """The notification service's settings, changeable by the back office at run time."""

    digest_hour: int = _figure(
        8, "Art. 29–30",
        "Hour of the district day (0–23) at which a person's deadline reminders of the day go out as one digest.",
        ge=0, le=23,
    )
    max_attempts: int = _figure(
        5, "Art. 29–30",
        "Attempts of one delivery before it is parked for the back office (the first one included).",
        ge=1, le=20,
    )
    retry_initial_seconds: int = _figure(
        30, "Art. 29–30", "Wait before the second attempt of a failed delivery; each later wait doubles.",
        ge=1, le=3600,
    )
    retry_max_seconds: int = _figure(
        1800, "Art. 29–30", "Longest wait between two attempts of a delivery.", ge=1, le=86400,
    )
    zzd_enabled: bool = _figure(True, "Art. 8", "Send government staff a 浙政钉 work notice.")
    zlb_enabled: bool = _figure(True, "Art. 8", "Send enterprise staff a 浙里办 message.")
    sms_enabled: bool = _figure(
        True, "Art. 8", "Send a text message to a person the portals cannot reach (no portal identity).")
    sms_for_urgent: bool = _figure(
        False, "Art. 29–30", "Also send a text message for every warning, besides the portal's message.")
