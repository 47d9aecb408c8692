"""Fuzzing the gateway's OpenAPI with schemathesis against the whole platform (every service
started by the launcher of `make run`, on SQLite and on PostgreSQL): no input a caller can send
answers 500, and every answer is one the OpenAPI document declares — its status code is declared
for its route, and its body matches the schema declared for that status (schemathesis'
``status_code_conformance`` and ``response_schema_conformance``). The gateway runs with
``SUPERVISION_CONTRACT_STRICT=true``: an answer of a service with a field its response model does
not describe is a 500 there, so a model that lags behind its service fails this test too.

Every operation gets schemathesis' coverage cases (each parameter and body field at its bounds,
past them, of the wrong type, missing; deterministic) and a few fuzzed requests that fit its
schema and a few that do not (hypothesis, ``derandomize``: the same requests every run), plus
what schemathesis does not write: numbers past any maximum and far-off dates in every query, and
JSON bodies with a lone surrogate or an infinite number in a field. Each request carries the token of
its face: the back office (and the owner's people) on /zzd and /admin, the contractor's project
manager (and the supervisor's chief engineer) on /zlb; path ids are, for half the requests, those
of a real project and the things on it, so that requests get past "not found" into the use
cases.

A 503 or 504 is a service being slow, not what is hunted here: counted and printed (its body is
still checked against the error shape). Any other 5xx, and any answer the document does not
declare, fails the test with a curl command to replay it.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import quote

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from testkit.launch import ROOT, ZLB_APP, ZZD_APP, free_port

pytestmark = pytest.mark.e2e

START = datetime.fromisoformat("2027-03-01T09:00:00+08:00")
# Examples per operation. A deeper hunt, by hand: SUPERVISION_TEST_FUZZ_SCALE=20 (more examples) and
# SUPERVISION_TEST_FUZZ_SEED=<n> (other requests than the fixed ones).
SCALE = int(os.environ.get("SUPERVISION_TEST_FUZZ_SCALE", "1"))
SEED = os.environ.get("SUPERVISION_TEST_FUZZ_SEED")
FUZZED = {GenerationMode.POSITIVE: 4 * SCALE, GenerationMode.NEGATIVE: 2 * SCALE}
CONCURRENCY = 8
# Every nameko service of the platform (common.runner.SERVICES), each on the database of the run.
SERVICES = ("workflow", "attendance", "complaints", "notification", "scoring")
SLOW = {503, 504}
# Extremes schemathesis leaves out: a number past any maximum, and dates far from the platform's years.
EXTREME_NUMBERS = ("2147483648", "9223372036854775808", "100000000000000000000", "-100000000000000000000", "1e308")
EXTREME_DATES = {"date-time": ("0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00"),
                 "date": ("0001-01-01", "9999-12-31")}
# Moving the platform clock runs the catch-up of every day in between: fuzzed alone, at the end,
# so that it does not slow the other requests down.
ALONE = {("PUT", "/admin/v1/clock")}


# The databases fuzzed: PostgreSQL (production; the strictest about types and lengths) in `make test`,
# which must stay within its 20 minutes; SQLite too (the embedded default of `make run`) by hand:
# SUPERVISION_TEST_FUZZ_DATABASES=sqlite,postgresql.
DATABASES = os.environ.get("SUPERVISION_TEST_FUZZ_DATABASES", "postgresql").split(",")


@pytest.fixture(scope="module", params=DATABASES)
def platform(request, postgres_database, portals, tmp_path_factory):
    """The platform as the e2e tests start it (the launcher of `make run`), on the databases of
    ``DATABASES``, each in a RabbitMQ vhost of its own."""
    var = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    vhost = f"supervision-fuzz-{uuid.uuid4().hex[:10]}"
    for command in (["add_vhost", vhost], ["set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"]):
        subprocess.run(["rabbitmqctl", *command], check=True, capture_output=True, timeout=60)
    databases = ({service: f"sqlite:///{var}/{service}.sqlite3" for service in SERVICES}
                 if request.param == "sqlite" else
                 {service: postgres_database(f"{service}_fuzz") for service in SERVICES})
    port = free_port()
    env = {
        **os.environ,
        "SUPERVISION_AMQP_URI": f"pyamqp://guest:guest@127.0.0.1:5672/{quote(vhost, safe='')}",
        **{f"SUPERVISION_{service.upper()}_DATABASE_URL": url for service, url in databases.items()},
        **{f"SUPERVISION_{service.upper()}_METRICS_PORT": str(free_port()) for service in SERVICES},
        "SUPERVISION_VAR_DIR": str(var),
        "SUPERVISION_GATEWAY_FILE_STORE_DIR": str(var / "files"),
        "SUPERVISION_MANUAL_CLOCK": "true",
        "SUPERVISION_GATEWAY_DEV_LOGIN": "false",
        "SUPERVISION_GATEWAY_ZZD_BASE_URL": portals["zzd"][1],
        "SUPERVISION_GATEWAY_ZZD_APP_KEY": ZZD_APP[0],
        "SUPERVISION_GATEWAY_ZZD_APP_SECRET": ZZD_APP[1],
        "SUPERVISION_GATEWAY_ZLB_BASE_URL": portals["zlb"][1],
        "SUPERVISION_GATEWAY_ZLB_SERVICE_CODE": ZLB_APP[0],
        "SUPERVISION_GATEWAY_ZLB_SERVICE_PASSWORD": ZLB_APP[1],
        "SUPERVISION_LOG_FORMAT": "json",
        # A service's answer with a field its response model does not describe is a 500 (see above).
        "SUPERVISION_CONTRACT_STRICT": "true",
    }
    subprocess.run([sys.executable, "-m", "workflow.bootstrap", "--group-name", "上虞区双查双保领导小组",
                    "--chief-name", "王明", "--zzd-account-id", "10001"], env=env, check=True, capture_output=True)
    log = var / "platform.log"
    launcher = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "run_platform.py"), "--port", str(port),
                                 "--seed", "none"], env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert launcher.poll() is None, log.read_text()[-4000:]
            assert time.monotonic() < deadline, "the platform did not become ready:\n" + log.read_text()[-4000:]
            try:
                if httpx.get(f"{base_url}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        yield {"base_url": base_url, "database": request.param, "log": log}
    finally:
        launcher.terminate()
        launcher.wait(timeout=60)
        subprocess.run(["rabbitmqctl", "delete_vhost", vhost], capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def district(client):
    back_office = client.zzd_login("10001")
    client.ok("PUT", "/admin/v1/clock", back_office, json={"now": START.isoformat()})
    people = [("supervising_chief", "zzd", "81001", "supervising", "chief"),
              ("line_head", "zzd", "81002", "line", "line_head"),
              ("owner_chief", "zzd", "81003", "owner", "chief"),
              ("lead", "zzd", "81004", "owner", "owner_project_lead"),
              ("manager", "zlb", "zlb-fuzz-1", "contractor", "project_manager"),
              ("safety", "zlb", "zlb-fuzz-2", "contractor", "safety_officer"),
              ("chief_engineer", "zlb", "zlb-fuzz-3", "supervisor", "chief_engineer"),
              ("inspector", "zlb", "zlb-fuzz-4", "supervisor", "inspector")]
    names = {"authority": "区水利局", "supervising": "区水利中心", "line": "水利条线", "owner": "水务集团",
             "contractor": "水利建设公司", "supervisor": "水利监理公司"}
    return client.register_district(back_office, industry="water", names=names,
                                    credit_codes=("913306049000000009", "913306040000000010"), people=people)


def build_project(client, district) -> str:
    """A government project in construction, its firms and key people in."""
    ids, tokens = district["ids"], district["tokens"]
    pid = client.ok("POST", "/zzd/v1/projects", tokens["back_office"], 201, json={
        "name": "曹娥江堤防加固工程", "industry": "water", "kind": "government", "contract_amount": "9800000.00",
        "below_threshold": False, "geofence": {"center": [30.03, 120.87], "radius_m": 300},
        "planned_start": "2027-03-15", "planned_end": "2027-12-31"})["id"]
    chain = f"/zzd/v1/projects/{pid}/assignments"
    client.ok("POST", chain, tokens["back_office"], json={"level": "supervising_unit", "target_id": ids["supervising"]})
    client.ok("POST", chain, tokens["supervising_chief"], json={"level": "line", "target_id": ids["line"]})
    client.ok("POST", chain, tokens["line_head"], json={"level": "owner", "target_id": ids["owner"]})
    client.ok("POST", chain, tokens["owner_chief"], json={"level": "owner_project_lead", "target_id": ids["lead"]})
    contract = client.ok("POST", "/zzd/v1/files", tokens["lead"], 201,
                         files={"file": ("contract.pdf", b"%PDF-1.4 contract", "application/pdf")})
    for firm in ("contractor", "supervisor"):
        client.ok("POST", f"/zzd/v1/projects/{pid}/participants", tokens["lead"], 201,
                  json={"unit_id": ids[firm], "role": firm, "contract_file_id": contract["id"]})
    for person, post in (("manager", "project_manager"), ("safety", "safety_officer"),
                         ("chief_engineer", "chief_engineer"), ("inspector", "inspector")):
        client.ok("POST", f"/zzd/v1/projects/{pid}/personnel", tokens["lead"], 201,
                  json={"user_id": ids[person], "post": post})
    client.ok("POST", f"/zzd/v1/projects/{pid}/construction-start", tokens["lead"])
    return pid


@pytest.fixture(scope="module")
def known_ids(client, district) -> dict[str, str]:
    """Ids of real things, for path parameters by name: a project in construction, and one of
    each thing its people act on."""
    ids, tokens = district["ids"], district["tokens"]
    pid = build_project(client, district)
    tomorrow = (START + timedelta(days=1)).date().isoformat()
    evidence = client.ok("POST", "/zlb/v1/files", tokens["manager"], 201,
                         files={"file": ("evidence.pdf", b"%PDF-1.4 evidence", "application/pdf")})["id"]
    change = client.ok("POST", "/zlb/v1/changes", tokens["manager"], 201, json={
        "kind": "engineering", "project_id": pid, "description": "加宽排水沟", "reason": "汛期排水不足",
        "affected_part": "K0+300 排水沟", "touches_concealed_works": False, "planned_on": tomorrow})["id"]
    concealed = client.ok("POST", "/zlb/v1/concealed-works", tokens["manager"], 201, json={
        "project_id": pid, "part": "K0+100 堤身钢筋", "important": False, "planned_date": tomorrow})["id"]
    notice = client.ok("POST", "/zlb/v1/supervision-notices", tokens["chief_engineer"], 201, json={
        "project_id": pid, "subject": "模板支撑间距超标", "requirement": "按方案加密立杆",
        "rectify_within_days": 3})["id"]
    leave = client.ok("POST", "/zlb/v1/leave-requests", tokens["manager"], 201, json={
        "project_id": pid, "start_date": tomorrow, "end_date": tomorrow, "reason": "家中有事"})["id"]
    # Last: the completion acceptance ends construction.
    acceptance = client.ok("POST", "/zlb/v1/acceptances", tokens["manager"], 201,
                           json={"project_id": pid, "variant": "government"})["id"]
    return {"project_id": pid, "user_id": ids["manager"], "person_id": ids["manager"], "file_id": evidence,
            "acceptance_id": acceptance, "change_id": change, "concealed_work_id": concealed, "notice_id": notice,
            "leave_id": leave, "service": "workflow"}


# --- the cases ---------------------------------------------------------------------------------------------------


def coverage_cases(schema, operation) -> list:
    """schemathesis' coverage phase: each parameter and body field at and past its bounds."""
    generation = schema.config.generation_for(operation=operation, phase="coverage")
    return list(schema.iter_coverage_cases(operation, generation_modes=list(FUZZED), generation_config=generation))


def fuzzed_cases(operation) -> list:
    """schemathesis' fuzzing, made deterministic: the same requests every run."""
    cases = []
    for mode, examples in FUZZED.items():
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=examples, derandomize=SEED is None, database=None, deadline=None,
                  phases=[Phase.generate], suppress_health_check=list(HealthCheck))
        def collect(case):
            cases.append(case)

        if SEED is not None:
            collect = seed(int(SEED))(collect)

        try:
            collect()
        except Unsatisfiable:
            # Nothing breaks the schema of an operation without parameters or a body.
            assert mode == GenerationMode.NEGATIVE, operation.label
    return cases


def extreme_cases(operation, example, known_ids: dict) -> list:
    """A valid request of the operation, naming real things, with one query parameter pushed to an extreme."""
    cases = []
    for parameter in operation.query:
        schema = parameter.definition.get("schema", {})
        kinds = {option.get("type") for option in schema.get("anyOf", [schema])}
        formats = {option.get("format") for option in schema.get("anyOf", [schema])}
        values = list(EXTREME_NUMBERS) if kinds & {"integer", "number"} else []
        values += [value for kind in formats & set(EXTREME_DATES) for value in EXTREME_DATES[kind]]
        for value in values:
            path = {name: known_ids.get(name, value) for name, value in (example.path_parameters or {}).items()}
            case = operation.Case(path_parameters=path,
                                  query={**(example.query or {}), parameter.name: value}, headers={})
            cases.append(case)
    return cases


@dataclass
class RawCase:
    """A request schemathesis cannot write: JSON text with a lone surrogate or an infinite number."""

    method: str
    path: str
    path_parameters: dict
    content: str
    headers: dict = field(default_factory=dict)
    meta = None

    def _url(self, base_url: str) -> str:
        return base_url + self.path.format_map(self.path_parameters)

    def call(self, base_url: str, headers: dict, timeout: float) -> httpx.Response:
        return httpx.request(self.method, self._url(base_url), content=self.content, timeout=timeout,
                             headers={**headers, "content-type": "application/json"})

    def as_curl_command(self, headers: dict, base_url: str) -> str:
        return (f"curl -X {self.method} -H 'Authorization: [Filtered]' -H 'content-type: application/json' "
                f"-d '{self.content}' '{self._url(base_url)}'")


def extreme_bodies(operation, example) -> list:
    """A valid JSON body of the operation with one field made text no database can store (a lone
    surrogate), an infinite number, or a name that is such text."""
    if not isinstance(example.body, dict) or example.media_type != "application/json":
        return []
    path = dict(example.path_parameters or {})
    variants = [{**example.body, "\ud800": 1}]
    for name in list(example.body)[:10]:
        variants += [{**example.body, name: "\ud800"}, {**example.body, name: math.inf}]
    return [RawCase(operation.method.upper(), operation.path, path, json.dumps(body, allow_nan=True))
            for body in variants]


def _varies_path(case) -> bool:
    data = getattr(getattr(case.meta, "phase", None), "data", None)
    return getattr(data, "location", None) == "path" or getattr(data, "parameter_location", None) == "path"


CONFORMANCE = [status_code_conformance, response_schema_conformance]


def _declared_statuses(spec: dict, method: str, path: str) -> set[str]:
    return set(spec["paths"][path][method.lower()]["responses"])


def nonconformance(case, response, headers: dict, spec: dict) -> list[tuple[str, str]]:
    """What of the answer the OpenAPI document does not declare: (check, message) pairs."""
    if isinstance(case, RawCase):  # not a schemathesis case: its status code, by hand
        if str(response.status_code) not in _declared_statuses(spec, case.method, case.path):
            return [("status_code_conformance", f"undeclared status {response.status_code}")]
        return []
    try:
        case.validate_response(response, checks=CONFORMANCE, headers=headers)
    except FailureGroup as group:
        return [(type(failure).__name__, failure.title + ": " + (failure.message or "")[:600])
                for failure in group.exceptions]
    except AssertionError as failure:
        return [("conformance", str(failure)[:600])]
    return []


def test_no_input_makes_the_gateway_answer_500(platform, district, known_ids):
    base_url = platform["base_url"]
    spec = httpx.get(f"{base_url}/openapi.json", timeout=10).json()
    schema = schemathesis.openapi.from_dict(spec)
    tokens = district["tokens"]
    actors = {"/zlb/": ("manager", "chief_engineer"), "/zzd/": ("back_office", "lead", "owner_chief"),
              "/admin/": ("back_office",)}

    started = time.monotonic()
    batches: dict[bool, list] = {False: [], True: []}
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        fuzzed = fuzzed_cases(operation)
        cases = (coverage_cases(schema, operation) + fuzzed + extreme_cases(operation, fuzzed[0], known_ids)
                 + extreme_bodies(operation, fuzzed[0]))
        for number, case in enumerate(cases):
            # Half the requests name real things (unless the case is about the path itself).
            if number % 2 == 0 and not _varies_path(case):
                for name in case.path_parameters or {}:
                    if name in known_ids:
                        case.path_parameters[name] = known_ids[name]
            face = next((prefix for prefix in actors if case.path.startswith(prefix)), None)
            headers = tokens[actors[face][number % len(actors[face])]] if face else {}
            batches[(operation.method.upper(), operation.path) in ALONE].append((case, headers))

    failures: dict[tuple[str, str, int], str] = {}
    undeclared: dict[tuple[str, str, int, str], str] = {}
    slow: Counter = Counter()

    def send(item) -> None:
        case, headers = item
        sent = {**(case.headers or {}), **headers}
        response = case.call(base_url=base_url, headers=sent, timeout=30)
        status = response.status_code
        replay = f"{case.as_curl_command(headers=sent, base_url=base_url)}\n    -> {status} {response.text[:300]}"
        if status in SLOW:
            slow[f"{status} {case.method} {case.path}"] += 1
        elif status >= 500:
            failures.setdefault((case.method, case.path, status), replay)
            return
        for check, message in nonconformance(case, response, sent, spec):
            undeclared.setdefault((case.method, case.path, status, check), f"{check}: {message}\n{replay}")

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(send, batches[False]))
    for item in batches[True]:
        send(item)

    sent = len(batches[False]) + len(batches[True])
    elapsed = time.monotonic() - started
    print(f"\n{platform['database']}: fuzzed {len(operations)} operations with {sent} requests in {elapsed:.0f} s; "
          f"slow answers: {dict(slow) or 'none'}")
    invalid_answers = [line[:1500] for line in platform["log"].read_text(errors="replace").splitlines()
                       if "ResponseValidationError" in line][:5]
    assert not failures, ("5xx answers:\n" + "\n".join(failures.values())
                          + ("\nanswers their response models do not describe:\n" + "\n".join(invalid_answers)
                             if invalid_answers else ""))
    assert not undeclared, "answers the OpenAPI document does not declare:\n" + "\n\n".join(undeclared.values())
