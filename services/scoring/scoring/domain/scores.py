"""Scores (Art. 7, 37): a score per subject per project, the annual composite of a subject across its
projects weighted by contract amount, and the five-colour code (五色码, Art. 37(3)).

The composite of subject ``f`` in year ``y`` (README.md, "Scoring")::

    s(p) = min(base, max(0, base + Σ points of f's entries on p in y))     (points < 0 deduct, > 0 restore)
    w(p) = max(contract amount of p, minimum_weight_yuan)
    composite(f, y) = Σ_p w(p)·s(p) / Σ_p w(p)

over every project ``p`` that ``f`` takes part in (as a participating firm, as its owner) or has an
entry on in ``y``. A subject with no project scores ``base``. The same formula runs set-based in
:func:`scoring.persistence.queries.recompute_composites` (an interface test checks both agree).

What the outside systems' feed carries (Art. 37(3)) is decided by :func:`changed_subjects`: a subject
whose composite or colour is not what it was — whatever recomputed it (a ledger entry, the hourly
recomputation, new bands or base score) — or whose project score a ledger entry moved; never a
subject whose standing stayed the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from scoring.domain.rules import ScoringRules

Colour = Literal["green", "blue", "yellow", "orange", "red"]
COLOURS: tuple[Colour, ...] = ("green", "blue", "yellow", "orange", "red")
PLACES = Decimal("0.01")


def project_score(points: Iterable[Decimal], rules: ScoringRules) -> Decimal:
    """A subject's score on one project in one year: the base plus its entries, within 0..base."""
    total = rules.base_score + sum((Decimal(point) for point in points), Decimal(0))
    return min(rules.base_score, max(Decimal(0), total)).quantize(PLACES, ROUND_HALF_UP)


def composite(project_scores: Iterable[tuple[Decimal, Decimal | None]], rules: ScoringRules) -> Decimal:
    """The annual composite from (project score, contract amount) pairs, weighted by contract amount."""
    weighted = total_weight = Decimal(0)
    for score, amount in project_scores:
        weight = max(Decimal(amount or 0), rules.minimum_weight_yuan)
        weighted += weight * Decimal(score)
        total_weight += weight
    if total_weight == 0:
        return rules.base_score.quantize(PLACES)
    return (weighted / total_weight).quantize(PLACES, ROUND_HALF_UP)


def colour(score: Decimal, rules: ScoringRules) -> Colour:
    """The five-colour code of a score, by the bands of the settings (Art. 37(3))."""
    if score >= rules.green_min:
        return "green"
    if score >= rules.blue_min:
        return "blue"
    if score >= rules.yellow_min:
        return "yellow"
    if score >= rules.orange_min:
        return "orange"
    return "red"


@dataclass(frozen=True)
class Standing:
    """A subject's annual composite and colour as stored."""

    subject_kind: str
    composite: Decimal
    colour: Colour


def changed_subjects(before: Mapping[str, Standing], after: Mapping[str, Standing],
                     rescored: Iterable[str] = ()) -> list[str]:
    """The subjects of ``after`` whose composite or colour differs from ``before`` (one scored for the
    first time too), and those of ``rescored`` (a project score of theirs moved), in subject order."""
    moved = set(rescored)

    def differs(subject: str, now: Standing) -> bool:
        was = before.get(subject)
        return was is None or (Decimal(was.composite).quantize(PLACES), was.colour) != \
            (Decimal(now.composite).quantize(PLACES), now.colour)

    return sorted(subject for subject, now in after.items() if subject in moved or differs(subject, now))
