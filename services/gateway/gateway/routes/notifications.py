"""``/admin/v1/notifications``: the back office's delivery log of the notification service (Art. 8,
29–30) — every message to a person through a ZZD work notice, a ZLB message or SMS, with its status
and attempts — and the resend of a parked one. Ids and the channel's recipient id only; never a
phone number."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query

from common.contracts.notifications import DeliveryDetailView, DeliveryStatus, DeliveryView
from common.principal import Principal
from gateway.auth import back_office_principal
from gateway.deps import Page, paging, services
from gateway.errors import FACE_ERRORS, errors
from gateway.openapi import BACK_OFFICE_NOTIFICATIONS, ContractRoute
from gateway.rpc import ServiceClient

router = APIRouter(prefix="/admin/v1/notifications", tags=[BACK_OFFICE_NOTIFICATIONS], route_class=ContractRoute,
                   responses=errors(*FACE_ERRORS))
DeliveryId = Path(max_length=32, description="The delivery's id.")


@router.get("", response_model=list[DeliveryView],
            description="The delivery log, newest first, filtered by status and by recipient; paged by `limit` "
                        "(at most 200) and `offset`.")
def list_deliveries(status: DeliveryStatus | None = Query(None, description="Only deliveries in this status."),
                    recipient_user_id: str | None = Query(None, max_length=32,
                                                          description="Only the deliveries to this user."),
                    page: Page = Depends(paging(default=50, maximum=200)),
                    principal: Principal = Depends(back_office_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("notification", "list_deliveries", status, recipient_user_id, page.limit, page.offset,
                    principal=principal)


@router.get("/{delivery_id}", response_model=DeliveryDetailView, responses=errors(404),
            description="One delivery with every attempt and resend.")
def get_delivery(delivery_id: str = DeliveryId, principal: Principal = Depends(back_office_principal),
                 rpc: ServiceClient = Depends(services)):
    return rpc.call("notification", "get_delivery", delivery_id, principal=principal)


@router.post("/{delivery_id}/resend", response_model=DeliveryView, responses=errors(404, 409),
             description="Put a parked delivery back in line with its attempts counted afresh; it keeps its "
                         "message id, so a provider that did receive an earlier attempt does not deliver it "
                         "twice. Any other status is 409.")
def resend_delivery(delivery_id: str = DeliveryId, principal: Principal = Depends(back_office_principal),
                    rpc: ServiceClient = Depends(services)):
    return rpc.call("notification", "resend_delivery", delivery_id, principal=principal)
