"""The console's figure of scores (Art. 37): how many firms hold each of the five colours this
year, within the caller's data scope, in one grouped query; the console lists the firms of a
colour with GET /zzd/v1/scores."""

from __future__ import annotations

import sqlalchemy as sa

from common.errors import InvalidInput
from scoring.domain.scores import COLOURS
from scoring.persistence.models import AnnualScore
from scoring.usecases.common import Call, require_government, visible_subjects


def firm_colours(call: Call, year: int | None = None) -> dict:
    actor = call.actor()
    require_government(actor)
    if year is None:
        year = call.today().year
    elif not isinstance(year, int) or not 2000 <= year <= 2100:
        raise InvalidInput.field("year", "a year between 2000 and 2100")
    statement = (sa.select(AnnualScore.colour, sa.func.count().label("count"))
                 .where(AnnualScore.year == year, AnnualScore.subject_kind == "firm").group_by(AnnualScore.colour))
    if not actor.is_back_office:
        statement = statement.where(AnnualScore.subject_id.in_(visible_subjects(call)))
    counted = dict(call.session.execute(statement).tuples().all())
    return {"year": year, "rows": [{"colour": colour, "count": counted.get(colour, 0)} for colour in COLOURS]}
