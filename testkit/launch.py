"""The whole platform started for tests, by the launcher of `make run` (scripts/run_platform.py):
every service and the gateway on PostgreSQL databases and a RabbitMQ vhost of the run, with
stand-ins of the ZZD and ZLB portals. The end-to-end tests (tests/e2e) start one per module, the
browser tests (tests/browser) one for all of them, seeded with the demo district."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from gateway.portal_standins import serve_in_thread, zlb_standin_app, zzd_standin_app

ROOT = Path(__file__).resolve().parents[1]
ZZD_APP = ("e2e-app-key", "e2e-app-secret")
ZLB_APP = ("e2e-service", "e2e-password")
SERVICES = ("workflow", "attendance", "complaints", "notification", "scoring")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def portal_standins() -> Iterator[dict]:
    """Stand-ins of ZZD and ZLB; tests hand out one-time codes and tickets through them:
    ``{"zzd": (app, url), "zlb": (app, url)}``."""
    zzd = zzd_standin_app(*ZZD_APP, users={})
    zlb = zlb_standin_app(*ZLB_APP, tickets={})
    with serve_in_thread(zzd) as zzd_url, serve_in_thread(zlb) as zlb_url:
        yield {"zzd": (zzd, zzd_url), "zlb": (zlb, zlb_url)}


@contextmanager
def running_platform(amqp_uri: str, postgres_database: Callable[[str], str], portals: dict, var: Path, *,
                     label: str, seed: str = "none", dev_login: bool = False,
                     bootstrap_args: list[str] | None = None) -> Iterator[dict]:
    """Start the platform and wait until it is ready; stop it on leaving. ``seed="demo"`` seeds the
    demo district of README.md (as `make run` does); ``bootstrap_args`` bootstraps a back office
    instead (workflow.bootstrap). Yields the gateway's URL and the services' metrics URLs."""
    port = free_port()
    env = {
        **os.environ,
        "SUPERVISION_AMQP_URI": amqp_uri,
        **{f"SUPERVISION_{service.upper()}_DATABASE_URL": postgres_database(f"{service}_{label}")
           for service in SERVICES},
        **{f"SUPERVISION_{service.upper()}_METRICS_PORT": str(free_port()) for service in SERVICES},
        "SUPERVISION_VAR_DIR": str(var),
        "SUPERVISION_GATEWAY_FILE_STORE_DIR": str(var / "files"),
        "SUPERVISION_MANUAL_CLOCK": "true",
        "SUPERVISION_GATEWAY_DEV_LOGIN": "true" if dev_login else "false",
        "SUPERVISION_GATEWAY_ZZD_BASE_URL": portals["zzd"][1],
        "SUPERVISION_GATEWAY_ZZD_APP_KEY": ZZD_APP[0],
        "SUPERVISION_GATEWAY_ZZD_APP_SECRET": ZZD_APP[1],
        "SUPERVISION_GATEWAY_ZLB_BASE_URL": portals["zlb"][1],
        "SUPERVISION_GATEWAY_ZLB_SERVICE_CODE": ZLB_APP[0],
        "SUPERVISION_GATEWAY_ZLB_SERVICE_PASSWORD": ZLB_APP[1],
        # Notices go to the same stand-ins, which record them (work_notices, messages), not to the
        # development file the launcher turns on for `make run`.
        "SUPERVISION_NOTIFICATION_DEV_FILE": "false",
        "SUPERVISION_NOTIFICATION_ZZD_BASE_URL": portals["zzd"][1],
        "SUPERVISION_NOTIFICATION_ZZD_APP_KEY": ZZD_APP[0],
        "SUPERVISION_NOTIFICATION_ZZD_APP_SECRET": ZZD_APP[1],
        "SUPERVISION_NOTIFICATION_ZLB_BASE_URL": portals["zlb"][1],
        "SUPERVISION_NOTIFICATION_ZLB_SERVICE_CODE": ZLB_APP[0],
        "SUPERVISION_NOTIFICATION_ZLB_SERVICE_PASSWORD": ZLB_APP[1],
        "SUPERVISION_LOG_FORMAT": "json",
        # Every answer of every test must be described by its route's response model.
        "SUPERVISION_CONTRACT_STRICT": "true",
    }
    if bootstrap_args:
        subprocess.run([sys.executable, "-m", "workflow.bootstrap", *bootstrap_args], env=env, check=True,
                       capture_output=True)
    log_path = var / "platform.log"
    with log_path.open("wb") as log:
        launcher = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "run_platform.py"), "--port", str(port),
                                     "--seed", seed], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert launcher.poll() is None, log_path.read_text()[-4000:]
            assert time.monotonic() < deadline, "the platform did not become ready:\n" + log_path.read_text()[-4000:]
            try:
                if httpx.get(f"{base_url}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        metrics_urls = {name.removeprefix("SUPERVISION_").removesuffix("_METRICS_PORT").lower():
                        f"http://127.0.0.1:{value}/metrics"
                        for name, value in env.items()
                        if name.startswith("SUPERVISION_") and name.endswith("_METRICS_PORT")}
        yield {"base_url": base_url, "amqp_uri": amqp_uri, "metrics_urls": metrics_urls, "log": log_path,
               "workflow_database_url": env["SUPERVISION_WORKFLOW_DATABASE_URL"]}
    finally:
        stop_platform(launcher)


def stop_platform(launcher: subprocess.Popen, grace: float = 2.0) -> None:
    """Stop a platform the tests started: politely first, then — the tests being over, and a
    graceful stop of every service taking up to half a minute on a busy machine — the launcher's
    whole process group at once."""
    launcher.terminate()
    try:
        launcher.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(launcher.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    launcher.wait(timeout=30)
