"""Shared FastAPI dependencies of the routes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Query, Request

from common.contracts.types import MAX_OFFSET
from gateway.rpc import ServiceClient


def services(request: Request) -> ServiceClient:
    return request.app.state.services


def payload(model) -> dict:
    """What a validated request sends on to its service: the fields the caller gave."""
    return model.model_dump(mode="json", exclude_unset=True)


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


def paging(*, default: int = 100, maximum: int = 500) -> Callable[..., Page]:
    """The one way a list route takes ``limit`` and ``offset``, each with its bounds, so that a
    number past them is a 422 naming the field, never an overflow in a database:
    ``page: Page = Depends(paging(maximum=500))``."""

    def page(limit: int = Query(default, ge=1, le=maximum, description=f"At most {maximum} items."),
             offset: int = Query(0, ge=0, le=MAX_OFFSET, description="Items to skip.")) -> Page:
        return Page(limit, offset)

    return page


def limit_only(*, default: int, maximum: int) -> Callable[..., int]:
    """``limit`` alone, for a list that has a cursor of its own or only a first page."""

    def limit(limit: int = Query(default, ge=1, le=maximum, description=f"At most {maximum} items.")) -> int:
        return limit

    return limit
