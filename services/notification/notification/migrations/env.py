"""Alembic environment of the notification service; run by common.database.migrate at start."""

from common.database import run_migration_environment
from notification.persistence.models import Base

run_migration_environment(Base.metadata)
