"""Calling the services from FastAPI.

A nameko ``ClusterRpcProxy`` is single-threaded, so each thread of FastAPI's pool keeps its
own, opened once and reused (a proxy per request would leak reply queues). Route handlers
are plain ``def`` functions, which FastAPI runs in that pool, off the event loop. The
caller's principal travels in the RPC context (header ``nameko.principal``) so that the
services authorize again, object by object.
"""

from __future__ import annotations

import logging
import threading

from nameko.standalone.rpc import ClusterRpcProxy

from common.errors import DomainError
from common.principal import CONTEXT_KEY, Principal

logger = logging.getLogger(__name__)


class ServiceClient:
    def __init__(self, nameko_config: dict, timeout: float):
        self._config = nameko_config
        self._timeout = timeout
        self._local = threading.local()
        self._all: list[ClusterRpcProxy] = []
        self._all_lock = threading.Lock()

    def _proxy(self):
        entry = getattr(self._local, "entry", None)
        if entry is None:
            standalone = ClusterRpcProxy(self._config, context_data={}, timeout=self._timeout)
            entry = (standalone, standalone.start())
            self._local.entry = entry
            with self._all_lock:
                self._all.append(standalone)
        return entry

    def call(self, service: str, method: str, *args, principal: Principal, **kwargs):
        standalone, cluster = self._proxy()
        # The proxy is this thread's alone, so setting its context per call is safe.
        standalone._worker_ctx.data = {CONTEXT_KEY: principal.to_context()}
        try:
            return getattr(getattr(cluster, service), method)(*args, **kwargs)
        except Exception as error:
            # A domain error is an ordinary answer; anything else (a timeout whose reply may
            # still arrive, a lost connection) may have spoiled this thread's proxy.
            if not isinstance(error, DomainError):
                self._discard()
            raise

    def _discard(self) -> None:
        entry = getattr(self._local, "entry", None)
        self._local.entry = None
        if entry is not None:
            with self._all_lock:
                if entry[0] in self._all:
                    self._all.remove(entry[0])
            try:
                entry[0].stop()
            except Exception:  # the connection is already gone; nothing more to release
                logger.debug("stale RPC proxy could not be stopped cleanly", exc_info=True)

    def close(self) -> None:
        with self._all_lock:
            proxies, self._all = self._all, []
        for standalone in proxies:
            try:
                standalone.stop()
            except Exception:
                logger.debug("RPC proxy could not be stopped cleanly", exc_info=True)
