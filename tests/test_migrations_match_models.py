"""Every service's database is made by its own migrations, and what they make matches its models:
a model changed without a migration fails here, not in production at start."""

import importlib

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from common.database import migrate
from common.registry_copy import registry_copy_metadata
from common.schema import infrastructure_metadata

SERVICES = ["workflow", "attendance", "complaints", "notification", "scoring"]


@pytest.mark.parametrize("name", SERVICES)
def test_migrations_make_the_tables_of_the_models(tmp_path, name):
    service = importlib.import_module(f"{name}.service")
    models = importlib.import_module(f"{name}.persistence.models")
    url = f"sqlite:///{tmp_path / f'{name}.sqlite3'}"
    migrate(url, service.MIGRATIONS_DIR)
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        # The service's own models and the platform's shared tables (common.schema, and the
        # registry copy of common.registry_copy where the service keeps one) together.
        shared = [infrastructure_metadata]
        if "copy_unit" in sa.inspect(connection).get_table_names():
            shared.append(registry_copy_metadata)
        differences = compare_metadata(MigrationContext.configure(connection), [models.Base.metadata, *shared])
    engine.dispose()
    assert [d for d in differences if not _same_floating_point(d)] == []


def _same_floating_point(difference) -> bool:
    """FLOAT and DOUBLE are the same column on SQLite and PostgreSQL (double precision both): the
    workflow's first photo columns were written with one and modelled with the other."""
    changes = difference if isinstance(difference, list) else [difference]
    return all(change[0] == "modify_type" and isinstance(change[-2], sa.Float) and isinstance(change[-1], sa.Float)
               for change in changes)
