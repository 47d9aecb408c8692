"""The deadline engine's rules (Art. 22–24, 28, 31, 32, 35, 45, 46): every deadline has a start, rungs
at offsets of active time (a reminder, a warning), and pauses during which no time runs — the
project's suspensions (Art. 35), and the deadline's own holds (a supervision notice's
rectification stands still while the contractor's answer awaits the supervisor, Art. 45). A rung
falls due once the active time since the start reaches its offset; each rung fires once.

A rule names the role of the project that must act; a deadline whose case names the unit
responsible (a notice names its contractor and its supervisor) warns that unit instead, so that
a project with two firms of a role warns the right one."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from common.scope import PARTICIPANT_ROLES
from workflow.domain.rules import WorkflowRules

Pause = tuple[datetime, datetime | None]  # (since, until); until None: still paused


@dataclass(frozen=True)
class Rung:
    name: str  # "reminder" or "warning"
    after: timedelta


@dataclass(frozen=True)
class DeadlineRule:
    rule_id: str
    article: str
    summary: str
    must_act: str  # the role of the project that must act, e.g. "owner"
    rungs: tuple[Rung, ...]

    @property
    def warns_a_firm(self) -> bool:
        """Whether the unit that must act is a participating firm (its warning names the firm)."""
        return self.must_act in PARTICIPANT_ROLES


def _merged(pauses: Iterable[Pause], start: datetime) -> list[tuple[datetime, datetime | None]]:
    """Pauses after ``start``, clipped to it, sorted and merged."""
    clipped = []
    for since, until in pauses:
        if until is not None and until <= start:
            continue
        clipped.append((max(since, start), until))
    clipped.sort(key=lambda pause: pause[0])
    merged: list[tuple[datetime, datetime | None]] = []
    for since, until in clipped:
        if merged and (merged[-1][1] is None or since <= merged[-1][1]):
            last_since, last_until = merged[-1]
            merged[-1] = (last_since, None if until is None or last_until is None else max(last_until, until))
        else:
            merged.append((since, until))
    return merged


def due_at(start: datetime, offset: timedelta, pauses: Iterable[Pause] = ()) -> datetime | None:
    """When ``offset`` of active time has run since ``start``; None while a pause that began
    before then is still open (the due time is not known until the project resumes, Art. 35)."""
    due = start + offset
    for since, until in _merged(pauses, start):
        if since >= due:
            break
        if until is None:
            return None
        due += until - since
    return due


def next_rung(rungs: Sequence[Rung], fired: set[str]) -> Rung | None:
    for rung in rungs:
        if rung.name not in fired:
            return rung
    return None


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


def days(n: float) -> timedelta:
    return timedelta(days=n)


ACCEPTANCE_SMALL = "art31.acceptance.government-small"
ACCEPTANCE_LARGE = "art31.acceptance.government-large"
ACCEPTANCE_VILLAGE = "art31.acceptance.village-self"
REACCEPTANCE_TOWNSHIP = "art31.acceptance.village-township"
SETTLEMENT_SMALL = "art32.settlement-audit.small"
SETTLEMENT_LARGE = "art32.settlement-audit.large"
READINESS = "art24.readiness-at-planned-start"
CONCEALED_INSPECTION = "art28.concealed.inspection"
CONCEALED_REVIEW = "art28.concealed.owner-review"
SUPERVISION_LOG = "art46.supervision-log"
NOTICE_RECTIFICATION = "art45.notice-rectification"
NOTICE_VERIFICATION = "art45.notice-verification"


def deadline_rules(rules: WorkflowRules) -> dict[str, DeadlineRule]:
    """Every deadline of the regulation (Art. 22–24, 28, 31, 32, 45, 46), with its figures from
    the current settings."""
    catalogue = [
        DeadlineRule(ACCEPTANCE_SMALL, "Art. 31", "no acceptance records within the window (under 20 million yuan)",
                     "owner", (Rung("warning", days(rules.acceptance_days_small)),)),
        DeadlineRule(ACCEPTANCE_LARGE, "Art. 31", "no acceptance records within the window (20 million yuan or more)",
                     "owner", (Rung("warning", days(rules.acceptance_days_large)),)),
        DeadlineRule(ACCEPTANCE_VILLAGE, "Art. 31", "no self-acceptance records of the village project",
                     "owner", (Rung("warning", days(rules.acceptance_days_village)),)),
        DeadlineRule(REACCEPTANCE_TOWNSHIP, "Art. 31", "no township re-acceptance records of the village project",
                     "supervising_unit", (Rung("reminder", days(rules.village_reacceptance_reminder_days)),
                                          Rung("warning", days(rules.acceptance_days_village)))),
        DeadlineRule(SETTLEMENT_SMALL, "Art. 32", "records not submitted for settlement audit (under 20 million yuan)",
                     "owner", (Rung("warning", days(rules.settlement_audit_days_small)),)),
        DeadlineRule(SETTLEMENT_LARGE, "Art. 32",
                     "records not submitted for settlement audit (20 million yuan or more)", "owner",
                     (Rung("warning", days(rules.settlement_audit_days_large)),)),
        DeadlineRule(READINESS, "Art. 24", "firms, contracts or key people still missing at the planned start",
                     "owner", (Rung("warning", days(0)),)),
        DeadlineRule(CONCEALED_INSPECTION, "Art. 28",
                     "no stand-by inspection with photos recorded on the day of the concealed work", "supervisor",
                     (Rung("warning", days(1)),)),
        DeadlineRule(CONCEALED_REVIEW, "Art. 28", "the owner has not reviewed the concealed-work photos", "owner",
                     (Rung("warning", days(rules.concealed_owner_review_days)),)),
        DeadlineRule(SUPERVISION_LOG, "Art. 22, 46", "no supervision log within the interval", "supervisor",
                     (Rung("warning", days(rules.supervision_log_interval_days)),)),
        # The length of a rectification is set per notice (Deadline.length_days).
        # Its days stand still while the contractor's answer awaits verification (a hold).
        DeadlineRule(NOTICE_RECTIFICATION, "Art. 45", "a supervision notice is not rectified in time", "contractor",
                     (Rung("warning", days(0)),)),
        # Art. 23, 45: the supervisor verifies the contractor's answer in time (处置不及时).
        DeadlineRule(NOTICE_VERIFICATION, "Art. 23, 45",
                     "the supervisor has not verified a contractor's answer to a supervision notice in time",
                     "supervisor", (Rung("warning", days(rules.notice_verification_days)),)),
    ]
    return {rule.rule_id: rule for rule in catalogue}


def with_length(rule: DeadlineRule, length_days: int | None) -> DeadlineRule:
    """A deadline whose case sets its length (a notice's rectification period, Art. 45) warns then."""
    if length_days is None:
        return rule
    return DeadlineRule(rule.rule_id, rule.article, rule.summary, rule.must_act,
                        tuple(Rung(rung.name, days(length_days)) for rung in rule.rungs))


def extended(rule: DeadlineRule, extra_days: int) -> DeadlineRule:
    """Art. 31: an approved extension moves every rung of the deadline by the days granted."""
    if not extra_days:
        return rule
    return DeadlineRule(rule.rule_id, rule.article, rule.summary, rule.must_act,
                        tuple(Rung(rung.name, rung.after + days(extra_days)) for rung in rule.rungs))
