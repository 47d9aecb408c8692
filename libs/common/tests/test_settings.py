from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError

from common.settings import (
    DEFAULT_METRICS_PORTS,
    PlatformSettings,
    database_url,
    metrics_port,
    platform_settings,
)


def test_defaults(clean_settings):
    settings = platform_settings()
    assert settings.environment == "development"
    assert settings.amqp_uri == "pyamqp://guest:guest@127.0.0.1:5672/"
    assert settings.var_dir == Path("var")
    assert settings.manual_clock is False
    assert settings.max_workers == 10
    assert settings.nameko_config() == {
        "AMQP_URI": "pyamqp://guest:guest@127.0.0.1:5672/",
        "max_workers": 10,
        "serializer": "json",
        "QUORUM_QUEUES": True,
        "QUEUE_DELIVERY_LIMIT": 20,
        "QUEUE_REDELIVERY_DELAY": 0.5,
        "QUEUE_REDELIVERY_DELAY_MAX": 60.0,
    }


def test_default_database_is_a_sqlite_file_under_var_dir(clean_settings, tmp_path):
    var_dir = tmp_path / "state" / "var"
    clean_settings.setenv("SUPERVISION_VAR_DIR", str(var_dir))
    assert database_url("workflow") == f"sqlite:///{(var_dir / 'workflow.sqlite3').resolve()}"
    assert var_dir.is_dir()
    assert database_url("scoring").endswith("/scoring.sqlite3")


def test_default_metrics_ports(clean_settings):
    assert metrics_port("workflow") == 9101
    assert metrics_port("attendance") == 9102
    assert metrics_port("complaints") == 9103
    assert metrics_port("scoring") == 9104
    assert metrics_port("notification") == 9105
    assert metrics_port("elsewhere") == 9100
    assert len(set(DEFAULT_METRICS_PORTS.values())) == len(DEFAULT_METRICS_PORTS)


def test_service_settings_come_from_the_environment(clean_settings, tmp_path):
    clean_settings.setenv("SUPERVISION_VAR_DIR", str(tmp_path))
    clean_settings.setenv("SUPERVISION_WORKFLOW_DATABASE_URL", "postgresql+psycopg2://db/workflow")
    clean_settings.setenv("SUPERVISION_WORKFLOW_METRICS_PORT", "9999")
    assert database_url("workflow") == "postgresql+psycopg2://db/workflow"
    assert metrics_port("workflow") == 9999
    # Another service keeps its defaults.
    assert database_url("scoring") == f"sqlite:///{(tmp_path / 'scoring.sqlite3').resolve()}"
    assert metrics_port("scoring") == 9104


def test_platform_settings_come_from_the_environment(clean_settings):
    clean_settings.setenv("SUPERVISION_AMQP_URI", "pyamqp://u:p@rabbit:5672/prod")
    clean_settings.setenv("SUPERVISION_MAX_WORKERS", "25")
    clean_settings.setenv("SUPERVISION_MANUAL_CLOCK", "true")
    clean_settings.setenv("SUPERVISION_LOG_FORMAT", "text")
    settings = platform_settings()
    assert settings.manual_clock is True
    assert settings.log_format == "text"
    clean_settings.setenv("SUPERVISION_QUORUM_QUEUES", "false")
    clean_settings.setenv("SUPERVISION_QUEUE_DELIVERY_LIMIT", "5")
    settings = platform_settings.__wrapped__()
    assert settings.nameko_config() == {"AMQP_URI": "pyamqp://u:p@rabbit:5672/prod", "max_workers": 25,
                                        "serializer": "json", "QUORUM_QUEUES": False, "QUEUE_DELIVERY_LIMIT": 5,
                                        "QUEUE_REDELIVERY_DELAY": 0.5, "QUEUE_REDELIVERY_DELAY_MAX": 60.0}


def test_platform_settings_are_cached_until_cleared(clean_settings):
    assert platform_settings() is platform_settings()
    clean_settings.setenv("SUPERVISION_MAX_WORKERS", "7")
    assert platform_settings().max_workers == 10
    platform_settings.cache_clear()
    assert platform_settings().max_workers == 7


def test_out_of_range_values_are_refused(clean_settings):
    clean_settings.setenv("SUPERVISION_MAX_WORKERS", "0")
    with pytest.raises(ValidationError, match="max_workers"):
        platform_settings()


def test_production_refuses_the_manual_clock(clean_settings):
    clean_settings.setenv("SUPERVISION_ENVIRONMENT", "production")
    clean_settings.setenv("SUPERVISION_FIELD_ENCRYPTION_KEY", Fernet.generate_key().decode())
    clean_settings.setenv("SUPERVISION_MANUAL_CLOCK", "true")
    with pytest.raises(ValidationError, match="manual clock"):
        platform_settings()


def test_production_refuses_the_development_encryption_key(clean_settings):
    clean_settings.setenv("SUPERVISION_ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="SUPERVISION_FIELD_ENCRYPTION_KEY"):
        platform_settings()


def test_production_with_its_own_key_and_system_clock_is_accepted(clean_settings):
    key = Fernet.generate_key().decode()
    settings = PlatformSettings(environment="production", field_encryption_key=key)
    assert settings.environment == "production"
    assert settings.manual_clock is False
    assert settings.field_encryption_key == key


def test_development_accepts_the_manual_clock_and_development_key(clean_settings):
    settings = PlatformSettings(environment="development", manual_clock=True)
    assert settings.manual_clock is True
