"""The console's figure of attendance: today's people on site out of those expected, within the
caller's scope."""

from datetime import timedelta

from attendance.persistence.models import Checkin
from attendance.usecases import overview
from attendance.usecases.common import Call
from common.principal import Principal

from ..conftest import PROJECT, SITE, START

NOON = START + timedelta(hours=4)  # 12:00 in Shangyu on the first day of construction


def checked_in(session, person_id: str, outcome: str, at=NOON) -> None:
    session.add(Checkin(project_id=PROJECT, person_id=person_id, client_request_id=f"{person_id}-{at.isoformat()}",
                        recorded_at=at, local_day=(at + timedelta(hours=8)).date(), outcome=outcome,
                        reason=None if outcome != "rejected" else "outside_geofence", flags=[], lat=SITE[0],
                        lng=SITE[1], accuracy_m=10, device_id=f"phone-{person_id}", client_time=at,
                        distance_outside_m=None))
    session.flush()


def as_user(session, user_id: str, at=NOON) -> Call:
    return Call(session, at, Principal(user_id=user_id, portal="zzd"))


def test_today_counts_who_checked_in_out_of_who_is_on_duty(session):
    checked_in(session, "pm", "accepted")
    checked_in(session, "safety", "flagged")
    checked_in(session, "chief-eng", "rejected")
    checked_in(session, "pm", "accepted", at=NOON - timedelta(days=1, hours=1))  # yesterday: not today's

    figure = overview.attendance_today(as_user(session, "line-head"))

    # The technical lead checks in only in the owner's phases (none declared): three are expected.
    assert figure == {"day": "2026-12-01", "expected": 3, "on_site": 2,
                      "projects": [{"project_id": PROJECT, "name": "堤防加固", "expected": 3, "on_site": 2}]}


def test_a_project_outside_the_callers_scope_is_not_counted(session):
    checked_in(session, "pm", "accepted")

    assert overview.attendance_today(as_user(session, "stranger")) == {
        "day": "2026-12-01", "expected": 0, "on_site": 0, "projects": []}
