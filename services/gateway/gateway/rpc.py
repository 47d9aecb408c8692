"""Calling the services from FastAPI, every call bounded end to end.

Route handlers are plain ``def`` functions, which FastAPI runs in its thread pool, off the
event loop. Each thread keeps one AMQP connection with its own exclusive reply queue and
speaks nameko's RPC wire format on it (exchange ``nameko-rpc``, routing key
``<service>.<method>``, body ``{"args", "kwargs"}``, context in ``nameko.*`` headers).

A call never outlives its caller: the whole of it — connecting, the broker's confirm, the
reply — shares one deadline (:attr:`timeout`), and the request carries that deadline twice,
as the message's TTL (the broker drops it unread once its caller has given up) and as the
``nameko.command_expires_at`` header (a service that receives it late drops it, see
:mod:`common.rpc`). The caller's principal travels in the ``nameko.principal`` header so that
the services authorize again, object by object.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid

from kombu import Exchange
from kombu.serialization import dumps, loads
from nameko.exceptions import RpcTimeout, UnknownService, deserialize

from common.amqp import Confirmations, close_quietly, open_connection
from common.principal import CONTEXT_KEY, Principal
from common.rpc import EXPIRES_HEADER, REQUESTED_AT_HEADER

logger = logging.getLogger(__name__)

RPC_EXCHANGE = Exchange("nameko-rpc", type="topic", durable=True, auto_delete=False)


class BrokerUnavailable(ConnectionError):
    """The broker could not be reached, or the connection was lost before the service answered."""


class _Channel:
    """One thread's connection, confirm-mode channel and reply queue."""

    def __init__(self, amqp_uri: str, timeout: float):
        self.connection = open_connection(amqp_uri, timeout)
        try:
            self.channel = self.connection.channel()
            self.channel.confirm_select()
            RPC_EXCHANGE.bind(self.channel).declare()
            self.reply_queue = f"rpc.reply-gateway-{uuid.uuid4()}"
            self.channel.queue_declare(self.reply_queue, exclusive=True, auto_delete=True)
            self.channel.queue_bind(self.reply_queue, RPC_EXCHANGE.name, routing_key=self.reply_queue)
            self.channel.basic_consume(self.reply_queue, callback=self._on_reply, no_ack=True)
        except Exception:
            close_quietly(self.connection)
            raise
        self.confirmations = Confirmations(self.channel)
        self.channel.events["basic_return"].add(self._on_return)
        self.replies: dict[str, object] = {}
        self.returned: set[str] = set()
        self.used = False

    def _on_reply(self, message) -> None:
        correlation_id = message.properties.get("correlation_id")
        self.replies[correlation_id] = loads(message.body, message.content_type, message.content_encoding)

    def _on_return(self, _exception, _exchange, _routing_key, message) -> None:
        self.returned.add(message.properties.get("correlation_id"))

    def wait(self, done, deadline: float) -> None:
        while not done():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            self.connection.drain_events(timeout=remaining)

    def close(self) -> None:
        close_quietly(self.connection)


class ServiceClient:
    def __init__(self, nameko_config: dict, timeout: float):
        self._amqp_uri = nameko_config["AMQP_URI"]
        self.timeout = timeout
        self._local = threading.local()
        self._all: list[_Channel] = []
        self._all_lock = threading.Lock()

    def call(self, service: str, method: str, *args, principal: Principal, **kwargs):
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
        channel = self._publish(routing_key, correlation_id, body, content_type, content_encoding, headers, deadline)
        try:
            channel.wait(lambda: correlation_id in channel.replies, deadline)
        except TimeoutError:
            # A reply may still come on this connection; a fresh one keeps it from a later call.
            self._discard()
            raise RpcTimeout(self.timeout) from None
        except Exception as error:
            self._discard()
            raise BrokerUnavailable(f"lost the broker while {service} was answering ({error!r})") from error
        reply = channel.replies.pop(correlation_id)
        if reply.get("error"):
            raise deserialize(reply["error"])
        return reply["result"]

    def _publish(self, routing_key, correlation_id, body, content_type, content_encoding, headers, deadline):
        """Publish the request and wait for the broker's confirm. A connection reused from an
        earlier call may have died meanwhile (a broker restart): then one fresh try, since an
        unconfirmed request was not taken by the broker."""
        for attempt in (1, 2):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RpcTimeout(self.timeout)
            try:
                channel = self._channel(remaining)
            except Exception as error:
                raise BrokerUnavailable(f"the broker cannot be reached ({error!r})") from error
            reused, channel.used = channel.used, True
            try:
                tag = channel.confirmations.take_tag()
                message = channel.channel.prepare_message(
                    body, content_type=content_type, content_encoding=content_encoding, headers=headers,
                    properties={"reply_to": channel.reply_queue, "correlation_id": correlation_id,
                                "delivery_mode": 2, "expiration": str(max(1, int(remaining * 1000)))})
                channel.channel.basic_publish(message, exchange=RPC_EXCHANGE.name, routing_key=routing_key,
                                              mandatory=True)
                channel.wait(lambda channel=channel, tag=tag: channel.confirmations.settled(tag), deadline)
            except TimeoutError:
                self._discard()
                raise RpcTimeout(self.timeout) from None
            except Exception as error:
                self._discard()
                if reused and attempt == 1:
                    logger.info("stale broker connection replaced", extra={"error": repr(error)})
                    continue
                raise BrokerUnavailable(f"the broker did not take the request ({error!r})") from error
            if correlation_id in channel.returned:
                channel.returned.discard(correlation_id)
                raise UnknownService(routing_key.split(".")[0])
            if not channel.confirmations.is_acked(tag):
                raise BrokerUnavailable("the broker refused the request")
            return channel
        raise AssertionError("unreachable")  # pragma: no cover

    def _channel(self, timeout: float) -> _Channel:
        channel = getattr(self._local, "channel", None)
        if channel is None:
            channel = _Channel(self._amqp_uri, timeout)
            self._local.channel = channel
            with self._all_lock:
                self._all.append(channel)
        return channel

    def _discard(self) -> None:
        channel = getattr(self._local, "channel", None)
        self._local.channel = None
        if channel is not None:
            with self._all_lock:
                if channel in self._all:
                    self._all.remove(channel)
            channel.close()

    def close(self) -> None:
        with self._all_lock:
            channels, self._all = self._all, []
        for channel in channels:
            channel.close()

