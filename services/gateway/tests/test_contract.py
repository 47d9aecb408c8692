"""The typed contract of the OpenAPI document (/openapi.json): every operation says what it
answers (a response model), the errors it can answer in the one error shape, and where it
belongs in /docs. A route added without them fails here, naming it."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

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
# The routes whose requests or answers carry examples in /docs.
WITH_EXAMPLES = {("post", "/zzd/v1/projects"), ("post", "/zlb/v1/checkins"), ("post", "/zlb/v1/leave-requests"),
                 ("post", "/zzd/v1/leave-requests/{leave_id}/decision"), ("put", "/admin/v1/clock")}


def _json_schema(response: dict) -> dict | None:
    return response.get("content", {}).get("application/json", {}).get("schema")


def _refers_to(schema: dict, ref: str) -> bool:
    return schema.get("$ref") == ref or any(option.get("$ref") == ref for option in schema.get("allOf", []))


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
                if status != "204" and not _json_schema(response):
                    problems.append(f"{name}: its {status} answer has no schema (declare response_model=)")
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
            if schema.get("type") == "array" and "page" not in (operation.get("description") or "").lower():
                problems.append(f"{name}: a list that does not say whether it pages")
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

    assert "GET /things/{thing_id}: its 200 answer has no schema (declare response_model=)" in problems
    assert "GET /things/{thing_id}: does not declare 404, 503, 504 (responses=errors(...))" in problems


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
