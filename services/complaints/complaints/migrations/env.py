"""Alembic environment of the complaints service; run by common.database.migrate at start."""

from common.database import run_migration_environment
from complaints.persistence.models import Base

run_migration_environment(Base.metadata)
