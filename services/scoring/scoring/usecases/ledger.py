"""The ledger (Art. 37, 39–49): warnings of the attendance and workflow services and closed cases of the
complaints service become deductions under the rule set in force on the day of the conduct; a bid ban
of the tender system (Art. 27(2)) joins the feed; case steps count towards the disposal timeliness of
owners and industry authorities (Art. 37(1)).

The inbox (``common.inbox.handles``; for warnings, many a second, ``handles_batch``: a batch in one
transaction) lets each event through once; the ledger's unique key (source event, subject, conduct)
guards the same again in the database.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm

from common import events
from scoring.domain import ledger as dom
from scoring.domain.rule_sets import RuleSetVersion, applicable
from scoring.persistence import queries
from scoring.persistence.models import BidBan, DisposalTally, LedgerEntry, UnmappedWarning
from scoring.usecases.common import (
    UNMAPPED_WARNINGS,
    Call,
    district_date,
    entry_row,
    publish_bid_ban,
    record_entries,
    subject_kind,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Occurrence:
    """A conduct to deduct for, with its source, under the rule set in force on its day."""

    fact: dom.ConductFact
    rule_set: RuleSetVersion
    occurred_at: datetime
    rule_id: str | None
    source_type: str
    source_event_id: str
    evidence: dict


def _deduct(call: Call, occurrences: list[_Occurrence], kinds: dict[str, str]) -> list[str]:
    """The deductions of the occurrences, in order — each within the caps left by the ledger and by the
    occurrences before it — recorded and rescored together (:func:`record_entries`); ``kinds``: the
    registry's kinds of the units the occurrences name."""
    if not occurrences:
        return []
    facts = [occurrence.fact for occurrence in occurrences]
    subjects = {subject for fact in facts for subject in (fact.firm_id, fact.person_id, fact.owner_id) if subject}
    deducted = queries.deducted_so_far(call.session, subjects,
                                       {district_date(one.occurred_at).year for one in occurrences},
                                       {fact.conduct for fact in facts})
    rows = []
    for occurrence in occurrences:
        year = district_date(occurrence.occurred_at).year
        decided = dom.deductions(occurrence.fact, occurrence.rule_set, deducted[year])
        deducted[year] = dom.counted(deducted[year], occurrence.fact.project_id, decided)
        for deduction in decided:
            kind = "person" if deduction.target == "person" else subject_kind(kinds.get(deduction.subject_id),
                                                                                deduction.target)
            rows.append(entry_row(
                call, deduction=deduction, subject_id=deduction.subject_id, subject_kind=kind,
                project_id=occurrence.fact.project_id, occurred_at=occurrence.occurred_at, points=deduction.points,
                conduct=deduction.conduct, article=deduction.article, rule_id=occurrence.rule_id,
                rule_set_id=occurrence.rule_set.id, rule_set_version=occurrence.rule_set.version,
                source_type=occurrence.source_type, source_event_id=occurrence.source_event_id,
                evidence=occurrence.evidence))
            if deduction.bid_ban_days and kind == "firm":
                _ban(call, deduction.subject_id, "firm", occurrence.occurred_at, deduction.bid_ban_days,
                     f"ordered to stop for rectification (停业整顿): {deduction.conduct}", "Art. 44",
                     f"{occurrence.source_event_id}:{deduction.subject_id}")
    return [row["id"] for row in record_entries(call, rows)]


def on_warning(call: Call, event: events.WarningRaised) -> list[str]:
    """One warning point fired: :func:`on_warnings` of it alone."""
    return on_warnings(call, [event])


def on_warnings(call: Call, warnings: list[events.WarningRaised]) -> list[str]:
    """Warning points fired (a batch of the inbox, in the order they came): each deducts under the conduct
    its rule maps to, or its rule is reported unmapped; answers the ids of the entries."""
    placed = queries.projects(call.session, {event.project_id for event in warnings})
    kinds = queries.unit_kinds(call.session, {unit for event in warnings for unit in (event.must_act, event.firm_id)}
                               | {owner for _industry, owner in placed.values()})
    published = queries.published_versions(call.session)
    occurrences = []
    for event in warnings:
        industry, owner_id = placed.get(event.project_id, ("", None))
        rule_set = applicable(published, industry, district_date(event.occurred_at))
        conduct = dom.conduct_of_warning(rule_set, event.rule_id)
        if conduct is None:
            _report_unmapped(call, event, industry)
            continue
        if owner_id is None and event.must_act and subject_kind(kinds.get(event.must_act), "") == "owner":
            owner_id = event.must_act
        fact = dom.ConductFact(conduct, event.project_id, firm_id=event.firm_id, person_id=event.person_id,
                               owner_id=owner_id)
        evidence = {"warning_id": event.warning_id, "rule_id": event.rule_id, "article": event.article,
                    "source": event.source, "project_id": event.project_id, "summary": event.summary,
                    "detail": event.detail}
        occurrences.append(_Occurrence(fact, rule_set, event.occurred_at, event.rule_id, "warning",
                                       str(event.event_id), evidence))
    return _deduct(call, occurrences, kinds)


def _report_unmapped(call: Call, event: events.WarningRaised, industry: str) -> None:
    row = call.session.get(UnmappedWarning, (event.rule_id, industry))
    if row is None:
        call.session.add(UnmappedWarning(rule_id=event.rule_id, industry=industry, article=event.article,
                                         occurrences=1, last_warning_id=event.warning_id, first_seen=call.now,
                                         last_seen=call.now))
    else:
        row.occurrences, row.last_warning_id, row.last_seen = row.occurrences + 1, event.warning_id, call.now
    UNMAPPED_WARNINGS.labels(event.rule_id).inc()
    logger.error("warning rule not mapped to a conduct: nothing deducted",
                 extra={"rule_id": event.rule_id, "warning_id": event.warning_id, "project_id": event.project_id,
                        "industry": industry})


def on_case_closed(call: Call, event: events.CaseClosed) -> list[str]:
    """Art. 49: a complaint (or clue) found true deducts from the party found responsible; a warning found
    unsubstantiated gives back what its warning took. A confirmed warning was deducted when raised."""
    if event.kind == "warning":
        if event.finding == "unsubstantiated" and event.warning_id:
            return _restore_warning(call, event)
        return []
    if event.finding != "substantiated" or event.project_id is None:
        return []
    industry, _owner = queries.projects(call.session, [event.project_id]).get(event.project_id, ("", None))
    rule_set = applicable(queries.published_versions(call.session, industry), industry,
                          district_date(event.occurred_at))
    responsible = event.responsible_unit_id
    kinds = queries.unit_kinds(call.session, [responsible])
    kind = subject_kind(kinds.get(responsible), "firm") if responsible else None
    fact = dom.ConductFact("complaint_substantiated", event.project_id,
                           firm_id=responsible if kind == "firm" else None, person_id=event.responsible_person_id,
                           owner_id=responsible if kind == "owner" else None)
    evidence = {"case_id": event.case_id, "kind": event.kind, "category": event.category,
                "summary": event.summary, "project_id": event.project_id}
    return _deduct(call, [_Occurrence(fact, rule_set, event.occurred_at, event.rule_id, "case", str(event.event_id),
                                      evidence)], kinds)


def _restore_warning(call: Call, event: events.CaseClosed) -> list[str]:
    """A warning found unsubstantiated gives back what it took — each entry once: one an upheld
    objection gave back already is not given back again."""
    restoring = sa.orm.aliased(LedgerEntry)
    taken = call.session.execute(sa.select(LedgerEntry).where(
        LedgerEntry.source_type == "warning", LedgerEntry.points < 0,
        LedgerEntry.evidence["warning_id"].as_string() == event.warning_id,
        ~sa.exists().where(restoring.restores_entry_id == LedgerEntry.id))).scalars().all()
    return [row["id"] for row in record_entries(call, [entry_row(
        call, subject_id=entry.subject_id, subject_kind=entry.subject_kind, project_id=entry.project_id,
        occurred_at=entry.occurred_at, points=-Decimal(entry.points), conduct=entry.conduct, article=entry.article,
        rule_id=entry.rule_id, rule_set_id=entry.rule_set_id, rule_set_version=entry.rule_set_version,
        source_type="case", source_event_id=str(event.event_id),
        evidence={"case_id": event.case_id, "finding": event.finding, "warning_id": event.warning_id},
        restores_entry_id=entry.id) for entry in taken])]


def on_case_step(call: Call, event: events.CaseStepRecorded) -> None:
    """Art. 37(1): the share of steps each unit took in time scores owners and industry authorities."""
    if event.acting_unit_id is None or event.on_time is None:
        return
    year = district_date(event.occurred_at).year
    row = call.session.get(DisposalTally, (event.acting_unit_id, year))
    if row is None:
        row = DisposalTally(unit_id=event.acting_unit_id, year=year, on_time=0, late=0)
        call.session.add(row)
    if event.on_time:
        row.on_time += 1
    else:
        row.late += 1


def on_personnel_replaced(call: Call, event: events.PersonnelReplaced) -> None:
    """Art. 27(2): a person replaced for illness may not be named on a bid until ``bid_bar_until``."""
    if event.bid_bar_until is None:
        return
    starts = district_date(event.occurred_at)
    _ban(call, event.replaced_user_id, "person", event.occurred_at, (event.bid_bar_until - starts).days,
         f"replaced for illness on project {event.project_id} ({event.post})", "Art. 27(2)", str(event.event_id))


def _ban(call: Call, subject_id: str, kind: str, occurred_at, days: int, reason: str, article: str,
         source_key: str) -> None:
    if call.session.execute(sa.select(BidBan.id).where(BidBan.source_event_id == source_key)).first():
        return
    starts = district_date(occurred_at)
    ban = BidBan(subject_id=subject_id, subject_kind=kind, starts_on=starts,
                 until=starts + timedelta(days=max(days, 0)),
                 reason=reason[:500], article=article, source_event_id=source_key)
    call.session.add(ban)
    call.session.flush()
    publish_bid_ban(call, ban)
