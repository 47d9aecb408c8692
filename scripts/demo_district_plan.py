"""What the larger demo district is made of, decided before anything is sent: the organisation
(five industry authorities with their supervising units and lines, an owner per township or
street of Shangyu, contractors and supervisors), the people, the projects with their places,
sizes and fates, the month walked through and each person's habits. Plain data from a seed, so
that the same knobs give the same district; ``scripts/demo_district.py`` drives the platform
through its own commands with it.

The centres of the townships and streets are approximate (a few hundred metres): enough to put a
site in the right part of the district on a map drawn from the geofences.
"""

from __future__ import annotations

import calendar
import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

# 上虞区: its streets (街道), towns (镇) and townships (乡), with the office that owns their works and an
# approximate centre (lat, lng).
TOWNSHIPS: list[tuple[str, str, tuple[float, float]]] = [
    ("百官街道", "办事处", (30.0300, 120.8750)),
    ("曹娥街道", "办事处", (30.0000, 120.8550)),
    ("东关街道", "办事处", (30.0550, 120.7900)),
    ("道墟街道", "办事处", (30.0850, 120.7450)),
    ("梁湖街道", "办事处", (29.9850, 120.8800)),
    ("小越街道", "办事处", (30.0500, 120.9450)),
    ("崧厦街道", "办事处", (30.1100, 120.8500)),
    ("沥海街道", "办事处", (30.2000, 120.8100)),
    ("章镇镇", "人民政府", (29.8800, 120.8500)),
    ("下管镇", "人民政府", (29.7800, 120.8800)),
    ("丰惠镇", "人民政府", (29.9850, 121.0100)),
    ("永和镇", "人民政府", (29.9450, 120.9750)),
    ("驿亭镇", "人民政府", (30.0500, 121.0000)),
    ("长塘镇", "人民政府", (30.0100, 121.0700)),
    ("汤浦镇", "人民政府", (29.9150, 120.7900)),
    ("谢塘镇", "人民政府", (30.1300, 120.9600)),
    ("盖北镇", "人民政府", (30.1600, 120.9000)),
    ("岭南乡", "人民政府", (29.8200, 120.9600)),
    ("陈溪乡", "人民政府", (29.8400, 120.8000)),
    ("丁宅乡", "人民政府", (29.9000, 120.9300)),
]

# The five industries of the regulation's authorities, each with its authority, the supervising
# unit under it and two lines; the kinds of works each builds (Art. 10–13, 16–20).
INDUSTRIES: dict[str, dict] = {
    "housing": {"authority": "区住房和城乡建设局", "supervising": "区建设工程质量安全管理中心",
                "lines": ["房屋建筑条线", "城镇更新条线"],
                "works": ["安置房", "老旧小区改造", "中心学校教学楼", "卫生院迁建", "文化礼堂", "农房改造"]},
    "municipal": {"authority": "区综合行政执法局", "supervising": "区市政公用事业管理中心",
                  "lines": ["道路桥梁条线", "排水管网条线"],
                  "works": ["道路改造", "雨污分流", "供水管网改造", "路灯提升", "桥梁维修加固", "公共停车场"]},
    "landscaping": {"authority": "区园林绿化管理局", "supervising": "区园林工程建设中心",
                    "lines": ["公园绿地条线", "道路绿化条线"],
                    "works": ["公园提升", "绿道建设", "河岸景观", "口袋公园", "街头绿地"]},
    "transport": {"authority": "区交通运输局", "supervising": "区交通工程建设管理中心",
                  "lines": ["公路工程条线", "农村公路条线"],
                  "works": ["农村公路提升", "公路拓宽", "港湾式公交站", "交通安全设施", "桥梁新建"]},
    "water": {"authority": "区水利局", "supervising": "区水利工程建设管理中心",
              "lines": ["河道堤防条线", "农村水利条线"],
              "works": ["河道综合整治", "堤防加固", "山塘整治", "圩区泵站", "农村饮用水提标"]},
}
PLACES = ["龙山", "凤鸣", "舜江", "曹娥江", "白马湖", "四季", "人民", "江扬", "市民", "城东", "城北", "滨江", "皂李湖",
          "东山", "覆卮山", "隐潭", "梁湖", "华维", "新建", "联江", "上浦", "青春", "五星", "红旗", "百丈"]
FIRM_NAMES = ["舜耕", "虞舜", "曹娥", "龙山", "凤鸣", "东山", "舜江", "白马湖", "覆卮", "越州", "会稽", "兰亭", "鉴湖",
              "钱塘", "海塘", "丰惠", "驿亭", "上浦", "谢塘", "崧厦", "沥海", "汤浦", "章镇", "下管", "华维", "金鼎",
              "宏达", "永信", "正和", "恒通", "中天", "广厦", "宝业", "精工", "大地", "新世纪", "卧龙", "天圣"]
CONTRACTOR_TRADES = ["建设", "建工集团", "市政工程", "园林工程", "交通建设", "水利建设", "建筑工程"]
SUPERVISOR_TRADES = ["工程监理", "建设监理", "工程咨询", "工程项目管理"]
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
            "姚卢钟姜崔谭陆范汪金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙贺顾毛郝龚邵万钱严覃武")
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌宇浩凯鹏飞俊峰亮辉婷晨雪琳欣怡瑞海波健龙斌成"

# Key posts of a project (Art. 21, 26). Works below the tender threshold (限额以下) check in one
# person of each firm: the first of its posts in this order (attendance.domain.duty).
LARGE_WORKS_POSTS = ["project_manager", "technical_lead", "safety_officer", "chief_engineer", "specialist_engineer",
                     "inspector"]
SMALL_WORKS_POSTS = ["project_manager", "safety_officer", "chief_engineer", "inspector"]
CHECKING_POSTS = {"project_manager", "safety_officer", "chief_engineer", "inspector"}
SMALL_WORKS_CHECKING = {"project_manager", "chief_engineer"}
FIRM_OF_POST = {"project_manager": "contractor", "technical_lead": "contractor", "safety_officer": "contractor",
                "chief_engineer": "supervisor", "specialist_engineer": "supervisor", "inspector": "supervisor"}
TENDER_THRESHOLD = Decimal("4000000")

# How a person attends, with the share of the checking people who do so. Diligent people come
# twice every working day; the others give the month its absences, low rates and spoofing flags.
# The people of a slack firm are "slack": absent more than half the days, a simulated location on
# most of the others — with the public's complaints about its sites the firm ends orange or red.
HABITS = [("diligent", 0.78), ("forgetful", 0.06), ("absent", 0.04), ("mock_location", 0.03),
          ("borrows_phone", 0.02), ("wanders_outside", 0.04), ("weak_gps", 0.03)]
# What becomes of a project by the end of the walk, with its share of the projects.
FATES = [("in_construction", 0.58), ("awarded", 0.15), ("readiness_missed", 0.03), ("suspended", 0.06),
         ("acceptance", 0.09), ("accepted", 0.09)]
# A share of the firms whose people all attend badly: the reds and oranges of the five colours.
SLACK_FIRM_SHARE = 0.06


@dataclass
class Person:
    key: str
    name: str
    portal: str  # "zzd" (government staff) or "zlb" (firms)
    unit_key: str
    post: str
    external_id: str | None = None  # the portal identity; None for a person found on the platform
    user_id: str | None = None  # known once registered (or found)
    habit: str = "diligent"
    device_id: str = ""
    device_platform: str = "android"


@dataclass
class Unit:
    key: str
    kind: str
    name: str
    parent_key: str | None = None
    industry: str | None = None
    credit_code: str | None = None
    unit_id: str | None = None  # known once registered (or found)
    acting: str | None = None  # the key of the person who acts for it
    slack: bool = False


@dataclass
class Project:
    key: str
    name: str
    industry: str
    kind: str  # government | village
    amount: Decimal
    township: str
    centre: tuple[float, float]
    radius_m: int
    supervising_key: str
    line_key: str
    owner_key: str
    lead_key: str
    contractor_key: str
    supervisor_key: str
    planned_start: date
    planned_end: date
    fate: str
    people: list[tuple[str, str]] = field(default_factory=list)  # (person key, post)
    start_day: int | None = None  # index into the walk's working days
    event_day: int | None = None  # suspension, or the completion acceptance, by fate
    resume_day: int | None = None
    patrols_every: int | None = 4  # working days between the lead's patrols; None: the lead never patrols
    spoofing_policy: str = "flag"
    project_id: str | None = None
    acceptance_id: str | None = None

    @property
    def below_threshold(self) -> bool:
        return self.amount < TENDER_THRESHOLD

    @property
    def registers_firms(self) -> bool:
        return self.fate != "readiness_missed"

    @property
    def starts(self) -> bool:
        return self.start_day is not None

    def checking(self) -> list[tuple[str, str]]:
        """The (person key, post) of those who must check in (Art. 26; attendance.domain.duty)."""
        posts = SMALL_WORKS_CHECKING if self.below_threshold else CHECKING_POSTS
        return [(person, post) for person, post in self.people if post in posts]


@dataclass
class Walk:
    """The days the platform clock walks through: a calendar month, then up to the first working
    day of the next (whose first hour evaluates the month)."""

    days: list[date]

    @property
    def working_days(self) -> list[date]:
        return [day for day in self.days if is_working_day(day)]

    @property
    def rest_days(self) -> list[date]:
        return [day for day in self.days if not is_working_day(day)]


def is_working_day(day: date) -> bool:
    return day.weekday() < 5


def month_to_walk(today: date) -> date:
    """The first day of the month the walk takes: the next calendar month, or January when that is
    December — a December walk would end in January, and the year's scores the console shows first
    would be the new year's, still empty."""
    first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    return date(first.year + 1, 1, 1) if first.month == 12 else first


def walk_of(month_first: date, days: int | None) -> Walk:
    """The calendar month from ``month_first`` and the next month's days up to its first working
    day; ``days`` cuts it short (a small district for a test)."""
    length = calendar.monthrange(month_first.year, month_first.month)[1]
    walk = [month_first + timedelta(days=offset) for offset in range(length)]
    day = walk[-1] + timedelta(days=1)
    while True:
        walk.append(day)
        if is_working_day(day):
            break
        day += timedelta(days=1)
    if days is not None:
        walk = walk[:max(1, days)]
    return Walk(walk)


@dataclass
class District:
    units: dict[str, Unit]
    people: dict[str, Person]
    projects: list[Project]
    walk: Walk
    seed: int

    def acting(self, unit_key: str) -> Person:
        return self.people[self.units[unit_key].acting]

    def expected_checkins(self) -> int:
        """About how many check-ins the walk sends: two a working day for each checking person of a
        project in construction (the habits send a few more or fewer)."""
        working = len(self.walk.working_days)
        total = 0
        for project in self.projects:
            if not project.starts:
                continue
            last = working if project.event_day is None or project.fate == "suspended" else project.event_day + 1
            days = last - project.start_day
            if project.fate == "suspended":
                days = project.event_day - project.start_day + (
                    working - project.resume_day if project.resume_day is not None else 0)
            total += 2 * max(0, days) * len(project.checking())
        return total


def credit_code(serial: int) -> str:
    """A 统一社会信用代码 of Shangyu (330604) that no real firm has: 91 330604 7xxxxxxxxx."""
    return f"91330604{7000000000 + serial}"


def _share(rng: random.Random, shares: list[tuple[str, float]]) -> str:
    roll, total = rng.random(), 0.0
    for name, share in shares:
        total += share
        if roll < total:
            return name
    return shares[-1][0]


def _name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
    return rng.choice(SURNAMES) + given


def offset(centre: tuple[float, float], north_m: float, east_m: float) -> tuple[float, float]:
    lat = centre[0] + north_m / 111_320
    lng = centre[1] + east_m / (111_320 * math.cos(math.radians(centre[0])))
    return round(lat, 6), round(lng, 6)


def plan_district(projects: int, walk: Walk, seed: int = 13) -> District:
    """The whole district for ``projects`` projects walked through ``walk``."""
    rng = random.Random(seed)
    units: dict[str, Unit] = {}
    people: dict[str, Person] = {}
    serial = {"zzd": 0, "zlb": 0}

    def person(unit_key: str, post: str, portal: str) -> Person:
        serial[portal] += 1
        key = f"{portal}-{serial[portal]:05d}"
        made = Person(key=key, name=_name(rng), portal=portal, unit_key=unit_key, post=post,
                      external_id=f"district-{seed}-{key}")
        if portal == "zlb":
            made.device_id = f"phone-{seed}-{serial[portal]:05d}"
            made.device_platform = rng.choice(["android", "android", "ios", "harmonyos"])
        people[key] = made
        return made

    def unit(key: str, kind: str, name: str, acting_post: str | None, **facts) -> Unit:
        units[key] = Unit(key=key, kind=kind, name=name, **facts)
        if acting_post is not None:
            units[key].acting = person(key, acting_post, "zlb" if kind in ("contractor", "supervisor") else "zzd").key
        return units[key]

    units["leading_group"] = Unit(key="leading_group", kind="leading_group", name="leading group")
    # The back office's complaint intake (受理员) triages complaints and clues (Art. 30).
    units["leading_group"].acting = person("leading_group", "complaint_intake", "zzd").key
    lines_of: dict[str, list[str]] = {}
    for industry, names in INDUSTRIES.items():
        unit(f"{industry}.authority", "industry_authority", names["authority"], "chief", industry=industry,
             parent_key="leading_group")
        unit(f"{industry}.supervising", "supervising_unit", names["supervising"], "chief",
             parent_key=f"{industry}.authority")
        lines_of[industry] = []
        for number, line in enumerate(names["lines"]):
            key = f"{industry}.line{number}"
            unit(key, "line", line, "line_head", parent_key=f"{industry}.supervising")
            lines_of[industry].append(key)
    # Owners: the townships and streets, each with its chief and project leads.
    township_count = min(len(TOWNSHIPS), max(1, math.ceil(projects / 3)))
    owners = []
    for name, office, centre in TOWNSHIPS[:township_count]:
        owners.append((unit(f"owner.{name}", "owner", name + office, "chief"), name, centre))
    contractor_names = [f"浙江{stem}{trade}有限公司" for trade in CONTRACTOR_TRADES for stem in FIRM_NAMES]
    supervisor_names = [f"{seat}{stem}{trade}有限公司" for trade in SUPERVISOR_TRADES for seat in ("绍兴", "浙江")
                        for stem in FIRM_NAMES]
    rng.shuffle(contractor_names)
    rng.shuffle(supervisor_names)
    firm_count = {"contractor": max(1, math.ceil(projects / 3)), "supervisor": max(1, math.ceil(projects / 6))}
    contractors, supervisors = [], []
    for kind, names, made in (("contractor", contractor_names, contractors),
                              ("supervisor", supervisor_names, supervisors)):
        for number in range(firm_count[kind]):
            name = names[number % len(names)] + ("" if number < len(names) else f"（{number // len(names) + 1}）")
            made.append(unit(f"{kind}{number}", kind, name, "chief",
                             credit_code=credit_code(len(contractors) + len(supervisors) + 1)))
    for firm in contractors + supervisors:
        firm.slack = rng.random() < SLACK_FIRM_SHARE
        person(firm.key, "staff", "zlb")  # the firm's records clerk (资料员)
    if projects >= 20 and not any(firm.slack for firm in contractors):
        contractors[-1].slack = True

    leads: dict[str, list[str]] = {}
    planned: list[Project] = []
    fates = _quotas(FATES, projects, rng)
    industries = list(INDUSTRIES)
    for number in range(projects):
        industry = industries[number % len(industries)]
        owner, township, centre = owners[number % len(owners)]
        leads.setdefault(owner.key, [])
        if len(leads[owner.key]) * 4 <= sum(1 for p in planned if p.owner_key == owner.key):
            leads[owner.key].append(person(owner.key, "owner_project_lead", "zzd").key)
        lead = leads[owner.key][-1]
        kind = "village" if rng.random() < 0.5 else "government"
        low, high = (math.log(300_000), math.log(3_800_000)) if kind == "village" else \
            (math.log(1_000_000), math.log(60_000_000))
        amount = Decimal(round(math.exp(rng.uniform(low, high)), -3)).quantize(Decimal("0.01"))
        work = rng.choice(INDUSTRIES[industry]["works"])
        name = f"{township}{rng.choice(PLACES)}{work}工程"
        fate = fates[number]
        site = offset(centre, rng.uniform(-2500, 2500), rng.uniform(-2500, 2500))
        project = Project(
            key=f"project{number:04d}", name=name, industry=industry, kind=kind, amount=amount, township=township,
            centre=site, radius_m=rng.choice([150, 200, 250, 300, 400]), supervising_key=f"{industry}.supervising",
            line_key=rng.choice(lines_of[industry]), owner_key=owner.key, lead_key=lead,
            contractor_key=rng.choice(contractors).key, supervisor_key=rng.choice(supervisors).key,
            planned_start=walk.days[0], planned_end=walk.days[0] + timedelta(days=rng.randint(120, 540)), fate=fate)
        _schedule(project, walk, rng)
        if project.registers_firms:
            posts = SMALL_WORKS_POSTS if project.below_threshold else LARGE_WORKS_POSTS
            for post in posts:
                firm_key = project.contractor_key if FIRM_OF_POST[post] == "contractor" else project.supervisor_key
                key_person = person(firm_key, post, "zlb")
                key_person.habit = _habit(rng, units[firm_key].slack)
                project.people.append((key_person.key, post))
        if rng.random() < 0.08:
            project.spoofing_policy = "block"
        if rng.random() < 0.06:
            project.patrols_every = None
        elif rng.random() < 0.06:
            project.patrols_every = 6  # now and then a week too long
        planned.append(project)
    return District(units=units, people=people, projects=planned, walk=walk, seed=seed)


def _quotas(shares: list[tuple[str, float]], count: int, rng: random.Random) -> list[str]:
    """``count`` names in the proportions of ``shares`` (largest remainders), in a random order
    whose first is the first name's: a district of three still has works under way."""
    exact = [(name, share * count) for name, share in shares]
    quota = {name: int(value) for name, value in exact}
    for name, _exact in sorted(exact, key=lambda item: item[1] - int(item[1]), reverse=True):
        if sum(quota.values()) >= count:
            break
        quota[name] += 1
    names = [name for name, n in quota.items() for _ in range(n)]
    rng.shuffle(names)
    first = names.index(shares[0][0]) if shares[0][0] in names else 0
    names[0], names[first] = names[first], names[0]
    return names


def _habit(rng: random.Random, slack_firm: bool) -> str:
    if slack_firm:
        return "slack"
    return _share(rng, HABITS)


def _schedule(project: Project, walk: Walk, rng: random.Random) -> None:
    """When the project starts construction and when its fate comes, in working days of the walk."""
    working = len(walk.working_days)
    if project.fate == "awarded":
        project.planned_start = walk.days[-1] + timedelta(days=rng.randint(10, 60))
        project.planned_end = project.planned_start + timedelta(days=rng.randint(120, 540))
        return
    if project.fate == "readiness_missed":
        # Planned to start within the month, its firms and key people never registered (Art. 24).
        project.planned_start = walk.days[min(len(walk.days) - 1, rng.randint(1, max(1, len(walk.days) // 2)))]
        return
    if project.fate in ("acceptance", "accepted"):
        # Works finishing: built in the first weeks, then handed over for the completion acceptance.
        project.start_day = 0
        project.event_day = rng.randint(min(working - 1, 3), max(min(working - 1, 3), working // 2))
        return
    # Works under way from the first day (the district's first project among them), and works
    # starting through the month.
    first = project.key == "project0000"
    project.start_day = 0 if first or rng.random() < 0.12 else rng.randint(0, max(0, working - 2))
    project.planned_start = walk.working_days[project.start_day]
    if project.fate == "suspended":
        if project.start_day >= working - 2:
            project.fate = "in_construction"
            return
        project.event_day = rng.randint(project.start_day + 1, working - 1)
        if rng.random() < 0.5 and project.event_day + 3 < working:
            project.resume_day = rng.randint(project.event_day + 2, working - 1)
