"""What every use case of a service works with: the session, the platform time, the caller;
and how it validates a request, records the change and stages its events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from common import events
from common.audit import record_change
from common.errors import InvalidInput
from common.outbox import stage_event
from common.principal import Principal
from common.rule_settings import validation_details


@dataclass
class Call:
    session: Session
    now: datetime
    principal: Principal

    def record(self, action: str, entity_type: str, entity_id: str, *, before=None, after=None) -> None:
        record_change(self.session, principal=self.principal, at=self.now, action=action,
                      entity_type=entity_type, entity_id=entity_id, before=before, after=after)

    def emit(self, event_cls: type[events.Event], **fields) -> None:
        stage_event(self.session, event_cls(occurred_at=self.now, **fields))


def parse(model: type[BaseModel], data) -> BaseModel:
    """Validate a request; a bad one is an InvalidInput naming each field and its reason."""
    if not isinstance(data, dict):
        raise InvalidInput.field("body", "a JSON object is expected")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise InvalidInput("invalid request", validation_details(error)) from None
