"""Alembic environment of the attendance service; run by common.database.migrate at start."""

from common.database import run_migration_environment
from attendance.persistence.models import Base

run_migration_environment(Base.metadata)
