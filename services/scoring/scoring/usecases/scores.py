"""Reading scores (Art. 37): annual composites with their colours, project scores and the ledger, for
the government face (within the caller's data scope), the enterprise face (one's own firm and
oneself), and the outside systems (read-only, with their key: every score); the feed's changes in
order; the yearly recomputation of every composite."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from common import registry_copy
from common.clock import district_iso
from common.errors import InvalidInput
from scoring.domain.rules import ScoringRules
from scoring.domain.scores import COLOURS
from scoring.persistence import queries
from scoring.persistence.models import (
    AnnualScore,
    BidBan,
    DisposalTally,
    LedgerEntry,
    Objection,
    ProjectScore,
    ScoreChange,
)
from scoring.usecases.common import (
    Call,
    authenticate,
    entry_view,
    not_found,
    objection_view,
    own_subjects,
    require_government,
    rescore_subjects,
    visible_projects,
    visible_subjects,
)

logger = logging.getLogger(__name__)
SUBJECT_KINDS = ("firm", "person", "owner", "authority")


def _year(call: Call, year) -> int:
    if year is None:
        return call.today().year
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise InvalidInput.field("year", "a year between 2000 and 2100")
    return year


def _annual_view(row: AnnualScore, tally: DisposalTally | None = None) -> dict:
    view = {"subject_id": row.subject_id, "subject_kind": row.subject_kind, "year": row.year,
            "composite": str(row.composite), "colour": row.colour, "projects": row.projects,
            "updated_at": district_iso(row.updated_at)}
    if row.subject_kind in ("owner", "authority"):
        total = (tally.on_time + tally.late) if tally else 0
        view["disposal_steps"] = total
        view["disposal_on_time_share"] = None if not total else f"{tally.on_time / total:.4f}"
    return view


def _annual_views(call: Call, rows) -> list[dict]:
    rows = list(rows)
    tallies = {(tally.unit_id, tally.year): tally for tally in call.session.execute(sa.select(DisposalTally).where(
        DisposalTally.unit_id.in_([row.subject_id for row in rows]))).scalars()} if rows else {}
    return [_annual_view(row, tallies.get((row.subject_id, row.year))) for row in rows]


def list_scores(call: Call, subject: str | None, year, kind: str | None, limit: int, offset: int,
                colour: str | None = None) -> list[dict]:
    """``GET /zzd/v1/scores``: the annual composites of the year, of one subject or one colour if asked,
    within scope; the colour is filtered here, before the page is cut, so every page is full."""
    actor = call.actor()
    require_government(actor)
    if kind is not None and kind not in SUBJECT_KINDS:
        raise InvalidInput.field("kind", f"one of {', '.join(SUBJECT_KINDS)}")
    if colour is not None and colour not in COLOURS:
        raise InvalidInput.field("colour", f"one of {', '.join(COLOURS)}")
    statement = sa.select(AnnualScore).where(AnnualScore.year == _year(call, year))
    if not actor.is_back_office:
        statement = statement.where(AnnualScore.subject_id.in_(visible_subjects(call)))
    if subject:
        statement = statement.where(AnnualScore.subject_id == subject)
    if kind:
        statement = statement.where(AnnualScore.subject_kind == kind)
    if colour:
        statement = statement.where(AnnualScore.colour == colour)
    rows = call.session.execute(statement.order_by(AnnualScore.composite, AnnualScore.subject_id)
                                .limit(limit).offset(offset)).scalars()
    return _annual_views(call, rows)


def _objections_of(call: Call, entry_ids: list[str]) -> dict[str, dict]:
    if not entry_ids:
        return {}
    return {row.entry_id: objection_view(row) for row in call.session.execute(
        sa.select(Objection).where(Objection.entry_id.in_(entry_ids))).scalars()}


def _ledger(call: Call, condition, year, limit: int, offset: int) -> list[dict]:
    statement = sa.select(LedgerEntry).where(condition)
    if year is not None:
        statement = statement.where(LedgerEntry.year == _year(call, year))
    entries = call.session.execute(statement.order_by(LedgerEntry.recorded_at.desc(), LedgerEntry.id)
                                   .limit(limit).offset(offset)).scalars().all()
    objections = _objections_of(call, [entry.id for entry in entries])
    return [entry_view(entry, objections.get(entry.id)) for entry in entries]


def subject_ledger(call: Call, subject_id: str, year, limit: int, offset: int) -> list[dict]:
    """``GET /zzd/v1/scores/{subject_id}/ledger``: the subject's entries on projects the caller may see."""
    actor = call.actor()
    require_government(actor)
    condition = LedgerEntry.subject_id == subject_id
    if not actor.is_back_office:
        project = registry_copy.copy_project
        condition = sa.and_(condition, LedgerEntry.project_id.in_(
            sa.select(project.c.id).where(visible_projects(call, actor))))
    known = sa.select(AnnualScore.subject_id).where(AnnualScore.subject_id == subject_id)
    if not actor.is_back_office:
        known = known.where(AnnualScore.subject_id.in_(visible_subjects(call)))
    if call.session.execute(known.limit(1)).first() is None:
        raise not_found("subject", subject_id)
    return _ledger(call, condition, year, limit, offset)


def my_scores(call: Call, year, limit: int, offset: int) -> dict:
    """``GET /zlb/v1/me/scores``: the composites and the ledger of the caller's firms and of the caller."""
    subjects = sorted(own_subjects(call.actor()))
    year = _year(call, year)
    scores = call.session.execute(sa.select(AnnualScore).where(AnnualScore.subject_id.in_(subjects),
                                                               AnnualScore.year == year)
                                  .order_by(AnnualScore.subject_id)).scalars()
    return {"year": year, "scores": _annual_views(call, scores),
            "ledger": _ledger(call, LedgerEntry.subject_id.in_(subjects), year, limit, offset)}


# --- the outside systems (Art. 37(3)): read-only, every subject ---------------------------------------------


def partner_scores(call: Call, key, year, kind: str | None, limit: int, offset: int) -> list[dict]:
    authenticate(call, key)
    statement = sa.select(AnnualScore).where(AnnualScore.year == _year(call, year))
    if kind:
        if kind not in SUBJECT_KINDS:
            raise InvalidInput.field("kind", f"one of {', '.join(SUBJECT_KINDS)}")
        statement = statement.where(AnnualScore.subject_kind == kind)
    return _annual_views(call, call.session.execute(statement.order_by(AnnualScore.subject_id)
                                                   .limit(limit).offset(offset)).scalars())


def partner_subject(call: Call, key, subject_id: str, year) -> dict:
    authenticate(call, key)
    year = _year(call, year)
    row = queries.annual(call.session, subject_id, year)
    if row is None:
        raise not_found("subject", subject_id)
    projects = call.session.execute(sa.select(ProjectScore).where(ProjectScore.subject_id == subject_id,
                                                                  ProjectScore.year == year)
                                    .order_by(ProjectScore.project_id)).scalars()
    bans = call.session.execute(sa.select(BidBan).where(BidBan.subject_id == subject_id)
                                .order_by(BidBan.starts_on)).scalars()
    return {**_annual_views(call, [row])[0],
            "project_scores": [{"project_id": one.project_id, "score": str(one.score)} for one in projects],
            "bid_bans": [bid_ban_view(ban) for ban in bans]}


def bid_ban_view(ban: BidBan) -> dict:
    return {"id": ban.id, "subject_id": ban.subject_id, "subject_kind": ban.subject_kind,
            "starts_on": ban.starts_on.isoformat(), "until": ban.until.isoformat(), "reason": ban.reason,
            "article": ban.article}


def partner_ledger(call: Call, key, subject_id: str, year, limit: int, offset: int) -> list[dict]:
    authenticate(call, key)
    return _ledger(call, LedgerEntry.subject_id == subject_id, year, limit, offset)


def score_changes(call: Call, key, after: int, limit: int) -> dict:
    """The feed after ``after``, in order and without gaps (the numbers are given in commit order)."""
    authenticate(call, key)
    if not isinstance(after, int) or after < 0:
        raise InvalidInput.field("after", "a sequence number, 0 for the beginning")
    rows = call.session.execute(sa.select(ScoreChange).where(ScoreChange.sequence > after)
                                .order_by(ScoreChange.sequence).limit(limit)).scalars().all()
    changes = [{"sequence": row.sequence, "routing_key": row.routing_key, "payload": row.payload} for row in rows]
    return {"changes": changes, "next_cursor": rows[-1].sequence if rows else after}


def recompute_year(call: Call, year, cause: str = "recomputation", rules: ScoringRules | None = None) -> dict:
    """Recompute every composite of the year in one set-based statement (projects added, amounts changed,
    settings changed) and put each subject whose composite or colour moved on the feed."""
    year = _year(call, year)
    changes = rescore_subjects(call, year, None, cause, rules=rules)
    logger.info("composites recomputed", extra={"year": year, "cause": cause, "changes": changes})
    return {"year": year, "changes": changes}


def settings_changed(call: Call, rules: ScoringRules) -> dict:
    """The back office changed the settings: new bands or a new base score recolour and rescore the
    year's subjects at once (under the new ``rules``, not the cached ones), each change on the feed."""
    return recompute_year(call, None, "settings", rules)
