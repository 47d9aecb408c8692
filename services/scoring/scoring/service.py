"""The scoring service's nameko class: its name, dependencies and rules, and the entrypoints
composed from :mod:`scoring.entrypoints`, one mixin per process."""

from __future__ import annotations

from pathlib import Path

from common.principal import ServiceRpc
from common.registry_copy import RegistryCopyEntrypoints
from common.service import PlatformService
from scoring.domain.rules import ScoringRules
from scoring.entrypoints.ledger import LedgerEntrypoints
from scoring.entrypoints.objections import ObjectionEntrypoints
from scoring.entrypoints.overview import OverviewEntrypoints
from scoring.entrypoints.partners import PartnerEntrypoints
from scoring.entrypoints.rule_sets import RuleSetEntrypoints
from scoring.entrypoints.scores import ScoreEntrypoints
from scoring.persistence.feed import ScoreFeed
from scoring.usecases.common import Call

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class ScoringService(RegistryCopyEntrypoints, LedgerEntrypoints, RuleSetEntrypoints, ScoreEntrypoints,
                     ObjectionEntrypoints, PartnerEntrypoints, OverviewEntrypoints, PlatformService):
    name = "scoring"
    rules_cls = ScoringRules

    workflow = ServiceRpc("workflow")
    feed = ScoreFeed()

    def _call(self) -> Call:
        return Call(self.db.session, self.clock.now(), self.caller)


SERVICE_CLASS = ScoringService
