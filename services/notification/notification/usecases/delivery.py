"""Sending what is due, at the platform time: the digests of the reminders whose hour came, then
every delivery due, each attempt logged; a failed one tried again later with a growing wait, then
parked (counted in a metric) for the back office, which lists the log and resends a parked one."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from itertools import groupby

import sqlalchemy as sa
from sqlalchemy.orm import Session

from common.clock import district_iso
from common.contracts.types import check_paging
from common.errors import IllegalStep, InvalidInput, NotFound
from notification.channels import ChannelFault, Outgoing, PhoneLookup
from notification.domain import delivery as dl
from notification.domain.rules import NotificationRules
from notification.persistence.models import Delivery, DeliveryAttempt
from notification.usecases.common import MESSAGES, RULES, Call

logger = logging.getLogger(__name__)

BATCH = 50
MAX_PAGE = 200


def catch_up_step(session: Session, now: datetime, channels, phone_of: PhoneLookup) -> bool:
    """Make the digests that fell due and send one batch of due deliveries; True when none is left.

    Each delivery is claimed, sent and its outcome written in transactions of its own (see
    :func:`attempt`): one that fails, whatever the reason, is a failed attempt of that one delivery,
    and neither undoes what went out before it nor keeps the ones after it from going."""
    rules = RULES.get(session)
    make_digests(session, now)
    session.commit()
    due = session.execute(
        sa.select(Delivery.id).where(Delivery.status == dl.Status.PENDING, Delivery.next_attempt_at <= now)
        .order_by(Delivery.next_attempt_at, Delivery.id).limit(BATCH)).scalars().all()
    for delivery_id in due:
        attempt(session, delivery_id, now, channels, phone_of, rules)
    return len(due) < BATCH


def caught_up(session: Session, now: datetime) -> bool:
    waiting = sa.select(Delivery.id).where(Delivery.status.in_([dl.Status.PENDING, dl.Status.HELD]),
                                           Delivery.next_attempt_at <= now).limit(1)
    return session.execute(waiting).first() is None


def make_digests(session: Session, now: datetime) -> None:
    """One digest per person, channel and digest time of the reminders held until it."""
    held = session.execute(
        sa.select(Delivery).where(Delivery.status == dl.Status.HELD, Delivery.next_attempt_at <= now)
        .order_by(Delivery.recipient_user_id, Delivery.channel, Delivery.next_attempt_at, Delivery.created_at)
        .with_for_update(skip_locked=True)).scalars().all()
    for (user_id, channel, due_at), group in groupby(held, lambda d: (d.recipient_user_id, d.channel,
                                                                      d.next_attempt_at)):
        reminders = list(group)
        base = dl.digest_key(user_id, channel, due_at)
        earlier = session.execute(sa.select(sa.func.count()).select_from(Delivery)
                                  .where(Delivery.dedup_key.like(base + "%"))).scalar()
        digest = Delivery(
            dedup_key=base if not earlier else f"{base}#{earlier}", event_key=base.split("|")[0], kind="digest",
            article=", ".join(sorted({reminder.article for reminder in reminders}))[:64],
            project_id=None, recipient_user_id=user_id, channel=channel, address=reminders[0].address,
            title=f"今日期限提醒 ({len(reminders)})", text=dl.digest_text([r.title + ": " + r.text for r in reminders]),
            status=dl.Status.PENDING, attempts=0, next_attempt_at=due_at, created_at=now)
        session.add(digest)
        session.flush()
        for reminder in reminders:
            reminder.status, reminder.digest_id = dl.Status.DIGESTED, digest.id
        logger.info("digest written", extra={"delivery_id": digest.id, "recipient_user_id": user_id,
                                             "channel": channel, "reminders": len(reminders)})


def attempt(session: Session, delivery_id: str, now: datetime, channels, phone_of: PhoneLookup,
            rules: NotificationRules) -> None:
    """One attempt of a due delivery, logged with its outcome, in two commits.

    First the attempt is claimed: counted, and the delivery put off until the wait after a failed
    attempt, so that no other worker takes it meanwhile and a crash while it is sent leaves a trace
    (the count, ``last_error``) and a later attempt, with the same message id, which the portals
    deliver once. Then it is sent, and what came of it is written. Any error of the send (the
    portal's, or the phone lookup's: a timeout, an unknown user) is a failed attempt, its reason
    kept without phone numbers."""
    delivery = session.execute(
        sa.select(Delivery).where(Delivery.id == delivery_id, Delivery.status == dl.Status.PENDING,
                                  Delivery.next_attempt_at <= now)
        .with_for_update(skip_locked=True)).scalar_one_or_none()
    if delivery is None:  # taken by another worker, or no longer due
        session.rollback()
        return
    delivery.attempts += 1
    attempts = delivery.attempts
    delivery.next_attempt_at = _claimed_until(attempts, now, rules)
    delivery.last_error = f"attempt {attempts} under way since {district_iso(now)}; its outcome was not recorded"
    outgoing = Outgoing(delivery.id, delivery.channel, delivery.recipient_user_id, delivery.address,
                        delivery.title, delivery.text)
    extra = {"delivery_id": delivery.id, "recipient_user_id": delivery.recipient_user_id,
             "channel": delivery.channel, "event_key": delivery.event_key, "attempts": attempts}
    session.commit()
    try:
        channels.send(outgoing, phone_of)
    except Exception as fault:  # whatever went wrong, this delivery's attempt failed
        reason = str(fault) if isinstance(fault, ChannelFault) else f"{type(fault).__name__}: {fault}"
        _failed(session, delivery_id, attempts, now, rules, dl.scrubbed(reason)[:500], extra)
        return
    delivery = session.get(Delivery, delivery_id, with_for_update=True)
    delivery.status, delivery.sent_at, delivery.next_attempt_at, delivery.last_error = (
        dl.Status.SENT, now, None, None)
    session.add(DeliveryAttempt(delivery_id=delivery_id, at=now, outcome="sent"))
    session.commit()
    MESSAGES.labels(outgoing.channel, "sent").inc()
    logger.info("delivery sent", extra=extra)


def _claimed_until(attempts: int, now: datetime, rules: NotificationRules) -> datetime:
    """When a claimed attempt whose outcome never got written is made again: the wait after a failed
    one (after the last one, the longest wait; a failure then parks it)."""
    outcome = dl.after_failure(attempts, now, rules)
    return outcome.next_attempt_at or now + timedelta(seconds=rules.retry_max_seconds)


def _failed(session: Session, delivery_id: str, attempts: int, now: datetime, rules: NotificationRules,
            error: str, extra: dict) -> None:
    session.rollback()  # nothing of the send is kept but its outcome
    delivery = session.get(Delivery, delivery_id, with_for_update=True)
    outcome = dl.after_failure(attempts, now, rules)
    delivery.status, delivery.next_attempt_at, delivery.last_error = outcome.status, outcome.next_attempt_at, error
    session.add(DeliveryAttempt(delivery_id=delivery_id, at=now, outcome="failed", error=error))
    session.commit()
    MESSAGES.labels(extra["channel"], "failed").inc()
    extra = {**extra, "error": error}
    if outcome.status == dl.Status.PARKED:
        MESSAGES.labels(extra["channel"], "parked").inc()
        logger.error("delivery parked after its last attempt", extra=extra)
    else:
        logger.warning("delivery failed; tried again later",
                       extra={**extra, "next_attempt_at": district_iso(outcome.next_attempt_at)})


# --- the back office ----------------------------------------------------------------------------------------------


def view(delivery: Delivery) -> dict:
    """A delivery as the back office sees it: ids, the channel's recipient id (never a phone) and the
    title, not the text (which may quote what an event says of a person)."""
    return {"id": delivery.id, "event_key": delivery.event_key, "kind": delivery.kind, "article": delivery.article,
            "project_id": delivery.project_id, "recipient_user_id": delivery.recipient_user_id,
            "channel": delivery.channel, "address": delivery.address, "title": delivery.title,
            "status": delivery.status, "attempts": delivery.attempts,
            "next_attempt_at": district_iso(delivery.next_attempt_at), "digest_id": delivery.digest_id,
            "last_error": delivery.last_error, "created_at": district_iso(delivery.created_at),
            "sent_at": district_iso(delivery.sent_at)}


def list_deliveries(call: Call, status: str | None = None, recipient_user_id: str | None = None,
                    limit: int = 50, offset: int = 0) -> list[dict]:
    call.require_back_office()
    check_paging(limit, offset, max_limit=MAX_PAGE)
    statement = sa.select(Delivery).order_by(Delivery.created_at.desc(), Delivery.id).limit(limit).offset(offset)
    if status is not None:
        if status not in {str(known) for known in dl.Status}:
            raise InvalidInput.field("status", f"one of {', '.join(dl.Status)}")
        statement = statement.where(Delivery.status == status)
    if recipient_user_id is not None:
        statement = statement.where(Delivery.recipient_user_id == recipient_user_id)
    return [view(delivery) for delivery in call.session.execute(statement).scalars()]


def get_delivery(call: Call, delivery_id: str) -> dict:
    call.require_back_office()
    delivery = call.session.get(Delivery, delivery_id)
    if delivery is None:
        raise NotFound(f"delivery {delivery_id} not found")
    attempts = call.session.execute(sa.select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == delivery_id)
                                    .order_by(DeliveryAttempt.id)).scalars()
    return {**view(delivery), "attempt_log": [{"at": district_iso(row.at), "outcome": row.outcome, "error": row.error}
                                              for row in attempts]}


def resend(call: Call, delivery_id: str) -> dict:
    """Put a parked delivery back in line, with its attempts counted afresh; it keeps its id, so the
    portal does not deliver it twice if an earlier attempt did reach it."""
    call.require_back_office()
    delivery = call.session.get(Delivery, delivery_id, with_for_update=True)
    if delivery is None:
        raise NotFound(f"delivery {delivery_id} not found")
    if delivery.status != dl.Status.PARKED:
        raise IllegalStep(f"only a parked delivery can be resent; this one is {delivery.status}")
    before = view(delivery)
    delivery.status, delivery.attempts, delivery.next_attempt_at = dl.Status.PENDING, 0, call.now
    call.session.add(DeliveryAttempt(delivery_id=delivery.id, at=call.now, outcome="resend"))
    call.record("resend", "delivery", delivery.id, before=before, after=view(delivery))
    logger.info("parked delivery resent", extra={"delivery_id": delivery.id, "principal": call.principal.user_id})
    return view(delivery)
