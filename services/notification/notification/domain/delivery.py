"""When a message goes out and what becomes of a failed one (Art. 29–30: the unit that must act is
told in time, Art. 8: the figures are settings).

* Warnings, case steps and attendance flags go at once; deadline reminders of one district day
  go to each person as one digest at the digest hour (``digest_hour``).
* A delivery is made once per event, recipient and channel (:func:`dedup_key`): the key is unique
  in the delivery log, and the same key is the message id the portal sees, so a resend after a
  fault the portal did not report is not delivered twice.
* A failed attempt is tried again after a wait that doubles (tenacity's exponential wait), up to
  ``max_attempts``; then the delivery is parked for the back office, which may resend it.
* The reason of a failed attempt is kept without a phone number in it (:func:`scrubbed`): a
  provider's refusal may quote the number it was sent, and the log is read by the back office.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum

from tenacity import RetryCallState, wait_exponential

from common.clock import DISTRICT_TZ, require_aware
from notification.domain.recipients import NoticeKind
from notification.domain.rules import NotificationRules


class Status(StrEnum):
    HELD = "held"  # a reminder waiting for its digest
    DIGESTED = "digested"  # a reminder that went out in a digest
    PENDING = "pending"  # due to be sent (again) at next_attempt_at
    SENT = "sent"
    PARKED = "parked"  # failed its last attempt; the back office may resend it


def dedup_key(event_key: str, user_id: str, channel: str) -> str:
    return f"{event_key}|{user_id}|{channel}"


def digest_key(user_id: str, channel: str, due_at: datetime) -> str:
    return dedup_key(f"digest:{require_aware(due_at).astimezone(DISTRICT_TZ).date().isoformat()}", user_id, channel)


def goes_in_digest(kind: NoticeKind) -> bool:
    return kind == NoticeKind.REMINDER


def next_digest_at(now: datetime, rules: NotificationRules) -> datetime:
    """The first digest hour of the district day at or after ``now``."""
    local = require_aware(now).astimezone(DISTRICT_TZ)
    at = datetime.combine(local.date(), time(rules.digest_hour), tzinfo=DISTRICT_TZ)
    return at if at >= local else at + timedelta(days=1)


@dataclass(frozen=True)
class AttemptOutcome:
    status: Status
    next_attempt_at: datetime | None


def after_failure(attempts: int, now: datetime, rules: NotificationRules) -> AttemptOutcome:
    """What follows the ``attempts``-th failed attempt: another one later, or parking."""
    if attempts >= rules.max_attempts:
        return AttemptOutcome(Status.PARKED, None)
    wait = wait_exponential(multiplier=rules.retry_initial_seconds, max=rules.retry_max_seconds)
    state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})
    state.attempt_number = attempts
    return AttemptOutcome(Status.PENDING, now + timedelta(seconds=wait(state)))


def digest_text(lines: list[str]) -> str:
    return "\n".join(f"{number}. {line}" for number, line in enumerate(lines, 1))


# A mobile number as the registry takes it (1 and ten digits), also with the country code.
_PHONE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1\d{10}(?!\d)")


def scrubbed(error: str) -> str:
    """The reason of a failed attempt without any phone number in it."""
    return _PHONE.sub("***", error)
