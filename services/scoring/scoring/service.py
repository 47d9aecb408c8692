"""The scoring service's nameko class: its name, dependencies and rules, and the entrypoints
composed from :mod:`scoring.entrypoints`, one mixin per process."""

from __future__ import annotations

from pathlib import Path

from common.service import PlatformService
from scoring.domain.rules import ScoringRules
from scoring.usecases.common import Call

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class ScoringService(PlatformService):
    name = "scoring"
    rules_cls = ScoringRules

    def _call(self) -> Call:
        return Call(self.db.session, self.clock.now(), self.caller)


SERVICE_CLASS = ScoringService
