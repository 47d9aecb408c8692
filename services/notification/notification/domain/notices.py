"""What each consumed event tells, and to whom it is addressed (Art. 8, 26, 29–30, 42, 47): a
warning (attendance, Art. 26, 42, 47; the workflow's deadlines, Art. 29–30), a deadline reminder,
a case step that hands the case to a unit or reminds it (Art. 10, 29–30), a flagged check-in
(Art. 26, 47). Texts carry no personal data beyond what the event itself says.

Every step word of the case contract (``common.events.CaseStep``) is in :data:`CASE_STEPS`: told
at once to the unit that must act next (dispatched down the chain, sent back up as not ours,
returned by the level above, escalated to it past a limit, triaged, reported for verification),
told in the day's digest (reminded: half-way through a step's limit), or told no one (a step the
unit took itself, a closing).
"""

from __future__ import annotations

from common import events
from common.clock import DISTRICT_TZ
from notification.domain.recipients import Notice, NoticeKind

# Case step word -> how the unit that must act next is told (None: not told), and the notice's title.
CASE_STEPS: dict[str, tuple[NoticeKind | None, str]] = {
    "received": (None, "已收到"),
    "triaged": (NoticeKind.CASE_STEP, "已分类交你单位，请受理"),
    "dispatched": (NoticeKind.CASE_STEP, "已派发给你单位，请受理"),
    "accepted": (None, "已受理"),
    "not_ours": (NoticeKind.CASE_STEP, "下级单位称非本单位职责，已退回你单位"),
    "handled": (None, "已办理"),
    "reported": (NoticeKind.CASE_STEP, "下级单位已上报办理结果，请核实"),
    "verified": (None, "已核实"),
    "returned": (NoticeKind.CASE_STEP, "上级单位核实未通过，已退回重办"),
    "escalated": (NoticeKind.CASE_STEP, "下级单位超过办理时限，已升级由你单位办理"),
    "closed": (None, "已办结"),
    "reminded": (NoticeKind.REMINDER, "办理时限已过半，请及时办理"),
}


def of_warning(event: events.WarningRaised) -> Notice:
    return Notice(event_key=f"{event.event_type}:{event.event_id}", kind=NoticeKind.WARNING, article=event.article,
                  title=f"预警 {event.rule_id} ({event.article})", text=event.summary, project_id=event.project_id,
                  must_act=event.must_act, person_id=event.person_id)


def of_reminder(event: events.ReminderDue) -> Notice:
    return Notice(event_key=f"{event.event_type}:{event.event_id}", kind=NoticeKind.REMINDER, article=event.article,
                  title=f"期限提醒 {event.rule_id} ({event.article})", text=event.summary,
                  project_id=event.project_id, must_act=event.must_act)


def opens_a_warnings_case(event: events.CaseStepRecorded) -> bool:
    """The platform's own dispatch of a warning's case as it opens: the unit was told of the
    warning itself, and is not told the same thing twice."""
    return (event.kind == "warning" and event.step == "dispatched" and event.acting_unit_id is None
            and event.by_user_id is None)


def of_case_step(event: events.CaseStepRecorded) -> Notice | None:
    """The notice of a case step to the unit that must act next (Art. 10, 29–30); None when the step
    tells no one (:data:`CASE_STEPS`), names no unit that must act next, or only opens a warning's
    case (:func:`opens_a_warnings_case`)."""
    kind, words = CASE_STEPS[event.step]
    if kind is None or not event.next_unit_id or opens_a_warnings_case(event):
        return None
    text = event.summary
    if event.due_at is not None:
        text += f"（办理时限 {event.due_at.astimezone(DISTRICT_TZ):%Y-%m-%d %H:%M}）"
    return Notice(event_key=f"{event.event_type}:{event.event_id}", kind=kind, article="Art. 10, 29–30",
                  title=f"案件 {event.case_id}: {words}", text=text, project_id=event.project_id,
                  must_act=event.next_unit_id)


def of_flagged_checkin(event: events.CheckinFlagged) -> Notice:
    """The notice of a flagged check-in to the owner's side (Art. 26, 47); one per check-in, whatever
    event announced it (``checkin.recorded`` did, before ``checkin.flagged``)."""
    return Notice(event_key=f"checkin:{event.checkin_id}", kind=NoticeKind.ATTENDANCE_FLAG,
                  article="Art. 26, 47", title="考勤异常",
                  text=f"check-in {event.checkin_id} of {event.person_id} flagged: {', '.join(event.flags)}",
                  project_id=event.project_id, person_id=event.person_id)
