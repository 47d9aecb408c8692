"""The rules of a deadline, the same in every service: plain Python, no SQL (the running engine
is :mod:`common.deadline_engine`).

A deadline has a start, **rungs** at offsets of active time (a reminder, a warning, an
escalation…) and **pauses** during which no time runs: the service's own (the workflow's project
suspensions) and the deadline's holds. A rung falls due once the active time since the start
reaches its offset; each rung fires once, in order.

A **rule** (:class:`DeadlineRule`) names the rule id, the article it serves, a summary and the
rungs. A service attaches its own data by subclassing it (a frozen dataclass), e.g. the unit that
must act::

    @dataclass(frozen=True)
    class CaseRule(DeadlineRule):
        step: str

:func:`with_length` and :func:`extended` keep the subclass and its data.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

Pause = tuple[datetime, datetime | None]  # (since, until); until None: still paused


@dataclass(frozen=True)
class Rung:
    name: str  # e.g. "reminder", "warning": unique within its rule, at most 16 characters
    after: timedelta  # of active time since the start


@dataclass(frozen=True)
class DeadlineRule:
    """A kind of deadline: its rule id (``art31.acceptance.government-small``), the article it
    serves, what is late when it falls due, and its rungs in the order they fall due."""

    rule_id: str
    article: str
    summary: str
    rungs: tuple[Rung, ...]


Rule = TypeVar("Rule", bound=DeadlineRule)


def days(n: float) -> timedelta:
    return timedelta(days=n)


def merged_pauses(pauses: Iterable[Pause], start: datetime) -> list[Pause]:
    """Pauses after ``start``, clipped to it, sorted and merged (overlaps count once)."""
    clipped = []
    for since, until in pauses:
        if until is not None and until <= start:
            continue
        clipped.append((max(since, start), until))
    clipped.sort(key=lambda pause: pause[0])
    merged: list[Pause] = []
    for since, until in clipped:
        if merged and (merged[-1][1] is None or since <= merged[-1][1]):
            last_since, last_until = merged[-1]
            merged[-1] = (last_since, None if until is None or last_until is None else max(last_until, until))
        else:
            merged.append((since, until))
    return merged


def due_at(start: datetime, offset: timedelta, pauses: Iterable[Pause] = ()) -> datetime | None:
    """When ``offset`` of active time has run since ``start``; None while a pause that began
    before then is still open (the due time is not known until the pause ends)."""
    due = start + offset
    for since, until in merged_pauses(pauses, start):
        if since >= due:
            break
        if until is None:
            return None
        due += until - since
    return due


def next_rung(rungs: Sequence[Rung], fired: set[str]) -> Rung | None:
    """The first rung not fired yet."""
    for rung in rungs:
        if rung.name not in fired:
            return rung
    return None


def next_due_at(rule: DeadlineRule, start: datetime, pauses: Iterable[Pause], fired: set[str]) -> datetime | None:
    """When the first rung not fired yet falls due; None when every rung fired, or while a pause
    before it is open."""
    rung = next_rung(rule.rungs, fired)
    return None if rung is None else due_at(start, rung.after, pauses)


def rungs_due(rule: DeadlineRule, start: datetime, pauses: Iterable[Pause], now: datetime,
              fired: set[str]) -> list[Rung]:
    """The rungs not yet fired whose time has come, in order."""
    pauses = list(pauses)
    due = []
    for rung in rule.rungs:
        if rung.name in fired:
            continue
        at = due_at(start, rung.after, pauses)
        if at is None or at > now:
            break
        due.append(rung)
    return due


def with_length(rule: Rule, length_days: int | None) -> Rule:
    """A deadline whose case sets its length (a notice's rectification period) has every rung
    fall due then; ``None`` keeps the rule's own offsets."""
    if length_days is None:
        return rule
    return dataclasses.replace(rule, rungs=tuple(Rung(rung.name, days(length_days)) for rung in rule.rungs))


def extended(rule: Rule, extra_days: int) -> Rule:
    """An extension granted moves every rung of the deadline by the days granted."""
    if not extra_days:
        return rule
    return dataclasses.replace(rule, rungs=tuple(Rung(rung.name, rung.after + days(extra_days))
                                                 for rung in rule.rungs))


def effective_rule(rule: Rule, length_days: int | None, extension_days: int) -> Rule:
    """The rule as one deadline runs it: its own length, if its case set one, and its extension."""
    return extended(with_length(rule, length_days), extension_days)
