"""Fixtures of the common library's unit tests: a SQLite database file with the shared tables,
and settings read from a clean environment."""

from __future__ import annotations

import os
import warnings

with warnings.catch_warnings():
    # eventlet warns once, on import, that it is in maintenance mode: expected (see stack notes).
    warnings.simplefilter("ignore")
    import eventlet  # noqa: F401

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from common.schema import infrastructure_metadata
from common.settings import platform_settings


@pytest.fixture
def engine(tmp_path):
    """A SQLite file in tmp_path where ``infrastructure_metadata.create_all`` made the tables."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'common.sqlite3'}")
    infrastructure_metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    with Session(engine) as session:
        yield session


@pytest.fixture
def clean_settings(monkeypatch):
    """No ``SUPERVISION_*`` variable from the outer environment, and no cached settings."""
    for name in list(os.environ):
        if name.startswith("SUPERVISION_"):
            monkeypatch.delenv(name)
    platform_settings.cache_clear()
    yield monkeypatch
    platform_settings.cache_clear()
