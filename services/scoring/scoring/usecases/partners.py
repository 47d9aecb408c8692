"""The outside systems' keys (Art. 37(3)): the back office creates one per system (audit, credit code,
tender) — shown once, kept as its SHA-256 only — and revokes it; every partner request presents its key,
which is checked here. A wrong or revoked key is refused."""

from __future__ import annotations

import logging
import secrets

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field

from common.clock import district_iso
from common.errors import IllegalStep, PermissionDenied
from common.usecase import parse
from scoring.persistence.models import PartnerKey
from scoring.usecases.common import Call, key_hash, not_found

logger = logging.getLogger(__name__)
KEY_PREFIX = "sk_"


class PartnerRegistration(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    system: str = Field(pattern="^(audit|credit_code|tender|other)$",
                        description="audit, credit_code (five-colour code), tender or other")


def _view(row: PartnerKey) -> dict:
    return {"id": row.id, "name": row.name, "system": row.system, "prefix": row.prefix,
            "created_by": row.created_by, "created_at": district_iso(row.created_at),
            "revoked_by": row.revoked_by, "revoked_at": district_iso(row.revoked_at)}


def _back_office(call: Call) -> None:
    if not call.principal.is_back_office:
        raise PermissionDenied("only the leading group's back office manages partner keys")


def create_partner(call: Call, data: dict) -> dict:
    _back_office(call)
    registration = parse(PartnerRegistration, data)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = PartnerKey(name=registration.name, system=registration.system, key_hash=key_hash(key),
                     prefix=key[:10], created_by=call.principal.user_id, created_at=call.now)
    call.session.add(row)
    call.session.flush()
    view = _view(row)
    call.record("partner_key.created", "partner_key", row.id, after=view)
    logger.info("partner key created", extra={"partner_id": row.id, "system": row.system})
    return {**view, "key": key}


def list_partners(call: Call, limit: int, offset: int) -> list[dict]:
    _back_office(call)
    rows = call.session.execute(sa.select(PartnerKey).order_by(PartnerKey.created_at, PartnerKey.id)
                                .limit(limit).offset(offset)).scalars()
    return [_view(row) for row in rows]


def revoke_partner(call: Call, partner_id: str) -> dict:
    _back_office(call)
    row = call.session.get(PartnerKey, partner_id)
    if row is None:
        raise not_found("partner", partner_id)
    if row.revoked_at is not None:
        raise IllegalStep(f"partner key {row.id} is revoked already")
    before = _view(row)
    row.revoked_by, row.revoked_at = call.principal.user_id, call.now
    call.session.flush()
    view = _view(row)
    call.record("partner_key.revoked", "partner_key", row.id, before=before, after=view)
    logger.info("partner key revoked", extra={"partner_id": row.id})
    return view
