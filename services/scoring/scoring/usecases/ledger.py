"""The ledger (Art. 37, 39–49): warnings of the attendance and workflow services and closed cases of the
complaints service become deductions under the rule set in force on the day of the conduct; a bid ban
of the tender system (Art. 27(2)) joins the feed; case steps count towards the disposal timeliness of
owners and industry authorities (Art. 37(1)).

The inbox (``common.inbox.handles``) lets each event through once; the ledger's unique key
(source event, subject, conduct) guards the same again in the database.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from common import events, registry_copy
from scoring.domain import ledger as dom
from scoring.domain.rule_sets import applicable
from scoring.persistence import queries
from scoring.persistence.models import BidBan, DisposalTally, LedgerEntry, UnmappedWarning
from scoring.usecases.common import (
    UNMAPPED_WARNINGS,
    Call,
    district_date,
    publish_bid_ban,
    record_entry,
    subject_kind_of,
)

logger = logging.getLogger(__name__)


def _rule_set_for(call: Call, project_id: str, occurred_at):
    project = registry_copy.placement(call.session, project_id)
    industry = project.industry if project is not None else ""
    return project, applicable(queries.published_versions(call.session, industry), industry,
                               district_date(occurred_at))


def _deduct(call: Call, fact: dom.ConductFact, rule_set, *, occurred_at, rule_id, source_type, source_event_id,
            evidence) -> list[LedgerEntry]:
    subjects = [subject for subject in (fact.firm_id, fact.person_id, fact.owner_id) if subject]
    deducted = queries.deducted_so_far(call.session, subjects, district_date(occurred_at).year, fact.conduct)
    entries = []
    for deduction in dom.deductions(fact, rule_set, deducted):
        kind = "person" if deduction.target == "person" else subject_kind_of(call.session, deduction.subject_id,
                                                                              deduction.target)
        entries.append(record_entry(
            call, deduction=deduction, subject_id=deduction.subject_id, subject_kind=kind, project_id=fact.project_id,
            occurred_at=occurred_at, points=deduction.points, conduct=deduction.conduct, article=deduction.article,
            rule_id=rule_id, rule_set_id=rule_set.id, rule_set_version=rule_set.version, source_type=source_type,
            source_event_id=source_event_id, evidence=evidence))
        if deduction.bid_ban_days and kind == "firm":
            _ban(call, deduction.subject_id, "firm", occurred_at, deduction.bid_ban_days,
                 f"ordered to stop for rectification (停业整顿): {deduction.conduct}", "Art. 44",
                 f"{source_event_id}:{deduction.subject_id}")
    return entries


def on_warning(call: Call, event: events.WarningRaised) -> list[str]:
    """A warning point fired: deduct under the conduct its rule maps to, or report the rule unmapped."""
    project, rule_set = _rule_set_for(call, event.project_id, event.occurred_at)
    conduct = dom.conduct_of_warning(rule_set, event.rule_id)
    if conduct is None:
        _report_unmapped(call, event, project.industry if project is not None else "")
        return []
    owner_id = project.owner_id if project is not None else None
    if owner_id is None and event.must_act and registry_copy.unit(call.session, event.must_act) is not None:
        owner_id = event.must_act if subject_kind_of(call.session, event.must_act, "") == "owner" else None
    fact = dom.ConductFact(conduct, event.project_id, firm_id=event.firm_id, person_id=event.person_id,
                           owner_id=owner_id)
    evidence = {"warning_id": event.warning_id, "rule_id": event.rule_id, "article": event.article,
                "source": event.source, "project_id": event.project_id, "summary": event.summary,
                "detail": event.detail}
    entries = _deduct(call, fact, rule_set, occurred_at=event.occurred_at, rule_id=event.rule_id,
                      source_type="warning", source_event_id=str(event.event_id), evidence=evidence)
    return [entry.id for entry in entries]


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
    _project, rule_set = _rule_set_for(call, event.project_id, event.occurred_at)
    responsible = event.responsible_unit_id
    kind = subject_kind_of(call.session, responsible, "firm") if responsible else None
    fact = dom.ConductFact("complaint_substantiated", event.project_id,
                           firm_id=responsible if kind == "firm" else None, person_id=event.responsible_person_id,
                           owner_id=responsible if kind == "owner" else None)
    evidence = {"case_id": event.case_id, "kind": event.kind, "category": event.category,
                "summary": event.summary, "project_id": event.project_id}
    entries = _deduct(call, fact, rule_set, occurred_at=event.occurred_at, rule_id=event.rule_id,
                      source_type="case", source_event_id=str(event.event_id), evidence=evidence)
    return [entry.id for entry in entries]


def _restore_warning(call: Call, event: events.CaseClosed) -> list[str]:
    taken = call.session.execute(sa.select(LedgerEntry).where(
        LedgerEntry.source_type == "warning", LedgerEntry.points < 0,
        LedgerEntry.evidence["warning_id"].as_string() == event.warning_id)).scalars().all()
    restored = []
    for entry in taken:
        restored.append(record_entry(
            call, subject_id=entry.subject_id, subject_kind=entry.subject_kind, project_id=entry.project_id,
            occurred_at=entry.occurred_at, points=-Decimal(entry.points), conduct=entry.conduct,
            article=entry.article, rule_id=entry.rule_id, rule_set_id=entry.rule_set_id,
            rule_set_version=entry.rule_set_version, source_type="case", source_event_id=str(event.event_id),
            evidence={"case_id": event.case_id, "finding": event.finding, "warning_id": event.warning_id},
            restores_entry_id=entry.id).id)
    return restored


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
