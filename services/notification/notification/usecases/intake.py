"""Taking in what must be told: each consumed event becomes a notice, the domain names who must be
told and through which channels, and one delivery per recipient and channel is written — due at
once, or held for the person's digest (reminders). An event handled again writes nothing (the
inbox, and the unique key of each delivery)."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from common import events, registry_copy
from notification.domain import delivery as dl
from notification.domain import notices
from notification.domain.recipients import Notice, Person, channels_for, recipients
from notification.persistence.models import Delivery
from notification.usecases.common import Call, CopyDirectory

logger = logging.getLogger(__name__)


def warning_raised(call: Call, event: events.WarningRaised) -> list[str]:
    return notify(call, notices.of_warning(event))


def reminder_due(call: Call, event: events.ReminderDue) -> list[str]:
    return notify(call, notices.of_reminder(event))


def case_step_recorded(call: Call, event: events.CaseStepRecorded) -> list[str]:
    notice = notices.of_case_step(event)
    return [] if notice is None else notify(call, notice)


def checkins_flagged(call: Call, batch: list[events.CheckinFlagged]) -> list[str]:
    """The deliveries of the flagged check-ins of ``batch`` (Art. 26, 47)."""
    return [delivery for notice in map(notices.of_flagged_checkin, batch) for delivery in notify(call, notice)]


def notify(call: Call, notice: Notice) -> list[str]:
    """Write the deliveries of ``notice``; their ids."""
    rules = call.rules()
    placement = registry_copy.placement(call.session, notice.project_id) if notice.project_id else None
    people = recipients(notice, CopyDirectory(call.session), placement)
    if not people:
        logger.warning("no one to tell", extra={"event_key": notice.event_key, "project_id": notice.project_id,
                                                "must_act": notice.must_act})
        return []
    contacts = registry_copy.user_contacts(call.session, people)
    held = dl.goes_in_digest(notice.kind)
    due_at = dl.next_digest_at(call.now, rules) if held else call.now
    made = []
    for user_id in people:
        known = contacts.get(user_id)
        person = Person(user_id, known.zzd_account_id if known else None, known.zlb_user_id if known else None)
        for channel in channels_for(person, notice, rules):
            key = dl.dedup_key(notice.event_key, user_id, channel)
            if call.session.execute(sa.select(Delivery.id).where(Delivery.dedup_key == key)).first():
                continue
            delivery = Delivery(
                dedup_key=key, event_key=notice.event_key, kind=notice.kind, article=notice.article,
                project_id=notice.project_id, recipient_user_id=user_id, channel=channel,
                address=person.zzd_account_id if channel == "zzd" else person.zlb_user_id if channel == "zlb" else None,
                title=notice.title, text=notice.text, status=dl.Status.HELD if held else dl.Status.PENDING,
                attempts=0, next_attempt_at=due_at, created_at=call.now)
            call.session.add(delivery)
            call.session.flush()
            made.append(delivery.id)
            logger.info("delivery written", extra={"delivery_id": delivery.id, "event_key": notice.event_key,
                                                   "recipient_user_id": user_id, "channel": channel,
                                                   "held_for_digest": held})
    return made
