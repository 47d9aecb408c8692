"""``/public/v1/open311/v2``: the complaint window in Open311 GeoReport v2, so that existing Open311
clients and apps file and follow complaints (Art. 30). The complaint categories are its services,
the tracking code its ``service_request_id``.

What of GeoReport v2 is not supported, as the tag's description in /docs also says:
- JSON only (``.json``); no XML.
- ``jurisdiction_id`` is ignored: the platform serves one district.
- ``GET requests.json`` answers only the requests named by ``service_request_id``: there is no
  public listing of all requests (by date, status or service), which would expose every
  complaint of the district.
- Media are given by ``media_url`` only (a photo elsewhere on the web, shown as it was given); no
  multipart upload. The platform's own window takes photos (``POST /public/v1/complaint-photos``);
  a GeoReport request cannot name them.
- Services have no attributes (``metadata`` false): ``GET services/{code}.json`` does not exist.
- ``api_key``, ``account_id``, ``email``, ``device_id`` and ``address_id`` are ignored; the
  answer's ``account_id`` is null.
- ``agency_responsible``, ``expected_datetime`` and ``zipcode`` are left out of a request's
  answer: who handles a complaint inside is not public.
- Errors come in the platform's shape ``{"error": {"code", "message", "details"}}`` (422 with the
  field and reason), not as GeoReport's list of ``{code, description}``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Query, Request, status
from pydantic import ValidationError

from common.contracts.cases import ComplaintFiling, Open311Receipt, Open311Request, Open311Service
from common.errors import InvalidInput, NotFound
from common.principal import ANONYMOUS
from gateway.deps import services
from gateway.errors import SERVICE_ERRORS, errors
from gateway.openapi import OPEN311, ContractRoute
from gateway.routes.complaint_window import file_complaint
from gateway.rpc import ServiceClient

router = APIRouter(prefix="/public/v1/open311/v2", tags=[OPEN311], route_class=ContractRoute,
                   responses=errors(*SERVICE_ERRORS))

MAX_IDS = 20
_NOT_SUPPORTED = ("Not supported: jurisdiction_id (one district, ignored), XML, media upload (media_url only), "
                  "service attributes; errors come in the platform's error shape.")


def _service(category: dict) -> dict:
    return {"service_code": category["code"], "service_name": f"{category['name_zh']} {category['name_en']}",
            "description": category["description"], "metadata": False, "type": "realtime",
            "keywords": f"{category['code']},{category['name_zh']},{category['name_en']}",
            "group": "涉纪 Discipline" if category["code"] == "discipline" else "工程建设 Construction"}


@router.get("/services.json", response_model=list[Open311Service], summary="Open311 services",
            description="The complaint categories as Open311 services (not paged: eight services). No attributes: "
                        "`metadata` is false. " + _NOT_SUPPORTED)
def list_services(jurisdiction_id: str | None = Query(None, max_length=64, description="Ignored: one district."),
                  rpc: ServiceClient = Depends(services)):
    return [_service(category) for category in rpc.call("complaints", "complaint_categories", principal=ANONYMOUS)]


def _filing(form: dict) -> ComplaintFiling:
    """A GeoReport request as a complaint of the window; each refusal names the GeoReport field."""
    names = " ".join(part for part in (form["first_name"], form["last_name"]) if part).strip()
    if form["phone"] and not names:
        raise InvalidInput.field("first_name", "a name comes with the phone, or neither for an anonymous request")
    if names and not form["phone"]:
        raise InvalidInput.field("phone", "a phone comes with the name, or neither for an anonymous request")
    data = {"category": form["service_code"], "text": form["description"], "anonymous": not form["phone"]}
    if form["lat"] is not None or form["long"] is not None:
        data["location"] = {"lat": form["lat"], "lng": form["long"]}
    if form["address_string"]:
        data["address"] = form["address_string"]
    if form["media_url"]:
        data["media_url"] = form["media_url"]
    if form["phone"]:
        data["contact"] = {"name": names, "phone": form["phone"]}
    try:
        return ComplaintFiling.model_validate(data)
    except ValidationError as error:
        geo = {"category": "service_code", "text": "description", "address": "address_string",
               "location": "lat", "contact": "phone"}
        details = []
        for item in error.errors():
            loc = [str(part) for part in item["loc"]]
            field = geo.get(loc[0], loc[0]) if loc else "body"
            if loc[:2] == ["location", "lng"]:
                field = "long"
            elif loc[:2] == ["contact", "name"]:
                field = "first_name"
            details.append({"field": field, "reason": item["msg"]})
        raise InvalidInput("the request is invalid", details) from None


@router.post("/requests.json", status_code=status.HTTP_201_CREATED, response_model=list[Open311Receipt],
             responses=errors(400, 404, 413, 429), summary="Open311 create a service request",
             description="File a complaint, form-encoded as GeoReport v2 says: `service_code` (a category), "
                         "`lat`+`long` or `address_string`, `description`, `media_url`; `first_name`, `last_name` "
                         "and `phone` (a mobile number) for a named complaint, none of them for an anonymous one. "
                         "Answers a list of one, whose `service_request_id` is the tracking code (not paged). "
                         "429 past the per-client limit. Photos are by `media_url` here: a URL elsewhere on the web, "
                         "kept as given; uploading a photo is the platform's own window's "
                         "(POST /public/v1/complaint-photos, then POST /public/v1/complaints). " + _NOT_SUPPORTED)
def create_request(request: Request,
                   service_code: Annotated[str, Form(max_length=32)],
                   description: Annotated[str, Form(max_length=4000)],
                   lat: Annotated[float | None, Form(ge=-90, le=90)] = None,
                   long: Annotated[float | None, Form(ge=-180, le=180)] = None,
                   address_string: Annotated[str | None, Form(max_length=400)] = None,
                   media_url: Annotated[str | None, Form(max_length=1000)] = None,
                   first_name: Annotated[str | None, Form(max_length=50)] = None,
                   last_name: Annotated[str | None, Form(max_length=50)] = None,
                   phone: Annotated[str | None, Form(max_length=32)] = None,
                   email: Annotated[str | None, Form(max_length=254, description="Ignored.")] = None,
                   account_id: Annotated[str | None, Form(max_length=64, description="Ignored.")] = None,
                   device_id: Annotated[str | None, Form(max_length=64, description="Ignored.")] = None,
                   address_id: Annotated[str | None, Form(max_length=64, description="Ignored.")] = None,
                   jurisdiction_id: Annotated[str | None, Form(max_length=64, description="Ignored.")] = None,
                   api_key: Annotated[str | None, Form(max_length=256, description="Ignored.")] = None,
                   rpc: ServiceClient = Depends(services)):
    filing = _filing({"service_code": service_code, "description": description, "lat": lat, "long": long,
                      "address_string": (address_string or "").strip() or None, "media_url": media_url,
                      "first_name": (first_name or "").strip(), "last_name": (last_name or "").strip(),
                      "phone": (phone or "").strip()})
    receipt = file_complaint(filing, "open311", request, rpc)
    return [{"service_request_id": receipt["tracking_code"], "account_id": None,
             "service_notice": "投诉已受理，请凭编号查询进展 Received: follow it by its service_request_id."}]


def _request(answer: dict, names: dict[str, str]) -> dict:
    replies = answer.get("replies") or []
    code = answer.get("service_code") or answer.get("category")
    view = {"service_request_id": answer["tracking_code"],
            "status": "closed" if answer["status"] == "closed" else "open",
            "status_notes": replies[-1]["text"] if replies else None,
            "service_name": names.get(code), "service_code": code, "description": answer.get("description"),
            "requested_datetime": answer.get("requested_at") or answer["filed_at"],
            "updated_datetime": answer["updated_at"], "address": answer.get("address"),
            "lat": answer.get("lat"), "long": answer.get("lng")}
    if answer.get("media_url"):
        view["media_url"] = answer["media_url"]
    return view


def _service_names(rpc: ServiceClient) -> dict[str, str]:
    return {category["code"]: _service(category)["service_name"]
            for category in rpc.call("complaints", "complaint_categories", principal=ANONYMOUS)}


@router.get("/requests.json", response_model=list[Open311Request], summary="Open311 service requests by id",
            description="The requests named by `service_request_id` (comma-separated, at most 20; unknown ones are "
                        "left out); not paged. Without it this is 422: there is no public listing of all requests "
                        "(by date, status or service). " + _NOT_SUPPORTED)
def get_requests(service_request_id: str = Query(max_length=MAX_IDS * 41,
                                                 description="Tracking codes, comma-separated."),
                 jurisdiction_id: str | None = Query(None, max_length=64, description="Ignored: one district."),
                 rpc: ServiceClient = Depends(services)):
    ids = list(dict.fromkeys(part.strip() for part in service_request_id.split(",") if part.strip()))
    if not ids or len(ids) > MAX_IDS:
        raise InvalidInput.field("service_request_id", f"1 to {MAX_IDS} tracking codes, comma-separated")
    names, found = _service_names(rpc), []
    for code in ids:
        try:
            found.append(_request(rpc.call("complaints", "follow_complaint", code, principal=ANONYMOUS), names))
        except NotFound:
            continue
    return found


@router.get("/requests/{service_request_id}.json", response_model=list[Open311Request], responses=errors(404),
            summary="Open311 one service request",
            description="One request by its `service_request_id` (the tracking code), as a list of one (not paged); "
                        "404 for an unknown one. " + _NOT_SUPPORTED)
def get_request(service_request_id: str = Path(min_length=8, max_length=40, pattern=r"^[A-Za-z0-9-]+$"),
                jurisdiction_id: str | None = Query(None, max_length=64, description="Ignored: one district."),
                rpc: ServiceClient = Depends(services)):
    names = _service_names(rpc)
    return [_request(rpc.call("complaints", "follow_complaint", service_request_id, principal=ANONYMOUS), names)]
