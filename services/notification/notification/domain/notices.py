"""What each consumed event tells, and to whom it is addressed (Art. 8, 26, 29–30, 42, 47): a
warning (attendance, Art. 26, 42, 47; the workflow's deadlines, Art. 29–30), a deadline reminder,
a case step that hands the case to a unit (dispatched, passed down, returned, escalated — Art.
29–30), a flagged check-in (Art. 26, 47). Texts carry no personal data beyond what the event
itself says."""

from __future__ import annotations

from common import events
from notification.domain.recipients import Notice, NoticeKind

# Case steps that hand the case to the next unit, which must be told.
HANDING_STEPS = frozenset({"dispatched", "passed_down", "returned", "escalated", "triaged", "reported"})


def of_warning(event: events.WarningRaised) -> Notice:
    return Notice(event_key=f"{event.event_type}:{event.event_id}", kind=NoticeKind.WARNING, article=event.article,
                  title=f"预警 {event.rule_id} ({event.article})", text=event.summary, project_id=event.project_id,
                  must_act=event.must_act, person_id=event.person_id)


def of_reminder(event: events.ReminderDue) -> Notice:
    return Notice(event_key=f"{event.event_type}:{event.event_id}", kind=NoticeKind.REMINDER, article=event.article,
                  title=f"期限提醒 {event.rule_id} ({event.article})", text=event.summary,
                  project_id=event.project_id, must_act=event.must_act)


def of_case_step(event: events.CaseStepRecorded) -> Notice | None:
    """None when the step hands the case to no one (a step the unit took itself, a closing)."""
    if not event.next_unit_id or event.step not in HANDING_STEPS:
        return None
    return Notice(event_key=f"{event.event_type}:{event.event_id}", kind=NoticeKind.CASE_STEP, article="Art. 29–30",
                  title=f"案件 {event.case_id}: {event.step}", text=event.summary, project_id=event.project_id,
                  must_act=event.next_unit_id)


def of_checkin(event: events.CheckinRecorded) -> Notice | None:
    """None for an accepted check-in."""
    if event.outcome != "flagged":
        return None
    return Notice(event_key=f"{event.event_type}:{event.event_id}", kind=NoticeKind.ATTENDANCE_FLAG,
                  article="Art. 26, 47", title="考勤异常",
                  text=f"check-in {event.checkin_id} of {event.person_id} flagged: {', '.join(event.flags)}",
                  project_id=event.project_id, person_id=event.person_id)
