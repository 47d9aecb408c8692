"""Bench of scoring (issue 10, "Speed"), on PostgreSQL and the real RabbitMQ:

1. Baselines measured in the same run, as scripts/bench.py measures them: persistent publishes
   with a confirm each into a queue of the bench's own vhost, and single-row INSERT + COMMIT into
   the bench's own database.
2. The annual composite recomputation for 50,000 firms across 200,000 projects with 2,000,000
   ledger entries: seeded with generate_series into tables whose indexes and keys are built after
   the load, then the hourly recomputation as the service's timer runs it
   (``scoring.usecases.scores.recompute_year``: one set-based statement, and every subject that
   moved on the feed — on the first pass every subject is scored for the first time), and a second
   pass in which nothing moved.
3. A single deduction from event to published score change under 200 events/s: the scoring service
   runs in its own process (``common.runner scoring``) on a database of its own; warnings
   (``attendance.warning.raised``, each on its own project, firm and person) are published to the
   attendance exchange as its outbox relay would, at BENCH_SCORING_RATE per second for
   BENCH_SCORING_SECONDS; a subscriber with its own durable queue on ``supervision.scores`` times
   each score change from the publish of its warning to its receipt. The first
   BENCH_SCORING_WARMUP_SECONDS are sent but not counted.

Prints ``BENCH <name> <value> <unit>``, the same names on every run (``nan`` where a figure could
not be measured); everything else goes to stderr as ``#`` comments. Everything made (vhost,
databases, the service) is removed at the end, whatever happened.

Knobs (environment): BENCH_PG_ADMIN_URL, BENCH_AMQP_HOST (as scripts/bench.py),
BENCH_SCORING_RATE (200), BENCH_SCORING_SECONDS (20), BENCH_SCORING_WARMUP_SECONDS (2).
"""

# ruff: noqa: S608 - the seeding statements are built from this file's constants only

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # scripts/bench.py: the baselines, the vhost and databases of a run

FIRMS, PROJECTS, ENTRIES, YEAR = 50_000, 200_000, 2_000_000, 2027
RATE = float(os.environ.get("BENCH_SCORING_RATE") or 200)
SECONDS = float(os.environ.get("BENCH_SCORING_SECONDS") or 20)
WARMUP = float(os.environ.get("BENCH_SCORING_WARMUP_SECONDS") or 2)
GOAL_P99_MS = 1000.0
GOAL_RECOMPUTE_S = 60.0

# name -> unit, in the order printed
FIGURES = {
    "scoring_baseline_rabbitmq_publish_confirm_per_s": "1/s",
    "scoring_baseline_postgres_single_commit_per_s": "1/s",
    "scoring_seed_2m_entries": "s",
    "scoring_composite_recompute_50k_firms_200k_projects_2m_entries": "s",
    "scoring_composite_recompute_changes": "count",
    "scoring_composite_recompute_nothing_moved": "s",
    "scoring_event_to_feed_rate_per_s": "1/s",
    "scoring_event_to_feed_p50_ms": "ms",
    "scoring_event_to_feed_p99_ms": "ms",
    "scoring_event_to_feed_max_ms": "ms",
    "scoring_event_to_feed_changes": "count",
    "scoring_event_to_feed_missing": "count",
}
_printed: set[str] = set()
note = bench.note


def figure(name: str, value: float | None) -> None:
    unit = FIGURES[name]
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        text = "nan"
    elif unit == "count":
        text = str(int(value))
    elif unit == "s":
        text = f"{value:.2f}"
    else:
        text = f"{value:.1f}"
    print(f"BENCH {name} {text} {unit}", flush=True)
    _printed.add(name)


# --- 2. the composite recomputation -------------------------------------------------------------------

SEED_TABLES = ("copy_project", "copy_participant", "ledger_entry")
SEED = [
    f"""INSERT INTO copy_project (id, name, industry, contract_amount, owner_id)
        SELECT 'p' || n, 'project ' || n, 'housing', 1000000 + (n % 97) * 250000, 'o' || (n % 2000)
        FROM generate_series(1, {PROJECTS}) n""",
    # each project has a contractor and a supervisor: 400,000 participations over 50,000 firms
    f"""INSERT INTO copy_participant (project_id, unit_id, role)
        SELECT 'p' || n, 'f' || (n % {FIRMS}), 'contractor' FROM generate_series(1, {PROJECTS}) n
        UNION ALL
        SELECT 'p' || n, 'f' || ((n * 7 + 13) % {FIRMS}), 'supervisor' FROM generate_series(1, {PROJECTS}) n""",
    f"""INSERT INTO ledger_entry (id, subject_id, subject_kind, project_id, year, points, conduct, article, rule_id,
            rule_set_id, rule_set_version, source_type, source_event_id, evidence, capped, occurred_at, recorded_at)
        SELECT 'e' || n, 'f' || ((n % {PROJECTS}) % {FIRMS}), 'firm', 'p' || (n % {PROJECTS} + 1), {YEAR},
               -1 - (n % 3), 'missed_attendance', 'Art. 42', 'art42.consecutive-absence', 'default', 0, 'warning',
               'ev' || n, '{{}}', false, now(), now()
        FROM generate_series(1, {ENTRIES}) n""",
]


def drop_keys_and_indexes(connection) -> list[str]:
    """Drop the seeded tables' keys and indexes; answer the statements that build them again."""
    tables = sa.bindparam("tables", expanding=True)
    constraints = connection.execute(sa.text(
        "SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint "
        "WHERE conrelid::regclass::text IN :tables AND contype IN ('p', 'u') ORDER BY contype")
        .bindparams(tables), {"tables": list(SEED_TABLES)}).all()
    indexes = connection.execute(sa.text(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN :tables AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))").bindparams(tables),
        {"tables": list(SEED_TABLES)}).all()
    for index in indexes:
        connection.execute(sa.text(f'DROP INDEX "{index.indexname}"'))
    for constraint in constraints:
        connection.execute(sa.text(f'ALTER TABLE {constraint.tbl} DROP CONSTRAINT "{constraint.conname}"'))
    return ([f'ALTER TABLE {c.tbl} ADD CONSTRAINT "{c.conname}" {c.definition}' for c in constraints]
            + [index.indexdef for index in indexes])


def bench_recompute(url: str) -> None:
    from common.database import engine_for, migrate
    from common.principal import SYSTEM
    from scoring.service import MIGRATIONS_DIR
    from scoring.usecases import scores
    from scoring.usecases.common import Call

    migrate(url, MIGRATIONS_DIR)
    engine = engine_for(url)
    started = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(sa.text("SET LOCAL maintenance_work_mem = '512MB'"))
        connection.execute(sa.text("SET LOCAL synchronous_commit = off"))
        rebuild = drop_keys_and_indexes(connection)
        for statement in SEED:
            connection.execute(sa.text(statement))
        for statement in rebuild:
            connection.execute(sa.text(statement))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("ANALYZE"))
    figure("scoring_seed_2m_entries", time.perf_counter() - started)
    note(f"seeded {PROJECTS} projects, {2 * PROJECTS} participations, {ENTRIES} ledger entries; "
         f"{len(rebuild)} keys and indexes built after the load")
    for name in ("scoring_composite_recompute_50k_firms_200k_projects_2m_entries",
                 "scoring_composite_recompute_nothing_moved"):
        with Session(engine) as session:
            started = time.perf_counter()
            answer = scores.recompute_year(Call(session, datetime.now(UTC), SYSTEM), YEAR)
            session.commit()
            elapsed = time.perf_counter() - started
        figure(name, elapsed)
        if name.endswith("entries"):
            assert answer["changes"] >= FIRMS, answer
            figure("scoring_composite_recompute_changes", answer["changes"])
        else:
            assert answer["changes"] == 0, answer
    note(f"goal: the recomputation in <= {GOAL_RECOMPUTE_S:.0f} s (the first pass also puts every subject, "
         "scored for the first time, on the feed)")
    engine.dispose()


# --- 3. event to published score change ---------------------------------------------------------------

LATENCY_PROJECTS = int(RATE * SECONDS) + 100


def seed_latency_registry(url: str) -> None:
    """One project per warning, each with a contractor of its own; 50 owners."""
    from common.database import migrate
    from scoring.service import MIGRATIONS_DIR

    migrate(url, MIGRATIONS_DIR)
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for statement in (
            f"""INSERT INTO copy_unit (id, kind, name) SELECT 'lf' || n, 'contractor', 'firm ' || n
                FROM generate_series(1, {LATENCY_PROJECTS}) n""",
            """INSERT INTO copy_unit (id, kind, name) SELECT 'lo' || n, 'owner', 'owner ' || n
               FROM generate_series(0, 49) n""",
            f"""INSERT INTO copy_project (id, name, industry, contract_amount, owner_id, status)
                SELECT 'lp' || n, 'project ' || n, 'housing', 5000000, 'lo' || (n % 50), 'in_construction'
                FROM generate_series(1, {LATENCY_PROJECTS}) n""",
            f"""INSERT INTO copy_participant (project_id, unit_id, role)
                SELECT 'lp' || n, 'lf' || n, 'contractor' FROM generate_series(1, {LATENCY_PROJECTS}) n""",
        ):
            connection.execute(sa.text(statement))
        connection.execute(sa.text("ANALYZE"))
    engine.dispose()


def start_scoring(resources, url: str, var_dir: Path) -> subprocess.Popen:
    env = dict(os.environ)
    env.update({
        "SUPERVISION_AMQP_URI": resources.amqp_uri(), "SUPERVISION_SCORING_DATABASE_URL": url,
        "SUPERVISION_SCORING_METRICS_PORT": str(bench.free_port()), "SUPERVISION_MANUAL_CLOCK": "false",
        "SUPERVISION_LOG_LEVEL": "WARNING", "SUPERVISION_LOG_FORMAT": "text", "SUPERVISION_VAR_DIR": str(var_dir),
        "PYTHONWARNINGS": "ignore"})
    env.pop("SUPERVISION_ENVIRONMENT", None)
    log = (var_dir / "scoring.log").open("ab")
    return subprocess.Popen([sys.executable, "-m", "common.runner", "scoring"], env=env, stdout=log,
                            stderr=subprocess.STDOUT)


def wait_until_settled(process: subprocess.Popen, url: str, var_dir: Path, timeout: float = 120) -> None:
    """The service is up, its start-up recomputation done and every change of it published."""
    engine = sa.create_engine(url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError("the scoring service stopped:\n" + (var_dir / "scoring.log").read_text()[-3000:])
            try:
                with engine.connect() as connection:
                    scored = connection.execute(sa.text("SELECT count(*) FROM annual_score")).scalar()
                    pending = connection.execute(sa.text(
                        "SELECT count(*) FROM score_change WHERE published_at IS NULL")).scalar()
                if scored >= LATENCY_PROJECTS and pending == 0:
                    return
            except sa.exc.ProgrammingError:  # not migrated yet
                pass
            time.sleep(0.5)
        raise RuntimeError("the scoring service did not settle:\n" + (var_dir / "scoring.log").read_text()[-3000:])
    finally:
        engine.dispose()


class Subscriber(threading.Thread):
    """An outside system's durable queue on ``supervision.scores``: the receipt time of each change
    a ledger entry caused, by subject."""

    def __init__(self, vhost: str):
        super().__init__(daemon=True)
        import pika

        host, user, password = bench.amqp_parts()
        hostname, port = host.rsplit(":", 1)
        self.connection = pika.BlockingConnection(pika.ConnectionParameters(
            host=hostname, port=int(port), virtual_host=vhost, credentials=pika.PlainCredentials(user, password)))
        self.channel = self.connection.channel()
        self.channel.exchange_declare("supervision.scores", exchange_type="topic", durable=True)
        self.channel.queue_declare("bench.scores", durable=True)
        self.channel.queue_bind("bench.scores", "supervision.scores", routing_key="score.changed.#")
        self.channel.basic_qos(prefetch_count=500)
        self.received: dict[str, float] = {}
        self.duplicates = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        for method, _properties, body in self.channel.consume("bench.scores", inactivity_timeout=0.2):
            if method is not None:
                at = time.time()
                message = json.loads(body)
                if message.get("cause") == "ledger_entry":
                    if message["subject_id"] in self.received:
                        self.duplicates += 1
                    self.received.setdefault(message["subject_id"], at)
                self.channel.basic_ack(method.delivery_tag)
            elif self.stopping.is_set():
                break
        self.channel.cancel()
        self.connection.close()


def publish_warnings(resources) -> dict[str, float]:
    """Warnings at RATE per second for SECONDS, in batches every 20 ms, each confirmed; answers the
    publish time of each warning by subject (its firm and its person)."""
    from nameko.standalone.events import get_event_exchange

    from common import events
    from common.amqp import ConfirmedPublisher, OutgoingMessage

    config = {"AMQP_URI": resources.amqp_uri()}
    publisher = ConfirmedPublisher(config["AMQP_URI"], get_event_exchange("attendance", config), timeout=10)
    sent: dict[str, float] = {}
    total = int(RATE * SECONDS)
    started = time.time()
    number = 0
    try:
        while number < total:
            due = min(total, int((time.time() - started) * RATE) + 1)
            batch = []
            for n in range(number + 1, due + 1):
                warning = events.AttendanceWarningRaised(
                    occurred_at=datetime.now(UTC), warning_id=f"bw{n}", rule_id="art42.consecutive-absence",
                    article="Art. 42", project_id=f"lp{n}", person_id=f"lu{n}", firm_id=f"lf{n}",
                    must_act=f"lo{n % 50}", summary="bench: absent")
                batch.append(OutgoingMessage(warning.event_type, warning.model_dump(mode="json"),
                                             str(warning.event_id)))
            if batch:
                at = time.time()
                outcome = publisher.publish(batch)
                assert all(outcome.confirmed), outcome.error
                for n in range(number + 1, due + 1):
                    if at - started >= WARMUP:
                        sent[f"lf{n}"] = sent[f"lu{n}"] = at
                number = due
            time.sleep(max(0.0, started + number / RATE - time.time()) or 0.001)
        elapsed = time.time() - started
    finally:
        publisher.close()
    figure("scoring_event_to_feed_rate_per_s", total / elapsed)
    note(f"published {total} warnings in {elapsed:.1f} s ({total / elapsed:.0f}/s, goal {RATE:.0f}/s)")
    return sent


def bench_event_to_feed(resources, vhost: str, var_dir: Path) -> None:
    url = resources.make_database("scoring_feed")
    seed_latency_registry(url)
    process = start_scoring(resources, url, var_dir)
    try:
        wait_until_settled(process, url, var_dir)
        subscriber = Subscriber(vhost)
        subscriber.start()
        sent = publish_warnings(resources)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not set(sent) <= set(subscriber.received):
            time.sleep(0.2)
        subscriber.stopping.set()
        subscriber.join(timeout=10)
        latencies = sorted((subscriber.received[subject] - at) * 1000 for subject, at in sent.items()
                           if subject in subscriber.received)
        figure("scoring_event_to_feed_p50_ms", bench.percentile(latencies, 0.50))
        figure("scoring_event_to_feed_p99_ms", bench.percentile(latencies, 0.99))
        figure("scoring_event_to_feed_max_ms", latencies[-1] if latencies else None)
        figure("scoring_event_to_feed_changes", len(latencies))
        figure("scoring_event_to_feed_missing", len(set(sent) - set(subscriber.received)))
        if subscriber.duplicates:
            note(f"error: {subscriber.duplicates} changes received twice")
        note(f"goal: p99 <= {GOAL_P99_MS:.0f} ms from a warning's publish to its score change's receipt "
             f"under {RATE:.0f} events/s (the first {WARMUP:.0f} s not counted)")
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


# --- the run ------------------------------------------------------------------------------------------


def main() -> int:
    warnings.filterwarnings("ignore")
    started = time.perf_counter()
    try:
        bench.check_rabbitmq()
        bench.check_postgres()
    except bench.Unreachable as error:
        print(f"error: {error}", file=sys.stderr)
        for name in FIGURES:
            figure(name, None)
        return 2

    def interrupt(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    resources = bench.Resources()
    failed = False
    var_dir = Path(tempfile.mkdtemp(prefix="supervision-bench-scoring-"))
    try:
        vhost = resources.make_vhost()
        baseline_url = resources.make_database("scoring_baseline")
        for name, measure in (
                ("scoring_baseline_rabbitmq_publish_confirm_per_s", lambda: bench.bench_rabbitmq_confirms(vhost, 3000)),
                ("scoring_baseline_postgres_single_commit_per_s",
                 lambda: bench.bench_postgres_commits(baseline_url, 2000))):
            try:
                figure(name, measure())
            except Exception as error:
                failed = True
                note(f"error: {name}: {type(error).__name__}: {error}")
        for phase in (lambda: bench_recompute(resources.make_database("scoring_recompute")),
                      lambda: bench_event_to_feed(resources, vhost, var_dir)):
            try:
                phase()
            except Exception as error:
                failed = True
                note(f"error: {type(error).__name__}: {error}")
    except KeyboardInterrupt:
        failed = True
        note("interrupted; cleaning up")
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        resources.cleanup()
        shutil.rmtree(var_dir, ignore_errors=True)
        for name in FIGURES:
            if name not in _printed:
                figure(name, None)
        note(f"bench took {time.perf_counter() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
