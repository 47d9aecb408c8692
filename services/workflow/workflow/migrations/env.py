"""Alembic environment of the workflow service; run by common.database.migrate at start."""

from alembic import context
from sqlalchemy import create_engine

from common.schema import infrastructure_metadata
from workflow.persistence.models import Base

target_metadata = [Base.metadata, infrastructure_metadata]


def run_migrations(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    engine = create_engine(context.config.get_main_option("sqlalchemy.url"))
    with engine.begin() as own_connection:
        run_migrations(own_connection)
