"""RPC entrypoints of rule sets (Art. 7, 39)."""

from __future__ import annotations

from common.service import command, query
from scoring.usecases import rule_sets


class RuleSetEntrypoints:
    @query
    def list_rule_sets(self, call, industry: str | None = None, limit: int = 100, offset: int = 0) -> list[dict]:
        return rule_sets.list_rule_sets(call, industry, limit, offset)

    @query
    def get_rule_set(self, call, rule_set_id: str) -> dict:
        return rule_sets.get_rule_set(call, rule_set_id)

    @command
    def create_rule_set(self, call, data: dict) -> dict:
        return rule_sets.create_rule_set(call, data)

    @command
    def publish_rule_set(self, call, rule_set_id: str) -> dict:
        return rule_sets.publish_rule_set(call, rule_set_id)

    @query
    def preview_rule_set(self, call, rule_set_id: str, year: int | None = None, limit: int = 100,
                         offset: int = 0) -> list[dict]:
        return rule_sets.preview_rule_set(call, rule_set_id, year, limit, offset)

    @query
    def unmapped_warnings(self, call, limit: int = 100, offset: int = 0) -> list[dict]:
        return rule_sets.unmapped_warnings(call, limit, offset)
