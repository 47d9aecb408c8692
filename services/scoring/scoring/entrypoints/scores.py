"""RPC entrypoints of scores and the feed (Art. 37)."""

from __future__ import annotations

from common.service import query
from common.timer import timer
from scoring.usecases import scores


class ScoreEntrypoints:
    @query
    def list_scores(self, call, subject: str | None = None, year: int | None = None, kind: str | None = None,
                    limit: int = 100, offset: int = 0, colour: str | None = None) -> list[dict]:
        return scores.list_scores(call, subject, year, kind, limit, offset, colour)

    @query
    def subject_ledger(self, call, subject_id: str, year: int | None = None, limit: int = 100,
                       offset: int = 0) -> list[dict]:
        return scores.subject_ledger(call, subject_id, year, limit, offset)

    @query
    def my_scores(self, call, year: int | None = None, limit: int = 100, offset: int = 0) -> dict:
        return scores.my_scores(call, year, limit, offset)

    @query
    def partner_scores(self, call, key: str, year: int | None = None, kind: str | None = None, limit: int = 100,
                       offset: int = 0) -> list[dict]:
        return scores.partner_scores(call, key, year, kind, limit, offset)

    @query
    def partner_subject(self, call, key: str, subject_id: str, year: int | None = None) -> dict:
        return scores.partner_subject(call, key, subject_id, year)

    @query
    def partner_ledger(self, call, key: str, subject_id: str, year: int | None = None, limit: int = 100,
                       offset: int = 0) -> list[dict]:
        return scores.partner_ledger(call, key, subject_id, year, limit, offset)

    @query
    def score_changes(self, call, key: str, after: int = 0, limit: int = 100) -> dict:
        return scores.score_changes(call, key, after, limit)

    @timer(interval=3600, eager=True)
    def recompute_composites(self):
        """Every hour (and at start) every composite of the year, for firms with no entry yet too; what
        moved goes on the feed."""
        scores.recompute_year(self._call(), None)
        self.db.commit()

    def rule_settings_changed(self, rules):
        """New bands or base score (PUT /admin/v1/settings/scoring): rescored and on the feed at once."""
        scores.settings_changed(self._call(), rules)
