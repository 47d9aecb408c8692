"""The first back office: the leading group and its chief, so that someone can log in and
register everything else through the API.

    python -m workflow.bootstrap --group-name 上虞区双查双保领导小组 --chief-name 王明 --zzd-account-id 10001

Does nothing when a leading group exists. ``--demo`` also seeds the small demo district of
README.md (``make run`` does this when the database is empty).
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from common import events
from common.database import engine_for, migrate
from common.logs import configure_logging
from common.principal import SYSTEM
from common.settings import database_url, platform_settings
from workflow.domain.organisation import Post, UnitKind
from workflow.persistence.models import Unit, User, UserPost
from workflow.usecases import registry

logger = logging.getLogger(__name__)


def bootstrap_back_office(session: Session, now: datetime, *, group_name: str, chief_name: str,
                          zzd_account_id: str, group_id: str | None = None, chief_id: str | None = None) -> bool:
    """Create the leading group and its chief; False when a leading group already exists."""
    if session.execute(sa.select(sa.exists().where(Unit.kind == UnitKind.LEADING_GROUP))).scalar():
        return False
    call = registry.Call(session, now, SYSTEM)
    group = Unit(id=group_id or registry.new_id(), kind=UnitKind.LEADING_GROUP, name=group_name, created_at=now)
    chief = User(id=chief_id or registry.new_id(), name=chief_name, portal="zzd", zzd_account_id=zzd_account_id,
                 created_at=now)
    session.add_all([group, chief])
    session.flush()
    session.add(UserPost(user_id=chief.id, unit_id=group.id, post=Post.CHIEF, granted_at=now))
    session.flush()
    call.record("back_office.bootstrapped", "unit", group.id, after={"chief_id": chief.id})
    call.emit(events.UnitRegistered, unit_id=group.id, kind=group.kind, name=group.name)
    call.emit(events.UserRegistered, user_id=chief.id, name=chief.name, portal="zzd", zzd_account_id=zzd_account_id)
    call.emit(events.PostGranted, user_id=chief.id, unit_id=group.id, post=Post.CHIEF)
    return True


# The demo district of README.md: one user per post, with readable ids for the dev login.
DEMO_UNITS = [
    # id, kind, name, parent, industry, credit code
    ("demo-housing", "industry_authority", "区住房和城乡建设局", "demo-leading-group", "housing", None),
    ("demo-supervising", "supervising_unit", "区城市建设管理中心", "demo-housing", None, None),
    ("demo-line-municipal", "line", "市政工程条线", "demo-supervising", None, None),
    ("demo-line-parks", "line", "园林绿化条线", "demo-supervising", None, None),
    ("demo-owner", "owner", "曹娥街道办事处", None, None, None),
    ("demo-contractor", "contractor", "浙江上虞建工集团有限公司", None, None, "913306041000000001"),
    ("demo-supervisor", "supervisor", "绍兴正信工程监理有限公司", None, None, "913306042000000002"),
    ("demo-designer", "designer", "上虞市政设计院有限公司", None, None, "913306043000000003"),
    ("demo-discipline", "discipline", "区纪委监委派驻纪检组", None, None, None),
    ("demo-audit", "audit", "区审计局", None, None, None),
]
DEMO_USERS = [
    # id, name, portal, unit, post
    ("demo-housing-chief", "李住建", "zzd", "demo-housing", "chief"),
    ("demo-supervising-chief", "张主管", "zzd", "demo-supervising", "chief"),
    ("demo-line-head", "陈条线", "zzd", "demo-line-municipal", "line_head"),
    ("demo-parks-line-head", "周园林", "zzd", "demo-line-parks", "line_head"),
    ("demo-owner-chief", "赵街道", "zzd", "demo-owner", "chief"),
    ("demo-owner-lead", "钱负责", "zzd", "demo-owner", "owner_project_lead"),
    ("demo-contractor-chief", "孙施工", "zlb", "demo-contractor", "chief"),
    ("demo-project-manager", "吴项目", "zlb", "demo-contractor", "project_manager"),
    ("demo-technical-lead", "郑技术", "zlb", "demo-contractor", "technical_lead"),
    ("demo-safety-officer", "冯安全", "zlb", "demo-contractor", "safety_officer"),
    ("demo-supervisor-chief", "何监理", "zlb", "demo-supervisor", "chief"),
    ("demo-chief-engineer", "许总监", "zlb", "demo-supervisor", "chief_engineer"),
    ("demo-specialist-engineer", "韩专监", "zlb", "demo-supervisor", "specialist_engineer"),
    ("demo-inspector", "杨监理员", "zlb", "demo-supervisor", "inspector"),
    ("demo-designer-chief", "朱设计", "zlb", "demo-designer", "chief"),
    ("demo-discipline-staff", "秦纪检", "zzd", "demo-discipline", "staff"),
    ("demo-audit-staff", "尤审计", "zzd", "demo-audit", "staff"),
]


def seed_demo_district(session: Session, now: datetime) -> bool:
    """Seed the demo district into an empty registry; False when it holds anything."""
    if session.execute(sa.select(sa.exists().where(Unit.id.is_not(None)))).scalar():
        return False
    bootstrap_back_office(session, now, group_name="上虞区工程建设项目双查双保领导小组", chief_name="王总管",
                          zzd_account_id="zzd-demo-leading-group-chief", group_id="demo-leading-group",
                          chief_id="demo-leading-group-chief")
    back_office = registry.Call(session, now, SYSTEM.model_copy(update={"user_id": "demo-leading-group-chief",
                                                                        "portal": "zzd"}))
    for unit_id, kind, name, parent, industry, credit_code in DEMO_UNITS:
        data = {"kind": kind, "name": name, "parent_id": parent, "industry": industry, "credit_code": credit_code}
        registry.register_unit(back_office, {k: v for k, v in data.items() if v is not None}, unit_id=unit_id)
    for user_id, name, portal, unit_id, post in DEMO_USERS:
        identity_field = "zzd_account_id" if portal == "zzd" else "zlb_user_id"
        registry.register_user(back_office, {"name": name, "portal": portal, identity_field: f"{portal}-{user_id}"},
                               user_id=user_id)
        registry.grant_post(back_office, user_id, {"unit_id": unit_id, "post": post})
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Create the first back office of the platform.")
    parser.add_argument("--group-name")
    parser.add_argument("--chief-name")
    parser.add_argument("--zzd-account-id")
    parser.add_argument("--demo", action="store_true", help="seed the demo district into an empty registry")
    args = parser.parse_args(argv)
    settings = platform_settings()
    configure_logging(settings.log_level, "text")
    url = database_url("workflow")
    from workflow.service import MIGRATIONS_DIR

    migrate(url, MIGRATIONS_DIR)
    now = datetime.now(UTC)
    with Session(engine_for(url)) as session:
        if args.demo:
            done = seed_demo_district(session, now)
            message = "demo district seeded" if done else "the registry is not empty; demo not seeded"
        else:
            if not (args.group_name and args.chief_name and args.zzd_account_id):
                parser.error("--group-name, --chief-name and --zzd-account-id are needed (or --demo)")
            done = bootstrap_back_office(session, now, group_name=args.group_name, chief_name=args.chief_name,
                                         zzd_account_id=args.zzd_account_id)
            message = "back office created" if done else "a leading group exists already; nothing done"
        session.commit()
    print(message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
