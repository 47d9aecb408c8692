"""``/partner/v1``: the audit, credit-code and tender systems (Art. 37(3)) — read-only scores, colours,
ledgers and bid bans, and the feed's changes after a cursor, with each system's own API key
(``X-API-Key``). A wrong or revoked key is 401."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query
from fastapi.security import APIKeyHeader

from common.contracts.scoring import LedgerEntryView, ScoreChangesView, ScoreView, SubjectKind, SubjectScoreView
from common.errors import NotFound
from common.principal import ANONYMOUS
from gateway.deps import Page, limit_only, paging, services
from gateway.errors import FACE_ERRORS, ApiError, errors
from gateway.openapi import PARTNER, ContractRoute
from gateway.rpc import ServiceClient

api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="The outside system's key from the back office")


def partner_key(key: str | None = Depends(api_key), rpc: ServiceClient = Depends(services)) -> str:
    """The caller's key, checked by the scoring service (which keeps only its hash): 401 if wrong or revoked."""
    if not key:
        raise ApiError(401, "unauthenticated", "send the system's key: X-API-Key")
    try:
        rpc.call("scoring", "authenticate_partner", key, principal=ANONYMOUS)
    except NotFound:
        raise ApiError(401, "unauthenticated", "the key is wrong or revoked") from None
    return key


router = APIRouter(prefix="/partner/v1", tags=[PARTNER], route_class=ContractRoute, responses=errors(*FACE_ERRORS))
Year = Query(None, ge=2000, le=2100, description="The year; this year if left out.")


@router.get("/scores", response_model=list[ScoreView],
            description="Every subject's annual composite and colour, by subject; paged by `limit` (at most 1000) "
                        "and `offset`.")
def scores(year: int | None = Year, kind: SubjectKind | None = None, page: Page = Depends(paging(maximum=1000)),
           key: str = Depends(partner_key), rpc: ServiceClient = Depends(services)):
    return rpc.call("scoring", "partner_scores", key, year, kind, page.limit, page.offset, principal=ANONYMOUS)


@router.get("/scores/{subject_id}", response_model=SubjectScoreView, responses=errors(404),
            description="One subject: composite, colour, project scores and bid bans (Art. 27(2), 44).")
def subject(subject_id: str = Path(max_length=32), year: int | None = Year, key: str = Depends(partner_key),
            rpc: ServiceClient = Depends(services)):
    return rpc.call("scoring", "partner_subject", key, subject_id, year, principal=ANONYMOUS)


@router.get("/scores/{subject_id}/ledger", response_model=list[LedgerEntryView], responses=errors(404),
            description="One subject's ledger, newest first; paged by `limit` (at most 500) and `offset`.")
def ledger(subject_id: str = Path(max_length=32), year: int | None = Year, page: Page = Depends(paging(maximum=500)),
           key: str = Depends(partner_key), rpc: ServiceClient = Depends(services)):
    return rpc.call("scoring", "partner_ledger", key, subject_id, year, page.limit, page.offset,
                    principal=ANONYMOUS)


@router.get("/score-changes", response_model=ScoreChangesView,
            description="The feed's changes after the cursor `after` (0: from the beginning), in order and without "
                        "gaps — the same messages as on the exchange supervision.scores; paged by `limit` (at most "
                        "1000) and the cursor `after` (pass `next_cursor`).")
def score_changes(after: int = Query(0, ge=0, le=2**62), limit: int = Depends(limit_only(default=100, maximum=1000)),
                  key: str = Depends(partner_key), rpc: ServiceClient = Depends(services)):
    return rpc.call("scoring", "score_changes", key, after, limit, principal=ANONYMOUS)
