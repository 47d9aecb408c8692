"""Alembic environment of the workflow service; run by common.database.migrate at start."""

from common.database import run_migration_environment
from workflow.persistence.models import Base

run_migration_environment(Base.metadata)
