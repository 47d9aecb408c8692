"""Start one or several services of the platform in this process and stop them cleanly.

    python -m common.runner workflow [attendance ...]

Waits (with backoff) for RabbitMQ and each service's database, migrates each database to its
newest revision, then runs the services until SIGTERM or SIGINT. Used by ``make run``, the
container images and the end-to-end tests.

Exit status: 0 after a requested stop; 1 when a service's container died (a lost broker
connection nameko could not recover from, a crashed consumer), so that whatever supervises the
process — ``make run``'s launcher, Kubernetes — starts a new one instead of keeping a process
that no longer consumes; 2 when the broker cannot be reached at start.
"""

from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import importlib  # noqa: E402
import logging  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402

from kombu import Connection  # noqa: E402
from nameko.runners import ServiceRunner  # noqa: E402
from tenacity import RetryError, Retrying, stop_after_delay, wait_exponential  # noqa: E402

from common.database import migrate, wait_for_database  # noqa: E402
from common.logs import configure_logging  # noqa: E402
from common.settings import database_url, platform_settings  # noqa: E402
from common.startup import freeze_start_up  # noqa: E402

logger = logging.getLogger("common.runner")

# Each service module exposes its nameko class and its Alembic migrations folder.
SERVICES = {
    "workflow": "workflow.service",
    "attendance": "attendance.service",
    "complaints": "complaints.service",
    "notification": "notification.service",
    "scoring": "scoring.service",
}


class BrokerUnreachable(RuntimeError):
    pass


def wait_for_broker(amqp_uri: str, seconds: float) -> None:
    def attempt():
        with Connection(amqp_uri, connect_timeout=3) as connection:
            connection.ensure_connection(max_retries=1)

    try:
        for try_ in Retrying(wait=wait_exponential(multiplier=0.5, max=5), stop=stop_after_delay(seconds)):
            with try_:
                attempt()
    except RetryError as error:
        raise BrokerUnreachable(
            f"RabbitMQ is not reachable at {_without_password(amqp_uri)} ({error.last_attempt.exception()!r}). "
            "Start it (on this machine: `rabbitmq-server -detached`) or set SUPERVISION_AMQP_URI."
        ) from None


def _without_password(uri: str) -> str:
    if "@" in uri and "://" in uri:
        scheme, rest = uri.split("://", 1)
        credentials, host = rest.split("@", 1)
        return f"{scheme}://{credentials.split(':')[0]}:***@{host}"
    return uri


def load_service(name: str):
    if name not in SERVICES:
        raise SystemExit(f"unknown service {name!r}; known: {', '.join(sorted(SERVICES))}")
    return importlib.import_module(SERVICES[name])


def prepare(names: list[str]) -> list[type]:
    """Wait for each database, migrate it, and return the service classes."""
    classes = []
    for name in names:
        module = load_service(name)
        url = database_url(name)
        wait_for_database(url)
        migrate(url, module.MIGRATIONS_DIR)
        logger.info("database migrated", extra={"service": name})
        classes.append(module.SERVICE_CLASS)
    return classes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("services", nargs="+", help="service names: " + ", ".join(SERVICES))
    parser.add_argument("--broker-wait", type=float, default=30.0, help="seconds to wait for RabbitMQ")
    args = parser.parse_args(argv)

    settings = platform_settings()
    configure_logging(settings.log_level, settings.log_format)
    try:
        wait_for_broker(settings.amqp_uri, args.broker_wait)
    except BrokerUnreachable as error:
        logger.error(str(error))
        print(f"error: {error}", file=sys.stderr)
        return 2
    classes = prepare(args.services)

    runner = ServiceRunner(settings.nameko_config())
    for service_class in classes:
        runner.add_service(service_class)

    finished = eventlet.event.Event()

    def request_stop(signum, _frame):
        logger.info("stopping", extra={"signal": signum})
        if not finished.ready():
            finished.send(None)

    def watch_containers():
        try:
            runner.wait()
        except Exception as error:  # a container died; nameko has logged the cause
            if not finished.ready():
                finished.send(error)

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    runner.start()
    freeze_start_up()
    eventlet.spawn(watch_containers)
    logger.info("services started", extra={"services": args.services})
    death = finished.wait()
    if death is not None:
        logger.error("a service container died; exiting so that the process is replaced",
                      extra={"services": args.services, "error": repr(death)})
        with eventlet.Timeout(5, False):
            runner.kill()
        return 1
    with eventlet.Timeout(20, False):
        runner.stop()
        return 0
    runner.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
