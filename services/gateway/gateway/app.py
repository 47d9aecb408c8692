"""The gateway application: ``uvicorn gateway.app:create_app --factory``."""

from __future__ import annotations

import logging
import time
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from prometheus_client import Counter, Histogram

from common.logs import configure_logging
from common.queues import QueuePolicy
from common.settings import platform_settings
from common.startup import freeze_start_up
from gateway.errors import install_error_handlers
from gateway.intake import CheckinIntake
from gateway.limits import RequestGuard
from gateway.openapi import OPENAPI_TAGS
from gateway.portals import ZlbAdapter, ZzdAdapter
from gateway.routes import (
    admin,
    attendance,
    auth,
    cases,
    changes,
    complaint_window,
    concealed,
    my_tasks,
    notifications,
    open311,
    ops,
    overview,
    partner,
    processes,
    public,
    scoring,
    supervision,
    zlb,
    zzd,
)
from gateway.routes.web import install_web_apps
from gateway.rpc import ServiceClient
from gateway.settings import GatewaySettings, gateway_settings

logger = logging.getLogger(__name__)

HTTP_REQUESTS = Counter("gateway_http_requests_total", "HTTP requests", ["method", "route", "status"])
HTTP_LATENCY = Histogram("gateway_http_request_seconds", "HTTP request latency", ["method", "route"],
                         buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


def _portal_adapters(settings: GatewaySettings) -> tuple[dict, httpx.Client]:
    http = httpx.Client(timeout=settings.portal_timeout_seconds)
    return {
        "zzd": ZzdAdapter(settings.zzd_base_url, settings.zzd_app_key, settings.zzd_app_secret, http,
                          client_ip=settings.zzd_client_ip, client_mac=settings.zzd_client_mac),
        "zlb": ZlbAdapter(settings.zlb_base_url, settings.zlb_service_code, settings.zlb_service_password, http),
    }, http


class Measured:
    """Counts and times every request by route template and status. A plain ASGI middleware: the
    check-in peak cannot afford the task and streams that ``@app.middleware("http")`` adds."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500}

        async def sending(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            template = getattr(scope.get("route"), "path", "unmatched")
            HTTP_REQUESTS.labels(scope["method"], template, status["code"]).inc()
            HTTP_LATENCY.labels(scope["method"], template).observe(time.perf_counter() - started)


def create_app(settings: GatewaySettings | None = None, services: ServiceClient | None = None,
               intake: CheckinIntake | None = None) -> FastAPI:
    platform = platform_settings()
    settings = settings or gateway_settings()
    configure_logging(platform.log_level, platform.log_format)
    services = services or ServiceClient(platform.nameko_config(), settings.rpc_timeout_seconds)
    portals, portal_http = _portal_adapters(settings)

    intake = intake or CheckinIntake(platform.amqp_uri, confirm_timeout=settings.intake_confirm_timeout_seconds,
                                     policy=QueuePolicy.of(platform.nameko_config()))

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        intake.start()
        freeze_start_up()
        yield
        intake.stop()
        services.close()
        portal_http.close()

    app = FastAPI(
        title="Shangyu construction-supervision platform",
        version="0.1.0",
        description="The gateway of the platform: the government (浙政钉 ZZD), enterprise (浙里办 ZLB), public and "
                    "back-office faces, grouped below by face and by the regulation's processes. Times are ISO 8601 "
                    "with offset (+08:00); amounts in yuan as decimal text. Every error is "
                    "`{\"error\": {\"code\", \"message\", \"details\"}}`; each route lists the statuses it can "
                    "answer.",
        openapi_tags=OPENAPI_TAGS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.services = services
    app.state.intake = intake
    app.state.portals = portals
    install_error_handlers(app)

    # Body limits (413) and NUL characters (422), before anything reads the body; inside `measure`.
    app.add_middleware(RequestGuard, max_json_body_bytes=settings.max_json_body_bytes,
                       max_upload_bytes=settings.max_upload_bytes)

    app.add_middleware(Measured)

    # Routes are tried in order: the check-in peak's routes (attendance.zlb_router) first.
    for router in (attendance.zlb_router, ops.router, auth.router, zzd.router, zlb.router, attendance.zzd_router,
                   processes.zzd_router, processes.zlb_router, concealed.zzd_router, concealed.zlb_router,
                   supervision.zzd_router, supervision.zlb_router, changes.zzd_router, changes.zlb_router,
                   public.router, admin.router, cases.zzd_router, cases.zlb_router, complaint_window.router,
                   open311.router, scoring.zzd_router, scoring.zlb_router, scoring.admin_router, partner.router,
                   notifications.router, my_tasks.router, overview.router):
        app.include_router(router)
    if settings.dev_login:
        app.include_router(auth.dev_router)
        logger.warning("dev login is on: anyone can log in as any seeded user")
    install_web_apps(app, settings.web_dist_dir)
    return app
