"""``/zzd/v1/me``: what waits for the caller's decision — the approvals of the ZZD H5's task list
(the leave requests of Art. 26 and the changes of Art. 27), each across the caller's projects, so
that a phone asks once instead of once per project."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from common.contracts.attendance import LeaveView
from common.contracts.changes import ChangeView
from common.principal import Principal
from gateway.auth import zzd_principal
from gateway.deps import Page, paging, services
from gateway.errors import FACE_ERRORS, errors
from gateway.openapi import ZZD_ATTENDANCE, ZZD_CHANGES, ContractRoute
from gateway.rpc import ServiceClient

router = APIRouter(prefix="/zzd/v1/me", route_class=ContractRoute, responses=errors(*FACE_ERRORS))


@router.get("/leave-requests", response_model=list[LeaveView], tags=[ZZD_ATTENDANCE],
            description="The pending leave requests the caller decides: those of the projects whose owner the "
                        "caller serves (Art. 26), oldest first; paged by `limit` (at most 500) and `offset`.")
def leave_to_decide(page: Page = Depends(paging(maximum=500)), principal: Principal = Depends(zzd_principal),
                    rpc: ServiceClient = Depends(services)):
    return rpc.call("attendance", "leave_to_decide", page.limit, page.offset, principal=principal)


@router.get("/changes", response_model=list[ChangeView], tags=[ZZD_CHANGES],
            description="The pending engineering and personnel changes waiting for the caller's decision now "
                        "(Art. 27): the owner's, then the supervising unit's or the industry authority's step as "
                        "each stage opens; oldest first, paged by `limit` (at most 100) and `offset`.")
def changes_to_decide(page: Page = Depends(paging(maximum=100)), principal: Principal = Depends(zzd_principal),
                      rpc: ServiceClient = Depends(services)):
    return rpc.call("workflow", "changes_to_decide", page.limit, page.offset, principal=principal)
