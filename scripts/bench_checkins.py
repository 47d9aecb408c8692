"""Bench of check-ins through the gateway (issue 11, "Speed"); ``make bench`` runs it first.

The platform is started by ``scripts/run_platform.py`` with the system clock, every service on a
fresh PostgreSQL database of this run, on a fresh vhost and ports of its own; the attendance
database is seeded directly as it stands on a working morning (this measures check-ins, not
registration): BENCH_PEOPLE people on projects of 1,000 in its copy of the registry, each with
the device bound a month ago and yesterday's two check-ins. The load is driven by ``wrk``
(Debian package ``wrk``, installed with apt-get when missing) with
``scripts/bench_checkins.lua``: for each run the bench issues every person a token (it knows the
platform's JWT secret) and writes one line per check-in, ``<token>\\t<body>``, each body with
its own ``client_request_id`` and each person once, into one file per wrk thread; wrk keeps one
connection per thread, so that its Lua knows which check-in each answer is for. Each thread
stops sending at the end of its window and waits for its last answer, so that every check-in
sent is answered (or counted lost) before the figures are read.

Figures (``BENCH <name> <value> <unit>``, the same names on every run, ``nan`` when not measured):

- ``checkins_baseline_rabbitmq_publish_confirm_per_s``, ``checkins_baseline_postgres_single_commit_per_s``:
  persistent publishes each waiting for its confirm, and single-row INSERT + COMMIT, on the run's
  own vhost and database: what the broker and the database give one client on this machine now.
- Sustained, closed loop: BENCH_CONCURRENCY (64) connections each post their next check-in as soon
  as the previous one is answered, BENCH_WARMUP_SECONDS (5) not counted, then BENCH_SECONDS (60):
  ``checkins_per_s`` (200/202 answers received in the window / its length; goal >= 500),
  ``checkin_latency_p50_ms``, ``_p95_ms``, ``_p99_ms`` (the intake's answer, from wrk's latency
  distribution of the window's run, which wrk corrects for the sends a slow answer held back; goal
  p99 <= 250), ``checkins_accepted`` (200/202 answers of that run), ``checkins_stored`` (rows of the
  attendance database for the people of that run once the intake queue drained: must equal
  accepted), ``checkins_errors`` (other answers, broken connections, timeouts),
  ``checkin_decision_p50_ms``, ``checkin_decision_p99_ms`` (from the gateway's ``received_at`` to the
  consumer's ``decided_at``, both stored with each check-in, percentiles in SQL; goal p99 <= 1,000),
  and ``checkin_cpu_ms_<process>``: CPU per answered check-in in the window, from /proc, of the
  gateway, the attendance process(es), RabbitMQ (beam.smp: the broker is shared with whatever else
  runs on this machine), the PostgreSQL backends of this run's databases, and wrk (goal < 0.5 ms,
  so that the load generator leaves the CPU to the platform).
- ``checkins_per_s_2_consumers``: the same sustained run with a second attendance process
  consuming the same queue and databases (competing consumers).
- Stepped constant rate, one attendance process: 100, 200, 400, 600, 800 check-ins/s offered for
  BENCH_STEP_SECONDS (15) each over BENCH_STEP_CONNECTIONS (200) connections, wrk2-style: each
  connection's check-ins are due on a fixed schedule (Lua ``delay()``), and latency is counted from
  the moment a check-in was due, not from when its connection was free to send it. Coordinated
  omission is handled that way: a slow answer delays the check-ins behind it on its connection, and
  their wait counts in their latency; a check-in not answered 200/202 (error, lost, or never sent
  before the step was stopped) counts as slower than every answer. ``checkin_p99_ms_at_<rate>``;
  ``checkin_max_rate_p99_le_250ms``: the highest rate up to which every step held p99 <= 250 ms
  (0 when none did). After a step that held less than half its rate, the higher steps are not
  run (their figures are ``nan``).

Between runs the bench waits until the intake queue has drained (the stored rows stop growing).
Everything else goes to stderr as ``#`` comments: the machine's load before each run (the machine
has 2 cores shared with other work: compare figures with it), CPU per check-in of every process,
the database's work per check-in, and with BENCH_PROFILE=1 where the gateway's and the attendance
process's CPU goes (py-spy, when it is installed in the venv: ``.venv/bin/pip install py-spy``).

Knobs (environment): BENCH_SECONDS (60), BENCH_WARMUP_SECONDS (5), BENCH_CONCURRENCY (64),
BENCH_STEP_SECONDS (15), BENCH_STEP_CONNECTIONS (200), BENCH_PEOPLE (250000), BENCH_PROFILE (0),
BENCH_PG_ADMIN_URL, BENCH_AMQP_HOST (as scripts/bench.py). SUPERVISION_* variables set in the
environment reach the platform, except those the bench sets itself (URLs, ports, clock, secret).
"""

# ruff: noqa: S608 - the SQL conditions are built by people_clause, with bound parameters only

from __future__ import annotations

import contextlib
import json
import math
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import bench  # scripts/bench.py: the run's vhost and databases, the baselines, the platform, /proc
from bench import env_float, env_int, note, percentile

LUA_SCRIPT = Path(__file__).with_suffix(".lua")
GOAL_RATE_PER_S = 500
GOAL_LATENCY_P99_MS = 250
GOAL_DECISION_P99_MS = 1000
GOAL_WRK_CPU_MS = 0.5
STEP_RATES = (100, 200, 400, 600, 800)
ANSWERED = (200, 202)
SERVICES = ("workflow", "attendance", "complaints", "notification", "scoring")
# Processes whose CPU per check-in is a figure; the others (workflow, ...) are in the comments.
CPU_FIGURES = ("gateway", "attendance", "rabbitmq", "postgresql", "wrk")
# How long the bench waits for wrk's last answers after a window, and for the queue to drain.
ANSWER_WAIT_SECONDS = 60
DRAIN_WAIT_SECONDS = 180

figure = bench.Figures({
    "checkins_baseline_rabbitmq_publish_confirm_per_s": "1/s",
    "checkins_baseline_postgres_single_commit_per_s": "1/s",
    "checkins_per_s": "1/s",
    "checkin_latency_p50_ms": "ms",
    "checkin_latency_p95_ms": "ms",
    "checkin_latency_p99_ms": "ms",
    "checkins_accepted": "count",
    "checkins_stored": "count",
    "checkins_errors": "count",
    "checkin_decision_p50_ms": "ms",
    "checkin_decision_p99_ms": "ms",
    **{f"checkin_cpu_ms_{role}": "ms" for role in CPU_FIGURES},
    "checkins_per_s_2_consumers": "1/s",
    **{f"checkin_p99_ms_at_{rate}": "ms" for rate in STEP_RATES},
    "checkin_max_rate_p99_le_250ms": "1/s",
})


# --- wrk -----------------------------------------------------------------------------------------------


def find_wrk() -> str:
    """wrk's path; when it is missing, ``apt-get install wrk`` (as root), or say how."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        note("installing wrk: apt-get install -y wrk")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for attempt in (["apt-get", "install", "-y", "-qq", "wrk"], ["apt-get", "update", "-qq"],
                        ["apt-get", "install", "-y", "-qq", "wrk"]):
            result = subprocess.run(attempt, capture_output=True, text=True, timeout=900, env=env)
            if shutil.which("wrk"):
                return shutil.which("wrk")
            if result.returncode != 0:
                note(f"{' '.join(attempt)}: {(result.stderr.strip() or result.stdout.strip())[-300:]}")
    raise bench.Unreachable("wrk is not installed and could not be installed here: install the Debian package "
                            "(`sudo apt-get install wrk`, wrk 4 built with LuaJIT), then run `make bench` again.")


@dataclass
class Load:
    """What one wrk run reported (``WRK`` lines of the Lua's done()), and what it cost."""

    values: dict[str, float]
    sent: list[tuple[int, int]]  # the people whose check-ins were sent: [lo, hi) person indexes
    latencies: list[float]  # ms per 200/202 answer (from the due moment at a constant rate), sorted
    seconds: float  # the window
    cpu: dict[str, float]  # role -> CPU seconds over the window
    busy: float  # the machine's busy share over the window

    def status(self, code: int) -> int:
        return int(self.values.get(f"status_{code}", 0))

    @property
    def answered(self) -> int:
        return sum(self.status(code) for code in ANSWERED)

    @property
    def errors(self) -> int:
        other = sum(int(value) for key, value in self.values.items()
                    if key.startswith("status_") and int(key[7:]) not in ANSWERED)
        return other + int(self.values.get("lost", 0) + self.values.get("socket_errors", 0))

    @property
    def rate(self) -> float:
        return self.values.get("answered_in_window", 0) / self.seconds

    def status_text(self) -> str:
        codes = sorted((key[7:], int(value)) for key, value in self.values.items() if key.startswith("status_"))
        return ", ".join(f"{code}: {count}" for code, count in codes) or "no answers"


class Wrk:
    """Writes the check-ins of a run and drives them through wrk and the Lua script."""

    def __init__(self, executable: str, base_url: str, n_projects: int, watch: CpuWatch, work_dir: Path):
        from gateway.auth import issue_token

        self.executable, self.url, self.n_projects, self.watch = executable, f"{base_url}/zlb/v1/checkins", \
            n_projects, watch
        self.work_dir = work_dir
        self.issue_token = issue_token
        self.runs = 0
        self.rng = random.Random(11)

    def write(self, directory: Path, people: tuple[int, int], threads: int) -> list[tuple[int, int]]:
        """Thread i's file ``<i>.tsv``: the i-th block of ``people``, one check-in each."""
        directory.mkdir(parents=True)
        lo, hi = people
        blocks = []
        now = datetime.now(bench.DISTRICT_TZ).isoformat()
        for thread in range(threads):
            first, last = lo + (hi - lo) * thread // threads, lo + (hi - lo) * (thread + 1) // threads
            with (directory / f"{thread}.tsv").open("w") as out:
                for index in range(first, last):
                    person = bench.person_id(index)
                    token = self.issue_token({"user_id": person, "name": person, "portal": "zlb"},
                                             bench.JWT_SECRET, 3600)["access_token"]
                    body = {
                        "project_id": bench.project_id(index % self.n_projects),
                        "lat": round(bench.FENCE_CENTER[0] + self.rng.uniform(-0.001, 0.001), 6),
                        "lng": round(bench.FENCE_CENTER[1] + self.rng.uniform(-0.001, 0.001), 6),
                        "accuracy_m": round(self.rng.uniform(5, 25), 1),
                        "client_time": now,
                        "client_request_id": uuid.uuid4().hex,
                        "device": {"id": f"bench-device-{index:07d}", "platform": "android", "mock_location": False},
                    }
                    out.write(f"{token}\t{json.dumps(body, separators=(',', ':'))}\n")
            blocks.append((first, last))
        return blocks

    def run(self, people: tuple[int, int], threads: int, seconds: float, rate: float = 0, at_start=None) -> Load:
        """One wrk run over ``people`` (person indexes [lo, hi)): closed loop when ``rate`` is 0,
        else ``rate`` check-ins per second offered on a fixed schedule. ``at_start()`` is called
        when the window opens."""
        self.runs += 1
        directory = self.work_dir / f"wrk-{self.runs}"
        threads = max(1, min(threads, people[1] - people[0]))
        blocks = self.write(directory, people, threads)
        # wrk reads its files and forms every request before the window opens
        lead = 1.5 + (people[1] - people[0]) / 50_000 + threads / 100
        start = time.time() + lead
        argv = [self.executable, "-t", str(threads), "-c", str(threads),
                "-d", f"{math.ceil(lead + seconds + ANSWER_WAIT_SECONDS + 60)}s", "--timeout", "30s",
                "-s", str(LUA_SCRIPT), self.url, "--", str(directory), str(round(start * 1000)),
                str(round(seconds * 1000)), str(rate), str(threads)]
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   start_new_session=True)
        self.watch.roles[process.pid] = "wrk"
        try:
            time.sleep(max(0.0, start - time.time()))
            before = self.watch.snapshot()
            if at_start:
                at_start()
            time.sleep(max(0.0, start + seconds - time.time()))
            after = self.watch.snapshot()
            finished = directory / "finished"
            deadline = time.monotonic() + ANSWER_WAIT_SECONDS
            while process.poll() is None and time.monotonic() < deadline:
                if finished.exists() and len(finished.read_text().split()) >= threads:
                    break
                time.sleep(0.1)
            if process.poll() is None:
                process.send_signal(signal.SIGINT)  # wrk prints its summary and runs done() on SIGINT
            out, err = process.communicate(timeout=120)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            self.watch.roles.pop(process.pid, None)
        values: dict[str, float] = {"threads": threads}
        sent: list[tuple[int, int]] = []
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 4 and parts[:2] == ["WRK", "thread_sent"]:
                first = blocks[int(parts[2])][0]
                sent.append((first, first + int(parts[3])))
            elif len(parts) == 3 and parts[0] == "WRK":
                values[parts[1]] = float(parts[2])
        if not values:
            raise RuntimeError(f"wrk reported nothing (exit {process.returncode}): {(err or out).strip()[-1500:]}")
        latencies = sorted(float(value) for value in (directory / "latencies").read_text().split())
        used, window, busy = CpuWatch.difference(before, after)
        shutil.rmtree(directory, ignore_errors=True)
        return Load(values, sent, latencies, window, used, busy)


# --- the processes' CPU -------------------------------------------------------------------------------------


class CpuWatch:
    """CPU seconds over a window of the platform's processes (``roles``: pid -> role), RabbitMQ,
    and PostgreSQL: the backends of this run's databases as ``postgresql <database>`` (``databases``:
    name -> label), the server's own processes (WAL writer, checkpointer…, shared by every database)
    as ``postgresql-shared``; backends of other databases (other work on this machine) are left out."""

    def __init__(self, roles: dict[int, str], databases: dict[str, str]):
        import sqlalchemy as sa

        self.roles = dict(roles)
        self.databases = databases
        self.admin = sa.create_engine(bench.PG_ADMIN_URL, pool_size=1)

    def postgres_roles(self) -> dict[int, str]:
        import sqlalchemy as sa

        roles = {}
        with self.admin.connect() as connection:
            for pid, database, kind in connection.execute(sa.text(
                    "SELECT pid, datname, backend_type FROM pg_stat_activity WHERE pid <> pg_backend_pid()")):
                if database in self.databases:
                    roles[pid] = f"postgresql {self.databases[database]}"
                elif database is None and kind != "client backend":
                    roles[pid] = "postgresql-shared"
        return roles

    def snapshot(self) -> dict:
        roles = {**self.postgres_roles(), **self.roles}
        per_pid = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            role = roles.get(pid) or ("rabbitmq" if bench.comm(pid) == "beam.smp" else None)
            if role is None:
                continue
            seconds = bench.cpu_seconds(pid)
            if seconds is not None:
                per_pid[pid] = (role, seconds)
        return {"pids": per_pid, "machine": bench.machine_cpu(), "at": time.monotonic()}

    @staticmethod
    def difference(before: dict, after: dict) -> tuple[dict[str, float], float, float]:
        used: dict[str, float] = {}
        for pid, (role, seconds) in after["pids"].items():
            earlier = before["pids"].get(pid, (role, 0.0))[1]
            used[role] = used.get(role, 0.0) + max(0.0, seconds - earlier)
        busy = after["machine"][0] - before["machine"][0]
        total = after["machine"][1] - before["machine"][1]
        return used, after["at"] - before["at"], busy / total if total else math.nan

    def close(self) -> None:
        self.admin.dispose()


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def report_cpu(load: Load, label: str) -> dict[str, float]:
    """The comments on where the CPU went in a window; returns ms of CPU per answered check-in by
    figure: the attendance processes summed as ``attendance``, the databases' backends as ``postgresql``."""
    window = load.seconds
    done = max(1.0, load.values.get("answered_in_window", 0))
    by_figure: dict[str, float] = {}
    for role, seconds in load.cpu.items():
        key = "attendance" if role.startswith("attendance") else role.split()[0]  # attendance-2, postgresql <db>
        by_figure[key] = by_figure.get(key, 0.0) + seconds
    # the processes that used at least 0.5% of a core (the idle services and databases left out)
    ordered = [(role, seconds) for role, seconds in sorted(load.cpu.items(), key=lambda item: -item[1])
               if seconds >= 0.005 * window]
    others = max(0.0, load.busy * (os.cpu_count() or 1) - sum(load.cpu.values()) / window)
    note(f"{label}: cpu over the window (100% = one core; the machine has {os.cpu_count()}): "
         + ", ".join(f"{role} {seconds / window * 100:.0f}%" for role, seconds in ordered)
         + f"; machine busy {load.busy * 100:.0f}%, of which {others * 100:.0f}% of a core outside the "
         "processes listed (other work on this machine, this script)")
    total = sum(load.cpu.values()) / done * 1000
    note(f"{label}: cpu per answered check-in: "
         + ", ".join(f"{role} {seconds / done * 1000:.2f} ms" for role, seconds in ordered)
         + f" (total {total:.2f} ms: 2 cores give {2000 / max(total, 1e-9):.0f}/s at that cost)")
    single = {role: seconds / window for role, seconds in load.cpu.items()
              if role in ("gateway", "attendance", "attendance-2", "notification")}
    hottest = max(single, key=single.get) if single else None
    if hottest and single[hottest] >= 0.85:
        note(f"{label}: limit: the {hottest} process is at {single[hottest] * 100:.0f}% of the one core a "
             "Python process can use: it sets the rate")
    elif load.busy >= 0.9:
        note(f"{label}: limit: the machine's CPU is saturated")
    else:
        note(f"{label}: limit: no process is CPU-bound: waiting (round trips, confirms, locks, batches) sets the rate")
    return {key: seconds / done * 1000 for key, seconds in by_figure.items()}


def report_idle(watch: CpuWatch, seconds: float = 5) -> None:
    """What the platform's processes use with no load (timers, relays and consumers polling): the
    floor under the CPU per check-in of the runs."""
    before = watch.snapshot()
    time.sleep(seconds)
    used, window, busy = CpuWatch.difference(before, watch.snapshot())
    note(f"idle platform over {window:.0f} s (100% = one core): " + ", ".join(
        f"{role} {value / window * 100:.1f}%" for role, value in sorted(used.items(), key=lambda item: -item[1])
        if value >= 0.001 * window) + f"; machine busy {busy * 100:.0f}%")


# --- the attendance database -------------------------------------------------------------------------------


def seed_attendance(url: str, people: int) -> int:
    """Migrate the attendance database and seed it as it stands on a working morning: its copy of
    the registry with ``people`` people on projects of 1,000 (person i on project i mod n, on the
    roster for a month), and what the days before left (:func:`seed_yesterday`). Returns the
    number of projects."""
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from attendance.persistence.models import EvaluationMark
    from attendance.service import MIGRATIONS_DIR
    from common.database import migrate

    migrate(url, MIGRATIONS_DIR)
    n_projects = max(1, math.ceil(people / bench.PEOPLE_PER_PROJECT))
    members: list[list[str]] = [[] for _ in range(n_projects)]
    for index in range(people):
        members[index % n_projects].append(bench.person_id(index))
    projects = [(bench.project_id(number), members[number]) for number in range(n_projects)]
    now = datetime.now(UTC)
    today = now.astimezone(bench.DISTRICT_TZ).date()
    engine = sa.create_engine(url)
    with Session(engine) as session:
        bench.seed_registry_copy(session, projects, today - timedelta(days=30), now - timedelta(days=30))
        # The nightly evaluation is not measured here: were the run to cross local midnight, the
        # service's evaluation timer would otherwise run in the middle of it.
        session.add(EvaluationMark(name="days", through=today))
        session.commit()
    seed_yesterday(engine, people, n_projects, today - timedelta(days=1))
    with engine.connect() as connection:
        connection.execute(sa.text("ANALYZE"))  # as autovacuum would have on tables of that size
        connection.commit()
    engine.dispose()
    return n_projects


def seed_yesterday(engine, people: int, n_projects: int, yesterday) -> None:
    """What a working day leaves for each person: the device bound a month ago and its last use,
    the last accepted check-in, and yesterday's two accepted check-ins (08:30 and 17:30 local, at
    the fence's centre), so that this morning's check-ins are decided against tables of a district's
    size, as they would be, and not against empty ones. Ids as :func:`bench.person_id`,
    :func:`bench.project_id` and the devices of :meth:`Wrk.write` make them."""
    import sqlalchemy as sa

    person = "'bp' || lpad(i::text, 7, '0')"
    project = f"'bench-prj-' || lpad((i % {n_projects})::text, 4, '0')"
    device = "'bench-device-' || lpad(i::text, 7, '0')"
    morning = f"timestamptz '{yesterday.isoformat()} 08:30:00+08:00'"
    evening = f"timestamptz '{yesterday.isoformat()} 17:30:00+08:00'"
    lat, lng = bench.FENCE_CENTER
    people_series = f"FROM generate_series(0, {people - 1}) AS i"
    statements = [
        f"INSERT INTO device_binding (person_id, device_id, platform, bound_at) "
        f"SELECT {person}, {device}, 'android', {morning} - interval '30 days' {people_series}",
        f"INSERT INTO device_use (device_id, person_id, last_used_at) SELECT {device}, {person}, {evening} "
        f"{people_series}",
        f"INSERT INTO checkin_person (person_id, last_accepted_at, last_accepted_lat, last_accepted_lng, "
        f"last_accepted_project_id) SELECT {person}, {evening}, {lat}, {lng}, {project} {people_series}",
        f"INSERT INTO checkin (id, project_id, person_id, client_request_id, recorded_at, local_day, outcome, "
        f"reason, flags, lat, lng, accuracy_m, device_id, client_time, distance_outside_m, received_at, "
        f"decided_at) SELECT md5(i::text || at::text), {project}, {person}, md5(at::text || i::text), at, "
        f"date '{yesterday.isoformat()}', 'accepted', NULL, '[]', {lat}, {lng}, 10, {device}, at, 0, at, "
        f"at + interval '50 milliseconds' {people_series} CROSS JOIN (VALUES ({morning}), ({evening})) AS day(at)",
    ]
    with engine.connect() as connection:
        for statement in statements:
            connection.execute(sa.text(statement))
        connection.commit()


def people_clause(ranges: list[tuple[int, int]], since: datetime) -> tuple[str, dict]:
    """SQL condition on the check-ins of the people of ``ranges`` (person indexes [lo, hi))
    recorded from ``since`` on (not the days seeded before)."""
    parts, params = [], {"since": since}
    for number, (lo, hi) in enumerate(r for r in ranges if r[1] > r[0]):
        parts.append(f"(person_id >= :lo{number} AND person_id < :hi{number})")
        params[f"lo{number}"], params[f"hi{number}"] = bench.person_id(lo), bench.person_id(hi)
    return f"recorded_at >= :since AND ({' OR '.join(parts) or 'false'})", params


class AttendanceDatabase:
    """The attendance database of the run, read for the check-ins recorded from ``since`` on."""

    def __init__(self, url: str, since: datetime):
        import sqlalchemy as sa

        self.since = since
        self.engine = sa.create_engine(url, pool_size=1)
        with self.engine.connect() as connection:
            self.columns = set(connection.execute(sa.text(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'checkin'")).scalars())

    def stored(self, ranges: list[tuple[int, int]]) -> int:
        import sqlalchemy as sa

        condition, params = people_clause(ranges, self.since)
        with self.engine.connect() as connection:
            return connection.execute(sa.text(f"SELECT count(*) FROM checkin WHERE {condition}"),
                                      params).scalar_one()

    def wait_drained(self, ranges: list[tuple[int, int]], accepted: int) -> int:
        """The rows stored for ``ranges`` once the intake queue has drained: when they are at
        least ``accepted`` and did not grow for a second, or did not grow for 15 s."""
        started = last_change = time.monotonic()
        count = self.stored(ranges)
        while time.monotonic() - started < DRAIN_WAIT_SECONDS:
            time.sleep(1)
            now_count = self.stored(ranges)
            if now_count != count:
                count, last_change = now_count, time.monotonic()
            elif count >= accepted or time.monotonic() - last_change >= 15:
                break
        waited = time.monotonic() - started
        if waited > 3:
            note(f"the intake queue drained {waited:.0f} s after the last answer")
        return count

    def outcomes(self, ranges: list[tuple[int, int]]) -> str:
        """The stored decisions of ``ranges`` by outcome and reason, as text."""
        import sqlalchemy as sa

        condition, params = people_clause(ranges, self.since)
        with self.engine.connect() as connection:
            rows = connection.execute(sa.text(
                f"SELECT outcome, coalesce(reason, ''), count(*) FROM checkin WHERE {condition} "
                "GROUP BY 1, 2 ORDER BY 3 DESC"), params).all()
        return ", ".join(f"{outcome}{f' ({reason})' if reason else ''} {count}" for outcome, reason, count in rows)

    def decision_percentiles(self, ranges: list[tuple[int, int]]) -> tuple[float, float, float] | None:
        """p50, p99 and max of ``decided_at - received_at`` in ms, or None before the intake
        stores them."""
        import sqlalchemy as sa

        if not {"received_at", "decided_at"} <= self.columns:
            return None
        condition, params = people_clause(ranges, self.since)
        with self.engine.connect() as connection:
            row = connection.execute(sa.text(
                "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY waited), "
                "percentile_cont(0.99) WITHIN GROUP (ORDER BY waited), max(waited) FROM ("
                "SELECT extract(epoch FROM decided_at - received_at) * 1000 AS waited "
                f"FROM checkin WHERE {condition}) AS decided"), params).one()
        return tuple(math.nan if value is None else float(value) for value in row)

    def stats(self) -> dict:
        """The database's counters, and per table: seq scans, rows they read, index scans, rows fetched."""
        import sqlalchemy as sa

        with self.engine.connect() as connection:
            database = connection.execute(sa.text(
                "SELECT xact_commit, xact_rollback, tup_returned, tup_fetched, tup_inserted, tup_updated "
                "FROM pg_stat_database WHERE datname = current_database()")).one()._asdict()
            tables = {row[0]: tuple(value or 0 for value in row[1:]) for row in connection.execute(sa.text(
                "SELECT relname, seq_scan, seq_tup_read, idx_scan, idx_tup_fetch FROM pg_stat_user_tables"))}
        return {"database": database, "tables": tables}

    def close(self) -> None:
        self.engine.dispose()


def report_database_work(label: str, before: dict, after: dict, checkins: int) -> None:
    per = max(1, checkins)
    db = {key: after["database"][key] - before["database"][key] for key in after["database"]}
    tables = {name: [now - then for now, then in zip(counters, before["tables"].get(name, (0, 0, 0, 0)),
                                                     strict=True)]
              for name, counters in after["tables"].items()}
    # the tables read most (rows per check-in), with the scans that read them
    busiest = sorted(tables.items(), key=lambda item: -(item[1][1] + item[1][3]))[:6]
    note(f"{label}: attendance database per check-in: {db['xact_commit'] / per:.2f} commits, "
         f"{(db['tup_returned'] + db['tup_fetched']) / per:.0f} rows read, "
         f"{db['tup_inserted'] / per:.1f} inserted, {db['tup_updated'] / per:.1f} updated; tables read most: "
         + ", ".join(f"{name} {(seq_rows + idx_rows) / per:.0f} rows ({seq / per:.2f} seq scans reading "
                     f"{seq_rows / per:.0f}, {idx / per:.2f} index scans fetching {idx_rows / per:.0f})"
                     for name, (seq, seq_rows, idx, idx_rows) in busiest))


# --- the platform's metrics and profiles -------------------------------------------------------------------


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
    return sum(value - before.get(key, 0.0) for key, value in after.items()
               if key.startswith(name) and all(part in key for part in label_parts))


def histogram_p99(before: dict, after: dict, name: str, *label_parts: str) -> float:
    """The 99th percentile over the window of a Prometheus histogram (the upper bound of the bucket
    it falls in, as ``histogram_quantile`` would interpolate no finer)."""
    buckets = []
    for key, value in after.items():
        if key.startswith(f"{name}_bucket{{") and all(part in key for part in label_parts):
            bound = key.split('le="', 1)[1].split('"', 1)[0]
            buckets.append((math.inf if bound == "+Inf" else float(bound), value - before.get(key, 0.0)))
    by_bound: dict[float, float] = {}
    for bound, count in buckets:
        by_bound[bound] = by_bound.get(bound, 0.0) + count
    ordered = sorted(by_bound.items())
    if not ordered or ordered[-1][1] <= 0:
        return math.nan
    rank = 0.99 * ordered[-1][1]
    return next(bound for bound, count in ordered if count >= rank)


def report_metrics(label: str, gateway: tuple[dict, dict], attendance: tuple[dict, dict]) -> None:
    """Mean times (and the p99's bucket) over the window from the platform's own metrics: inside the
    gateway per check-in POST, from hand-over to the broker's confirm, and the attendance entrypoints
    that ran most."""
    parts = []
    for name, labels, what in (("gateway_http_request_seconds", ("/zlb/v1/checkins",), "inside the gateway per POST"),
                               ("gateway_checkin_confirm_seconds", (), "hand-over to the broker's confirm")):
        count = metric_delta(*gateway, f"{name}_count", *labels)
        if count:
            parts.append(f"{what} {metric_delta(*gateway, f'{name}_sum', *labels) / count * 1000:.1f} ms "
                         f"(p99 <= {histogram_p99(*gateway, name, *labels) * 1000:.0f} ms)")
    before, after = attendance
    entrypoints = Counter({key: value - before.get(key, 0.0) for key, value in after.items()
                           if key.startswith("supervision_entrypoint_latency_seconds_count")})
    for key, count in entrypoints.most_common(3):
        if count <= 0:
            continue
        total_key = key.replace("_count", "_sum")
        seconds = after.get(total_key, 0.0) - before.get(total_key, 0.0)
        entrypoint = key.split('entrypoint="', 1)[-1].split('"', 1)[0]
        parts.append(f"attendance {entrypoint} x{count:.0f}, {seconds / count * 1000:.1f} ms each")
    if parts:
        note(f"{label}: mean times over the window: " + "; ".join(parts))


def py_spy() -> str | None:
    if os.environ.get("BENCH_PROFILE", "0") in ("", "0"):
        return None
    found = shutil.which("py-spy", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    if not found:
        note("BENCH_PROFILE=1: py-spy is not installed (`.venv/bin/pip install py-spy`); no profiles")
    return found


PLATFORM_PACKAGES = {"gateway", "attendance", "common", "workflow", "complaints", "notification", "scoring"}


class Profiles:
    """BENCH_PROFILE=1: py-spy samples the given processes (100 Hz, without pausing them) over a
    window; :meth:`report` prints, per process, where its CPU went."""

    def __init__(self, executable: str | None, processes: dict[int, str], seconds: float, work_dir: Path):
        self.runs = []
        if not executable:
            return
        for pid, role in processes.items():
            output = work_dir / f"profile-{role}-{pid}.txt"
            process = subprocess.Popen(
                [executable, "record", "--pid", str(pid), "--duration", str(max(1, int(seconds))), "--rate", "100",
                 "--nonblocking", "--format", "raw", "--output", str(output)],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            self.runs.append((role, process, output))

    def report(self, top: int = 14) -> None:
        for role, process, output in self.runs:
            try:
                _, err = process.communicate(timeout=120)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
                continue
            if not output.exists():
                note(f"profile of {role}: py-spy wrote nothing: {err.strip()[-300:]}")
                continue
            own: Counter = Counter()  # by frame: function (file:line)
            inclusive: Counter = Counter()  # by function (file), once per sample
            samples = 0
            for line in output.read_text().splitlines():
                stack, _, count_text = line.rpartition(" ")
                if not stack or not count_text.isdigit():
                    continue
                count = int(count_text)
                frames = [frame for frame in stack.split(";") if not frame.startswith("process ")
                          and not frame.startswith("thread ")]
                if not frames:
                    continue
                samples += count
                own[frames[-1]] += count
                for function in {frame.rsplit(":", 1)[0] + ")" for frame in frames}:
                    inclusive[function] += count
            if not samples:
                continue
            note(f"profile of {role} ({samples} samples of threads py-spy saw running), by own time:\n" + "\n".join(
                f"  {count / samples * 100:5.1f}%  {frame}" for frame, count in own.most_common(top)))
            platform_code = [(function, count) for function, count in inclusive.most_common()
                             if function.split("(", 1)[-1].split("/", 1)[0] in PLATFORM_PACKAGES]
            note(f"profile of {role}, platform functions including their callees:\n" + "\n".join(
                f"  {count / samples * 100:5.1f}%  {function}" for function, count in platform_code[:2 * top]))


# --- the runs --------------------------------------------------------------------------------------------------


class People:
    """Hands out the seeded people in ranges of person indexes: each person checks in once."""

    def __init__(self, total: int):
        self.total, self.next = total, 0

    def take(self, count: float) -> tuple[int, int]:
        wanted = max(0, math.ceil(count))
        lo = self.next
        self.next = min(self.total, lo + wanted)
        if self.next - lo < wanted:
            note(f"warning: only {self.next - lo} of the {wanted} people wanted are left; raise BENCH_PEOPLE")
        return lo, self.next


@dataclass
class CheckinRuns:
    """The runs of one platform: sustained runs and steps over people not used before."""

    wrk: Wrk
    people: People
    database: AttendanceDatabase
    gateway_metrics: str
    attendance_metrics: str
    concurrency: int
    warmup: float
    seconds: float

    def sustained(self, label: str, profiles=None) -> tuple[Load, int]:
        """A warm-up run, then the measured closed-loop run; returns it and the rows stored."""
        note(f"{label}: machine load {loadavg()} (1, 5, 15 min) before the run")
        warm_rate = 0.0
        if self.warmup > 0:
            warm = self.wrk.run(self.people.take(1500 * self.warmup), self.concurrency, self.warmup)
            warm_rate = warm.rate
            note(f"{label}: warm-up {warm.rate:.0f}/s over {self.warmup:.0f} s ({warm.status_text()})")
            self.database.wait_drained(warm.sent, warm.answered)
        # twice the warm-up's rate, so that no connection runs out of people in the window
        wanted = max(2 * warm_rate, 400) * self.seconds
        db_before = self.database.stats()
        gateway_before, attendance_before = scrape(self.gateway_metrics), scrape(self.attendance_metrics)
        running = []
        load = self.wrk.run(self.people.take(wanted), self.concurrency, self.seconds,
                            at_start=(lambda: running.append(profiles())) if profiles else None)
        gateway_after, attendance_after = scrape(self.gateway_metrics), scrape(self.attendance_metrics)
        if load.values.get("ran_out"):
            note(f"{label}: warning: {load.values['ran_out']:.0f} connections ran out of people before the end")
        stored = self.database.wait_drained(load.sent, load.answered)
        report_database_work(label, db_before, self.database.stats(), stored)
        report_metrics(label, (gateway_before, gateway_after), (attendance_before, attendance_after))
        for started_profiles in running:
            started_profiles.report()
        return load, stored


def report_sustained(load: Load, stored: int, database: AttendanceDatabase, seconds: float) -> None:
    values = load.values
    figure("checkins_per_s", load.rate)
    figure("checkin_latency_p50_ms", values.get("wrk_latency_p50_ms"))
    figure("checkin_latency_p95_ms", values.get("wrk_latency_p95_ms"))
    figure("checkin_latency_p99_ms", values.get("wrk_latency_p99_ms"))
    figure("checkins_accepted", load.answered)
    figure("checkins_stored", stored)
    figure("checkins_errors", load.errors)
    decision = database.decision_percentiles(load.sent)
    figure("checkin_decision_p50_ms", decision[0] if decision else None)
    figure("checkin_decision_p99_ms", decision[1] if decision else None)
    note(f"sustained: {values.get('sent', 0):.0f} check-ins sent over {seconds:.0f} s by "
         f"{values.get('threads', 0):.0f} connections, answers {load.status_text()}; lost "
         f"{values.get('lost', 0):.0f}, socket errors {values.get('socket_errors', 0):.0f}; wrk's max latency "
         f"{values.get('wrk_latency_max_ms', math.nan):.0f} ms; without wrk's correction p99 "
         f"{percentile(load.latencies, 0.99):.0f} ms")
    note(f"sustained: the stored decisions: {database.outcomes(load.sent)}")
    if decision is None:
        note("decision latency: the attendance database keeps no received_at/decided_at yet "
             "(the synchronous intake answers with the decision itself)")
    else:
        note(f"decision latency (gateway's received_at to consumer's decided_at): p50 {decision[0]:.0f} ms, "
             f"p99 {decision[1]:.0f} ms, max {decision[2]:.0f} ms")
    rate_met = load.rate >= GOAL_RATE_PER_S and seconds >= 60
    p99 = values.get("wrk_latency_p99_ms", math.nan)
    decision_p99 = decision[1] if decision else math.nan
    note(f"goal: >= {GOAL_RATE_PER_S} check-ins/s sustained for 60 s: {'met' if rate_met else 'MISSED'} "
         f"({load.rate:.1f}/s over {seconds:.0f} s); intake p99 <= {GOAL_LATENCY_P99_MS} ms: "
         f"{'met' if p99 <= GOAL_LATENCY_P99_MS else 'MISSED'} ({p99:.0f} ms); decision p99 <= "
         f"{GOAL_DECISION_P99_MS} ms: {'met' if decision_p99 <= GOAL_DECISION_P99_MS else 'MISSED'} "
         f"({decision_p99:.0f} ms); every accepted check-in stored once: "
         f"{'met' if stored == load.answered else 'MISSED'} ({stored} stored / {load.answered} accepted)")


def step_p99(load: Load, scheduled: int) -> tuple[float, bool]:
    """p99 over every scheduled check-in, one not answered 200/202 counting as slower than all
    answers: (p99 ms, True) or, when the 99th percentile falls among those, (slowest answer, False)."""
    rank = max(1, math.ceil(0.99 * scheduled))
    if rank <= len(load.latencies):
        return load.latencies[rank - 1], True
    return (load.latencies[-1] if load.latencies else math.nan), False


def run_steps(runner: CheckinRuns, connections: int, seconds: float) -> None:
    held_up_to = 0
    all_held = True
    for rate in STEP_RATES:
        note(f"step {rate}/s: machine load {loadavg()} before the run")
        scheduled = math.ceil(rate * seconds)
        threads = min(connections, scheduled)
        per_thread = math.ceil(scheduled / threads) + 1
        gateway_before = scrape(runner.gateway_metrics)
        load = runner.wrk.run(runner.people.take(per_thread * threads), threads, seconds, rate=rate)
        gateway_after = scrape(runner.gateway_metrics)
        inside = histogram_p99(gateway_before, gateway_after, "gateway_http_request_seconds", "/zlb/v1/checkins")
        confirm = histogram_p99(gateway_before, gateway_after, "gateway_checkin_confirm_seconds")
        stored = runner.database.wait_drained(load.sent, load.answered)
        p99, measured = step_p99(load, scheduled)
        figure(f"checkin_p99_ms_at_{rate}", p99)
        held = measured and p99 <= GOAL_LATENCY_P99_MS
        all_held = all_held and held
        if all_held:
            held_up_to = rate
        late = load.values.get("late_sends", 0)
        decision = runner.database.decision_percentiles(load.sent) or (math.nan, math.nan, math.nan)
        note(f"step {rate}/s: {scheduled} due, {load.answered} answered 200/202 ({load.status_text()}), "
             f"{load.rate:.0f}/s answered within the window, {late:.0f} sent more than 10 ms late; p99 from "
             f"the due moment {'' if measured else '>= '}{p99:.0f} ms (from the send: "
             f"{load.values.get('service_latency_p99_ms', math.nan):.0f} ms); stored {stored}, decision p99 "
             f"{decision[1]:.0f} ms; "
             f"wrk cpu {load.cpu.get('wrk', 0) / max(1, load.answered) * 1000:.3f} ms per check-in; "
             f"p99 inside the gateway <= {inside * 1000:.0f} ms, of the broker's confirm <= {confirm * 1000:.0f} ms; "
             f"machine busy {load.busy * 100:.0f}%; {'held' if held else 'NOT held'}")
        if load.rate < rate / 2:
            note(f"the platform held less than half of {rate}/s: the higher steps are not run")
            break
    figure("checkin_max_rate_p99_le_250ms", held_up_to)
    note(f"goal: the platform holds {GOAL_RATE_PER_S}/s at p99 <= {GOAL_LATENCY_P99_MS} ms: "
         f"{'met' if held_up_to >= GOAL_RATE_PER_S else 'MISSED'} (held up to {held_up_to}/s of "
         f"{', '.join(str(rate) for rate in STEP_RATES)})")


class SecondConsumer:
    """A second attendance process on the same queue and databases (competing consumers)."""

    def __init__(self, env: dict, log_path: Path):
        self.env = {**env, "SUPERVISION_ATTENDANCE_METRICS_PORT": str(bench.free_port())}
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self, vhost: str) -> int:
        before = queue_consumers(vhost)
        # the intake queue (classic or quorum); the RPC queue before the intake consumed one
        watched = [name for name in before if "checkin-intake" in name] or \
                  [name for name in before if name == "rpc-attendance"]
        log = self.log_path.open("wb")
        self.process = subprocess.Popen([sys.executable, "-m", "common.runner", "attendance"], env=self.env,
                                        cwd=bench.ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the second attendance process exited: {bench.tail(self.log_path)}")
            now = queue_consumers(vhost)
            if watched and all(now.get(name, 0) > before[name] for name in watched):
                note(f"second attendance process pid {self.process.pid} consumes "
                     + ", ".join(f"{name} ({now[name]} consumers)" for name in watched))
                return self.process.pid
            time.sleep(1)
        raise RuntimeError("the second attendance process did not start consuming within 90 s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def queue_consumers(vhost: str) -> dict[str, int]:
    result = subprocess.run([shutil.which("rabbitmqctl") or "rabbitmqctl", "list_queues", "-p", vhost, "-q",
                             "--no-table-headers", "name", "consumers"], capture_output=True, text=True, timeout=60)
    consumers = {}
    for line in result.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            consumers[parts[0]] = int(parts[1])
    return consumers


def bench_checkins(resources: bench.Resources, var_dir: Path) -> None:
    executable = find_wrk()
    seconds = env_float("BENCH_SECONDS", 60)
    people_total = env_int("BENCH_PEOPLE", 250_000)
    urls = {service: resources.make_database(service) for service in SERVICES}
    workflow_url, attendance_url = urls["workflow"], urls["attendance"]
    started = time.perf_counter()
    n_projects = seed_attendance(attendance_url, people_total)
    note(f"check-ins: seeded {people_total} people on {n_projects} projects of the attendance copy "
         f"in {time.perf_counter() - started:.1f} s")

    port = bench.free_port()
    env = bench.platform_env(resources, var_dir, workflow_url, attendance_url, port)
    # every service on PostgreSQL, as deployed: notification takes each check-in's event too
    env.update({f"SUPERVISION_{service.upper()}_DATABASE_URL": url for service, url in urls.items()})
    platform = bench.Platform(env, port, var_dir / "platform.log")
    second = SecondConsumer(env, var_dir / "attendance-2.log")
    database = AttendanceDatabase(attendance_url, datetime.now(UTC))
    watch = None
    try:
        started = time.perf_counter()
        platform.start()
        note(f"check-ins: platform ready in {time.perf_counter() - started:.1f} s at {platform.base_url} "
             f"({', '.join(f'{role} pid {pid}' for pid, role in platform.children.items())}); wrk: {executable}")
        watch = CpuWatch(platform.children, {bench.database_name(url): service for service, url in urls.items()})
        runner = CheckinRuns(Wrk(executable, platform.base_url, n_projects, watch, var_dir), People(people_total),
                             database, f"{platform.base_url}/metrics",
                             f"http://127.0.0.1:{env['SUPERVISION_ATTENDANCE_METRICS_PORT']}/metrics",
                             env_int("BENCH_CONCURRENCY", 64), env_float("BENCH_WARMUP_SECONDS", 5), seconds)
        report_idle(watch)
        spy = py_spy()
        profiled = {pid: role for pid, role in platform.children.items() if role in ("gateway", "attendance")}

        def profiles() -> Profiles:
            return Profiles(spy, profiled, seconds, var_dir)

        load, stored = runner.sustained("sustained", profiles if spy else None)
        report_sustained(load, stored, database, seconds)
        per_checkin = report_cpu(load, "sustained")
        for role in CPU_FIGURES:
            figure(f"checkin_cpu_ms_{role}", per_checkin.get(role))
        wrk_cpu = per_checkin.get("wrk", math.nan)
        note(f"goal: the load generator under {GOAL_WRK_CPU_MS} ms of CPU per check-in: "
             f"{'met' if wrk_cpu < GOAL_WRK_CPU_MS else 'MISSED'} ({wrk_cpu:.3f} ms)")

        run_steps(runner, env_int("BENCH_STEP_CONNECTIONS", 200), env_float("BENCH_STEP_SECONDS", 15))

        watch.roles[second.start(resources.vhost)] = "attendance-2"
        load, stored = runner.sustained("2 consumers")
        figure("checkins_per_s_2_consumers", load.rate)
        note(f"2 consumers: {load.rate:.1f}/s, p99 {load.values.get('wrk_latency_p99_ms', math.nan):.0f} ms, "
             f"{load.answered} accepted, {stored} stored ({load.status_text()})")
        report_cpu(load, "2 consumers")
    finally:
        second.stop()
        platform.stop()
        database.close()
        if watch:
            watch.close()


def main() -> int:
    note(f"goals: >= {GOAL_RATE_PER_S} check-ins/s sustained for 60 s with the intake's p99 <= "
         f"{GOAL_LATENCY_P99_MS} ms, decision p99 <= {GOAL_DECISION_P99_MS} ms, every accepted check-in stored "
         f"once; the load generator under {GOAL_WRK_CPU_MS} ms of CPU per check-in")
    return bench.run(figure, ("checkins_baseline_rabbitmq_publish_confirm_per_s",
                              "checkins_baseline_postgres_single_commit_per_s"),
                     (bench_checkins,), "supervision-bench-checkins-")


if __name__ == "__main__":
    sys.exit(main())
