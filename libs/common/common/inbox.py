"""The inbox: a handler acts on an event once, however often the broker delivers it."""

from __future__ import annotations

import functools
import logging

import sqlalchemy as sa
from nameko.events import event_handler
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError, OperationalError
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_random

from common import metrics
from common.events import EVENT_TYPES, WARNING_EVENTS
from common.schema import dead_letter, inbox_message

logger = logging.getLogger(__name__)


def first_delivery(session, event_id: str, handler: str, now) -> bool:
    """Record that ``handler`` handles ``event_id`` in the current transaction; False when it
    already has (a redelivery), in which case the handler must change nothing."""
    seen = session.execute(
        sa.select(inbox_message.c.event_id).where(
            inbox_message.c.event_id == event_id, inbox_message.c.handler == handler
        )
    ).first()
    if seen:
        return False
    session.execute(sa.insert(inbox_message).values(event_id=event_id, handler=handler, handled_at=now))
    return True


def keep_aside(unit_of_work, service_name: str, event_cls, payload, error: Exception, now) -> None:
    unit_of_work.rollback()
    unit_of_work.session.execute(sa.insert(dead_letter).values(
        source=event_cls.source, event_type=event_cls.event_type,
        payload=payload if isinstance(payload, dict) else {"raw": repr(payload)}, error=str(error)[:4000],
        received_at=now))
    unit_of_work.commit()
    metrics.EVENTS_DEAD_LETTERED.labels(service_name, event_cls.event_type).inc()
    logger.error("event kept aside: it breaks its contract", extra={"service": service_name,
                                                                    "event_type": event_cls.event_type})


def _handle_once(service, method, event, unit_of_work, clock_attr: str, handler_name: str):
    service_name = type(service).name
    now = getattr(service, clock_attr).now()
    if not first_delivery(unit_of_work.session, str(event.event_id), handler_name, now):
        logger.info("duplicate event skipped", extra={"service": service_name, "event_id": str(event.event_id),
                                                     "event_type": event.event_type})
        metrics.EVENTS_HANDLED.labels(service_name, event.event_type, "duplicate").inc()
        return None
    result = method(service, event)
    unit_of_work.commit()
    metrics.EVENTS_HANDLED.labels(service_name, event.event_type, "handled").inc()
    return result


def handles(event_cls, *, database_attr: str = "db", clock_attr: str = "clock", **handler_options):
    """Make a service method an idempotent handler of ``event_cls``.

    The method receives the validated event and runs only on the first delivery of its
    ``event_id``; the inbox row and the method's changes commit together.
    """
    if event_cls.event_type not in EVENT_TYPES and event_cls not in WARNING_EVENTS.values():
        raise ValueError(f"{event_cls.__name__} is not listed in common.events.EVENT_TYPES")

    def decorate(method):
        handler_name = f"{method.__qualname__}"

        @functools.wraps(method)
        def wrapper(self, payload):
            unit_of_work = getattr(self, database_attr)
            try:
                event = event_cls.model_validate(payload)
            except ValidationError as error:
                # No retry can mend a message that breaks its contract: keep it aside for people.
                keep_aside(unit_of_work, type(self).name, event_cls, payload, error, getattr(self, clock_attr).now())
                return None
            # Two handlers writing the same rows at once (events arrive concurrently) conflict
            # now and then; the loser rolls back and runs again, so no fact is dropped.
            for attempt in Retrying(retry=retry_if_exception_type((IntegrityError, OperationalError)),
                                    stop=stop_after_attempt(5), wait=wait_random(0.01, 0.2), reraise=True):
                with attempt:
                    try:
                        result = _handle_once(self, method, event, unit_of_work, clock_attr, handler_name)
                    except Exception:
                        unit_of_work.rollback()
                        raise
            return result

        # A handler that still fails after its retries (the database is down, say) gives the
        # message back to the broker, so that no fact is dropped.
        handler_options.setdefault("requeue_on_error", True)
        return event_handler(event_cls.source, event_cls.event_type, **handler_options)(wrapper)

    return decorate
