"""Scoring (Art. 7, 37, 39–49) on the government face (rule sets, scores, ledgers, objections to decide),
the enterprise face (one's own scores, objections to file) and the back office (partner keys)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, status

from common.contracts.scoring import (
    Colour,
    LedgerEntryView,
    MyScoresView,
    ObjectionDecisionRequest,
    ObjectionRequest,
    ObjectionView,
    PartnerCreatedView,
    PartnerRequest,
    PartnerView,
    RuleSetPreviewView,
    RuleSetRequest,
    RuleSetView,
    ScoreView,
    SubjectKind,
    UnmappedWarningView,
)
from common.principal import Principal
from gateway.auth import back_office_principal, zlb_principal, zzd_principal
from gateway.deps import Page, paging, payload, services
from gateway.errors import FACE_ERRORS, errors
from gateway.openapi import BACK_OFFICE, ZLB_SCORING, ZZD_SCORING, ContractRoute
from gateway.rpc import ServiceClient

zzd_router = APIRouter(prefix="/zzd/v1", tags=[ZZD_SCORING], route_class=ContractRoute,
                       responses=errors(*FACE_ERRORS))
zlb_router = APIRouter(prefix="/zlb/v1", tags=[ZLB_SCORING], route_class=ContractRoute,
                       responses=errors(*FACE_ERRORS))
admin_router = APIRouter(prefix="/admin/v1", tags=[BACK_OFFICE], route_class=ContractRoute,
                         responses=errors(*FACE_ERRORS))
Year = Query(None, ge=2000, le=2100, description="The year; this year if left out.")
PAGED = "paged by `limit` (at most 500) and `offset`."


@zzd_router.get("/rule-sets", response_model=list[RuleSetView],
                description="Every industry's rule-set versions, the platform's default (version 0) first; " + PAGED)
def list_rule_sets(industry: str | None = Query(None, max_length=32), page: Page = Depends(paging(maximum=500)),
                   principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("scoring", "list_rule_sets", industry, page.limit, page.offset, principal=principal)


@zzd_router.post("/rule-sets", status_code=status.HTTP_201_CREATED, response_model=RuleSetView,
                 responses=errors(400, 413),
                 description="An industry authority drafts a version of its industry's rule set (Art. 7, 39): "
                             "unknown conduct, negative points or caps and an effective date in the past or "
                             "overlapping a published version are refused (422).")
def create_rule_set(body: RuleSetRequest, principal: Principal = Depends(zzd_principal),
                    rpc: ServiceClient = Depends(services)):
    return rpc.call("scoring", "create_rule_set", payload(body), principal=principal)


@zzd_router.get("/rule-sets/unmapped-warnings", response_model=list[UnmappedWarningView],
                description="Warning rules the applicable rule set does not map to a conduct: they deducted "
                            "nothing and are reported here; " + PAGED)
def unmapped_warnings(page: Page = Depends(paging(maximum=500)), principal: Principal = Depends(zzd_principal),
                      rpc: ServiceClient = Depends(services)):
    return rpc.call("scoring", "unmapped_warnings", page.limit, page.offset, principal=principal)


@zzd_router.get("/rule-sets/{rule_set_id}", response_model=RuleSetView, responses=errors(404))
def get_rule_set(rule_set_id: str = Path(max_length=32), principal: Principal = Depends(zzd_principal),
                 rpc: ServiceClient = Depends(services)):
    return rpc.call("scoring", "get_rule_set", rule_set_id, principal=principal)


@zzd_router.post("/rule-sets/{rule_set_id}/publish", response_model=RuleSetView, responses=errors(404, 409),
                 description="Publish a draft: it applies from its effective date, never before.")
def publish_rule_set(rule_set_id: str = Path(max_length=32), principal: Principal = Depends(zzd_principal),
                     rpc: ServiceClient = Depends(services)):
    return rpc.call("scoring", "publish_rule_set", rule_set_id, principal=principal)


@zzd_router.get("/rule-sets/{rule_set_id}/preview", response_model=list[RuleSetPreviewView], responses=errors(404),
                description="How the year's project scores of the industry's subjects would stand under the draft; "
                            + PAGED)
def preview_rule_set(rule_set_id: str = Path(max_length=32), year: int | None = Year,
                     page: Page = Depends(paging(maximum=500)), principal: Principal = Depends(zzd_principal),
                     rpc: ServiceClient = Depends(services)):
    return rpc.call("scoring", "preview_rule_set", rule_set_id, year, page.limit, page.offset, principal=principal)


@zzd_router.get("/scores", response_model=list[ScoreView],
                description="Annual composites with their five-colour code, within the caller's data scope, lowest "
                            "first, of one colour if `colour` is given; " + PAGED)
def list_scores(subject: str | None = Query(None, max_length=32), year: int | None = Year,
                kind: SubjectKind | None = None, colour: Colour | None = None,
                page: Page = Depends(paging(maximum=500)), principal: Principal = Depends(zzd_principal),
                rpc: ServiceClient = Depends(services)):
    return rpc.call("scoring", "list_scores", subject, year, kind, page.limit, page.offset, colour=colour,
                    principal=principal)


@zzd_router.get("/scores/{subject_id}/ledger", response_model=list[LedgerEntryView], responses=errors(404),
                description="A subject's ledger on the projects the caller may see, newest first; " + PAGED)
def subject_ledger(subject_id: str = Path(max_length=32), year: int | None = Year,
                   page: Page = Depends(paging(maximum=500)), principal: Principal = Depends(zzd_principal),
                   rpc: ServiceClient = Depends(services)):
    return rpc.call("scoring", "subject_ledger", subject_id, year, page.limit, page.offset, principal=principal)


@zzd_router.get("/objections", response_model=list[ObjectionView],
                description="Objections on the caller's industry (an industry authority decides them); " + PAGED)
def list_objections(status_: str | None = Query(None, alias="status", pattern="^(pending|upheld|dismissed)$"),
                    page: Page = Depends(paging(maximum=500)), principal: Principal = Depends(zzd_principal),
                    rpc: ServiceClient = Depends(services)):
    return rpc.call("scoring", "list_objections", status_, page.limit, page.offset, principal=principal)


@zzd_router.post("/objections/{objection_id}/decision", response_model=ObjectionView,
                 responses=errors(400, 404, 409, 413),
                 description="The industry authority upholds (the points come back with a new entry) or dismisses.")
def decide_objection(body: ObjectionDecisionRequest, objection_id: str = Path(max_length=32),
                     principal: Principal = Depends(zzd_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("scoring", "decide_objection", objection_id, payload(body), principal=principal)


@zlb_router.get("/me/scores", response_model=MyScoresView,
                description="The composites of the caller's firms and of the caller, with their ledger, "
                            "paged by `limit` (at most 500) and `offset`.")
def my_scores(year: int | None = Year, page: Page = Depends(paging(maximum=500)),
              principal: Principal = Depends(zlb_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("scoring", "my_scores", year, page.limit, page.offset, principal=principal)


@zlb_router.post("/score-entries/{entry_id}/objections", status_code=status.HTTP_201_CREATED,
                 response_model=ObjectionView, responses=errors(400, 404, 413),
                 description="Contest a deduction of one's own within the objection window, with reasons and "
                             "files (Art. 37).")
def file_objection(body: ObjectionRequest, entry_id: str = Path(max_length=32),
                   principal: Principal = Depends(zlb_principal), rpc: ServiceClient = Depends(services)):
    return rpc.call("scoring", "file_objection", entry_id, payload(body), principal=principal)


@zlb_router.get("/objections", response_model=list[ObjectionView],
                description="The objections of the caller's firms and of the caller; " + PAGED)
def my_objections(page: Page = Depends(paging(maximum=500)), principal: Principal = Depends(zlb_principal),
                  rpc: ServiceClient = Depends(services)):
    return rpc.call("scoring", "list_objections", None, page.limit, page.offset, principal=principal)


@admin_router.post("/partners", status_code=status.HTTP_201_CREATED, response_model=PartnerCreatedView,
                   responses=errors(400, 413),
                   description="An outside system's API key (Art. 37(3)): shown this once, kept hashed.")
def create_partner(body: PartnerRequest, principal: Principal = Depends(back_office_principal),
                   rpc: ServiceClient = Depends(services)):
    return rpc.call("scoring", "create_partner", payload(body), principal=principal)


@admin_router.get("/partners", response_model=list[PartnerView], description="The outside systems' keys; " + PAGED)
def list_partners(page: Page = Depends(paging(maximum=500)), principal: Principal = Depends(back_office_principal),
                  rpc: ServiceClient = Depends(services)):
    return rpc.call("scoring", "list_partners", page.limit, page.offset, principal=principal)


@admin_router.post("/partners/{partner_id}/revocation", response_model=PartnerView, responses=errors(404, 409),
                   description="Revoke a key: its next request is refused with 401.")
def revoke_partner(partner_id: str = Path(max_length=32), principal: Principal = Depends(back_office_principal),
                   rpc: ServiceClient = Depends(services)):
    return rpc.call("scoring", "revoke_partner", partner_id, principal=principal)
