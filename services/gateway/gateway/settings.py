"""The gateway's settings, read from ``SUPERVISION_GATEWAY_*``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from common.settings import platform_settings
from gateway.filetypes import SIGNATURES

_DEV_JWT_SECRET = "development-only-jwt-secret-change-me-in-production"
# The repository's web/dist, where `make web` builds the front end (services/gateway/gateway/ is three below).
_REPOSITORY_WEB_DIST = Path(__file__).resolve().parents[3] / "web" / "dist"


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUPERVISION_GATEWAY_", extra="ignore")

    jwt_secret: str = _DEV_JWT_SECRET
    jwt_ttl_seconds: int = Field(1800, ge=60, le=86400, description="Lifetime of the gateway's own tokens.")
    dev_login: bool = Field(False, description="Log in as a seeded user by id; for development and tests only.")
    services: list[str] = Field(
        default_factory=lambda: ["workflow", "attendance", "complaints", "notification", "scoring"],
        description="The services the back office's clock and settings reach.")
    rpc_timeout_seconds: float = Field(10.0, gt=0)
    intake_confirm_timeout_seconds: float = Field(
        5.0, gt=0, le=60, description="How long a check-in waits for the broker's confirm before the answer is 503.")
    checkin_wait_max_ms: int = Field(
        1000, ge=0, le=60000, description="The longest a check-in's `wait_ms` makes the gateway wait for its decision.")
    clock_wait_seconds: float = Field(
        8.0, ge=0, le=60,
        description="How long PUT /admin/v1/clock waits for every service to catch up before answering 202.")
    zzd_base_url: str = "http://127.0.0.1:8701"
    zzd_app_key: str = ""
    zzd_app_secret: str = ""
    zzd_client_ip: str = Field("", description="X-Hmac-Auth-IP of every ZZD call (the portal may allow-list it); "
                                               "empty: the address this host uses to reach the portal.")
    zzd_client_mac: str = Field("", description="X-Hmac-Auth-MAC of every ZZD call; empty: this host's MAC address.")
    zlb_base_url: str = "http://127.0.0.1:8702"
    zlb_service_code: str = ""
    zlb_service_password: str = ""
    portal_timeout_seconds: float = Field(5.0, gt=0)
    behind_trusted_proxy: bool = Field(
        False, description="The gateway is reached only through a proxy that appends the client's address to "
                           "X-Forwarded-For: the complaint window's rate limit then keys on that address (the last "
                           "one), not on the proxy's.")
    file_store_dir: Path = Path("var/files")
    web_dist_dir: Path = Field(_REPOSITORY_WEB_DIST,
                               description="The built front end (`make web`): console/, h5/zzd/ and h5/zlb/ in it, "
                                           "served at /console/, /h5/zzd/ and /h5/zlb/.")
    max_upload_bytes: int = Field(20 * 1024 * 1024, ge=1024,
                                  description="The largest uploaded file; a multipart body may be 64 KiB more.")
    max_json_body_bytes: int = Field(1024 * 1024, ge=1024,
                                     description="The largest request body other than an upload (JSON); 413 past it, "
                                                 "refused before it is read.")
    allowed_upload_types: list[str] = Field(
        default_factory=lambda: ["application/pdf", "image/jpeg", "image/png", "video/mp4"]
    )
    complaint_photo_types: list[str] = Field(
        default_factory=lambda: ["image/jpeg", "image/png", "image/webp"],
        description="What the public may upload to the complaint window (POST /public/v1/complaint-photos).")
    max_complaint_photo_bytes: int = Field(5 * 1024 * 1024, ge=1024,
                                           description="The largest photo the public may upload to the complaint "
                                                       "window (413 past it).")

    @field_validator("complaint_photo_types")
    @classmethod
    def _images_only(cls, types: list[str]) -> list[str]:
        if any(not kind.strip().lower().startswith("image/") for kind in types):
            raise ValueError("the complaint window takes photos only (image/...)")
        return types

    @field_validator("allowed_upload_types", "complaint_photo_types")
    @classmethod
    def _known_signatures(cls, types: list[str]) -> list[str]:
        # An upload is checked against the first bytes of its type; a type without them is never taken.
        types = [kind.strip().lower() for kind in types]
        unknown = [kind for kind in types if kind not in SIGNATURES]
        if unknown:
            raise ValueError(f"no content check is known for {', '.join(unknown)}; known: {', '.join(SIGNATURES)}")
        return types

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> GatewaySettings:
        if platform_settings().environment == "production":
            if self.jwt_secret == _DEV_JWT_SECRET or len(self.jwt_secret) < 32:
                raise ValueError("SUPERVISION_GATEWAY_JWT_SECRET must be set to 32 or more characters in production")
            if self.dev_login:
                raise ValueError("dev login is refused in production")
        return self


@lru_cache
def gateway_settings() -> GatewaySettings:
    return GatewaySettings()
