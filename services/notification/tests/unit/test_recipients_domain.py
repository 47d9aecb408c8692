"""Who must be told and through which channel (Art. 8, 19–21, 26, 29–30, 42, 47)."""

from dataclasses import dataclass

from common.contracts.registry import Post, UnitKind
from notification.domain.recipients import (
    Channel,
    Notice,
    NoticeKind,
    Person,
    acting_unit,
    channels_for,
    recipients,
)
from notification.domain.rules import NotificationRules

KINDS = {"owner": UnitKind.OWNER, "line": UnitKind.LINE, "su": UnitKind.SUPERVISING_UNIT,
         "contractor": UnitKind.CONTRACTOR, "authority": UnitKind.INDUSTRY_AUTHORITY}
HOLDERS = {("owner", Post.CHIEF): ["owner-chief"], ("line", Post.LINE_HEAD): ["line-head"],
           ("line", Post.CHIEF): ["line-chief"], ("su", Post.CHIEF): ["su-chief"],
           ("contractor", Post.CHIEF): ["contractor-chief"], ("authority", Post.CHIEF): ["authority-chief"]}


class Directory:
    def unit_kind(self, unit_id):
        return KINDS.get(unit_id)

    def holders(self, unit_id, posts):
        return sorted({user for post in posts for user in HOLDERS.get((unit_id, post), [])})


@dataclass(frozen=True)
class Placement:
    owner_id: str | None = "owner"
    line_id: str | None = "line"
    supervising_unit_id: str | None = "su"
    owner_project_lead_id: str | None = "lead"

    def firm_of(self, role):
        return "contractor" if role == "contractor" else None


def notice(kind=NoticeKind.WARNING, must_act=None, person_id=None):
    return Notice(event_key="e", kind=kind, article="Art. 26", title="t", text="x", project_id="p",
                  must_act=must_act, person_id=person_id)


def test_an_owner_warning_tells_the_owners_chief_and_the_projects_lead():
    assert recipients(notice(must_act="owner"), Directory(), Placement()) == ["lead", "owner-chief"]
    assert recipients(notice(must_act="owner"), Directory(), Placement(owner_project_lead_id=None)) == ["owner-chief"]


def test_a_line_is_told_through_its_head_not_its_chief():
    assert recipients(notice(must_act="line"), Directory(), Placement()) == ["line-head"]


def test_a_firm_is_told_through_its_chief_and_the_key_person_the_warning_names():
    assert recipients(notice(must_act="contractor", person_id="pm"), Directory(), Placement()) == [
        "contractor-chief", "pm"]
    assert recipients(notice(must_act="contractor"), Directory(), Placement()) == ["contractor-chief"]


def test_a_unit_id_of_any_other_kind_tells_its_chief():
    assert recipients(notice(must_act="authority"), Directory(), None) == ["authority-chief"]


def test_a_role_is_no_one_while_the_project_is_not_placed():
    assert acting_unit("owner", None) is None
    assert recipients(notice(must_act="owner"), Directory(), None) == []


def test_a_case_step_tells_the_unit_that_must_act_next():
    assert recipients(notice(NoticeKind.CASE_STEP, must_act="su"), Directory(), Placement()) == ["su-chief"]


def test_a_flagged_checkin_tells_the_owners_project_lead_or_else_its_chief():
    assert recipients(notice(NoticeKind.ATTENDANCE_FLAG), Directory(), Placement()) == ["lead"]
    assert recipients(notice(NoticeKind.ATTENDANCE_FLAG), Directory(),
                      Placement(owner_project_lead_id=None)) == ["owner-chief"]


def test_each_person_is_reached_on_their_portal_and_by_sms_when_no_portal_reaches_them():
    rules = NotificationRules()
    staff, firm, offline = Person("a", "zzd-1", None), Person("b", None, "zlb-1"), Person("c", None, None)
    assert channels_for(staff, notice(), rules) == [Channel.ZZD]
    assert channels_for(firm, notice(), rules) == [Channel.ZLB]
    assert channels_for(offline, notice(), rules) == [Channel.SMS]
    assert channels_for(offline, notice(), rules.model_copy(update={"sms_enabled": False})) == []
    urgent = rules.model_copy(update={"sms_for_urgent": True})
    assert channels_for(staff, notice(), urgent) == [Channel.ZZD, Channel.SMS]
    assert channels_for(staff, notice(NoticeKind.REMINDER), urgent) == [Channel.ZZD]
    assert channels_for(staff, notice(), rules.model_copy(update={"zzd_enabled": False})) == [Channel.SMS]
