"""Objections (Art. 37): a firm (or a key person) may contest a deduction of its own within the window
of the settings, with its reasons and files; the industry authority of the project's industry
decides; an upheld objection restores the points with a new entry, and the ledger keeps the entry,
the objection and the decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from scoring.domain.rules import ScoringRules


class ObjectionRefused(ValueError):
    def __init__(self, field: str, reason: str, *, not_found: bool = False):
        super().__init__(reason)
        self.field, self.reason, self.not_found = field, reason, not_found


@dataclass(frozen=True)
class EntryFacts:
    id: str
    subject_id: str
    points: Decimal
    recorded_at: datetime
    has_objection: bool
    restored: bool = False  # given back already (its warning found unsubstantiated)


def check_filing(entry: EntryFacts, own_subjects: frozenset[str], now: datetime, rules: ScoringRules) -> None:
    """Only a deduction of one's own, within the window, once (Art. 37)."""
    if entry.subject_id not in own_subjects:
        # someone else's entry: as if it did not exist
        raise ObjectionRefused("entry_id", "no such entry of yours", not_found=True)
    if entry.points >= 0:
        raise ObjectionRefused("entry_id", "only a deduction can be contested")
    if now > entry.recorded_at + timedelta(days=rules.objection_window_days):
        raise ObjectionRefused("entry_id", f"the objection window of {rules.objection_window_days} days has "
                                           "passed (Art. 37)")
    if entry.has_objection:
        raise ObjectionRefused("entry_id", "this entry is contested already")
    if entry.restored:
        raise ObjectionRefused("entry_id", "this deduction was given back already")


def restoration(entry_points: Decimal, upheld: bool) -> Decimal | None:
    """The points an upheld objection gives back (the deduction, in full); None when dismissed."""
    return -entry_points if upheld else None
