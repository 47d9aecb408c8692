"""RPC entrypoints whose requests expire with their caller.

A caller that gave up (the gateway answered 504, the phone went away) must not have its
command executed later, when a stalled or restarted service gets to it, with the clock of
that later moment. The gateway stamps each request with ``nameko.command_expires_at`` (its
deadline, epoch seconds) and gives the message the same TTL, so the broker drops it unread
once its caller stopped waiting. A request that still reaches a service late — prefetched
before a stall, redelivered after a crash, queued behind busy workers — is answered
``CommandExpired`` without being executed, and counted (``supervision_commands_expired_total``):
a caller still listening (another service) is not left waiting for ever.

A service calling another (:class:`BoundedServiceRpc`) passes the deadline on, and waits at
most until it, or ``rpc_timeout_seconds`` when its own call had none.

Services declare RPCs with this module's :data:`rpc`, not nameko's.
"""

from __future__ import annotations

import logging
import time

import eventlet
from kombu import Queue
from nameko.exceptions import RpcTimeout
from nameko.extensions import DependencyProvider
from nameko.rpc import RPC_QUEUE_TEMPLATE, ReplyListener, Rpc, RpcConsumer, RpcProxy, get_rpc_exchange

from common import metrics, queues
from common.errors import CommandExpired

logger = logging.getLogger(__name__)

EXPIRES_HEADER = "command_expires_at"
REQUESTED_AT_HEADER = "requested_at"
# The request message's own correlation id, which a redelivery keeps: the key under which a
# command's answer is kept (``common.service.command``). Set anew on every incoming request, so
# the value a worker passes on to the services it calls is never mistaken for theirs.
REQUEST_ID_HEADER = "rpc_request_id"


def _expired(expires_at) -> bool:
    try:
        return expires_at is not None and time.time() > float(expires_at)
    except (TypeError, ValueError):
        return False


def _count_expired(service: str, method: str, expires_at) -> None:
    metrics.COMMANDS_EXPIRED.labels(service, method).inc()
    logger.warning("command dropped unexecuted: its caller gave up",
                   extra={"service": service, "method": method, "expired_at": expires_at})


class PlatformRpcConsumer(RpcConsumer):
    """The service's command queue ``rpc-<service>`` as the platform's quorum queue (``common.queues``)."""

    def setup(self):
        if self.queue is None:
            service_name = self.container.service_name
            nameko_queue = Queue(RPC_QUEUE_TEMPLATE.format(service_name),
                                 exchange=get_rpc_exchange(self.container.config),
                                 routing_key=f"{service_name}.*", durable=True)
            self.queue = queues.platform_queue(self.container.config, nameko_queue, service_name)
            self.queue_consumer.register_provider(self)
            self._registered = True


class TransientReplyListener(ReplyListener):
    """A service's reply queue for its own calls to other services: transient (nameko declares it
    durable), still expiring 5 minutes after its service is gone, never a quorum queue."""

    def setup(self):
        super().setup()
        self.queue = Queue(self.queue.name, exchange=self.queue.exchange, routing_key=self.queue.routing_key,
                           durable=False, queue_arguments=self.queue.queue_arguments)


class ExpiringRpc(Rpc):
    rpc_consumer = PlatformRpcConsumer()

    def handle_message(self, body, message):
        expires_at = (message.headers or {}).get(f"nameko.{EXPIRES_HEADER}")
        if _expired(expires_at):
            _count_expired(self.container.service_name, self.method_name, expires_at)
            if message.properties.get("reply_to"):
                error = CommandExpired("the caller stopped waiting before this request could start; nothing was done")
                self.rpc_consumer.handle_result(message, None, (CommandExpired, error, None))
            else:
                self.rpc_consumer.queue_consumer.ack_message(message)
            return
        correlation_id = message.properties.get("correlation_id")
        if correlation_id:
            message.headers[f"nameko.{REQUEST_ID_HEADER}"] = str(correlation_id)[:64]
        super().handle_message(body, message)


rpc = ExpiringRpc.decorator


class IncomingRequest:
    def __init__(self, request_id: str | None, expires_at, service: str, method: str):
        self.id, self._expires_at, self._service, self._method = request_id, expires_at, service, method

    def expired(self) -> bool:
        if _expired(self._expires_at):
            _count_expired(self._service, self._method, self._expires_at)
            return True
        return False


class RequestInfo(DependencyProvider):
    """The request a worker serves: its id and whether its caller has given up. Checked again
    when the worker starts, since a request can wait in the service for a free worker after it
    was received."""

    def get_dependency(self, worker_ctx) -> IncomingRequest:
        return IncomingRequest(worker_ctx.data.get(REQUEST_ID_HEADER), worker_ctx.data.get(EXPIRES_HEADER),
                               self.container.service_name, worker_ctx.entrypoint.method_name)


class _BoundedProxy:
    def __init__(self, proxy, seconds_left):
        self._proxy, self._seconds_left = proxy, seconds_left

    def __getattr__(self, method_name):
        method = getattr(self._proxy, method_name)

        def call(*args, **kwargs):
            seconds = self._seconds_left()
            with eventlet.Timeout(seconds, RpcTimeout(f"{method_name}: no answer within {seconds:.1f} s")):
                return method(*args, **kwargs)

        return call


class BoundedServiceRpc(RpcProxy):
    """nameko's ``RpcProxy`` waits for ever; this one until the current call's deadline (it
    travels on in the context), or ``rpc_timeout_seconds`` for a call without one."""

    rpc_reply_listener = TransientReplyListener()

    def get_dependency(self, worker_ctx):
        from common.settings import platform_settings

        expires_at = worker_ctx.data.get(EXPIRES_HEADER)
        default = platform_settings().rpc_timeout_seconds

        def seconds_left() -> float:
            try:
                return max(0.001, min(default, float(expires_at) - time.time())) if expires_at else default
            except (TypeError, ValueError):
                return default

        return _BoundedProxy(super().get_dependency(worker_ctx), seconds_left)
