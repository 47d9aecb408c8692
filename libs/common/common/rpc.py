"""RPC entrypoints whose requests expire with their caller.

A caller that gave up (the gateway answered 504, the phone went away) must not have its
command executed later, when a stalled or restarted service gets to it, with the clock of
that later moment. The gateway stamps each request with ``nameko.command_expires_at`` (its
deadline, epoch seconds) and gives the message the same TTL, so the broker drops it unread
once its caller stopped waiting. A request that still reaches a service late — prefetched
before a stall, redelivered after a crash, queued behind busy workers — is dropped here and
counted (``supervision_commands_expired_total``), never executed.

Services declare RPCs with this module's :data:`rpc`, not nameko's.
"""

from __future__ import annotations

import logging
import time

from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc

from common import metrics

logger = logging.getLogger(__name__)

EXPIRES_HEADER = "command_expires_at"
REQUESTED_AT_HEADER = "requested_at"


def _expired(expires_at) -> bool:
    try:
        return expires_at is not None and time.time() > float(expires_at)
    except (TypeError, ValueError):
        return False


def _count_expired(service: str, method: str, expires_at) -> None:
    metrics.COMMANDS_EXPIRED.labels(service, method).inc()
    logger.warning("command dropped unexecuted: its caller gave up",
                   extra={"service": service, "method": method, "expired_at": expires_at})


class ExpiringRpc(Rpc):
    def handle_message(self, body, message):
        expires_at = (message.headers or {}).get(f"nameko.{EXPIRES_HEADER}")
        if _expired(expires_at):
            _count_expired(self.container.service_name, self.method_name, expires_at)
            self.rpc_consumer.queue_consumer.ack_message(message)
            return
        super().handle_message(body, message)


rpc = ExpiringRpc.decorator


class CommandDeadline(DependencyProvider):
    """Checked again when the worker starts: a request can wait in the service for a free
    worker after it was received."""

    def get_dependency(self, worker_ctx):
        expires_at = worker_ctx.data.get(EXPIRES_HEADER)
        service, method = self.container.service_name, worker_ctx.entrypoint.method_name

        def expired() -> bool:
            if _expired(expires_at):
                _count_expired(service, method, expires_at)
                return True
            return False

        return expired
