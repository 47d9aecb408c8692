"""The typed contract of the OpenAPI document (/openapi.json): every operation says what it
answers (a response model), the errors it can answer in the one error shape, and where it
belongs in /docs. A route added without them fails here, naming it."""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI, Query

from gateway.openapi import OPENAPI_TAGS

ERROR_BODY = "#/components/schemas/ErrorBody"
# Every route can answer 422: a NUL character in its URL is refused before any route runs.
ALWAYS = {"422"}
# A route that calls a service answers 503 (broker or database down) and 504 (no answer in time).
SERVICE = {"503", "504"}
# A face with a token: 401 (no token, a bad or expired one) and 403 (the other face's token, a
# step that is not the caller's).
AUTHENTICATED = {"401", "403"}
# Routes that call no service, and readiness, whose 503 is its own answer (which service is down)
# and which answers nothing else: it asks every service and reports what failed.
NO_SERVICE = {("get", "/healthz")}
OWN_503 = {("get", "/readyz")}
# A list pages: `limit` with a maximum, and `offset` or a cursor of its own. The public finder
# answers its best matches only (a search, not a listing): one page of at most `limit`.
CURSORS = {"offset", "before_id", "after"}
FIRST_PAGE_ONLY = {("get", "/public/v1/projects"),
                   # The console's figures per project: the first `limit` rows of a count, not a list to page.
                   ("get", "/zzd/v1/stats/attendance-today"), ("get", "/zzd/v1/stats/open-warnings")}
# Open311 GeoReport v2 fixes these answers as lists, each bounded: the eight services, the requests
# named by at most 20 ids, one request, the receipt of one request.
STANDARD_LISTS = {("get", "/public/v1/open311/v2/services.json"), ("get", "/public/v1/open311/v2/requests.json"),
                  ("post", "/public/v1/open311/v2/requests.json"),
                  ("get", "/public/v1/open311/v2/requests/{service_request_id}.json")}
# The routes whose requests or answers carry examples in /docs.
WITH_EXAMPLES = {("post", "/zzd/v1/projects"), ("post", "/zlb/v1/checkins"), ("post", "/zlb/v1/leave-requests"),
                 ("post", "/zzd/v1/leave-requests/{leave_id}/decision"), ("put", "/admin/v1/clock")}


def _json_schema(response: dict) -> dict | None:
    return response.get("content", {}).get("application/json", {}).get("schema")


def _binary_schema(response: dict) -> dict | None:
    """The schema of an answer of bytes (a photo): a media type other than JSON, declared binary."""
    return next((media["schema"] for kind, media in response.get("content", {}).items()
                 if kind != "application/json" and media.get("schema") == {"type": "string", "format": "binary"}),
                None)


def _refers_to(schema: dict, ref: str) -> bool:
    return schema.get("$ref") == ref or any(option.get("$ref") == ref for option in schema.get("allOf", []))


def paging_problems(method: str, path: str, operation: dict) -> list[str]:
    """What a list route (or one taking ``limit``) leaves out of its paging: ``limit`` with a
    maximum, ``offset`` or a cursor, and a description that names the maximum."""
    name = f"{method.upper()} {path}"
    if (method, path) in STANDARD_LISTS:
        return []
    query = {p["name"]: p.get("schema", {}) for p in operation.get("parameters", []) if p.get("in") == "query"}
    if "limit" not in query:
        return [f"{name}: a list without a `limit` query parameter (page it: Depends(paging(maximum=...)))"]
    problems = []
    maximum = query["limit"].get("maximum")
    if maximum is None:
        problems.append(f"{name}: its `limit` has no maximum")
    if not CURSORS & set(query) and (method, path) not in FIRST_PAGE_ONLY:
        problems.append(f"{name}: a list with `limit` but neither `offset` nor a cursor ({', '.join(sorted(CURSORS))})")
    description = operation.get("description") or ""
    if f"`limit` (at most {maximum})" not in description or "not paged" in description:
        problems.append(f"{name}: its description does not say how it pages (\"paged by `limit` (at most "
                        f"{maximum}) and `offset`\")")
    return problems


def contract_problems(spec: dict) -> list[str]:
    """What the OpenAPI document leaves out, one line per operation and problem."""
    problems = []
    tags = {tag["name"] for tag in spec.get("tags", []) if tag.get("description")}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            name = f"{method.upper()} {path}"
            responses = operation.get("responses", {})
            answers = {status: response for status, response in responses.items() if status.startswith("2")}
            if not answers:
                problems.append(f"{name}: no 2xx answer")
            for status, response in answers.items():
                if status != "204" and not _json_schema(response) and not _binary_schema(response):
                    problems.append(f"{name}: its {status} answer has no schema (declare response_model=, or "
                                    "for bytes the media type with a binary schema)")
            expected = set(ALWAYS)
            if (method, path) in OWN_503:
                expected.add("503")
            elif (method, path) not in NO_SERVICE:
                expected |= SERVICE
            if operation.get("security"):
                expected |= AUTHENTICATED
            if "{" in path:
                expected.add("404")  # a thing looked up by its id
            if "requestBody" in operation:
                expected |= {"400", "413"}  # a body that cannot be read; a body past its limit
            missing = sorted(expected - set(responses))
            if missing:
                problems.append(f"{name}: does not declare {', '.join(missing)} (responses=errors(...))")
            for status, response in responses.items():
                if status[0] in "45" and (method, path, status) not in {(*route, "503") for route in OWN_503}:
                    schema = _json_schema(response)
                    if not schema or not _refers_to(schema, ERROR_BODY):
                        problems.append(f"{name}: its {status} is not in the error shape (ErrorBody)")
            if len(operation.get("tags", [])) != 1 or operation["tags"][0] not in tags:
                problems.append(f"{name}: needs one tag of openapi_tags (a face and a process), "
                                f"has {operation.get('tags')}")
            answer = next(iter(answers.values()), {})
            schema = _json_schema(answer) or {}
            takes_limit = any(p.get("name") == "limit" and p.get("in") == "query"
                              for p in operation.get("parameters", []))
            if schema.get("type") == "array" or takes_limit:
                problems += paging_problems(method, path, operation)
    return problems


def test_every_operation_declares_its_answer_its_errors_and_its_place(client):
    spec = client.get("/openapi.json").json()

    assert contract_problems(spec) == []
    assert len(spec["paths"]) >= 70  # every face is in the document


def test_a_route_without_a_response_model_or_its_errors_is_found():
    app = FastAPI(openapi_tags=[{"name": "t", "description": "a process"}])
    router = APIRouter(tags=["t"])

    @router.get("/things/{thing_id}")
    def get_thing(thing_id: str):
        return {"id": thing_id}

    app.include_router(router)

    problems = contract_problems(app.openapi())

    assert ("GET /things/{thing_id}: its 200 answer has no schema (declare response_model=, or for bytes the media "
            "type with a binary schema)") in problems
    assert "GET /things/{thing_id}: does not declare 404, 503, 504 (responses=errors(...))" in problems


def test_every_list_route_pages_with_a_bounded_limit_and_an_offset_or_a_cursor(client):
    spec = client.get("/openapi.json").json()
    lists = {(method, path) for path, operations in spec["paths"].items() for method, operation in operations.items()
             if (_json_schema(next(r for s, r in operation["responses"].items() if s.startswith("2"))) or {})
             .get("type") == "array"}

    assert len(lists) >= 19  # the faces' lists are all in the document
    assert [problem for (method, path) in sorted(lists)
            for problem in paging_problems(method, path, spec["paths"][path][method])] == []


def test_a_list_route_that_does_not_page_is_found():
    from pydantic import BaseModel

    from gateway.deps import Page, paging

    class Thing(BaseModel):
        id: str

    app = FastAPI(openapi_tags=[{"name": "t", "description": "a process"}])
    router = APIRouter(tags=["t"])

    @router.get("/things", response_model=list[Thing], description="Every thing. The whole list, not paged.")
    def list_things():
        return []

    @router.get("/paged-things", response_model=list[Thing], description="Things; paged.")
    def list_paged_things(page: Page = Depends(paging(maximum=50))):
        return []

    @router.get("/limited-things", response_model=list[Thing],
                description="Things; paged by `limit` (at most 7) and `offset`.")
    def list_limited_things(limit: int = Query(7, ge=1, le=7)):
        return []

    @router.get("/good-things", response_model=list[Thing],
                description="Things; paged by `limit` (at most 50) and `offset`.")
    def list_good_things(page: Page = Depends(paging(maximum=50))):
        return []

    app.include_router(router)

    problems = [problem for problem in contract_problems(app.openapi()) if "`" in problem]

    assert problems == [
        "GET /things: a list without a `limit` query parameter (page it: Depends(paging(maximum=...)))",
        "GET /paged-things: its description does not say how it pages "
        "(\"paged by `limit` (at most 50) and `offset`\")",
        "GET /limited-things: a list with `limit` but neither `offset` nor a cursor (after, before_id, offset)",
    ]


def test_an_unreadable_body_is_400_in_the_error_shape(client, auth_headers):
    headers = {**auth_headers("zzd"), "content-type": "application/json"}

    response = client.post("/zzd/v1/units", content=b"\xff\xfe{", headers=headers)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


def test_the_main_routes_carry_examples(client):
    spec = client.get("/openapi.json").json()
    for method, path in WITH_EXAMPLES:
        operation = spec["paths"][path][method]
        body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
        answer = next(response for status, response in operation["responses"].items() if status.startswith("2"))
        content = answer.get("content", {}).get("application/json", {})
        assert body.get("examples") or body.get("schema", {}).get("$ref"), (method, path)
        assert content.get("example") or content.get("examples"), (method, path)


def test_the_faces_and_processes_are_named_in_chinese_and_english_with_their_articles(client):
    spec = client.get("/openapi.json").json()
    assert [tag["name"] for tag in spec["tags"]] == [tag["name"] for tag in OPENAPI_TAGS]
    used = {operation["tags"][0] for operations in spec["paths"].values() for operation in operations.values()}
    assert used == {tag["name"] for tag in OPENAPI_TAGS}
    for tag in spec["tags"]:
        assert any("\u4e00" <= char <= "\u9fff" for char in tag["name"]), tag["name"]
    processes = [tag for tag in spec["tags"] if "(ZZD)" in tag["name"] or "(ZLB)" in tag["name"]]
    assert all("Art." in tag["description"] for tag in processes if "Files" not in tag["name"]
               and "My projects" not in tag["name"])


def test_an_error_answer_matches_the_declared_error_shape(client):
    response = client.get("/zzd/v1/projects/p-1")

    assert response.status_code == 401
    assert set(response.json()) == {"error"}
    assert set(response.json()["error"]) == {"code", "message", "details"}
