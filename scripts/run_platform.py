"""Run the whole platform on this machine: every service and the gateway.

    make run                          # what a newcomer types
    python scripts/run_platform.py --port 8000 --seed demo

Checks that RabbitMQ answers (and says how to start it if not), seeds the demo district into
an empty registry, starts each service as its own process (each migrates its database at
start), then the gateway, and waits until the gateway is ready. Like a process supervisor it
restarts any process that exits (after 1, 2, 4… up to 30 s, back to 1 s once a process has
run for a minute), and stops everything only on Ctrl-C or SIGTERM.
Defaults are the embedded ones: SQLite files under var/, the local RabbitMQ, the manual clock
and the dev login on. Any SUPERVISION_* variable set in the environment wins.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
# Consumers first, so that their event queues exist before the producers publish.
SERVICES = ["notification", "scoring", "complaints", "attendance", "workflow"]
DEMO_DEFAULTS = {
    "SUPERVISION_MANUAL_CLOCK": "true",
    "SUPERVISION_GATEWAY_DEV_LOGIN": "true",
    "SUPERVISION_LOG_FORMAT": "text",
    "SUPERVISION_VAR_DIR": str(ROOT / "var"),
    "SUPERVISION_GATEWAY_FILE_STORE_DIR": str(ROOT / "var" / "files"),
    "SUPERVISION_NOTIFICATION_DEV_FILE": "true",  # var/notifications.jsonl shows what would be sent
}


def broker_problem(amqp_uri: str) -> str | None:
    from kombu import Connection

    try:
        with Connection(amqp_uri, connect_timeout=3) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as error:
        return (f"RabbitMQ is not reachable ({error}).\n"
                "Start it with `rabbitmq-server -detached` (it listens on 127.0.0.1:5672, guest/guest),\n"
                "or point SUPERVISION_AMQP_URI at a running broker, then run `make run` again.")
    return None


@dataclass
class Supervised:
    """One process the launcher keeps running."""

    name: str
    argv: list[str]
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    restarts: int = 0
    restart_at: float | None = None
    backoff: float = field(default=0.0)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


class Supervisor:
    """Starts processes, restarts those that exit with a growing delay, stops them all."""

    FIRST_DELAY = 1.0
    LONGEST_DELAY = 30.0
    STABLE_AFTER = 60.0

    def __init__(self, env: dict, cwd: Path, log=print):
        self.env, self.cwd, self.log = env, cwd, log
        self.children: list[Supervised] = []

    def start(self, name: str, argv: list[str]) -> Supervised:
        child = Supervised(name, argv)
        self.children.append(child)
        self._spawn(child)
        return child

    def _spawn(self, child: Supervised) -> None:
        child.process = subprocess.Popen(child.argv, env=self.env, cwd=self.cwd)
        child.started_at = time.monotonic()
        child.restart_at = None

    def tend(self) -> None:
        """Look at every child once: schedule a restart for one that exited, start one whose
        delay has passed."""
        now = time.monotonic()
        for child in self.children:
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.restarts += 1
                    self.log(f"restarting {child.name} (restart {child.restarts})")
                    self._spawn(child)
                continue
            if child.running():
                continue
            ran_for = now - child.started_at
            child.backoff = self.FIRST_DELAY if ran_for >= self.STABLE_AFTER or not child.backoff \
                else min(child.backoff * 2, self.LONGEST_DELAY)
            child.restart_at = now + child.backoff
            self.log(f"{child.name} exited with {child.process.returncode} after {ran_for:.0f} s; "
                     f"restarting in {child.backoff:.0f} s")

    def stop_all(self, grace: float = 25) -> None:
        for child in self.children:
            child.restart_at = None
            if child.running():
                child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for child in self.children:
            if child.process is None:
                continue
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.process.kill()


def wait_ready(base_url: str, supervisor: Supervisor, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        supervisor.tend()
        try:
            if httpx.get(f"{base_url}/readyz", timeout=15).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the platform was not ready within {seconds:.0f} s")


def launcher_log(message: str) -> None:
    print(f"run_platform: {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--seed", choices=["demo", "none"], default="demo")
    parser.add_argument("--ready-timeout", type=float, default=90)
    args = parser.parse_args(argv)

    env = {**DEMO_DEFAULTS, **os.environ}
    env.setdefault("SUPERVISION_GATEWAY_SERVICES", json.dumps(SERVICES))
    Path(env["SUPERVISION_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    amqp_uri = env.get("SUPERVISION_AMQP_URI", "pyamqp://guest:guest@127.0.0.1:5672/")
    problem = broker_problem(amqp_uri)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2

    python = sys.executable
    if args.seed == "demo":
        subprocess.run([python, "-m", "workflow.bootstrap", "--demo"], env=env, check=True, cwd=ROOT)

    supervisor = Supervisor(env, ROOT, log=launcher_log)

    def interrupt(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    try:
        for service in SERVICES:
            supervisor.start(service, [python, "-m", "common.runner", service])
        supervisor.start("gateway", [python, "-m", "uvicorn", "gateway.app:create_app", "--factory", "--host",
                                     args.host, "--port", str(args.port), "--no-access-log"])
        base_url = f"http://{args.host}:{args.port}"
        wait_ready(base_url, supervisor, args.ready_timeout)
        print(f"\nThe platform is up: {base_url}/docs  (Ctrl-C stops it)\n"
              f"Log in:  curl -s -X POST {base_url}/auth/v1/dev/login -H 'content-type: application/json' "
              "-d '{\"user_id\": \"demo-leading-group-chief\"}'\n", flush=True)
        while True:
            supervisor.tend()
            time.sleep(0.5)
    except KeyboardInterrupt:
        return 0
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        supervisor.stop_all()


if __name__ == "__main__":
    sys.exit(main())
