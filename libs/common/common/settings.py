"""Platform settings, read from the environment (prefix ``SUPERVISION_``).

The defaults are the embedded ones used by ``make run``: a SQLite file per service under
``var/`` and the local RabbitMQ. Production sets ``SUPERVISION_ENVIRONMENT=production`` and
the URLs, secrets and keys below; the settings refuse what must never run in production.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Each service's Prometheus port, so that several services on one host never collide.
DEFAULT_METRICS_PORTS = {
    "workflow": 9101,
    "attendance": 9102,
    "complaints": 9103,
    "scoring": 9104,
    "notification": 9105,
}

_DEV_FIELD_KEY = base64.urlsafe_b64encode(hashlib.sha256(b"shangyu-development-only").digest()).decode()


class PlatformSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUPERVISION_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    amqp_uri: str = "pyamqp://guest:guest@127.0.0.1:5672/"
    var_dir: Path = Path("var")
    manual_clock: bool = Field(
        False, description="Let the back office set the platform time (tests and demos only)."
    )
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "json"
    field_encryption_key: str = Field(
        _DEV_FIELD_KEY,
        description="Fernet key for ID-card and phone numbers at rest; required in production.",
    )
    max_workers: int = Field(10, ge=1, le=200)
    rpc_timeout_seconds: float = Field(10.0, gt=0)
    outbox_relay_interval_seconds: float = Field(1.0, gt=0)
    outbox_relay_batch_size: int = Field(500, ge=1)
    outbox_gather_seconds: float = Field(
        0.05, ge=0, le=5, description="How long the relay gathers committed events before publishing them."
    )
    outbox_publish_timeout_seconds: float = Field(
        5.0, gt=0, le=60, description="How long the relay waits for the broker to take and confirm a batch.")
    clock_catch_up_budget_seconds: float = Field(
        2.0, gt=0, le=60,
        description="How long one pass of a service's timers works through what fell due before yielding.")
    outbox_retention_days: int = Field(7, ge=1, description="Published events are kept this long, then purged.")
    quorum_queues: bool = Field(
        True, description="Declare the durable queues (event handlers, RPC commands) as replicated quorum queues, "
                          "a message that fails every time dead-lettered (common.queues); off: classic queues.")
    queue_delivery_limit: int = Field(
        20, ge=1, le=1000,
        description="Deliveries of one message to a quorum queue's consumers before it goes to the dead-letter queue.")
    queue_redelivery_delay_seconds: float = Field(
        0.5, ge=0, le=60, description="How long a handler that failed waits before giving its message back "
                                      "(doubling with each delivery, up to the maximum).")
    queue_redelivery_delay_max_seconds: float = Field(60.0, ge=0, le=600)

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> PlatformSettings:
        if self.environment == "production":
            if self.manual_clock:
                raise ValueError("the manual clock is for tests and demos; it is refused in production")
            if self.field_encryption_key == _DEV_FIELD_KEY:
                raise ValueError("SUPERVISION_FIELD_ENCRYPTION_KEY must be set in production")
        return self

    def nameko_config(self) -> dict:
        return {
            "AMQP_URI": self.amqp_uri,
            "max_workers": self.max_workers,
            "serializer": "json",
            # read by common.queues when the entrypoints declare their queues
            "QUORUM_QUEUES": self.quorum_queues,
            "QUEUE_DELIVERY_LIMIT": self.queue_delivery_limit,
            "QUEUE_REDELIVERY_DELAY": self.queue_redelivery_delay_seconds,
            "QUEUE_REDELIVERY_DELAY_MAX": self.queue_redelivery_delay_max_seconds,
        }


class ServiceSettings(BaseSettings):
    """Settings of one service, read from ``SUPERVISION_<SERVICE>_*``."""

    model_config = SettingsConfigDict(extra="ignore")

    database_url: str | None = None
    metrics_port: int | None = None


@lru_cache
def platform_settings() -> PlatformSettings:
    return PlatformSettings()


def service_settings(service_name: str) -> ServiceSettings:
    return ServiceSettings(_env_prefix=f"SUPERVISION_{service_name.upper()}_")


def database_url(service_name: str) -> str:
    configured = service_settings(service_name).database_url
    if configured:
        return configured
    var_dir = platform_settings().var_dir
    var_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(var_dir / f'{service_name}.sqlite3').resolve()}"


def metrics_port(service_name: str) -> int:
    configured = service_settings(service_name).metrics_port
    if configured is not None:
        return configured
    return DEFAULT_METRICS_PORTS.get(service_name, 9100)
