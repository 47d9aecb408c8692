"""The complaints service's nameko class: its name, dependencies and rules, and the entrypoints
composed from :mod:`complaints.entrypoints`, one mixin per process."""

from __future__ import annotations

from pathlib import Path

from common.service import PlatformService
from complaints.domain.rules import CaseRules
from complaints.usecases.common import Call

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class ComplaintsService(PlatformService):
    name = "complaints"
    rules_cls = CaseRules

    def _call(self) -> Call:
        return Call(self.db.session, self.clock.now(), self.caller)


SERVICE_CLASS = ComplaintsService
