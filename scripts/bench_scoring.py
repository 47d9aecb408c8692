"""Bench of scoring (issue 10, "Speed"): the annual composite recomputation for 50,000 firms across
200,000 projects with 2,000,000 ledger entries on PostgreSQL — one set-based statement
(scoring.persistence.queries.recompute_composites). Seeds with generate_series in a database of its
own, dropped at the end. Prints ``BENCH <name> <value> <unit>``."""

# ruff: noqa: S608 - the seeding statements are built from this file's constants only

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from common.database import engine_for, migrate
from scoring.domain.rules import ScoringRules
from scoring.persistence.queries import recompute_composites
from scoring.service import MIGRATIONS_DIR

ADMIN = os.environ.get("SUPERVISION_TEST_PG_ADMIN_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
FIRMS, PROJECTS, ENTRIES, YEAR = 50_000, 200_000, 2_000_000, 2027

SEED = [
    f"""INSERT INTO copy_project (id, name, industry, contract_amount, owner_id)
        SELECT 'p' || n, 'project ' || n, 'housing', 1000000 + (n % 97) * 250000, 'o' || (n % 2000)
        FROM generate_series(1, {PROJECTS}) n""",
    # each project has a contractor and a supervisor: 400,000 participations over 50,000 firms
    f"""INSERT INTO copy_participant (project_id, unit_id, role)
        SELECT 'p' || n, 'f' || (n % {FIRMS}), 'contractor' FROM generate_series(1, {PROJECTS}) n
        UNION ALL
        SELECT 'p' || n, 'f' || ((n * 7 + 13) % {FIRMS}), 'supervisor' FROM generate_series(1, {PROJECTS}) n
        ON CONFLICT DO NOTHING""",
    f"""INSERT INTO ledger_entry (id, subject_id, subject_kind, project_id, year, points, conduct, article, rule_id,
            rule_set_id, rule_set_version, source_type, source_event_id, evidence, capped, occurred_at, recorded_at)
        SELECT 'e' || n, 'f' || ((n % {PROJECTS}) % {FIRMS}), 'firm', 'p' || (n % {PROJECTS} + 1), {YEAR},
               -1 - (n % 3), 'missed_attendance', 'Art. 42', 'art42.consecutive-absence', 'default', 0, 'warning',
               'ev' || n, '{{}}', false, now(), now()
        FROM generate_series(1, {ENTRIES}) n""",
]


def main() -> None:
    name = f"bench_scoring_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = str(sa.engine.make_url(ADMIN).set(database=name))
    try:
        migrate(url, MIGRATIONS_DIR)
        engine = engine_for(url)
        started = time.perf_counter()
        with engine.begin() as connection:
            for statement in SEED:
                connection.execute(sa.text(statement))
            connection.execute(sa.text("ANALYZE"))
        print(f"BENCH scoring_seed_2m_entries {time.perf_counter() - started:.1f} s", flush=True)
        with Session(engine) as session:
            started = time.perf_counter()
            subjects = recompute_composites(session, YEAR, ScoringRules(), datetime.now(UTC))
            session.commit()
            elapsed = time.perf_counter() - started
        assert subjects >= FIRMS, subjects
        print(f"BENCH scoring_composite_recompute_50k_firms_200k_projects_2m_entries {elapsed:.2f} s", flush=True)
        engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
