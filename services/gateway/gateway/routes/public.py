"""``/public/v1``: the public window. Nothing here needs a login, and nothing here tells
anything about a person."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from common.contracts.registry import PublicProjectView
from common.principal import ANONYMOUS
from gateway.deps import limit_only, services
from gateway.errors import SERVICE_ERRORS, errors
from gateway.openapi import PUBLIC, ContractRoute
from gateway.rpc import ServiceClient

router = APIRouter(prefix="/public/v1", tags=[PUBLIC], route_class=ContractRoute, responses=errors(*SERVICE_ERRORS))


@router.get("/projects", response_model=list[PublicProjectView],
            description="Find a project by name, e.g. to complain about it (Art. 49); terminated projects are left "
                        "out. The first `limit` (at most 100) by name: no further pages.")
def find_projects(q: str = Query(min_length=1, max_length=100),
                  limit: int = Depends(limit_only(default=20, maximum=100)), rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "public_projects", q, limit, principal=ANONYMOUS)
