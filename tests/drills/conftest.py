"""Fault drills: the whole platform started by `make run`'s launcher on its embedded defaults
(SQLite files under a var/ of the test's own), reaching RabbitMQ (a vhost of this run) through
a TCP proxy that a drill can cut, make refuse, and black-hole."""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
# Loose enough that 20 clients on a busy 2-core machine stay inside it; the freezes the drills
# guard against lasted 10 s and more.
RPC_TIMEOUT = 5.0
# What a client may wait at most: the gateway's RPC deadline plus HTTP and scheduling slack.
ANSWER_BOUND = RPC_TIMEOUT + 2.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class BrokerProxy:
    """A TCP proxy in front of RabbitMQ. ``cut()`` closes every open connection;
    ``refuse(True)`` closes new ones as soon as they arrive; ``black_hole(True)`` keeps every
    connection open but moves no byte (as a hung network does) until it is lifted."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        self.port = self.listener.getsockname()[1]
        self.refusing = False
        self.flowing = threading.Event()
        self.flowing.set()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True, name="broker-proxy").start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.refusing:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        peers = {client: upstream, upstream: client}
        try:
            while not self._closed:
                self.flowing.wait()
                readable, _, _ = select.select(list(peers), [], [], 0.2)
                if not self.flowing.is_set():
                    continue  # black-holed: leave the bytes where they are
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    peers[source].sendall(data)
        except (OSError, ValueError):  # ValueError: a socket closed by cut() meanwhile
            return
        finally:
            for end in (client, upstream):
                try:
                    end.close()
                except OSError:
                    pass
            with self._lock:
                if (client, upstream) in self._pairs:
                    self._pairs.remove((client, upstream))

    def cut(self) -> None:
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for client, upstream in pairs:
            for end in (client, upstream):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                    end.close()
                except OSError:
                    pass

    def refuse(self, refusing: bool) -> None:
        self.refusing = refusing

    def black_hole(self, on: bool) -> None:
        if on:
            self.flowing.clear()
        else:
            self.flowing.set()

    def close(self) -> None:
        self._closed = True
        self.flowing.set()
        self.listener.close()
        self.cut()


@dataclass
class Answer:
    name: str
    status: int
    sent_at: float
    elapsed: float
    project_id: str | None = None


class DrillPlatform:
    answer_bound = ANSWER_BOUND
    rpc_timeout = RPC_TIMEOUT

    def __init__(self, base_url: str, var: Path, launcher: subprocess.Popen, proxy: BrokerProxy, log: Path):
        self.base_url, self.var, self.launcher, self.proxy, self.log = base_url, var, launcher, proxy, log
        self.http = httpx.Client(base_url=base_url, timeout=30, limits=httpx.Limits(max_connections=64))
        self._tokens: dict[str, str] = {}

    def token(self, user_id: str) -> str:
        if user_id not in self._tokens:
            answer = self.http.post("/auth/v1/dev/login", json={"user_id": user_id})
            answer.raise_for_status()
            self._tokens[user_id] = answer.json()["access_token"]
        return self._tokens[user_id]

    def register_project(self, name: str) -> Answer:
        body = {"name": name, "industry": "housing", "kind": "government", "contract_amount": "12500000.00",
                "below_threshold": False, "geofence": {"center": [30.03, 120.87], "radius_m": 300},
                "planned_start": "2027-01-01", "planned_end": "2027-06-30"}
        sent = time.monotonic()
        try:
            answer = self.http.post("/zzd/v1/projects", json=body,
                                    headers={"authorization": f"Bearer {self.token('demo-leading-group-chief')}"})
        except httpx.HTTPError:
            return Answer(name, 0, sent, time.monotonic() - sent)
        project_id = answer.json().get("id") if answer.status_code == 201 else None
        return Answer(name, answer.status_code, sent, time.monotonic() - sent, project_id)

    def register_many(self, prefix: str, count: int, clients: int) -> list[Answer]:
        with ThreadPoolExecutor(clients) as pool:
            return list(pool.map(self.register_project, [f"{prefix}-{i:04d}" for i in range(count)]))

    def register_for(self, prefix: str, seconds: float, clients: int, during=None) -> list[Answer]:
        """Keep ``clients`` clients registering for ``seconds``; ``during`` runs meanwhile."""
        answers: list[Answer] = []
        stop = time.monotonic() + seconds
        counter = iter(range(10**6))
        lock = threading.Lock()

        def client():
            while time.monotonic() < stop:
                with lock:
                    name = f"{prefix}-{next(counter):05d}"
                answer = self.register_project(name)
                with lock:
                    answers.append(answer)

        threads = [threading.Thread(target=client) for _ in range(clients)]
        for thread in threads:
            thread.start()
        if during is not None:
            during()
        for thread in threads:
            thread.join()
        return answers

    def stored_projects(self, prefix: str) -> list[str]:
        return self._names("workflow", "SELECT name FROM project WHERE name LIKE ?", prefix)

    def copied_projects(self, prefix: str) -> list[str]:
        return self._names("attendance", "SELECT name FROM project_copy WHERE name LIKE ?", prefix)

    def unpublished_events(self) -> int:
        with sqlite3.connect(self.var / "workflow.sqlite3", timeout=5) as connection:
            return connection.execute("SELECT count(*) FROM outbox_message WHERE sent_at IS NULL").fetchone()[0]

    def _names(self, service: str, query: str, prefix: str) -> list[str]:
        with sqlite3.connect(self.var / f"{service}.sqlite3", timeout=5) as connection:
            return [row[0] for row in connection.execute(query, (f"{prefix}-%",))]

    def service_pid(self, service: str) -> int:
        children = Path(f"/proc/{self.launcher.pid}/task/{self.launcher.pid}/children").read_text().split()
        for pid in children:
            try:
                command = Path(f"/proc/{pid}/cmdline").read_text().split("\0")
            except FileNotFoundError:
                continue
            if command[-3:-1] == ["common.runner", service]:
                return int(pid)
        raise AssertionError(f"no running {service} process under the launcher")

    def wait_until(self, what: str, condition, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.3)
        raise AssertionError(f"not within {seconds:.0f} s: {what}\n{self.log.read_text()[-3000:]}")

    def serves_again(self) -> bool:
        return self.register_project(f"probe-{uuid.uuid4().hex[:8]}").status == 201


@pytest.fixture(scope="module")
def drill_platform(amqp_uri, tmp_path_factory):
    upstream = urlsplit(amqp_uri.replace("pyamqp://", "amqp://"))
    proxy = BrokerProxy((upstream.hostname, upstream.port or 5672))
    proxied_uri = amqp_uri.replace(f"@{upstream.hostname}:{upstream.port or 5672}/", f"@127.0.0.1:{proxy.port}/")
    var = tmp_path_factory.mktemp("drills")
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SUPERVISION_")},
        "SUPERVISION_AMQP_URI": proxied_uri,
        "SUPERVISION_VAR_DIR": str(var),
        "SUPERVISION_GATEWAY_FILE_STORE_DIR": str(var / "files"),
        # Every service on metrics ports of the run's own: another platform (a developer's `make run`)
        # holds the default ones.
        **{f"SUPERVISION_{service.upper()}_METRICS_PORT": str(free_port())
           for service in ("workflow", "attendance", "complaints", "notification", "scoring")},
        "SUPERVISION_GATEWAY_RPC_TIMEOUT_SECONDS": str(RPC_TIMEOUT),
        "SUPERVISION_OUTBOX_RELAY_INTERVAL_SECONDS": "0.5",
        "SUPERVISION_LOG_FORMAT": "json",
        "SUPERVISION_GATEWAY_SERVICES": json.dumps(["notification", "scoring", "complaints", "attendance", "workflow"]),
    }
    log = var / "platform.log"
    launcher = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "run_platform.py"), "--port", str(port)],
                                env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, cwd=ROOT)
    platform = DrillPlatform(f"http://127.0.0.1:{port}", var, launcher, proxy, log)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert launcher.poll() is None, log.read_text()[-4000:]
            try:
                if httpx.get(f"{platform.base_url}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            raise AssertionError("the platform did not become ready:\n" + log.read_text()[-4000:])
        yield platform
    finally:
        platform.http.close()
        launcher.send_signal(signal.SIGINT)
        try:
            launcher.wait(timeout=40)
        except subprocess.TimeoutExpired:
            launcher.kill()
        proxy.close()
