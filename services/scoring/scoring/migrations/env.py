"""Alembic environment of the scoring service; run by common.database.migrate at start."""

from common.database import run_migration_environment
from scoring.persistence.models import Base

run_migration_environment(Base.metadata)
