"""RPC entrypoints of the outside systems' keys (Art. 37(3))."""

from __future__ import annotations

from common.service import command, query
from scoring.usecases import common, partners


class PartnerEntrypoints:
    @command
    def create_partner(self, call, data: dict) -> dict:
        return partners.create_partner(call, data)

    @query
    def list_partners(self, call, limit: int = 100, offset: int = 0) -> list[dict]:
        return partners.list_partners(call, limit, offset)

    @command
    def revoke_partner(self, call, partner_id: str) -> dict:
        return partners.revoke_partner(call, partner_id)

    @query
    def authenticate_partner(self, call, key: str) -> dict:
        return common.authenticate(call, key)
