"""The append-only audit trail: who changed what, when by the platform clock, from which
portal, with the state before and after. The database refuses updates and deletes of it."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from common.clock import district_iso
from common.contracts.types import PlatformDateTime, RowId
from common.principal import Principal
from common.schema import audit_entry


def record_change(
    session: Session,
    *,
    principal: Principal,
    at: datetime,
    action: str,
    entity_type: str,
    entity_id: str,
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    session.execute(
        sa.insert(audit_entry).values(
            occurred_at=at,
            principal_id=principal.user_id,
            portal=principal.portal,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            before=before,
            after=after,
        )
    )


class AuditQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The bounds of the columns they are compared with: a longer value matches nothing, and a
    # number past the id column's range would overflow in the database.
    entity_type: str | None = Field(None, max_length=50)
    entity_id: str | None = Field(None, max_length=64)
    principal_id: str | None = Field(None, max_length=64)
    action: str | None = Field(None, max_length=100)
    since: PlatformDateTime | None = None
    until: PlatformDateTime | None = None
    limit: int = Field(100, ge=1, le=1000)
    before_id: RowId | None = Field(None, description="Page backwards from this entry id.")


def query_trail(session: Session, query: AuditQuery) -> list[dict]:
    statement = sa.select(audit_entry).order_by(audit_entry.c.id.desc()).limit(query.limit)
    for column in ("entity_type", "entity_id", "principal_id", "action"):
        value = getattr(query, column)
        if value is not None:
            statement = statement.where(audit_entry.c[column] == value)
    if query.since is not None:
        statement = statement.where(audit_entry.c.occurred_at >= query.since)
    if query.until is not None:
        statement = statement.where(audit_entry.c.occurred_at < query.until)
    if query.before_id is not None:
        statement = statement.where(audit_entry.c.id < query.before_id)
    return [{**row._asdict(), "occurred_at": district_iso(row.occurred_at)} for row in session.execute(statement)]
