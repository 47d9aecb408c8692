"""Run the whole platform on this machine: every service and the gateway.

    make run                          # what a newcomer types
    python scripts/run_platform.py --port 8000 --seed demo

Checks that RabbitMQ answers (and says how to start it if not), seeds the demo district into
an empty registry, starts each service as its own process (each migrates its database at
start), then the gateway, waits until the gateway is ready, and stops everything on Ctrl-C.
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
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
# Consumers first, so that their event queues exist before the producers publish.
SERVICES = ["attendance", "workflow"]
DEMO_DEFAULTS = {
    "SUPERVISION_MANUAL_CLOCK": "true",
    "SUPERVISION_GATEWAY_DEV_LOGIN": "true",
    "SUPERVISION_LOG_FORMAT": "text",
    "SUPERVISION_VAR_DIR": str(ROOT / "var"),
    "SUPERVISION_GATEWAY_FILE_STORE_DIR": str(ROOT / "var" / "files"),
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


def wait_ready(base_url: str, processes: list[subprocess.Popen], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                raise RuntimeError(f"{' '.join(process.args[-2:])} exited with {process.returncode}")
        try:
            if httpx.get(f"{base_url}/readyz", timeout=15).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the platform was not ready within {seconds:.0f} s")


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

    processes: list[subprocess.Popen] = []

    def stop_all(*_):
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=25)
            except subprocess.TimeoutExpired:
                process.kill()

    def interrupt(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    try:
        for service in SERVICES:
            processes.append(subprocess.Popen([python, "-m", "common.runner", service], env=env, cwd=ROOT))
        processes.append(subprocess.Popen(
            [python, "-m", "uvicorn", "gateway.app:create_app", "--factory", "--host", args.host,
             "--port", str(args.port), "--no-access-log"], env=env, cwd=ROOT))
        base_url = f"http://{args.host}:{args.port}"
        wait_ready(base_url, processes, args.ready_timeout)
        print(f"\nThe platform is up: {base_url}/docs  (Ctrl-C stops it)\n"
              f"Log in:  curl -s -X POST {base_url}/auth/v1/dev/login -H 'content-type: application/json' "
              "-d '{\"user_id\": \"demo-leading-group-chief\"}'\n", flush=True)
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
        failed = [process for process in processes if process.poll() not in (None, 0)]
        print(f"error: a process stopped: {[' '.join(p.args[-2:]) for p in failed]}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        stop_all()


if __name__ == "__main__":
    sys.exit(main())
