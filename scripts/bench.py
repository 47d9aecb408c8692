"""Benchmark of the platform on this machine: ``make bench`` runs this script after
scripts/bench_checkins.py (check-ins through the gateway, issue 11) and before the benches of
deadlines and scoring. This module is also where the bench scripts find their shared helpers:
the run's own vhost and databases (:class:`Resources`), the figures (:class:`Figures`), the
baselines, the platform (:class:`Platform`), the registry copy of the attendance service, /proc.

Prints one line per figure, ``BENCH <name> <value> <unit>``, the same names on every run
(``nan`` where a figure could not be measured); everything else (goals, what limits what,
progress) goes to stderr as ``#`` comments.

1. Baselines measured in the same run: persistent publishes with a confirm each into a
   queue of the bench's own RabbitMQ vhost, and single-row INSERT + COMMIT into the bench's
   own PostgreSQL database.
2. Month-end evaluation, in-process, on a fresh attendance database holding a whole month of
   check-ins: the end-of-day + month-end evaluation of the month's last day for everybody.
3. Concurrent writes on ``make run``'s embedded SQLite: projects registered through the gateway.

Knobs (environment): BENCH_EVAL_PEOPLE (2000), BENCH_SQLITE_CLIENTS (20), BENCH_SQLITE_WRITES
(400), BENCH_PROFILE (0; 1 prints cProfile's top functions of the evaluation, from an extra
untimed pass), BENCH_PG_ADMIN_URL, BENCH_AMQP_HOST. SUPERVISION_* variables set in the
environment reach the platform, except those the bench must set itself (URLs, ports, clock,
secret).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
DISTRICT_TZ = timezone(timedelta(hours=8))

PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
AMQP_HOST = os.environ.get("BENCH_AMQP_HOST", "guest:guest@127.0.0.1:5672")
RUN_ID = uuid.uuid4().hex[:8]
PEOPLE_PER_PROJECT = 1000
FENCE_CENTER = (30.03, 120.87)
GEOFENCE = {"center": [FENCE_CENTER[0], FENCE_CENTER[1]], "radius_m": 500}
CHECKIN_POSTS = (("project_manager", "contractor"), ("safety_officer", "contractor"),
                 ("inspector", "supervisor"), ("chief_engineer", "supervisor"))
UNITS = {"contractor": "bench-contractor", "supervisor": "bench-supervisor", "owner": "bench-owner",
         "leading_group": "bench-leading-group"}
JWT_SECRET = "bench-only-jwt-secret-" + uuid.uuid4().hex

def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def note(message: str) -> None:
    for line in message.splitlines() or [""]:
        print(f"# {line}", file=sys.stderr, flush=True)


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return math.nan
    rank = max(0, math.ceil(fraction * len(sorted_values)) - 1)
    return sorted_values[rank]


class Figures:
    """The figures of one bench script, ``name -> unit`` in the order printed: ``figures(name,
    value)`` prints one ``BENCH`` line, :meth:`print_missing` a ``nan`` for each not printed."""

    def __init__(self, units: dict[str, str]):
        self.units = units
        self.printed: set[str] = set()

    def __call__(self, name: str, value: float | None) -> None:
        unit = self.units[name]
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            text = "nan"
        elif unit == "count":
            text = str(int(value))
        elif unit == "s":
            text = f"{value:.3f}"
        else:
            text = f"{value:.1f}"
        print(f"BENCH {name} {text} {unit}", flush=True)
        self.printed.add(name)

    def print_missing(self) -> None:
        for name in self.units:
            if name not in self.printed:
                self(name, None)


figure = Figures({
    "rabbitmq_publish_confirm_per_s": "1/s",
    "postgres_single_commit_per_s": "1/s",
    "month_end_eval_seed_seconds": "s",
    "month_end_eval_seconds": "s",
    "month_end_eval_people_per_s": "1/s",
    "month_end_eval_100k_projected_seconds": "s",
    "sqlite_concurrent_writes_per_s": "1/s",
    "sqlite_concurrent_writes_p99_ms": "ms",
    "sqlite_concurrent_writes_failed": "count",
})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- the bench's own vhost and databases ------------------------------------------------------------


class Unreachable(RuntimeError):
    pass


def amqp_parts() -> tuple[str, str, str]:
    parsed = urlsplit(f"amqp://{AMQP_HOST}")
    host = f"{parsed.hostname}:{parsed.port or 5672}"
    return host, parsed.username or "guest", parsed.password or "guest"


def check_rabbitmq() -> None:
    import amqp

    host, user, password = amqp_parts()
    try:
        connection = amqp.Connection(host=host, userid=user, password=password, virtual_host="/",
                                     connect_timeout=3)
        connection.connect()
        connection.close()
    except Exception as error:
        raise Unreachable(f"RabbitMQ is not reachable at {host} ({error!r}).\n"
                          "Start it with `rabbitmq-server -detached` (127.0.0.1:5672, guest/guest).") from None
    if shutil.which("rabbitmqctl") is None:
        raise Unreachable("rabbitmqctl is not on PATH: the bench makes its own vhost with it "
                          "(run as root on the machine that runs RabbitMQ).")


def check_postgres() -> None:
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as error:
        raise Unreachable(
            f"PostgreSQL is not reachable at {PG_ADMIN_URL} "
            f"({str(getattr(error, 'orig', None) or error).strip().splitlines()[0]}).\n"
            "Start it with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`.") from None


def rabbitmqctl(*args: str) -> None:
    executable = shutil.which("rabbitmqctl") or "rabbitmqctl"
    result = subprocess.run([executable, *args], capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"rabbitmqctl {' '.join(args)} failed: {result.stderr.strip() or result.stdout.strip()}")


class Resources:
    """The vhost and databases this run made; all removed by :meth:`cleanup`."""

    def __init__(self):
        self.vhost: str | None = None
        self.databases: list[str] = []

    def make_vhost(self) -> str:
        name = f"supervision-bench-{RUN_ID}"
        rabbitmqctl("add_vhost", name)
        self.vhost = name
        _, user, _ = amqp_parts()
        rabbitmqctl("set_permissions", "-p", name, user, ".*", ".*", ".*")
        return name

    def amqp_uri(self) -> str:
        return f"pyamqp://{AMQP_HOST}/{quote(self.vhost, safe='')}"

    def make_database(self, label: str) -> str:
        import sqlalchemy as sa

        name = f"bench_{label}_{RUN_ID}"
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        self.databases.append(name)
        return str(sa.engine.make_url(PG_ADMIN_URL).set(drivername="postgresql+psycopg2", database=name)
                   .render_as_string(hide_password=False))

    def cleanup(self) -> None:
        import sqlalchemy as sa

        with contextlib.suppress(Exception):
            from common.database import dispose_engines

            dispose_engines()
        if self.databases:
            try:
                admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
                with admin.connect() as connection:
                    for name in self.databases:
                        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
                self.databases = []
            except Exception as error:
                note(f"warning: could not drop databases {self.databases}: {error}")
        if self.vhost:
            try:
                rabbitmqctl("delete_vhost", self.vhost)
                self.vhost = None
            except Exception as error:
                note(f"warning: could not delete vhost {self.vhost}: {error}")


def database_name(url: str) -> str:
    """The database a URL of :meth:`Resources.make_database` names."""
    import sqlalchemy as sa

    return sa.engine.make_url(url).database


# --- 1. baselines ------------------------------------------------------------------------------------


def bench_rabbitmq_confirms(vhost: str, messages: int) -> float:
    """Persistent messages to a durable queue, each publish waiting for its confirm. pika when it
    is installed; otherwise py-amqp (what kombu and nameko use) does the same on the wire."""
    host, user, password = amqp_parts()
    body = json.dumps({"event_id": str(uuid.uuid4()), "payload": "x" * 200}).encode()
    queue = f"bench-confirm-{RUN_ID}"
    try:
        import pika
    except ImportError:
        pika = None
    if pika is not None:
        hostname, port = host.rsplit(":", 1)
        connection = pika.BlockingConnection(pika.ConnectionParameters(
            host=hostname, port=int(port), virtual_host=vhost, credentials=pika.PlainCredentials(user, password)))
        channel = connection.channel()
        channel.queue_declare(queue=queue, durable=True)
        channel.confirm_delivery()
        properties = pika.BasicProperties(delivery_mode=2, content_type="application/json")
        started = time.perf_counter()
        for _ in range(messages):
            channel.basic_publish(exchange="", routing_key=queue, body=body, properties=properties)
        elapsed = time.perf_counter() - started
        connection.close()
        client = f"pika {pika.__version__}"
    else:
        import amqp

        connection = amqp.Connection(host=host, userid=user, password=password, virtual_host=vhost,
                                     confirm_publish=True)
        connection.connect()
        channel = connection.channel()
        channel.queue_declare(queue=queue, durable=True, auto_delete=False)
        started = time.perf_counter()
        for _ in range(messages):
            # confirm_publish: basic_publish waits for the broker's ack of each message
            channel.basic_publish(amqp.Message(body, delivery_mode=2, content_type="application/json"),
                                  exchange="", routing_key=queue)
        elapsed = time.perf_counter() - started
        connection.close()
        client = f"py-amqp {amqp.__version__} (pika is not installed in the venv)"
    note(f"rabbitmq: {messages} persistent publishes, each confirmed, in {elapsed:.2f} s with {client}")
    return messages / elapsed


def bench_postgres_commits(url: str, rows: int) -> float:
    import psycopg2
    import sqlalchemy as sa

    parts = sa.engine.make_url(url)
    connection = psycopg2.connect(host=parts.host, port=parts.port or 5432, user=parts.username,
                                  password=parts.password, dbname=parts.database)
    cursor = connection.cursor()
    cursor.execute("CREATE TABLE bench_commit (id serial PRIMARY KEY, person_id text NOT NULL, "
                   "recorded_at timestamptz NOT NULL DEFAULT now(), payload text)")
    connection.commit()
    started = time.perf_counter()
    for number in range(rows):
        cursor.execute("INSERT INTO bench_commit (person_id, payload) VALUES (%s, %s)",
                       (f"p{number:07d}", "x" * 100))
        connection.commit()
    elapsed = time.perf_counter() - started
    connection.close()
    note(f"postgres: {rows} single-row INSERT + COMMIT in {elapsed:.2f} s")
    return rows / elapsed


# --- the platform and its processes -----------------------------------------------------------------


def person_id(index: int) -> str:
    return f"bp{index:07d}"


def project_id(number: int) -> str:
    return f"bench-prj-{number:04d}"


def seed_registry_copy(session, projects: list[tuple[str, list[str]]], started_on: date,
                       assigned_at: datetime) -> None:
    """Units, projects, participants and roster of the attendance service's registry copy, in
    bulk. ``projects``: (project id, person ids) each."""
    import sqlalchemy as sa

    from attendance.persistence.models import ParticipantCopy, ProjectCopy, RosterEntry, UnitCopy, UserPostCopy

    session.execute(sa.insert(UnitCopy), [
        {"id": UNITS["leading_group"], "kind": "leading_group", "parent_id": None, "industry": None},
        {"id": UNITS["owner"], "kind": "owner", "parent_id": None, "industry": None},
        {"id": UNITS["contractor"], "kind": "contractor", "parent_id": None, "industry": None},
        {"id": UNITS["supervisor"], "kind": "supervisor", "parent_id": None, "industry": None},
    ])
    session.execute(sa.insert(UserPostCopy), [
        {"user_id": "bench-owner-chief", "unit_id": UNITS["owner"], "post": "chief"},
        {"user_id": "bench-owner-lead", "unit_id": UNITS["owner"], "post": "owner_project_lead"},
    ])
    session.execute(sa.insert(ProjectCopy), [
        {"id": pid, "name": f"bench project {pid}", "industry": "housing", "below_threshold": False,
         "geofence": GEOFENCE, "status": "in_construction", "construction_started_on": started_on,
         "supervising_unit_id": None, "line_id": None, "owner_id": UNITS["owner"],
         "owner_project_lead_id": None, "spoofing_policy": "flag"}
        for pid, _ in projects])
    session.execute(sa.insert(ParticipantCopy), [
        {"project_id": pid, "unit_id": UNITS[role], "role": role}
        for pid, _ in projects for role in ("contractor", "supervisor")])
    rows = []
    for pid, people in projects:
        for number, person in enumerate(people):
            post, firm = CHECKIN_POSTS[number % len(CHECKIN_POSTS)]
            rows.append({"project_id": pid, "person_id": person, "firm_id": UNITS[firm], "post": post,
                         "assigned_at": assigned_at})
    for start in range(0, len(rows), 10000):
        session.execute(sa.insert(RosterEntry), rows[start:start + 10000])


def platform_env(resources: Resources, var_dir: Path, workflow_url: str, attendance_url: str, port: int) -> dict:
    from common.settings import DEFAULT_METRICS_PORTS

    env = dict(os.environ)
    env.update({
        "SUPERVISION_AMQP_URI": resources.amqp_uri(),
        "SUPERVISION_WORKFLOW_DATABASE_URL": workflow_url,
        "SUPERVISION_ATTENDANCE_DATABASE_URL": attendance_url,
        "SUPERVISION_MANUAL_CLOCK": "false",
        "SUPERVISION_GATEWAY_DEV_LOGIN": "false",
        "SUPERVISION_GATEWAY_JWT_SECRET": JWT_SECRET,
        "SUPERVISION_LOG_LEVEL": "WARNING",
        "SUPERVISION_LOG_FORMAT": "text",
        "SUPERVISION_VAR_DIR": str(var_dir),
        "SUPERVISION_GATEWAY_FILE_STORE_DIR": str(var_dir / "files"),
        "PYTHONWARNINGS": "ignore",
    })
    # every service on a metrics port of its own: another platform on this machine holds the defaults
    env.update({f"SUPERVISION_{service.upper()}_METRICS_PORT": str(free_port()) for service in DEFAULT_METRICS_PORTS})
    env.pop("SUPERVISION_ENVIRONMENT", None)
    env["BENCH_GATEWAY_PORT"] = str(port)
    return env


def children_of(pid: int) -> list[int]:
    found = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                found += [int(child) for child in (task / "children").read_text().split()]
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def start_time(pid: int) -> int | None:
    """When the process started (clock ticks since boot): with the pid, it names one process."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime


def machine_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def wait_ready(base_url: str, launcher: subprocess.Popen, log_path: Path, seconds: float) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if launcher.poll() is not None:
            raise RuntimeError(f"the platform exited with {launcher.returncode}:\n{tail(log_path)}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base_url}/readyz", timeout=5).status_code == 200:
                return
        time.sleep(0.5)
    raise RuntimeError(f"the platform was not ready within {seconds:.0f} s:\n{tail(log_path)}")


def tail(path: Path, characters: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-characters:]
    except OSError:
        return ""


class Platform:
    """scripts/run_platform.py in its own session, stopped (and its children) at the end."""

    def __init__(self, env: dict, port: int, log_path: Path):
        self.env, self.port, self.log_path = env, port, log_path
        self.launcher: subprocess.Popen | None = None
        self.children: dict[int, str] = {}
        self.started_at: dict[int, int | None] = {}

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = self.log_path.open("wb")
        self.launcher = subprocess.Popen(
            [sys.executable, str(ROOT / "scripts" / "run_platform.py"), "--port", str(self.port), "--seed", "none"],
            env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        try:
            wait_ready(self.base_url, self.launcher, self.log_path, 120)
        finally:
            self._find_children()

    def _find_children(self) -> None:
        for pid in children_of(self.launcher.pid):
            line = cmdline(pid)
            if "common.runner" in line:
                self.children[pid] = line.split("common.runner", 1)[1].split()[0]
            elif "uvicorn" in line:
                self.children[pid] = "gateway"
            else:
                continue
            self.started_at[pid] = start_time(pid)

    def stop(self) -> None:
        if self.launcher is None:
            return
        if self.launcher.poll() is None and not self.children:
            self._find_children()
        if self.launcher.poll() is None:
            self.launcher.send_signal(signal.SIGTERM)
            try:
                self.launcher.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.launcher.kill()
                self.launcher.wait(timeout=10)
        for pid in self.children:  # any the launcher left behind, if it is still the same process
            if self.started_at.get(pid) is not None and start_time(pid) == self.started_at[pid]:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        self.launcher = None


def print_profile(title: str, run) -> None:
    """BENCH_PROFILE=1: run ``run()`` once more under cProfile and print the top functions."""
    if os.environ.get("BENCH_PROFILE", "0") in ("", "0"):
        return
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(run)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
    note(f"profile of {title} (by own time):\n" + out.getvalue().strip())


class SqlCounter:
    """Counts the statements an engine runs and the time spent in them."""

    def __init__(self, engine):
        import sqlalchemy as sa

        self.statements = 0
        self.seconds = 0.0
        self._started: list[float] = []
        sa.event.listen(engine, "before_cursor_execute", self._before)
        sa.event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, *_args):
        self._started.append(time.perf_counter())

    def _after(self, *_args):
        self.statements += 1
        self.seconds += time.perf_counter() - self._started.pop()


# --- 2. month-end evaluation, 3. SQLite writes ------------------------------------------------------------


def bench_sqlite_writes(resources: Resources, var_dir: Path) -> None:
    """`make run`'s embedded default under concurrent writers: BENCH_SQLITE_CLIENTS (20) clients
    register BENCH_SQLITE_WRITES (400) projects through the gateway, SQLite files under var/.
    Before one writer per process (issue 7) most of these froze for 10 s and failed."""
    import httpx

    clients, writes = env_int("BENCH_SQLITE_CLIENTS", 20), env_int("BENCH_SQLITE_WRITES", 400)
    sqlite_dir = var_dir / "sqlite"
    port = free_port()
    env = platform_env(resources, sqlite_dir, "", "", port)
    for name in ("SUPERVISION_WORKFLOW_DATABASE_URL", "SUPERVISION_ATTENDANCE_DATABASE_URL"):
        env.pop(name)
    env.update({"SUPERVISION_GATEWAY_DEV_LOGIN": "true", "SUPERVISION_MANUAL_CLOCK": "true"})
    subprocess.run([sys.executable, "-m", "workflow.bootstrap", "--demo"], env=env, cwd=ROOT, check=True,
                   capture_output=True)
    platform = Platform(env, port, var_dir / "sqlite-platform.log")
    platform.start()
    try:
        with httpx.Client(base_url=platform.base_url, timeout=30,
                          limits=httpx.Limits(max_connections=clients)) as http:
            token = http.post("/auth/v1/dev/login", json={"user_id": "demo-leading-group-chief"}).json()["access_token"]
            headers = {"authorization": f"Bearer {token}"}

            def register(index: int) -> tuple[int, float]:
                body = {"name": f"bench-sqlite-{index}", "industry": "housing", "kind": "government",
                        "contract_amount": "12500000.00", "below_threshold": False, "geofence": GEOFENCE,
                        "planned_start": "2027-01-01", "planned_end": "2027-06-30"}
                started = time.perf_counter()
                try:
                    status = http.post("/zzd/v1/projects", json=body, headers=headers).status_code
                except httpx.HTTPError:
                    status = 0
                return status, time.perf_counter() - started

            started = time.perf_counter()
            with ThreadPoolExecutor(clients) as pool:
                answers = list(pool.map(register, range(writes)))
            elapsed = time.perf_counter() - started
        latencies = sorted(seconds for _, seconds in answers)
        figure("sqlite_concurrent_writes_per_s", writes / elapsed)
        figure("sqlite_concurrent_writes_p99_ms", percentile(latencies, 0.99) * 1000)
        figure("sqlite_concurrent_writes_failed", sum(1 for status, _ in answers if status != 201))
    finally:
        platform.stop()


def previous_month(today: date) -> tuple[date, date]:
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def bench_month_end(resources: Resources) -> None:
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from attendance.persistence.models import EvaluationMark
    from attendance.service import MIGRATIONS_DIR
    from attendance.usecases.common import Call
    from attendance.usecases.evaluations import evaluate_due
    from common.database import migrate
    from common.principal import SYSTEM

    people = env_int("BENCH_EVAL_PEOPLE", 2000)
    url = resources.make_database("evaluation")
    migrate(url, MIGRATIONS_DIR)
    first, last = previous_month(datetime.now(DISTRICT_TZ).date())
    n_projects = max(1, math.ceil(people / PEOPLE_PER_PROJECT))
    members: list[list[str]] = [[] for _ in range(n_projects)]
    for index in range(people):
        members[index % n_projects].append(person_id(index))
    projects = [(project_id(number), members[number]) for number in range(n_projects)]
    assigned_at = datetime.combine(first - timedelta(days=1), datetime.min.time(), DISTRICT_TZ)

    engine = sa.create_engine(url)
    started = time.perf_counter()
    with Session(engine) as session:
        seed_registry_copy(session, projects, first, assigned_at)
        session.add(EvaluationMark(name="days", through=last - timedelta(days=1)))
        session.commit()
    days = (last - first).days + 1
    rows = copy_month_of_checkins(engine, projects, first, days)
    seed_seconds = time.perf_counter() - started
    figure("month_end_eval_seed_seconds", seed_seconds)
    note(f"month-end: seeded {people} people on {n_projects} projects with {rows} accepted check-ins "
         f"({first.isoformat()} .. {last.isoformat()}) in {seed_seconds:.1f} s")
    with engine.connect() as connection:
        connection.execute(sa.text("ANALYZE"))
        connection.commit()

    counter = SqlCounter(engine)
    now = datetime.combine(last + timedelta(days=1), datetime.min.time().replace(hour=8), DISTRICT_TZ)
    with Session(engine, expire_on_commit=False) as session:
        started = time.perf_counter()
        raised, _done = evaluate_due(Call(session, now, SYSTEM))
        session.commit()
        elapsed = time.perf_counter() - started
        through = session.get(EvaluationMark, "days").through
    statements, db_seconds = counter.statements, counter.seconds

    def evaluate_again() -> None:
        with Session(engine, expire_on_commit=False) as session:
            session.get(EvaluationMark, "days").through = last - timedelta(days=1)
            evaluate_due(Call(session, now, SYSTEM))
            session.rollback()

    figure("month_end_eval_seconds", elapsed)
    figure("month_end_eval_people_per_s", people / elapsed)
    projected = elapsed / people * 100_000
    figure("month_end_eval_100k_projected_seconds", projected)
    note(f"month-end: evaluated {last.isoformat()} (mark now {through.isoformat()}) for {people} people, "
         f"{raised} warnings raised; {statements} SQL statements "
         f"({statements / people:.1f} per person), {db_seconds / elapsed * 100:.0f}% of the time "
         "waiting on PostgreSQL, the rest Python in this process")
    note(f"goal: 100,000 people (~6 M check-ins) in <= 120 s: {'met' if projected <= 120 else 'MISSED'} "
         f"(projected linearly: {projected:.0f} s)")
    print_profile(f"the month-end evaluation of {people} people", evaluate_again)
    engine.dispose()


def copy_month_of_checkins(engine, projects: list[tuple[str, list[str]]], first: date, days: int) -> int:
    """Two accepted check-ins per person per day (08:30 and 17:30 local) through COPY."""
    buffer = io.StringIO()
    rows = 0
    for pid, people in projects:
        for person in people:
            device = f"dev-{person}"
            for offset in range(days):
                day = first + timedelta(days=offset)
                for hour, minute in ((8, 30), (17, 30)):
                    at = datetime(day.year, day.month, day.day, hour, minute, tzinfo=DISTRICT_TZ).astimezone(UTC)
                    stamp = at.isoformat()
                    buffer.write(f"{uuid.uuid4().hex}\t{pid}\t{person}\t{uuid.uuid4().hex}\t{stamp}\t"
                                 f"{day.isoformat()}\taccepted\t\\N\t[]\t30.03\t120.87\t10\t{device}\t{stamp}\n")
                    rows += 1
    buffer.seek(0)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.copy_expert("COPY checkin (id, project_id, person_id, client_request_id, recorded_at, local_day, "
                           "outcome, reason, flags, lat, lng, accuracy_m, device_id, client_time) FROM STDIN", buffer)
        raw.commit()
    finally:
        raw.close()
    return rows


# --- the run ----------------------------------------------------------------------------------------------------


def run(figures: Figures, baseline_names: tuple[str, str], phases, var_prefix: str) -> int:
    """The frame of a bench script: check that RabbitMQ and PostgreSQL answer, make the run's vhost,
    print the two baselines (``baseline_names``: publishes with confirms, single-row commits),
    run each ``phase(resources, var_dir)`` (one failing does not stop the others), then remove
    everything made and print ``nan`` for each figure not measured. Exit status: 0, 1 when
    anything failed, 2 when the broker or the database is not reachable."""
    warnings.filterwarnings("ignore")
    started = time.perf_counter()
    try:
        check_rabbitmq()
        check_postgres()
    except Unreachable as error:
        print(f"error: {error}", file=sys.stderr)
        figures.print_missing()
        return 2

    def interrupt(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    resources = Resources()
    failed = False
    var_dir = Path(tempfile.mkdtemp(prefix=var_prefix))
    try:
        vhost = resources.make_vhost()
        baseline_url = resources.make_database("baseline")
        rabbitmq_name, postgres_name = baseline_names
        for name, measure in ((rabbitmq_name, lambda: bench_rabbitmq_confirms(vhost, 3000)),
                              (postgres_name, lambda: bench_postgres_commits(baseline_url, 2000))):
            try:
                figures(name, measure())
            except Exception as error:
                failed = True
                note(f"error: {name}: {type(error).__name__}: {error}")
        for phase in phases:
            try:
                phase(resources, var_dir)
            except Exception as error:
                failed = True
                note(f"error: {type(error).__name__}: {error}")
    except KeyboardInterrupt:
        failed = True
        note("interrupted; cleaning up")
    except Exception as error:
        failed = True
        note(f"error: {type(error).__name__}: {error}")
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # let the cleanup finish
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        resources.cleanup()
        shutil.rmtree(var_dir, ignore_errors=True)
        figures.print_missing()
        note(f"bench took {time.perf_counter() - started:.0f} s")
    return 1 if failed else 0


def main() -> int:
    note("goal: the month-end evaluation of 100,000 people in <= 120 s")
    return run(figure, ("rabbitmq_publish_confirm_per_s", "postgres_single_commit_per_s"),
               (lambda resources, _var_dir: bench_month_end(resources), bench_sqlite_writes),
               "supervision-bench-")


if __name__ == "__main__":
    sys.exit(main())
