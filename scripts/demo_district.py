"""A larger demo district, produced by the platform's own commands: a few hundred projects of the
five industries across Shangyu's townships and streets, thousands of people, a month of check-ins
with their flags, the warnings the month raises, cases taken through every state and the scores
that follow from them.

    make demo                       # against the platform `make run` started (http://127.0.0.1:8000)
    make run SEED=district          # start the platform and seed it at once
    python scripts/demo_district.py --gateway http://127.0.0.1:8000 --projects 300 --concurrency 12

Nothing is written to a table: everything goes through the gateway's routes, as the people of the
district would send it — the back office registers the organisation, people and projects, each
level of the chain assigns the next, owners start construction, key people check in from their
phones, owners' project leads patrol, the public complains, every unit takes its cases' steps —
and the back office moves the manual platform clock (PUT /admin/v1/clock) through the month, so
that the services raise the end-of-day and month-end warnings themselves, open their cases,
escalate the late ones and score the firms. What the console shows afterwards are the
platform's own figures.

The month walked is the calendar month after the platform's time (January when that is December),
up to the first working day of the next month (its first hour evaluates the month); the clock is
left on that morning. Working days are Monday to Friday: each project's owner declares the
weekends non-working days in advance.

It refuses to run twice on one platform (it finds its firms by their credit codes): start from
an empty var/ to seed again. Knobs: --projects, --seed, --concurrency, --days; the dev login is
used to act as each person (make run turns it on).
"""

from __future__ import annotations

import argparse
import math
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from demo_district_plan import (  # the plan lives beside this script
    FIRM_OF_POST,
    District,
    Person,
    Project,
    Unit,
    credit_code,
    month_to_walk,
    offset,
    plan_district,
    walk_of,
)

ROOT = Path(__file__).resolve().parent.parent
DISTRICT_TZ = timezone(timedelta(hours=8))
MARKER_CODE = credit_code(1)  # the first firm the district registers
CONTRACT_PDF = b"%PDF-1.4\n% construction contract of the demo district\n"
RECORDS_PDF = b"%PDF-1.4\n% acceptance records of the demo district\n"
APPROVAL_PDF = b"%PDF-1.4\n% leave approval form of the demo district\n"
COMPLAINTS = [("quality", "墙体浇筑后出现裂缝，施工单位一直没有处理"),
              ("safety", "脚手架没有安全网，工人高空作业不系安全带"),
              ("environment", "夜间施工噪音很大，扬尘严重影响周边居民"),
              ("wages", "工地拖欠农民工工资两个月"),
              ("attendance", "项目经理很少到工地，现场没有管理人员"),
              ("quality", "路面刚铺好就开裂，怀疑偷工减料")]
CLUES = [("attendance", "巡查发现项目负责人连续多日不在岗，疑似挂证"),
         ("safety", "现场临时用电线路私拉乱接，存在安全隐患"),
         ("contract", "疑似存在违法分包，现场施工队伍与合同不符")]


# Check-ins go to the gateway's intake, which waits for the attendance service's batch decision
# without holding a worker: more of them are in flight at once than of the other requests.
CHECKIN_CONCURRENCY_FACTOR = 3
VERIFY_DAYS = 3  # the complaints service's verify_days (its default): then a verification passes up


class DemoError(RuntimeError):
    """The platform answered what the demo did not expect: the run stops and says which call."""


class Interrupted(RuntimeError):
    pass


def local(day: date, hour: int, minute: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=DISTRICT_TZ)


# --- talking to the gateway ----------------------------------------------------------------------------------


Login = Callable[[httpx.Client, Person], str]


def dev_login(http: httpx.Client, person: Person) -> str:
    """The development login of `make run` (SUPERVISION_GATEWAY_DEV_LOGIN): a token for a user id."""
    answer = http.post("/auth/v1/dev/login", json={"user_id": person.user_id})
    if answer.status_code != 200:
        raise DemoError(f"dev login of {person.user_id}: {answer.status_code} {answer.text[:300]}\n"
                        "The dev login must be on (make run turns it on: SUPERVISION_GATEWAY_DEV_LOGIN=true).")
    return answer.json()["access_token"]


class Gateway:
    """HTTP to the platform's gateway, acting as one person at a time (a token per person, taken
    again before it expires)."""

    TOKEN_LIFE_SECONDS = 20 * 60  # the gateway's are 30 minutes by default

    def __init__(self, base_url: str, login: Login, concurrency: int):
        # Idle connections are dropped before uvicorn's own keep-alive (5 s) closes them under us.
        connections = CHECKIN_CONCURRENCY_FACTOR * concurrency + 8
        self.http = httpx.Client(base_url=base_url, timeout=60,
                                 limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections,
                                                     keepalive_expiry=2))
        self.login = login
        self.tokens: dict[str, tuple[str, float]] = {}
        self.lock = threading.Lock()
        self.requests = 0
        self.timings: Counter = Counter()  # "METHOD /route" -> seconds spent, for --timings
        self.counts: Counter = Counter()

    def headers(self, person: Person | None) -> dict:
        if person is None:
            return {}
        key = person.key
        with self.lock:
            cached = self.tokens.get(key)
        if cached is None or time.monotonic() - cached[1] > self.TOKEN_LIFE_SECONDS:
            cached = (self.login(self.http, person), time.monotonic())
            with self.lock:
                self.tokens[key] = cached
        return {"Authorization": f"Bearer {cached[0]}"}

    def send(self, method: str, path: str, person: Person | None, *, repeatable: bool | None = None,
             **kwargs) -> httpx.Response:
        """One request. A 503 (nothing was done: the platform asks to try again) is retried a few
        times; a 504 (the answer was lost) only for a request that may be repeated — a read, or a
        check-in, which its client_request_id records once."""
        repeatable = method == "GET" if repeatable is None else repeatable
        retried = {503, 504} if repeatable else {503}
        for attempt in range(4):
            headers = self.headers(person)
            began = time.monotonic()
            try:
                answer = self.http.request(method, path, headers=headers, **kwargs)
            except httpx.TransportError as error:
                # Nothing reached the gateway (a refused connection), or it does no harm twice.
                if attempt == 3 or not (repeatable or isinstance(error, httpx.ConnectError)):
                    raise DemoError(f"{method} {path}: the gateway could not be reached ({error!r})") from error
                time.sleep(1 + attempt)
                continue
            route = f"{method} " + "/".join("{id}" if len(part) >= 16 else part for part in path.split("/"))
            with self.lock:
                self.requests += 1
                self.timings[route] += time.monotonic() - began
                self.counts[route] += 1
            if answer.status_code not in retried or attempt == 3:
                return answer
            time.sleep(1 + attempt)
        return answer

    def call(self, method: str, path: str, person: Person | None, expected: Iterable[int] = (200, 201), **kwargs):
        answer = self.send(method, path, person, **kwargs)
        if answer.status_code not in tuple(expected):
            who = f" as {person.name} ({person.post})" if person is not None else ""
            raise DemoError(f"{method} {path}{who}: {answer.status_code} {answer.text[:500]}")
        return answer.json() if answer.content else None

    def pages(self, path: str, person: Person, params: dict | None = None, limit: int = 500) -> list[dict]:
        rows, offset = [], 0
        while True:
            page = self.call("GET", path, person, params={**(params or {}), "limit": limit, "offset": offset})
            rows += page
            if len(page) < limit:
                return rows
            offset += limit


# --- progress ------------------------------------------------------------------------------------------------


class Progress:
    def __init__(self, out=print):
        self.started = time.monotonic()
        self.out = out

    def say(self, message: str) -> None:
        self.out(f"[{time.monotonic() - self.started:6.1f}s] {message}", flush=True)


@dataclass
class Tally:
    """What the demo sent and how the platform answered, for the closing summary."""

    checkins: Counter = field(default_factory=Counter)
    steps: Counter = field(default_factory=Counter)
    other: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, counter: str, key: str, n: int = 1) -> None:
        with self.lock:
            getattr(self, counter)[key] += n


# --- the seeding ---------------------------------------------------------------------------------------------


class Seeder:
    def __init__(self, gateway: Gateway, back_office: Person, seed: int, concurrency: int, progress: Progress):
        self.gw, self.back_office = gateway, back_office
        self.seed = seed
        self.progress = progress
        self.tally = Tally()
        self.pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="demo")
        self.checkin_pool = ThreadPoolExecutor(max_workers=CHECKIN_CONCURRENCY_FACTOR * concurrency,
                                               thread_name_prefix="demo-checkins")
        self.stop = threading.Event()
        self.district: District | None = None
        self.now: datetime | None = None
        self.units_by_id: dict[str, Unit] = {}
        self.projects_by_id: dict[str, Project] = {}
        self.leave: dict[str, set[date]] = {}  # person key -> days of approved leave
        self.pending_leave: list[tuple[Project, str, str, list[date]]] = []  # asked today, decided tomorrow
        self.reported_on: dict[str, date] = {}  # case id -> the day its holder reported

    # -- running many calls at once ----------------------------------------------------------------------------

    def run_all(self, label: str, tasks: list[Callable[[], object]], report_every: float = 10.0,
                pool: ThreadPoolExecutor | None = None) -> list:
        """Run the tasks on the pool; the first failure stops the run."""
        if not tasks:
            return []
        results, done, last = [], 0, time.monotonic()
        futures = [(pool or self.pool).submit(self._guarded, task) for task in tasks]
        try:
            for future in as_completed(futures):
                results.append(future.result())
                done += 1
                if time.monotonic() - last > report_every:
                    last = time.monotonic()
                    self.progress.say(f"  {label}: {done}/{len(tasks)}")
        except BaseException:
            self.stop.set()
            for future in futures:
                future.cancel()
            raise
        return results

    def _guarded(self, task):
        if self.stop.is_set():
            raise Interrupted("stopped")
        return task()

    def close(self) -> None:
        self.stop.set()
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.checkin_pool.shutdown(wait=True, cancel_futures=True)

    # -- the clock ---------------------------------------------------------------------------------------------

    def platform_time(self) -> datetime:
        view = self.gw.call("GET", "/admin/v1/clock", self.back_office)
        if view["now"] is not None:
            return datetime.fromisoformat(view["now"])
        # Never set: each service shows its own system time; the latest is the platform's.
        return max(datetime.fromisoformat(status["now"]) for status in view["services"].values())

    def set_clock(self, when: datetime, attempts: int = 5) -> None:
        """Move the platform clock and follow the services' catch-up to its end. A busy service may
        let the answer go (503, 504): then the clock is read, and set again unless it moved."""
        for attempt in range(attempts):
            answer = self.gw.send("PUT", "/admin/v1/clock", self.back_office, json={"now": when.isoformat()})
            if answer.status_code == 409 and "manual clock" in answer.text:
                raise DemoError("the platform's manual clock is off: the demo moves the clock through a month. "
                                "Start the platform with SUPERVISION_MANUAL_CLOCK=true (make run does).")
            if answer.status_code in (200, 202):
                view = answer.json()
                break
            if answer.status_code not in (503, 504) or attempt == attempts - 1:
                raise DemoError(f"PUT /admin/v1/clock {when.isoformat()}: {answer.status_code} {answer.text[:300]}")
            time.sleep(2 + 2 * attempt)
            view = self.gw.call("GET", "/admin/v1/clock", self.back_office)
            if view["consistent"] and view["now"] and datetime.fromisoformat(view["now"]) == when:
                break
        deadline = time.monotonic() + 600
        while not view["caught_up"]:
            if time.monotonic() > deadline:
                raise DemoError(f"the services did not catch up with {when.isoformat()} within 10 minutes: {view}")
            time.sleep(0.3)
            view = self.gw.call("GET", "/admin/v1/clock", self.back_office)
        self.now = when

    # -- preflight ---------------------------------------------------------------------------------------------

    def preflight(self) -> None:
        try:
            ready = self.gw.send("GET", "/readyz", None)
        except DemoError as error:
            raise DemoError(f"{error}; is the platform running? Start it with `make run`, or seed it at start "
                            "with `make run SEED=district`") from None
        if ready.status_code != 200:
            raise DemoError(f"the platform is not ready ({ready.status_code} {ready.text[:200]}); is it running?")
        firms = self.gw.pages("/zzd/v1/units", self.back_office, {"kind": "contractor"})
        if any(firm.get("credit_code") == MARKER_CODE for firm in firms):
            raise AlreadySeeded(sum(1 for firm in firms if (firm.get("credit_code") or "").startswith("913306047")))

    # -- the organisation --------------------------------------------------------------------------------------

    def organisation(self) -> None:
        district = self.district
        existing = self.gw.pages("/zzd/v1/units", self.back_office)
        group = next((u for u in existing if u["kind"] == "leading_group"), None)
        if group is None:
            raise DemoError("the platform has no leading group: create the back office first "
                            "(python -m workflow.bootstrap …, or make run's demo seed)")
        district.units["leading_group"].unit_id = group["id"]
        reused = self._reuse_existing(existing)
        levels = [[u for u in district.units.values() if u.kind == "industry_authority"],
                  [u for u in district.units.values() if u.kind == "supervising_unit"],
                  [u for u in district.units.values() if u.kind not in ("industry_authority", "supervising_unit",
                                                                       "leading_group")]]
        for level in levels:
            self.run_all("units", [lambda unit=unit: self._register_unit(unit) for unit in level
                                   if unit.unit_id is None])
        self.units_by_id = {unit.unit_id: unit for unit in district.units.values()}
        made = sum(1 for unit in district.units.values() if unit.key != "leading_group") - reused
        self.progress.say(f"organisation: {made} units registered, {reused} found on the platform and used")

    def _reuse_existing(self, existing: list[dict]) -> int:
        """Units the platform has already (make run's small demo: its housing authority, supervising
        unit, lines and the 曹娥 street office) are used, with the people who act for them, so that
        the demo users of README.md see the district's projects."""
        district, reused = self.district, 0
        authorities = {u["industry"]: u for u in existing if u["kind"] == "industry_authority"}
        for unit in district.units.values():
            found = None
            if unit.kind == "industry_authority":
                found = authorities.get(unit.industry)
            elif unit.kind == "supervising_unit":
                parent = district.units[unit.parent_key].unit_id
                found = next((u for u in existing if u["kind"] == "supervising_unit" and u["parent_id"] == parent),
                             None) if parent else None
            elif unit.kind == "owner":
                found = next((u for u in existing if u["kind"] == "owner" and u["name"] == unit.name), None)
            if found is None:
                continue
            unit.unit_id, reused = found["id"], reused + 1
            if unit.kind == "supervising_unit":
                lines = [u for u in existing if u["kind"] == "line" and u["parent_id"] == found["id"]]
                siblings = sorted(key for key, other in district.units.items()
                                  if other.kind == "line" and other.parent_key == unit.key)
                for key, line in zip(siblings, lines, strict=False):
                    district.units[key].unit_id, reused = line["id"], reused + 1
                    self._take_acting(district.units[key], "line_head")
            self._take_acting(unit, "chief")
        return reused

    def _take_acting(self, unit: Unit, post: str) -> None:
        staff = self.gw.pages("/zzd/v1/users", self.back_office, {"unit_id": unit.unit_id})
        holder = next((user for user in staff if any(p["unit_id"] == unit.unit_id and p["post"] == post
                                                     for p in user["posts"])), None)
        if holder is not None:
            planned = self.district.people[unit.acting]
            planned.user_id, planned.name, planned.external_id = holder["id"], holder["name"], None

    def _register_unit(self, unit: Unit) -> None:
        body = {"kind": unit.kind, "name": unit.name}
        if unit.parent_key:
            body["parent_id"] = self.district.units[unit.parent_key].unit_id
        if unit.industry:
            body["industry"] = unit.industry
        if unit.credit_code:
            body["credit_code"] = unit.credit_code
        unit.unit_id = self.gw.call("POST", "/zzd/v1/units", self.back_office, json=body)["id"]

    # -- the people --------------------------------------------------------------------------------------------

    def people(self) -> None:
        to_register = [person for person in self.district.people.values() if person.user_id is None]
        self.run_all("people", [lambda person=person: self._register_person(person) for person in to_register])
        self.progress.say(f"people: {len(to_register)} registered with their posts "
                          f"({sum(1 for p in self.district.people.values() if p.portal == 'zlb')} of firms)")

    def _register_person(self, person: Person) -> None:
        identity = {"zzd_account_id": person.external_id} if person.portal == "zzd" else \
            {"zlb_user_id": person.external_id}
        made = self.gw.call("POST", "/zzd/v1/users", self.back_office,
                            json={"name": person.name, "portal": person.portal, **identity})
        person.user_id = made["id"]
        self.gw.call("POST", f"/zzd/v1/users/{person.user_id}/posts", self.back_office,
                     json={"unit_id": self.district.units[person.unit_key].unit_id, "post": person.post})

    # -- the projects ------------------------------------------------------------------------------------------

    def projects(self) -> None:
        self.run_all("projects", [lambda project=project: self._register_project(project)
                                  for project in self.district.projects])
        self.projects_by_id = {project.project_id: project for project in self.district.projects}
        self.progress.say(f"projects: {len(self.district.projects)} registered down the four-level chain")

    def _register_project(self, project: Project) -> None:
        district, gw = self.district, self.gw
        body = {"name": project.name, "industry": project.industry, "kind": project.kind,
                "contract_amount": str(project.amount), "below_threshold": project.below_threshold,
                "geofence": {"center": list(project.centre), "radius_m": project.radius_m},
                "planned_start": project.planned_start.isoformat(), "planned_end": project.planned_end.isoformat()}
        project.project_id = gw.call("POST", "/zzd/v1/projects", self.back_office, json=body)["id"]
        chain = f"/zzd/v1/projects/{project.project_id}/assignments"
        # Each level assigns the next (Art. 18–20).
        for actor, level, target in ((self.back_office, "supervising_unit", project.supervising_key),
                                     (district.acting(project.supervising_key), "line", project.line_key),
                                     (district.acting(project.line_key), "owner", project.owner_key)):
            gw.call("POST", chain, actor, json={"level": level, "target_id": district.units[target].unit_id})
        lead = district.people[project.lead_key]
        gw.call("POST", chain, district.acting(project.owner_key),
                json={"level": "owner_project_lead", "target_id": lead.user_id})
        if not project.registers_firms:
            return
        contract = gw.call("POST", "/zzd/v1/files", lead,
                           files={"file": (f"{project.key}-contract.pdf", CONTRACT_PDF, "application/pdf")})["id"]
        for firm_key, role in ((project.contractor_key, "contractor"), (project.supervisor_key, "supervisor")):
            gw.call("POST", f"/zzd/v1/projects/{project.project_id}/participants", lead,
                    json={"unit_id": district.units[firm_key].unit_id, "role": role, "contract_file_id": contract})
        for person_key, post in project.people:
            gw.call("POST", f"/zzd/v1/projects/{project.project_id}/personnel", lead,
                    json={"user_id": district.people[person_key].user_id, "post": post})
        rest = [day.isoformat() for day in district.walk.rest_days if day >= self.now.date()]
        if project.starts and rest:
            gw.call("POST", f"/zzd/v1/projects/{project.project_id}/non-working-days", lead,
                    json={"days": rest, "reason": "周末休息"})
        if project.spoofing_policy == "block":
            gw.call("PUT", f"/zzd/v1/projects/{project.project_id}/attendance-policy", lead,
                    json={"spoofing": "block"})

    # -- the month ---------------------------------------------------------------------------------------------

    def walk(self) -> None:
        walk = self.district.walk
        working = walk.working_days
        self.progress.say(f"the month: {walk.days[0].isoformat()} to {walk.days[-1].isoformat()}, "
                          f"{len(working)} working days; about {self.district.expected_checkins()} check-ins")
        for index, day in enumerate(working):
            rng = random.Random(f"{self.seed}:{day.isoformat()}")
            self.set_clock(local(day, 7, 40) + timedelta(minutes=rng.randint(0, 35)))
            self._morning(index, day)
            last_day = index == len(working) - 1
            if last_day and day == walk.days[-1]:
                break  # the walk ends on this morning: today's attendance is under way
            self.set_clock(local(day, 17, rng.randint(0, 40)))
            self._afternoon(index, day)
            if index % 5 == 4 or last_day:
                self.progress.say(f"{day.isoformat()} done: {sum(self.tally.checkins.values())} check-ins, "
                                  f"{sum(self.tally.steps.values())} case steps, {self.gw.requests} requests")

    def _morning(self, index: int, day: date) -> None:
        projects = self.district.projects
        starting = [p for p in projects if p.start_day == index]
        self.run_all("construction starts", [lambda p=p: self._start(p) for p in starting])
        resuming = [p for p in projects if p.resume_day == index]
        self.run_all("resumptions", [lambda p=p: self._resume(p) for p in resuming])
        self._await_attendance(starting + resuming, "in_construction")
        suspending = [p for p in projects if p.fate == "suspended" and p.event_day == index]
        self.run_all("suspensions", [lambda p=p: self._suspend(p) for p in suspending])
        self._await_attendance(suspending, "suspended")
        self._acceptance_steps(index)
        self._cases(day)
        self._leave_decisions()
        self._public_reports(index, day, "morning")
        self._checkins(index, day, "morning")

    def _afternoon(self, index: int, day: date) -> None:
        self._checkins(index, day, "afternoon")
        self._suspended_tries(index)
        self._patrols(index, day)
        self._leave_requests(index, day)
        self._public_reports(index, day, "afternoon")
        ending = [p for p in self.district.projects if p.fate in ("acceptance", "accepted") and p.event_day == index]
        self.run_all("completion acceptances", [lambda p=p: self._start_acceptance(p) for p in ending])

    def in_construction(self, project: Project, index: int) -> bool:
        if not project.starts or index < project.start_day:
            return False
        if project.fate in ("acceptance", "accepted") and index > project.event_day:
            return False
        if project.fate == "suspended" and index >= project.event_day:
            return project.resume_day is not None and index >= project.resume_day
        return True

    def _start(self, project: Project) -> None:
        self.gw.call("POST", f"/zzd/v1/projects/{project.project_id}/construction-start",
                     self.district.people[project.lead_key])

    def _resume(self, project: Project) -> None:
        self.gw.call("POST", f"/zzd/v1/projects/{project.project_id}/resumption",
                     self.district.people[project.lead_key])

    def _suspend(self, project: Project) -> None:
        reason = random.Random(project.key).choice(["连续降雨，基坑积水停工", "征地拆迁未完成，停工待处理",
                                                    "设计变更待审批，暂停施工", "上级环保督查，暂停土方作业"])
        self.gw.call("POST", f"/zzd/v1/projects/{project.project_id}/suspension",
                     self.district.acting(project.owner_key), json={"since": self.now.isoformat(), "reason": reason})

    def _await_attendance(self, projects: list[Project], status: str, seconds: float = 120) -> None:
        """The attendance service learns of a start, a suspension or a resumption (and of the roster)
        from the workflow's events: wait until it has, before anyone checks in."""
        month = self.now.strftime("%Y-%m")
        waiting, deadline = list(projects), time.monotonic() + seconds
        while waiting:
            def seen(project: Project) -> bool:
                answer = self.gw.send("GET", f"/zzd/v1/projects/{project.project_id}/attendance",
                                      self.back_office, params={"month": month})
                if answer.status_code == 404:
                    return False  # the project itself has not reached the attendance service yet
                if answer.status_code != 200:
                    raise DemoError(f"GET /zzd/v1/projects/{project.project_id}/attendance: {answer.status_code} "
                                    f"{answer.text[:300]}")
                view = answer.json()
                return view["status"] == status and len(view["people"]) >= roster_size(project)
            answers = self.run_all("attendance", [lambda p=p: seen(p) for p in waiting])
            waiting = [p for p, ok in zip(waiting, answers, strict=True) if not ok]
            if waiting and time.monotonic() > deadline:
                raise DemoError(f"the attendance service did not see {len(waiting)} projects {status} within "
                                f"{seconds:.0f} s (e.g. {waiting[0].name})")
            if waiting:
                time.sleep(0.5)

    # -- check-ins ---------------------------------------------------------------------------------------------

    def _checkins(self, index: int, day: date, slot: str) -> None:
        tasks = []
        for project in self.district.projects:
            if not self.in_construction(project, index):
                continue
            for person_key, _post in project.checking():
                person = self.district.people[person_key]
                if day in self.leave.get(person_key, ()):
                    continue
                attempts = self._attempts(project, person, day, slot)
                if attempts:
                    tasks.append(lambda project=project, person=person, attempts=attempts:
                                 self._check_in(project, person, attempts))
        self.run_all(f"{slot} check-ins", tasks, pool=self.checkin_pool)

    def _attempts(self, project: Project, person: Person, day: date, slot: str) -> list[dict]:
        """What the person's phone sends this half-day: nothing, one check-in, or a refused one then
        another (the habits of demo_district_plan)."""
        daily = random.Random(f"{self.seed}:{person.key}:{day.isoformat()}")
        here = random.Random(f"{self.seed}:{person.key}:{day.isoformat()}:{slot}")
        attends = {"forgetful": 0.86, "absent": 0.5, "slack": 0.45}.get(person.habit, 0.985)
        if daily.random() > attends or here.random() > (0.9 if person.habit == "forgetful" else 0.99):
            return []
        device = {"id": person.device_id, "platform": person.device_platform, "mock_location": False}
        if daily.random() < {"mock_location": 0.15, "slack": 0.6}.get(person.habit, 0):
            device["mock_location"] = True
        if person.habit == "borrows_phone" and daily.random() < 0.12 and day > self.district.walk.days[0] + \
                timedelta(days=3):
            manager = next(self.district.people[key] for key, post in project.people if post == "project_manager")
            device = {"id": manager.device_id, "platform": manager.device_platform, "mock_location": False}
        inside = self._position(project, here, inside=True)
        attempt = {"lat": inside[0], "lng": inside[1], "accuracy_m": round(here.uniform(5, 35), 1), "device": device}
        attempts = [attempt]
        if person.habit == "wanders_outside" and here.random() < 0.35:
            outside = self._position(project, here, inside=False)
            attempts.insert(0, {**attempt, "lat": outside[0], "lng": outside[1]})
        if person.habit == "weak_gps" and here.random() < 0.35:
            attempts.insert(0, {**attempt, "accuracy_m": round(here.uniform(150, 400), 1)})
        return attempts

    @staticmethod
    def _position(project: Project, rng: random.Random, *, inside: bool) -> tuple[float, float]:
        """A point well inside the site's fence, or 600 m to 1.5 km outside it."""
        angle = rng.uniform(0, 2 * math.pi)
        distance = rng.uniform(0, project.radius_m * 0.6) if inside else project.radius_m + rng.uniform(600, 1500)
        return offset(project.centre, distance * math.cos(angle), distance * math.sin(angle))

    def _check_in(self, project: Project, person: Person, attempts: list[dict]) -> None:
        for attempt in attempts:
            body = {"project_id": project.project_id, "lat": attempt["lat"], "lng": attempt["lng"],
                    "accuracy_m": attempt["accuracy_m"],
                    "client_time": (self.now + timedelta(seconds=random.randint(-40, 40))).isoformat(),
                    "client_request_id": uuid.uuid4().hex, "device": attempt["device"]}
            decision = self.check_in(person, body)
            outcome = decision.get("outcome") or decision.get("status")
            self.tally.count("checkins", outcome if outcome != "rejected" else f"rejected:{decision.get('reason')}")

    def check_in(self, person: Person, body: dict) -> dict:
        """The intake contract of issue 11: 200 with the decision, or 202 pending (then follow
        its status_url); before it, 200 with the decision (and 403 for someone off the roster)."""
        answer = self.gw.send("POST", "/zlb/v1/checkins", person, json=body, params={"wait_ms": 1000},
                              repeatable=True)
        if answer.status_code == 403 and "not_on_roster" in answer.text:
            return {"outcome": "rejected", "reason": "not_on_roster"}
        if answer.status_code not in (200, 202):
            raise DemoError(f"POST /zlb/v1/checkins as {person.name}: {answer.status_code} {answer.text[:300]}")
        decision = answer.json()
        deadline = time.monotonic() + 30
        while decision.get("status") == "pending":
            if time.monotonic() > deadline:
                raise DemoError(f"check-in {decision.get('id')} still pending after 30 s")
            time.sleep(0.3)
            status_url = decision.get("status_url") or f"/zlb/v1/checkins/{decision['id']}"
            decision = self.gw.call("GET", status_url, person)
        return decision

    def _suspended_tries(self, index: int) -> None:
        """On the day a project stops, its project manager tries once more and is told why not."""
        tries = []
        for project in self.district.projects:
            if project.fate == "suspended" and project.event_day == index and project.people:
                manager = self.district.people[project.people[0][0]]
                body = {"project_id": project.project_id, "lat": project.centre[0], "lng": project.centre[1],
                        "accuracy_m": 10, "client_time": self.now.isoformat(), "client_request_id": uuid.uuid4().hex,
                        "device": {"id": manager.device_id, "platform": manager.device_platform,
                                   "mock_location": False}}
                tries.append(lambda manager=manager, body=body: self.tally.count(
                    "checkins", "rejected:" + str(self.check_in(manager, body).get("reason"))))
        self.run_all("check-ins on suspended sites", tries)

    # -- patrols and leave -------------------------------------------------------------------------------------

    def _patrols(self, index: int, day: date) -> None:
        tasks = []
        for project in self.district.projects:
            if project.patrols_every is None or not self.in_construction(project, index):
                continue
            if project.fate == "suspended" and project.resume_day is not None and index >= project.resume_day:
                since = project.resume_day
            else:
                since = project.start_day
            if (index - since) % project.patrols_every == min(2, project.patrols_every - 1):
                tasks.append(lambda project=project: self._patrol(project, day))
        self.run_all("patrols", tasks)

    def _patrol(self, project: Project, day: date) -> None:
        rng = random.Random(f"{project.key}:{day.isoformat()}:patrol")
        began = local(day, 14, rng.randint(0, 50))
        points = []
        for step in range(5):
            lat, lng = self._position(project, rng, inside=True)
            points.append({"time": (began + timedelta(minutes=4 * step + rng.randint(0, 2))).isoformat(),
                           "lat": lat, "lng": lng})
        result = self.gw.call("POST", "/zzd/v1/patrols", self.district.people[project.lead_key],
                              json={"project_id": project.project_id, "points": points})
        self.tally.count("other", "patrols valid" if result["valid"] else f"patrols invalid:{result['reason']}")

    def _leave_requests(self, index: int, day: date) -> None:
        """Now and then a key person asks for a day or two off next week (Art. 26)."""
        working = self.district.walk.working_days
        if index + 4 >= len(working):
            return
        tasks = []
        for project in self.district.projects:
            if not (self.in_construction(project, index) and self.in_construction(project, index + 4)):
                continue
            for person_key, _post in project.checking():
                if random.Random(f"{self.seed}:{person_key}:{day.isoformat()}:leave").random() < 0.004:
                    days = working[index + 3:index + 3 + random.Random(person_key).randint(1, 2)]
                    tasks.append(lambda project=project, person_key=person_key, days=days:
                                 self._ask_leave(project, person_key, days))
        self.run_all("leave requests", tasks)

    def _ask_leave(self, project: Project, person_key: str, days: list[date]) -> None:
        person = self.district.people[person_key]
        asked = self.gw.call("POST", "/zlb/v1/leave-requests", person, json={
            "project_id": project.project_id, "start_date": days[0].isoformat(), "end_date": days[-1].isoformat(),
            "reason": random.Random(person_key).choice(["家中老人住院陪护", "孩子生病需要照顾", "参加职称考试"])})
        with self.tally.lock:
            self.pending_leave.append((project, person_key, asked["id"], days))

    def _leave_decisions(self) -> None:
        """The owner decides yesterday's requests: approves with the approval form, now and then refuses."""
        pending, self.pending_leave = self.pending_leave, []

        def decide(project: Project, person_key: str, leave_id: str, days: list[date]) -> None:
            owner = self.district.acting(project.owner_key)
            if random.Random(leave_id).random() < 0.85:
                form = self.gw.call("POST", "/zzd/v1/files", owner,
                                    files={"file": ("approval.pdf", APPROVAL_PDF, "application/pdf")})["id"]
                self.gw.call("POST", f"/zzd/v1/leave-requests/{leave_id}/decision", owner,
                             json={"decision": "approve", "approval_file_ids": [form]})
                with self.tally.lock:
                    self.leave.setdefault(person_key, set()).update(days)
                self.tally.count("other", "leave approved")
            else:
                self.gw.call("POST", f"/zzd/v1/leave-requests/{leave_id}/decision", owner,
                             json={"decision": "refuse", "note": "工期紧张，暂不批准"})
                self.tally.count("other", "leave refused")
        self.run_all("leave decisions", [lambda args=args: decide(*args) for args in pending])

    # -- the completion acceptance (Art. 31) -------------------------------------------------------------------

    def _start_acceptance(self, project: Project) -> None:
        manager = next(self.district.people[key] for key, post in project.people if post == "project_manager")
        variant = "government" if project.kind == "government" else "village_self"
        started = self.gw.call("POST", "/zlb/v1/acceptances", manager, json={
            "project_id": project.project_id, "variant": variant, "note": "工程已按合同完工，申请竣工验收"})
        project.acceptance_id = started["id"]

    def _acceptance_steps(self, index: int) -> None:
        """The supervisor checks the works the next working day, the owner accepts the day after."""
        tasks = []
        for project in self.district.projects:
            if project.fate != "accepted" or project.event_day is None:
                continue
            if index == project.event_day + 1 and project.kind == "government":
                engineer = next(self.district.people[key] for key, post in project.people if post == "chief_engineer")
                tasks.append(lambda p=project, e=engineer: self.gw.call(
                    "POST", f"/zlb/v1/acceptances/{p.acceptance_id}/check", e,
                    json={"passed": True, "opinion": "工程质量符合设计和规范要求，同意验收"}))
            if index == project.event_day + 2:
                tasks.append(lambda p=project: self._accept(p))
        self.run_all("acceptance steps", tasks)

    def _accept(self, project: Project) -> None:
        owner = self.district.acting(project.owner_key)
        records = self.gw.call("POST", "/zzd/v1/files", owner,
                               files={"file": ("acceptance-records.pdf", RECORDS_PDF, "application/pdf")})["id"]
        self.gw.call("POST", f"/zzd/v1/acceptances/{project.acceptance_id}/accept", owner,
                     json={"conclusion": "竣工验收合格", "record_file_ids": [records]})

    # -- complaints and clues ----------------------------------------------------------------------------------

    def _public_reports(self, index: int, day: date, slot: str) -> None:
        """A few complaints from the public window (at most five an hour from one address) and now
        and then a clue from a supervising unit's staff (Art. 8, 30)."""
        rng = random.Random(f"{self.seed}:{day.isoformat()}:{slot}:public")
        started = [p for p in self.district.projects if self.in_construction(p, index)]
        if not started:
            return
        complaints = rng.randint(0, max(1, min(3, len(self.district.projects) // 100)))
        tasks = []
        for _ in range(complaints):
            # The public sees the slack sites first.
            slack = [p for p in started if self.district.units[p.contractor_key].slack]
            project = rng.choice(slack if slack and rng.random() < 0.7 else started)
            category, text = rng.choice(COMPLAINTS)
            body = {"project_id": project.project_id, "category": category, "text": text, "anonymous": True}
            if rng.random() < 0.4:
                body.update(anonymous=False, contact={"name": rng.choice("王李张刘陈杨") + "先生",
                                                      "phone": f"13{rng.randint(5, 9)}{rng.randint(10**7, 10**8 - 1)}"})
            tasks.append(lambda body=body: self.gw.call("POST", "/public/v1/complaints", None, json=body))
        if slot == "afternoon" and rng.random() < 0.3:
            project, (category, text) = rng.choice(started), rng.choice(CLUES)
            staff = self.district.acting(project.supervising_key)
            tasks.append(lambda p=project, s=staff, c=category, t=text: self.gw.call(
                "POST", "/zzd/v1/clues", s, json={"project_id": p.project_id, "category": c, "text": t}))
        for result in self.run_all("complaints", tasks):
            self.tally.count("other", "complaints and clues", 1 if result else 0)

    # -- cases: every unit takes its steps ---------------------------------------------------------------------

    OPEN_STATUSES = ("received", "triaged", "dispatched", "accepted", "handled", "reported", "returned", "escalated",
                     "not_ours")

    def _cases(self, day: date) -> None:
        cases = []
        for status in self.OPEN_STATUSES:
            cases += self.gw.pages("/zzd/v1/cases", self.back_office, {"status": status}, limit=200)
        tasks = [lambda case=case: self._move_case(case, day) for case in cases]
        self.run_all("cases", tasks)

    def _chain(self, project: Project) -> list[str]:
        """The project's chain, top first, as unit keys."""
        return ["leading_group", f"{project.industry}.authority", project.supervising_key, project.line_key,
                project.owner_key]

    def _move_case(self, case: dict, day: date) -> None:
        project = self.projects_by_id.get(case.get("project_id"))
        if project is None:
            return  # a case of the small demo or of someone else: not the district's to move
        rng = random.Random(f"{self.seed}:{case['id']}:{day.isoformat()}")
        opened = datetime.fromisoformat(case["opened_at"]).astimezone(DISTRICT_TZ).date()
        if opened >= day and case["status"] != "received":
            return  # raised overnight: the unit looks at it tomorrow
        chain = self._chain(project)
        units = self.district.units
        holder = self.units_by_id.get(case.get("holder_unit_id"))
        status = case["status"]

        def step(unit_key: str, name: str, body: dict) -> bool:
            return self._take_step(case["id"], unit_key, name, body) == 200

        if status == "received":
            if opened < day and rng.random() < 0.75:
                if step("intake", "triage", {"category": case.get("category") or "other", "discipline": False,
                                             "project_id": project.project_id, "public_reply": "已受理，正在核查"}):
                    step("leading_group", "dispatch", {"unit_id": units[project.line_key].unit_id,
                                                       "text": "请核查处置"})
            return
        if holder is None:
            return
        below = chain[chain.index(holder.key) + 1] if holder.key in chain[:-1] else None
        if status in ("triaged", "dispatched", "escalated", "not_ours"):
            if holder.kind == "owner":
                # What was passed back down after an escalation is taken at once, mostly.
                if rng.random() < (0.5 if (day - opened).days <= 2 else 0.85):
                    step(holder.key, "accept", {"text": "已签收，安排核查"})
                elif case["kind"] == "warning" and rng.random() < 0.03:
                    step("leading_group", "close", {"finding": "withdrawn", "text": "预警重复，予以撤销"})
            elif below is not None and rng.random() < 0.45:
                step(holder.key, "dispatch", {"unit_id": units[below].unit_id, "text": "请下级单位核实处置"})
            elif rng.random() < 0.15:
                step(holder.key, "accept", {"text": "本级直接处置"})
        elif status in ("accepted", "handled", "returned"):
            if rng.random() < (0.5 if status == "returned" else 0.4):
                if status != "handled" and not step(holder.key, "handle", {"text": "已约谈相关责任人并督促整改"}):
                    return
                weights = [0.95, 0.04, 0.01] if units[project.contractor_key].slack else [0.8, 0.15, 0.05]
                finding = rng.choices(["substantiated", "unsubstantiated", "withdrawn"], weights)[0]
                body = {"finding": finding, "text": "核查属实，已整改到位" if finding == "substantiated"
                        else "经核查情况不属实" if finding == "unsubstantiated" else "重复反映，予以撤回"}
                if finding == "substantiated" and case["kind"] != "warning":
                    body["responsible_unit_id"] = units[project.contractor_key].unit_id
                if case["kind"] != "warning":
                    body["public_reply"] = "已核查处理"
                step(holder.key, "report", body)
        elif status == "reported" and rng.random() < 0.55:
            self._verify(case, chain, holder, rng)

    def _verify(self, case: dict, chain: list[str], holder: Unit, rng: random.Random) -> None:
        """The level above the unit that reported verifies (核实) — or, when that took too long and
        the platform passed the verification up (an escalation), the level above that."""
        verdict, body = ("verify", {"text": "经核实，同意办结"}) if rng.random() < 0.8 else \
            ("return", {"text": "整改材料不全，请补充后重新上报"})
        # The units above the holder, nearest first; the back office verifies what no level is above.
        above = list(reversed(chain[:chain.index(holder.key)])) if holder.key in chain else []
        above = above or ["leading_group"]
        # A verification not done within its limit (3 days) passed one level up each time: ask first
        # the unit it has probably reached.
        reported = self.reported_on.get(case["id"])
        passed_up = min(len(above) - 1, (self.now.date() - reported).days // VERIFY_DAYS) if reported else 0
        for unit_key in [above[passed_up], *above[:passed_up], *above[passed_up + 1:]]:
            if self._take_step(case["id"], unit_key, verdict, body, refused_is_expected=True) != 403:
                return
        raise DemoError(f"nobody on the chain of case {case['id']} may verify it")

    def _take_step(self, case_id: str, unit_key: str, name: str, body: dict, *,
                   refused_is_expected: bool = False) -> int:
        """One step of a case; its status. A step the case's state no longer allows (409) or whose
        answer was lost (504) is counted and left: tomorrow's list shows where the case stands."""
        answer = self.gw.send("POST", f"/zzd/v1/cases/{case_id}/{name}", self._actor(unit_key), json=body)
        if answer.status_code == 200:
            self.tally.count("steps", name)
            if name == "report":
                self.reported_on[case_id] = self.now.date()
        elif answer.status_code in (409, 504):
            self.tally.count("other", f"case steps {'refused' if answer.status_code == 409 else 'unanswered'}")
        elif not (answer.status_code == 403 and refused_is_expected):
            raise DemoError(f"POST /zzd/v1/cases/{case_id}/{name}: {answer.status_code} {answer.text[:300]}")
        return answer.status_code

    def _actor(self, unit_key: str) -> Person:
        """Who acts for a unit: its chief (a line's head); for the leading group the back office,
        and its complaint intake (受理员) for a triage."""
        if unit_key == "intake":
            return self.district.acting("leading_group")
        return self.back_office if unit_key == "leading_group" else self.district.acting(unit_key)

    # -- the end -----------------------------------------------------------------------------------------------

    def settle(self, seconds: float = 120) -> None:
        """The services turn the last events into cases and scores a moment after they commit: wait
        until the case and warning counts stand still."""
        deadline, previous, still = time.monotonic() + seconds, None, 0
        while time.monotonic() < deadline:
            figures = (self.gw.call("GET", "/zzd/v1/stats/cases", self.back_office, params={"by": "status"}),
                       self.gw.call("GET", "/zzd/v1/stats/warnings", self.back_office, params={"by": "rule"}))
            still = still + 1 if figures == previous else 0
            if still >= 3:
                return
            previous = figures
            time.sleep(1)

    def summary(self) -> list[str]:
        """The figures of the console's home page, as the platform counts them (the whole district in
        the back office's scope), with what the demo sent beside them."""
        gw, back_office = self.gw, self.back_office

        def get(path: str, **params) -> dict:
            return gw.call("GET", f"/zzd/v1/stats/{path}", back_office, params=params)

        def joined(pairs: Iterable[tuple[str, int]]) -> str:
            return ", ".join(f"{key} {count}" for key, count in sorted(pairs, key=lambda pair: -pair[1]))

        projects = get("projects")["rows"]
        by_status, by_industry = Counter(), Counter()
        for row in projects:
            by_status[row["status"]] += row["count"]
            by_industry[row["industry"]] += row["count"]
        today = get("attendance-today")
        week = get("warnings-this-week")
        open_cases = get("open-cases")["rows"]
        cases = get("cases", by="status")["rows"]
        warnings = get("warnings", by="rule")["rows"]
        colours = get("firm-colours")
        return [
            f"platform time: {self.now.isoformat()}",
            f"projects: {sum(by_status.values())} ({joined(by_status.items())})",
            f"  by industry: {joined(by_industry.items())}",
            f"people of the district: {len(self.district.people)}, in {len(self.district.units) - 1} units",
            f"today's attendance ({today['day']}): {today['on_site']} on site of {today['expected']} expected",
            f"check-ins sent: {sum(self.tally.checkins.values())} ({joined(self.tally.checkins.items())})",
            f"warnings: {sum(r['count'] for r in warnings)} ({joined((r['key'], r['count']) for r in warnings)})",
            f"  this week: {joined((r['rule_id'], r['count']) for r in week['rows']) or 'none'}",
            f"cases: {sum(r['count'] for r in cases)} ({joined((r['key'], r['count']) for r in cases)})",
            "  open by level: " + ", ".join(f"{r['level'] or 'back office'} {r['open']} ({r['overdue']} overdue)"
                                            for r in open_cases),
            f"case steps taken: {sum(self.tally.steps.values())} ({joined(self.tally.steps.items())})",
            f"firms by colour ({colours['year']}): "
            + ", ".join(f"{r['colour']} {r['count']}" for r in colours["rows"]),
            f"also: {joined(self.tally.other.items())}",
        ]


class AlreadySeeded(RuntimeError):
    def __init__(self, firms: int):
        super().__init__(f"the demo district is already on this platform ({firms} of its firms are registered); "
                         "nothing was sent. To seed it again, stop the platform, remove var/ and start again.")


def roster_size(project: Project) -> int:
    """How many people the attendance roster of the project holds (attendance.domain.duty)."""
    return 2 if project.below_threshold else sum(1 for _, post in project.people if post in FIRM_OF_POST)


def seed_district(base_url: str, *, projects: int = 300, seed: int = 13, concurrency: int = 12,
                  days: int | None = None, login: Login = dev_login,
                  back_office: Person | None = None, out=print, timings: bool = False) -> list[str]:
    """Seed the district on the platform at ``base_url``; return the closing summary's lines."""
    progress = Progress(out)
    back_office = back_office or Person(key="back-office", name="back office", portal="zzd", unit_key="leading_group",
                                        post="chief", user_id="demo-leading-group-chief")
    gateway = Gateway(base_url, login, concurrency)
    seeder = Seeder(gateway, back_office, seed, concurrency, progress)
    try:
        seeder.preflight()
        now = seeder.platform_time().astimezone(DISTRICT_TZ)
        start = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
        seeder.set_clock(start)
        seeder.district = plan_district(projects, walk_of(month_to_walk(now.date()), days), seed)
        progress.say(f"planned {projects} projects, {len(seeder.district.people)} people; registering at "
                     f"{start.isoformat()}")
        seeder.organisation()
        seeder.people()
        seeder.projects()
        seeder.walk()
        seeder.settle()
        lines = seeder.summary()
        progress.say(f"done in {time.monotonic() - progress.started:.0f} s, {gateway.requests} requests")
        return lines
    finally:
        seeder.close()
        if timings:
            out("time spent per route:", flush=True)
            for route, seconds in gateway.timings.most_common(30):
                calls = gateway.counts[route]
                out(f"{seconds:8.1f} s {calls:7d} x {1000 * seconds / calls:6.0f} ms  {route}", flush=True)


# --- the command line ----------------------------------------------------------------------------------------


def wait_ready(base_url: str, launcher: subprocess.Popen, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if launcher.poll() is not None:
            raise DemoError(f"the platform's launcher exited with {launcher.returncode}")
        try:
            if httpx.get(f"{base_url}/readyz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise DemoError(f"the platform was not ready within {seconds:.0f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Seed the larger demo district through the platform's own routes "
                                                 "(README.md, \"A larger demo district\").")
    parser.add_argument("--gateway", default="http://127.0.0.1:8000", help="the running platform's gateway")
    parser.add_argument("--projects", type=int, default=300, help="how many projects the district has")
    parser.add_argument("--seed", type=int, default=13, help="the same seed gives the same district")
    parser.add_argument("--concurrency", type=int, default=12, help="requests in flight at once")
    parser.add_argument("--days", type=int, default=None,
                        help="walk only this many days of the month (default: all, and the next month's first "
                             "working day)")
    parser.add_argument("--timings", action="store_true", help="print the time spent on each route at the end")
    parser.add_argument("--back-office-user", default="demo-leading-group-chief",
                        help="the leading group's user who registers everything (dev login)")
    parser.add_argument("--start-platform", action="store_true",
                        help="start the platform as `make run` does (scripts/run_platform.py), seed it, and keep "
                             "it running until Ctrl-C")
    args = parser.parse_args(argv)
    if args.projects < 1 or args.concurrency < 1:
        parser.error("--projects and --concurrency are at least 1")
    back_office = Person(key="back-office", name="back office", portal="zzd", unit_key="leading_group",
                         post="chief", user_id=args.back_office_user)
    def interrupt(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)  # stopped like Ctrl-C (as run_platform.py is)
    launcher = None
    if args.start_platform:
        # In a session of its own: Ctrl-C reaches this script only, which then stops the platform
        # with one signal (a second one would cut short the launcher's own stopping).
        port = args.gateway.rsplit(":", 1)[-1].strip("/")
        launcher = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "run_platform.py"), "--port", port],
                                    cwd=ROOT, start_new_session=True)
    try:
        outcome = 0
        try:
            if launcher is not None:
                wait_ready(args.gateway, launcher)
            lines = seed_district(args.gateway, projects=args.projects, seed=args.seed,
                                  concurrency=args.concurrency, days=args.days, back_office=back_office,
                                  timings=args.timings)
            print("\nThe demo district:\n  " + "\n  ".join(lines), flush=True)
        except AlreadySeeded as already:
            print(f"demo_district: {already}", file=sys.stderr, flush=True)
        except DemoError as error:
            print(f"demo_district: error: {error}", file=sys.stderr, flush=True)
            outcome = 1
        if launcher is None:
            return outcome
        print(f"The platform keeps running: {args.gateway}/docs (Ctrl-C stops it)", flush=True)
        return launcher.wait()
    except KeyboardInterrupt:
        print("demo_district: interrupted" + ("; stopping the platform" if launcher is not None else ""),
              file=sys.stderr, flush=True)
        return 130
    finally:
        if launcher is not None and launcher.poll() is None:
            for number in (signal.SIGINT, signal.SIGTERM):
                signal.signal(number, signal.SIG_IGN)
            launcher.send_signal(signal.SIGTERM)  # run_platform.py stops every service on it
            launcher.wait()


if __name__ == "__main__":
    sys.exit(main())
