"""``/admin/v1``: the back office of the leading group — the manual platform clock, the rule
settings of every service (Art. 8), and the audit trail."""

from __future__ import annotations

import logging
import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, JsonValue, StringConstraints

from common.contracts.admin import AuditEntryView, ClockView, RuleSettingView
from common.contracts.types import MAX_ROW_ID, PlatformDateTime
from common.errors import DomainError
from common.principal import Principal
from gateway import examples
from gateway.auth import back_office_principal
from gateway.deps import limit_only, services
from gateway.errors import FACE_ERRORS, ApiError, errors
from gateway.openapi import BACK_OFFICE, ContractRoute
from gateway.rpc import ServiceClient

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/admin/v1", tags=[BACK_OFFICE], route_class=ContractRoute,
                   responses=errors(*FACE_ERRORS))


class ClockSetting(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.CLOCK_SETTING]})
    now: PlatformDateTime


def _known_service(request: Request, service: str) -> str:
    if service not in request.app.state.settings.services:
        raise ApiError(404, "not_found", f"no service named {service}")
    return service


def _on_every_service(request: Request, rpc: ServiceClient, method: str, *args, principal: Principal, **kwargs):
    """Call ``method`` on every service at once; return the answers and the failures."""
    names = request.app.state.settings.services
    futures = {name: _fan_out.submit(rpc.call, name, method, *args, principal=principal, **kwargs)
               for name in names}
    answers, failures = {}, {}
    for name, future in futures.items():
        try:
            # The call bounds itself; this is a guard should a thread of the pool be stuck.
            answers[name] = future.result(timeout=rpc.timeout + 2)
        except Exception as error:  # each failure is reported below; one must not hide another
            failures[name] = error
    return answers, failures


_fan_out = ThreadPoolExecutor(max_workers=8, thread_name_prefix="clock-fan-out")
# One clock change at a time from this gateway; between replicas, the services' compare-and-set.
_clock_change = threading.Lock()


def _clock_view(statuses: dict) -> dict:
    times = {status["now"] for status in statuses.values()}
    return {"now": times.pop() if len(times) == 1 else None, "consistent": len(times) <= 1 and bool(statuses),
            "caught_up": all(status["caught_up"] for status in statuses.values()), "services": statuses}


@router.put("/clock", response_model=ClockView, summary="设置平台时间 Set the platform clock",
            responses={**errors(400, 409, 413),
                       **examples.answer(200, examples.CLOCK, "Set, and every service caught up."),
                       202: {"model": ClockView, "description": "Set everywhere; some services are still catching up.",
                             "content": {"application/json": {"example": examples.CLOCK_CATCHING_UP}}}},
            description="Set the platform time on every service or on none (only with the manual clock on). "
                        "Each service then works through what fell due in bounded steps: 200 when all have "
                        "caught up within a few seconds, else 202 — follow GET /admin/v1/clock until "
                        "`caught_up` is true.")
def set_clock(body: ClockSetting, request: Request, principal: Principal = Depends(back_office_principal),
              rpc: ServiceClient = Depends(services)):
    with _clock_change:
        before, unreachable = _on_every_service(request, rpc, "clock_status", principal=principal)
        if unreachable:
            raise next(iter(unreachable.values()))
        wanted = body.now.isoformat()
        hold = 2 * rpc.timeout + 5
        # Each service takes the time only if it still shows what we read, and holds it from
        # catching up until all have it.
        applied, refused = {}, {}
        futures = {name: _fan_out.submit(rpc.call, name, "set_platform_time", wanted, if_now=before[name]["now"],
                                         hold_seconds=hold, principal=principal) for name in before}
        for name, future in futures.items():
            try:
                applied[name] = future.result(timeout=rpc.timeout + 2)
            except Exception as error:
                refused[name] = error
        if refused:
            _put_back(rpc, principal, before, refused)
            raise next(iter(refused.values()))
        _on_every_service(request, rpc, "release_catch_up", principal=principal)
    view = _follow_catch_up(request, rpc, principal, request.app.state.settings.clock_wait_seconds)
    return JSONResponse(view, status_code=200 if view["caught_up"] else 202,
                        headers=None if view["caught_up"] else {"Location": "/admin/v1/clock"})


def _put_back(rpc: ServiceClient, principal: Principal, before: dict, refused: dict) -> None:
    """Every service but those that answered a refusal may hold the new time (a timeout or a
    lost answer leaves it unknown): each goes back to the time it showed."""
    for name, status in before.items():
        if isinstance(refused.get(name), DomainError):
            continue
        try:
            rpc.call(name, "set_platform_time", status["now"], principal=principal)
        except Exception:
            logger.exception("platform time could not be put back; GET /admin/v1/clock shows it",
                             extra={"service": name})
    logger.warning("platform time not changed", extra={"refused_by": sorted(refused)})


def _follow_catch_up(request: Request, rpc: ServiceClient, principal: Principal, seconds: float) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        statuses, failures = _on_every_service(request, rpc, "clock_status", principal=principal)
        if failures:
            raise next(iter(failures.values()))
        view = _clock_view(statuses)
        if view["caught_up"] or time.monotonic() >= deadline:
            return view
        time.sleep(0.25)


@router.get("/clock", response_model=ClockView,
            description="The platform time of every service and whether each has caught up with it.")
def get_clock(request: Request, principal: Principal = Depends(back_office_principal),
              rpc: ServiceClient = Depends(services)):
    statuses, failures = _on_every_service(request, rpc, "clock_status", principal=principal)
    if failures:
        raise next(iter(failures.values()))
    return _clock_view(statuses)


@router.get("/settings/{service}", response_model=dict[str, RuleSettingView], responses=errors(404),
            description="Every figure of the service's rules with its default and article.")
def get_settings(request: Request, service: str = Path(max_length=32),
                 principal: Principal = Depends(back_office_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call(_known_service(request, service), "get_rule_settings", principal=principal)


def _plain_json(value):
    """A rule figure is a number, text, a truth value or a list of them: finite, and text that is
    Unicode (JSON may carry a lone surrogate escape, which no service and no answer can encode)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("text must be valid Unicode") from None
    elif isinstance(value, float) and not math.isfinite(value):
        raise ValueError("numbers must be finite")
    elif isinstance(value, list):
        for item in value:
            _plain_json(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _plain_json(key)
            _plain_json(item)
    return value


# Typed, so that the names are text the services can answer about and the figures plain JSON.
SettingName = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Figure = Annotated[JsonValue, AfterValidator(_plain_json)]
SettingChanges = Annotated[dict[SettingName, Figure], Field(min_length=1, max_length=100,
                                                            description="Setting name → new value.")]


@router.put("/settings/{service}", response_model=dict[str, RuleSettingView],
            responses=errors(400, 404, 409, 413),
            description="Change some figures; the whole set is validated, then audited.")
def update_settings(request: Request, changes: Annotated[SettingChanges, Body()], service: str = Path(max_length=32),
                    principal: Principal = Depends(back_office_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call(_known_service(request, service), "update_rule_settings", changes, principal=principal)


@router.get("/audit/{service}", response_model=list[AuditEntryView], responses=errors(404),
            description="The service's append-only audit trail, newest first; paged by `limit` (at most 1000) "
                        "and `before_id` (the entries before that id).")
def audit_trail(request: Request, service: str = Path(max_length=32),
                entity_type: str | None = Query(None, max_length=50),
                entity_id: str | None = Query(None, max_length=64),
                principal_id: str | None = Query(None, max_length=64), action: str | None = Query(None, max_length=100),
                since: Annotated[PlatformDateTime | None, Query(description="From this time (with offset).")] = None,
                until: Annotated[PlatformDateTime | None, Query(description="Before this time (with offset).")] = None,
                limit: int = Depends(limit_only(default=100, maximum=1000)),
                before_id: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID,
                                                       description="Page backwards from this entry id.")] = None,
                principal: Principal = Depends(back_office_principal), rpc: ServiceClient = Depends(services)):
    query = {"entity_type": entity_type, "entity_id": entity_id, "principal_id": principal_id, "action": action,
             "since": since.isoformat() if since else None, "until": until.isoformat() if until else None,
             "limit": limit, "before_id": before_id}
    return rpc.call(_known_service(request, service), "audit_trail", query, principal=principal)
