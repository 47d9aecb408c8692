"""Calling the services from FastAPI, every call bounded end to end.

Route handlers are plain ``def`` functions, which FastAPI runs in its thread pool, off the
event loop. A call borrows an AMQP connection (with its own exclusive reply queue) from a small
pool and speaks nameko's RPC wire format on it (exchange ``nameko-rpc``, routing key
``<service>.<method>``, body ``{"args", "kwargs"}``, context in ``nameko.*`` headers). The pool,
not the threads, owns the connections, so a thread the pool of FastAPI retires leaves nothing
open behind it.

A call never outlives its caller: the whole of it — connecting, the broker's confirm, the
reply — shares one deadline (:attr:`timeout`), and the request carries that deadline twice,
as the message's TTL (the broker drops it unread once its caller has given up) and as the
``nameko.command_expires_at`` header (a service that receives it late answers
``CommandExpired`` without running it, see :mod:`common.rpc`). The caller's principal travels
in the ``nameko.principal`` header so that the services authorize again, object by object.

What the caller is told when the connection fails:
- before the request was written: the broker did not take it; one fresh connection is tried;
- after: the request may run, so the answer is :class:`ReplyLost` (504), never a retry and never
  "nothing happened".
"""

from __future__ import annotations

import logging
import threading
import time
import uuid

from kombu import Exchange
from kombu.serialization import dumps, loads
from nameko.exceptions import RpcTimeout, UnknownService, deserialize
from prometheus_client import Histogram

from common.amqp import Confirmations, close_quietly, open_connection
from common.principal import CONTEXT_KEY, Principal
from common.rpc import EXPIRES_HEADER, REQUESTED_AT_HEADER

logger = logging.getLogger(__name__)

RPC_EXCHANGE = Exchange("nameko-rpc", type="topic", durable=True, auto_delete=False)
# A connection idle for longer may have been dropped silently by the network in between.
IDLE_CONNECTION_SECONDS = 60.0
IDLE_CONNECTIONS_KEPT = 16

RPC_LATENCY = Histogram(
    "gateway_rpc_seconds",
    "Calls from the gateway to the services, by outcome: ok, error (the service answered an error), timeout "
    "(no answer in time: 504), reply_lost, unavailable (the broker did not take it), unknown_service",
    ["service", "method", "outcome"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


class BrokerUnavailable(ConnectionError):
    """The broker could not be reached, or refused the request: it was not taken."""


class ReplyLost(Exception):
    """The request was handed to the broker but its answer was lost with the connection: it may
    or may not have been carried out."""


class _Connection:
    """One connection, confirm-mode channel and reply queue."""

    def __init__(self, amqp_uri: str, deadline: float):
        self.connection = open_connection(amqp_uri, _remaining(deadline))
        try:
            self.bound_to(deadline)
            self.channel = self.connection.channel()
            self.bound_to(deadline)
            self.channel.confirm_select()
            self.bound_to(deadline)
            RPC_EXCHANGE.bind(self.channel).declare()
            self.reply_queue = f"rpc.reply-gateway-{uuid.uuid4()}"
            self.bound_to(deadline)
            self.channel.queue_declare(self.reply_queue, exclusive=True, auto_delete=True)
            self.bound_to(deadline)
            self.channel.queue_bind(self.reply_queue, RPC_EXCHANGE.name, routing_key=self.reply_queue)
            self.bound_to(deadline)
            self.channel.basic_consume(self.reply_queue, callback=self._on_reply, no_ack=True)
        except Exception:
            close_quietly(self.connection)
            raise
        self.confirmations = Confirmations(self.channel)
        self.channel.events["basic_return"].add(self._on_return)
        self.replies: dict[str, object] = {}
        self.returned: set[str] = set()
        self.last_used = time.monotonic()

    def bound_to(self, deadline: float) -> None:
        """Each blocking step (the set-up's round trips, writing a request) may take only what
        is left of the call's time."""
        self.connection.connection.sock.settimeout(_remaining(deadline))

    def _on_reply(self, message) -> None:
        correlation_id = message.properties.get("correlation_id")
        self.replies[correlation_id] = loads(message.body, message.content_type, message.content_encoding)

    def _on_return(self, _exception, _exchange, _routing_key, message) -> None:
        self.returned.add(message.properties.get("correlation_id"))

    def alive(self) -> bool:
        """A connection the broker closed while it was idle reads as ended at once."""
        if time.monotonic() - self.last_used > IDLE_CONNECTION_SECONDS:
            return False
        try:
            self.connection.drain_events(timeout=0.001)
        except TimeoutError:
            return True
        except Exception:
            return False
        return True

    def wait(self, done, deadline: float) -> None:
        while not done():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            self.connection.drain_events(timeout=remaining)

    def close(self) -> None:
        close_quietly(self.connection)


def _remaining(deadline: float) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError
    return remaining


class ServiceClient:
    def __init__(self, nameko_config: dict, timeout: float):
        self._amqp_uri = nameko_config["AMQP_URI"]
        self.timeout = timeout
        self._idle: list[_Connection] = []
        self._lock = threading.Lock()

    def call(self, service: str, method: str, *args, principal: Principal, **kwargs):
        started = time.monotonic()
        outcome = "ok"
        try:
            return self._call(service, method, args, kwargs, principal)
        except RpcTimeout:
            outcome = "timeout"
            raise
        except ReplyLost:
            outcome = "reply_lost"
            raise
        except BrokerUnavailable:
            outcome = "unavailable"
            raise
        except UnknownService:
            outcome = "unknown_service"
            raise
        except Exception:
            outcome = "error"
            raise
        finally:
            RPC_LATENCY.labels(service, method, outcome).observe(time.monotonic() - started)

    def _call(self, service: str, method: str, args: tuple, kwargs: dict, principal: Principal):
        deadline = time.monotonic() + self.timeout
        correlation_id = str(uuid.uuid4())
        content_type, content_encoding, body = dumps({"args": list(args), "kwargs": kwargs}, serializer="json")
        requested_at = time.time()
        headers = {
            f"nameko.{CONTEXT_KEY}": principal.to_context(),
            f"nameko.{EXPIRES_HEADER}": requested_at + self.timeout,
            f"nameko.{REQUESTED_AT_HEADER}": requested_at,
            "nameko.call_id_stack": [f"gateway.{service}.{method}.{correlation_id}"],
        }
        routing_key = f"{service}.{method}"
        connection = self._publish(routing_key, correlation_id, body, content_type, content_encoding, headers,
                                   deadline)
        try:
            connection.wait(lambda: correlation_id in connection.replies, deadline)
        except TimeoutError:
            # A late reply would arrive on this connection: it is not used again.
            connection.close()
            raise RpcTimeout(self.timeout) from None
        except Exception as error:
            connection.close()
            raise ReplyLost(f"lost the broker while {service} was answering ({error!r})") from error
        reply = connection.replies.pop(correlation_id)
        self._give_back(connection)
        if reply.get("error"):
            raise deserialize(reply["error"])
        return reply["result"]

    def _publish(self, routing_key, correlation_id, body, content_type, content_encoding, headers, deadline):
        """Publish the request and wait for the broker's confirm; return the connection, still
        borrowed, that the reply will come on."""
        for attempt in (1, 2):
            connection = self._borrow(deadline)
            written = False
            try:
                connection.bound_to(deadline)
                tag = connection.confirmations.take_tag()
                message = connection.channel.prepare_message(
                    body, content_type=content_type, content_encoding=content_encoding, headers=headers,
                    properties={"reply_to": connection.reply_queue, "correlation_id": correlation_id,
                                "delivery_mode": 2, "expiration": str(max(1, int(_remaining(deadline) * 1000)))})
                connection.channel.basic_publish(message, exchange=RPC_EXCHANGE.name, routing_key=routing_key,
                                                 mandatory=True)
                written = True
                connection.wait(lambda connection=connection, tag=tag: connection.confirmations.settled(tag),
                                deadline)
            except TimeoutError:
                connection.close()
                if written:
                    raise RpcTimeout(self.timeout) from None
                raise BrokerUnavailable("the broker did not take the request in time") from None
            except Exception as error:
                connection.close()
                if written:
                    raise ReplyLost(f"lost the broker after handing it the request ({error!r})") from error
                if attempt == 1:
                    logger.info("broker connection replaced", extra={"error": repr(error)})
                    continue
                raise BrokerUnavailable(f"the broker did not take the request ({error!r})") from error
            taken = connection.confirmations.pop_outcome(tag)
            if correlation_id in connection.returned:
                connection.returned.discard(correlation_id)
                self._give_back(connection)
                raise UnknownService(routing_key.split(".")[0])
            if not taken:
                self._give_back(connection)
                raise BrokerUnavailable("the broker refused the request")
            return connection
        raise AssertionError("unreachable")  # pragma: no cover

    def _borrow(self, deadline: float) -> _Connection:
        while True:
            with self._lock:
                connection = self._idle.pop() if self._idle else None
            if connection is None:
                break
            if connection.alive():
                return connection
            connection.close()
        try:
            return _Connection(self._amqp_uri, deadline)
        except TimeoutError:
            raise BrokerUnavailable("the broker did not answer in time") from None
        except Exception as error:
            raise BrokerUnavailable(f"the broker cannot be reached ({error!r})") from error

    def _give_back(self, connection: _Connection) -> None:
        connection.last_used = time.monotonic()
        with self._lock:
            if len(self._idle) < IDLE_CONNECTIONS_KEPT:
                self._idle.append(connection)
                return
        connection.close()

    def close(self) -> None:
        with self._lock:
            connections, self._idle = self._idle, []
        for connection in connections:
            connection.close()
