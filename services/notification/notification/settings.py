"""The notification service's own settings, read from ``SUPERVISION_NOTIFICATION_*``: where each
channel's provider is and the credentials it takes (the figures of the rules are in
:mod:`notification.domain.rules`), and the development channel that writes every message to a file
instead of sending it (on in ``make run``, never in production)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from common.settings import platform_settings


class NotificationSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUPERVISION_NOTIFICATION_", extra="ignore")

    zzd_base_url: str = "http://127.0.0.1:8701"
    zzd_app_key: str = ""
    zzd_app_secret: str = ""
    zzd_tenant_id: str = Field("", description="The district's tenantId on the ZZD open platform.")
    zzd_client_ip: str = Field("", description="X-Hmac-Auth-IP of every ZZD call; empty: the address this host "
                                               "uses to reach the portal.")
    zzd_client_mac: str = Field("", description="X-Hmac-Auth-MAC of every ZZD call; empty: this host's MAC address.")
    zlb_base_url: str = "http://127.0.0.1:8702"
    zlb_service_code: str = ""
    zlb_service_password: str = ""
    sms_base_url: str = "http://127.0.0.1:8703"
    sms_access_key: str = ""
    sms_secret: str = ""
    sms_sign_name: str = "上虞区建设监管平台"
    sms_template_code: str = Field("SUPERVISION_NOTICE", description="The SMS template with ${title} and ${text}.")
    portal_timeout_seconds: float = Field(5.0, gt=0, le=60)
    dev_file: bool = Field(False, description="Write every message to a file instead of sending it "
                                              "(development only).")
    dev_file_path: Path | None = Field(None, description="The development channel's file; "
                                                         "default <var dir>/notifications.jsonl.")

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> NotificationSettings:
        if platform_settings().environment == "production" and self.dev_file:
            raise ValueError("the development file channel is refused in production")
        return self

    def dev_file_location(self) -> Path:
        return self.dev_file_path or platform_settings().var_dir / "notifications.jsonl"


@lru_cache
def notification_settings() -> NotificationSettings:
    return NotificationSettings()
