"""Benchmark of the platform on this machine: ``make bench``.

Prints one line per figure, ``BENCH <name> <value> <unit>``, the same names on every run
(``nan`` where a figure could not be measured); everything else (goals, what limits what,
progress) goes to stderr as ``#`` comments.

1. Baselines measured in the same run: persistent publishes with a confirm each into a
   queue of the bench's own RabbitMQ vhost, and single-row INSERT + COMMIT into the bench's
   own PostgreSQL database.
2. Check-ins through the gateway over HTTP: the platform started by ``scripts/run_platform.py``
   on two fresh databases and a fresh vhost, with the system clock; the attendance database's
   copy of the registry is seeded directly (this measures check-ins, not registration); many
   concurrent clients post one check-in per distinct person for ``BENCH_SECONDS``.
3. Month-end evaluation, in-process, on a fresh attendance database holding a whole month of
   check-ins: the end-of-day + month-end evaluation of the month's last day for everybody.

Knobs (environment): BENCH_SECONDS (60), BENCH_WARMUP_SECONDS (5), BENCH_CONCURRENCY (64),
BENCH_CLIENT_PROCESSES (1), BENCH_PEOPLE (40000), BENCH_EVAL_PEOPLE (2000),
BENCH_PROFILE_CHECKINS (200), BENCH_PROFILE (0; 1 prints cProfile's top functions of the
check-in use case and of the evaluation, each from an extra untimed pass), BENCH_PG_ADMIN_URL,
BENCH_AMQP_HOST. SUPERVISION_* variables set in the environment reach the platform (e.g.
SUPERVISION_MAX_WORKERS), except those the bench must set itself (URLs, ports, clock, secret).

One client process is the default: on this machine the client (httpx, asyncio) uses a small
share of one core at the rates the platform reaches (the stderr comments print the client's
CPU next to each server process's), so more client processes only take CPU from the servers.
Set BENCH_CLIENT_PROCESSES=2 to check.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import multiprocessing
import os
import random
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

# name -> unit, in the order printed
FIGURES = {
    "rabbitmq_publish_confirm_per_s": "1/s",
    "postgres_single_commit_per_s": "1/s",
    "checkins_per_s": "1/s",
    "checkin_latency_p50_ms": "ms",
    "checkin_latency_p95_ms": "ms",
    "checkin_latency_p99_ms": "ms",
    "checkins_accepted": "count",
    "checkins_stored": "count",
    "checkins_errors": "count",
    "month_end_eval_seed_seconds": "s",
    "month_end_eval_seconds": "s",
    "month_end_eval_people_per_s": "1/s",
    "month_end_eval_100k_projected_seconds": "s",
    "sqlite_concurrent_writes_per_s": "1/s",
    "sqlite_concurrent_writes_p99_ms": "ms",
    "sqlite_concurrent_writes_failed": "count",
}
_printed: set[str] = set()


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def figure(name: str, value: float | None) -> None:
    unit = FIGURES[name]
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        text = "nan"
    elif unit == "count":
        text = str(int(value))
    elif unit == "s":
        text = f"{value:.3f}"
    else:
        text = f"{value:.1f}"
    print(f"BENCH {name} {text} {unit}", flush=True)
    _printed.add(name)


def note(message: str) -> None:
    for line in message.splitlines() or [""]:
        print(f"# {line}", file=sys.stderr, flush=True)


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return math.nan
    rank = max(0, math.ceil(fraction * len(sorted_values)) - 1)
    return sorted_values[rank]


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


# --- 2. check-ins through the gateway ----------------------------------------------------------------


def person_id(index: int) -> str:
    return f"bp{index:07d}"


def project_id(number: int) -> str:
    return f"bench-prj-{number:04d}"


PROFILE_PROJECT = "bench-prj-profile"


def profile_person_id(index: int) -> str:
    return f"bq{index:07d}"


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


def seed_checkin_database(url: str, people: int) -> int:
    """Migrate the attendance database and seed its registry copy: ``people`` people on projects
    of 1,000 (person i on project i mod n), and one more project for the in-process profile."""
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from attendance.persistence.models import EvaluationMark
    from attendance.service import MIGRATIONS_DIR
    from common.database import migrate

    migrate(url, MIGRATIONS_DIR)
    n_projects = max(1, math.ceil(people / PEOPLE_PER_PROJECT))
    members: list[list[str]] = [[] for _ in range(n_projects)]
    for index in range(people):
        members[index % n_projects].append(person_id(index))
    projects = [(project_id(number), members[number]) for number in range(n_projects)]
    projects.append((PROFILE_PROJECT, [profile_person_id(i) for i in range(PEOPLE_PER_PROJECT)]))
    now = datetime.now(UTC)
    today = now.astimezone(DISTRICT_TZ).date()
    engine = sa.create_engine(url)
    with Session(engine) as session:
        seed_registry_copy(session, projects, today, now - timedelta(days=1))
        # The nightly evaluation is measured on its own (part 3): were the run to cross local
        # midnight, the service's evaluation timer would otherwise run in the middle of it.
        session.add(EvaluationMark(name="days", through=today))
        session.commit()
    engine.dispose()
    return n_projects


def platform_env(resources: Resources, var_dir: Path, workflow_url: str, attendance_url: str, port: int) -> dict:
    env = dict(os.environ)
    env.update({
        "SUPERVISION_AMQP_URI": resources.amqp_uri(),
        "SUPERVISION_WORKFLOW_DATABASE_URL": workflow_url,
        "SUPERVISION_ATTENDANCE_DATABASE_URL": attendance_url,
        "SUPERVISION_WORKFLOW_METRICS_PORT": str(free_port()),
        "SUPERVISION_ATTENDANCE_METRICS_PORT": str(free_port()),
        "SUPERVISION_MANUAL_CLOCK": "false",
        "SUPERVISION_GATEWAY_DEV_LOGIN": "false",
        "SUPERVISION_GATEWAY_JWT_SECRET": JWT_SECRET,
        "SUPERVISION_LOG_LEVEL": "WARNING",
        "SUPERVISION_LOG_FORMAT": "text",
        "SUPERVISION_VAR_DIR": str(var_dir),
        "SUPERVISION_GATEWAY_FILE_STORE_DIR": str(var_dir / "files"),
        "PYTHONWARNINGS": "ignore",
    })
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


class CpuWatch:
    """CPU seconds of the platform's processes, RabbitMQ and PostgreSQL over a window."""

    def __init__(self, roles: dict[int, str]):
        self.roles = roles

    def snapshot(self) -> dict:
        per_pid = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            role = self.roles.get(pid)
            if role is None:
                name = comm(pid)
                if name == "beam.smp":
                    role = "rabbitmq"
                elif name.startswith("postgres"):
                    role = "postgresql"
            if role is None:
                continue
            seconds = cpu_seconds(pid)
            if seconds is not None:
                per_pid[pid] = (role, seconds)
        return {"pids": per_pid, "machine": machine_cpu(), "at": time.monotonic()}

    @staticmethod
    def difference(before: dict, after: dict) -> tuple[dict[str, float], float, float]:
        used: dict[str, float] = {}
        for pid, (role, seconds) in after["pids"].items():
            earlier = before["pids"].get(pid, (role, 0.0))[1]
            used[role] = used.get(role, 0.0) + max(0.0, seconds - earlier)
        busy = after["machine"][0] - before["machine"][0]
        total = after["machine"][1] - before["machine"][1]
        return used, after["at"] - before["at"], busy / total if total else math.nan


def scrape(url: str) -> dict[str, float]:
    """Prometheus text -> {"name{labels}": value}."""
    import httpx

    values = {}
    try:
        text = httpx.get(url, timeout=5).text
    except httpx.HTTPError:
        return values
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        key, _, value = line.rpartition(" ")
        with contextlib.suppress(ValueError):
            values[key] = float(value)
    return values


def metric_delta(before: dict, after: dict, name: str, *label_parts: str) -> float:
    total = 0.0
    for key, value in after.items():
        if key.startswith(name) and all(part in key for part in label_parts):
            total += value - before.get(key, 0.0)
    return total


def checkin_client(slot: int, base_url: str, secret: str, lo: int, hi: int, n_projects: int, concurrency: int,
                   connection) -> None:
    """One client process: mint a token per person of [lo, hi), say ready, wait for the start
    times, then post check-ins with ``concurrency`` requests in flight until the end."""
    warnings.filterwarnings("ignore")
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops this process when it is interrupted
    import asyncio

    import httpx

    from gateway.auth import issue_token

    tokens = [issue_token({"user_id": person_id(i), "name": person_id(i), "portal": "zlb",
                           "roles": ["contractor"]}, secret, 3600)["access_token"] for i in range(lo, hi)]
    connection.send(("ready", slot))
    t_warm, t_measure, t_end = connection.recv()
    rng = random.Random(slot)

    records: list[tuple[float, float, int, str | None, bool]] = []
    state = {"next": lo, "boundary": None, "ran_out": False, "cpu": [None, None]}

    async def worker(client: httpx.AsyncClient) -> None:
        while True:
            started = time.monotonic()
            if started >= t_end:
                return
            index = state["next"]
            if index >= hi:
                state["ran_out"] = True
                return
            state["next"] = index + 1
            measured = started >= t_measure
            if measured and state["boundary"] is None:
                state["boundary"] = index
            body = {
                "project_id": project_id(index % n_projects),
                "lat": FENCE_CENTER[0] + rng.uniform(-0.001, 0.001),
                "lng": FENCE_CENTER[1] + rng.uniform(-0.001, 0.001),
                "accuracy_m": round(rng.uniform(5, 25), 1),
                "client_time": datetime.now(DISTRICT_TZ).isoformat(),
                "client_request_id": uuid.uuid4().hex,
                "device": {"id": f"bench-device-{index:07d}", "platform": "android", "mock_location": False},
            }
            headers = {"authorization": f"Bearer {tokens[index - lo]}"}
            outcome = None
            try:
                answer = await client.post("/zlb/v1/checkins", json=body, headers=headers)
                status = answer.status_code
                if status == 200:
                    outcome = answer.json().get("outcome")
            except httpx.HTTPError:
                status = 0
            records.append((started, time.monotonic(), status, outcome, measured))

    async def cpu_marks() -> None:
        await asyncio.sleep(max(0.0, t_measure - time.monotonic()))
        state["cpu"][0] = time.process_time()
        await asyncio.sleep(max(0.0, t_end - time.monotonic()))
        state["cpu"][1] = time.process_time()

    async def main() -> None:
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:
            await asyncio.sleep(max(0.0, t_warm - time.monotonic()))
            marks = asyncio.create_task(cpu_marks())
            await asyncio.gather(*(worker(client) for _ in range(concurrency)))
            await marks

    asyncio.run(main())
    cpu = state["cpu"]
    connection.send({
        "records": records, "boundary": state["boundary"], "hi": hi, "next": state["next"],
        "ran_out": state["ran_out"], "cpu_seconds": (cpu[1] - cpu[0]) if None not in cpu else math.nan,
    })
    connection.close()


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


def count_stored(url: str, ranges: list[tuple[int, int]]) -> int:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    total = 0
    with engine.connect() as connection:
        for lo, hi in ranges:
            if hi <= lo:
                continue
            total += connection.execute(sa.text(
                "SELECT count(*) FROM checkin WHERE outcome <> 'rejected' AND person_id >= :lo AND person_id < :hi"),
                {"lo": person_id(lo), "hi": person_id(hi)}).scalar_one()
    engine.dispose()
    return total


def table_stats(url: str) -> dict:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as connection:
        database = connection.execute(sa.text(
            "SELECT xact_commit, xact_rollback, tup_returned, tup_fetched, tup_inserted, tup_updated "
            "FROM pg_stat_database WHERE datname = current_database()")).one()._asdict()
        tables = {row.relname: (row.seq_scan or 0, row.idx_scan or 0) for row in connection.execute(sa.text(
            "SELECT relname, seq_scan, idx_scan FROM pg_stat_user_tables"))}
    engine.dispose()
    return {"database": database, "tables": tables}


def bench_checkins(resources: Resources, var_dir: Path) -> None:
    seconds = env_float("BENCH_SECONDS", 60)
    warmup = env_float("BENCH_WARMUP_SECONDS", 5)
    concurrency = env_int("BENCH_CONCURRENCY", 64)
    processes = max(1, env_int("BENCH_CLIENT_PROCESSES", 1))
    people = env_int("BENCH_PEOPLE", 40000)

    workflow_url = resources.make_database("workflow")
    attendance_url = resources.make_database("attendance")
    started = time.perf_counter()
    n_projects = seed_checkin_database(attendance_url, people)
    note(f"check-ins: seeded {people} people on {n_projects} projects of the attendance copy "
         f"in {time.perf_counter() - started:.1f} s")

    port = free_port()
    env = platform_env(resources, var_dir, workflow_url, attendance_url, port)
    platform = Platform(env, port, var_dir / "platform.log")
    clients: list[multiprocessing.Process] = []
    try:
        started = time.perf_counter()
        platform.start()
        note(f"check-ins: platform ready in {time.perf_counter() - started:.1f} s at {platform.base_url} "
             f"({', '.join(f'{role} pid {pid}' for pid, role in platform.children.items())})")

        context = multiprocessing.get_context("spawn")
        pipes = []
        share = math.ceil(people / processes)
        for slot in range(processes):
            lo, hi = slot * share, min(people, (slot + 1) * share)
            ours, theirs = context.Pipe()
            process = context.Process(target=checkin_client, daemon=True, args=(
                slot, platform.base_url, JWT_SECRET, lo, hi, n_projects, max(1, concurrency // processes), theirs))
            process.start()
            clients.append(process)
            pipes.append(ours)
        for pipe in pipes:
            if not pipe.poll(120):
                raise RuntimeError("a client process did not get ready")
            pipe.recv()
        roles = {**platform.children, **{process.pid: "client" for process in clients}}
        watch = CpuWatch(roles)
        attendance_metrics = f"http://127.0.0.1:{env['SUPERVISION_ATTENDANCE_METRICS_PORT']}/metrics"
        t_warm = time.monotonic() + 0.5
        t_measure = t_warm + warmup
        t_end = t_measure + seconds
        for pipe in pipes:
            pipe.send((t_warm, t_measure, t_end))
        note(f"check-ins: {processes} client process(es), {concurrency} requests in flight, "
             f"{warmup:.0f} s warm-up then {seconds:.0f} s measured")
        time.sleep(max(0.0, t_measure - time.monotonic()))
        cpu_before, db_before = watch.snapshot(), table_stats(attendance_url)
        gateway_before, service_before = scrape(f"{platform.base_url}/metrics"), scrape(attendance_metrics)
        time.sleep(max(0.0, t_end - time.monotonic()))
        cpu_after = watch.snapshot()
        gateway_after, service_after = scrape(f"{platform.base_url}/metrics"), scrape(attendance_metrics)
        results = []
        for pipe in pipes:
            if not pipe.poll(90):
                raise RuntimeError("a client process did not report")
            results.append(pipe.recv())
        time.sleep(2)  # a moment for anything still in flight to commit
        db_after = table_stats(attendance_url)

        measured = [r for result in results for r in result["records"] if r[4]]
        completed_in_window = sum(1 for result in results for r in result["records"]
                                  if r[2] == 200 and t_measure <= r[1] <= t_end)
        latencies = sorted((r[1] - r[0]) * 1000 for r in measured)
        accepted = sum(1 for r in measured if r[2] == 200 and r[3] in ("accepted", "flagged"))
        errors = sum(1 for r in measured if r[2] != 200)
        outcomes: dict[str, int] = {}
        for r in measured:
            key = r[3] if r[2] == 200 else f"http {r[2]}"
            outcomes[key] = outcomes.get(key, 0) + 1
        ranges = [(result["boundary"], result["next"]) for result in results if result["boundary"] is not None]
        stored = count_stored(attendance_url, ranges)
        stored_all = count_stored(attendance_url, [(0, people)])
        accepted_all = sum(1 for result in results for r in result["records"]
                           if r[2] == 200 and r[3] in ("accepted", "flagged"))

        rate = completed_in_window / seconds
        figure("checkins_per_s", rate)
        figure("checkin_latency_p50_ms", percentile(latencies, 0.50))
        figure("checkin_latency_p95_ms", percentile(latencies, 0.95))
        figure("checkin_latency_p99_ms", percentile(latencies, 0.99))
        figure("checkins_accepted", accepted)
        figure("checkins_stored", stored)
        figure("checkins_errors", errors)

        note(f"check-ins: {len(measured)} requests started in the window, outcomes {outcomes}; "
             f"max latency {latencies[-1] if latencies else math.nan:.0f} ms; accepted and stored count the "
             f"people whose check-in started in the window; with the warm-up: {accepted_all} answered accepted, "
             f"{stored_all} stored")
        if any(result["ran_out"] for result in results):
            note("warning: the clients ran out of people; raise BENCH_PEOPLE")
        goal_rate = rate >= 500
        goal_p99 = percentile(latencies, 0.99) <= 250
        all_stored = stored >= accepted and stored_all >= accepted_all
        note(f"goal: >= 500 check-ins/s sustained for 60 s: {'met' if goal_rate and seconds >= 60 else 'MISSED'} "
             f"({rate:.1f}/s over {seconds:.0f} s); p99 <= 250 ms: {'met' if goal_p99 else 'MISSED'}; "
             f"every accepted check-in stored: {'met' if all_stored else 'MISSED'} "
             f"({stored} stored / {accepted} accepted)")

        used, window, busy = CpuWatch.difference(cpu_before, cpu_after)
        client_cpu = sum(result["cpu_seconds"] for result in results)
        used["client"] = client_cpu
        shares = ", ".join(f"{role} {value / window * 100:.0f}%" for role, value in
                           sorted(used.items(), key=lambda item: -item[1]))
        note(f"cpu over the window (100% = one core; the machine has {os.cpu_count()}): {shares}; "
             f"machine busy {busy * 100:.0f}%")
        single_process = {role: value / window for role, value in used.items()
                          if role in ("attendance", "workflow", "gateway")}
        hottest = max(single_process, key=single_process.get) if single_process else None
        others = max(0.0, busy * (os.cpu_count() or 1) - sum(used.values()) / window)
        if others >= 0.15:
            note(f"note: processes outside the bench used {others * 100:.0f}% of a core during the window")
        if hottest and single_process[hottest] >= 0.85:
            note(f"limit: the {hottest} process is at {single_process[hottest] * 100:.0f}% of the one core a "
                 "Python process can use: it sets the rate")
        elif busy >= 0.9:
            note(f"limit: the machine's CPU is saturated; the busiest process of the platform is {hottest} at "
                 f"{single_process.get(hottest, 0) * 100:.0f}% of a core")
        else:
            note("limit: no process is CPU-bound: waiting (round trips, locks, the workers' pool) sets the rate")
        done = completed_in_window or 1
        note("cpu per check-in: " + ", ".join(f"{role} {value / done * 1000:.1f} ms"
                                              for role, value in sorted(used.items(), key=lambda item: -item[1])))
        http_sum = metric_delta(gateway_before, gateway_after, "gateway_http_request_seconds_sum", "/zlb/v1/checkins")
        http_count = metric_delta(gateway_before, gateway_after, "gateway_http_request_seconds_count",
                                  "/zlb/v1/checkins")
        rpc_sum = metric_delta(service_before, service_after, "supervision_entrypoint_latency_seconds_sum",
                               'entrypoint="record_checkin"')
        rpc_count = metric_delta(service_before, service_after, "supervision_entrypoint_latency_seconds_count",
                                 'entrypoint="record_checkin"')
        if http_count and rpc_count:
            note(f"mean time per check-in: client {sum(latencies) / len(latencies):.1f} ms; inside the gateway "
                 f"{http_sum / http_count * 1000:.1f} ms; inside the attendance worker "
                 f"{rpc_sum / rpc_count * 1000:.1f} ms (the rest of the gateway's time is the thread pool "
                 "queue and the RPC round trip through RabbitMQ); a closed loop, so latency ~ requests in "
                 "flight / rate")
        db = {key: db_after["database"][key] - db_before["database"][key] for key in db_after["database"]}
        per = max(1, len(measured))
        scans = {name: (after[0] - db_before["tables"].get(name, (0, 0))[0],
                        after[1] - db_before["tables"].get(name, (0, 0))[1])
                 for name, after in db_after["tables"].items()}
        busiest = sorted(scans.items(), key=lambda item: -(item[1][0] + item[1][1]))[:6]
        note(f"attendance database per check-in: {db['xact_commit'] / per:.1f} commits, "
             f"{(db['tup_returned'] + db['tup_fetched']) / per:.0f} rows read, "
             f"{db['tup_inserted'] / per:.1f} inserted, {db['tup_updated'] / per:.1f} updated; scans per check-in "
             + ", ".join(f"{name} {seq / per:.2f} seq + {idx / per:.2f} idx" for name, (seq, idx) in busiest))
    finally:
        for process in clients:
            if process.is_alive():
                process.terminate()
                process.join(5)
        platform.stop()
    try:
        profile_record_checkin(attendance_url, env_int("BENCH_PROFILE_CHECKINS", 200))
    except Exception as error:  # a comment only: the figures above stand
        note(f"record_checkin profile failed: {type(error).__name__}: {error}")


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


def profile_record_checkin(url: str, count: int) -> None:
    """The check-in use case alone, in this process, one after another on a 1,000-person
    project: what one check-in costs in statements and time without the HTTP and RPC hops."""
    if count <= 0:
        return
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from attendance.usecases.checkins import record_checkin
    from attendance.usecases.common import Call
    from common.principal import Principal

    engine = sa.create_engine(url)
    counter = SqlCounter(engine)
    rng = random.Random(7)

    def check_in(session, index: int) -> None:
        person = profile_person_id(index)
        call = Call(session, datetime.now(UTC), Principal(user_id=person, portal="zlb",
                                                          roles=frozenset({"contractor"})))
        record_checkin(call, {
            "project_id": PROFILE_PROJECT, "lat": FENCE_CENTER[0] + rng.uniform(-0.001, 0.001),
            "lng": FENCE_CENTER[1] + rng.uniform(-0.001, 0.001), "accuracy_m": 10.0,
            "client_time": datetime.now(DISTRICT_TZ).isoformat(), "client_request_id": uuid.uuid4().hex,
            "device": {"id": f"bench-profile-{index}", "platform": "android", "mock_location": False}})
        session.commit()

    count = min(count, PEOPLE_PER_PROJECT // 2)
    started = time.perf_counter()
    with Session(engine, expire_on_commit=False) as session:
        for index in range(count):
            check_in(session, index)
    elapsed = time.perf_counter() - started
    statements, db_seconds = counter.statements, counter.seconds

    def profiled() -> None:
        with Session(engine, expire_on_commit=False) as session:
            for index in range(count, min(2 * count, PEOPLE_PER_PROJECT)):
                check_in(session, index)

    print_profile(f"{count} check-ins in-process", profiled)
    engine.dispose()
    note(f"record_checkin in-process (no HTTP, no RPC, one at a time, {count} check-ins on a "
         f"{PEOPLE_PER_PROJECT}-person project): {elapsed / count * 1000:.1f} ms each, "
         f"{statements / count:.1f} SQL statements each, {db_seconds / elapsed * 100:.0f}% of the "
         "time waiting on PostgreSQL, the rest Python")


# --- 3. month-end evaluation ------------------------------------------------------------------------------


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


def main() -> int:
    warnings.filterwarnings("ignore")
    started = time.perf_counter()
    try:
        check_rabbitmq()
        check_postgres()
    except Unreachable as error:
        print(f"error: {error}", file=sys.stderr)
        for name in FIGURES:
            figure(name, None)
        return 2

    def interrupt(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    resources = Resources()
    failed = False
    var_dir = Path(tempfile.mkdtemp(prefix="supervision-bench-"))
    try:
        vhost = resources.make_vhost()
        baseline_url = resources.make_database("baseline")
        for name, measure in (("rabbitmq_publish_confirm_per_s", lambda: bench_rabbitmq_confirms(vhost, 3000)),
                              ("postgres_single_commit_per_s", lambda: bench_postgres_commits(baseline_url, 2000))):
            try:
                figure(name, measure())
            except Exception as error:
                failed = True
                note(f"error: {name}: {type(error).__name__}: {error}")
        note("goal context: the platform's intake of check-ins should reach >= 500/s with p99 <= 250 ms, "
             "and the month-end evaluation 100,000 people in <= 120 s")
        for phase in (lambda: bench_checkins(resources, var_dir), lambda: bench_month_end(resources),
                      lambda: bench_sqlite_writes(resources, var_dir)):
            try:
                phase()
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
        for name in FIGURES:
            if name not in _printed:
                figure(name, None)
        note(f"bench took {time.perf_counter() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
