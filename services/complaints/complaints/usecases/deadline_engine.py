"""The time limits of a case's steps, run by the platform's one deadline engine
(:mod:`common.deadline_engine`): shared like :mod:`complaints.usecases.common` — a step starts the
deadline of the step the case waits for next, and :mod:`complaints.usecases.deadlines` sweeps them."""

from __future__ import annotations

from common.deadline_engine import DeadlineEngine
from common.rule_settings import load_rules
from complaints.domain.cases import deadline_rules
from complaints.domain.rules import CaseRules
from complaints.persistence.models import Deadline, DeadlineHold, DeadlineRungFired

SUBJECT = "case"

ENGINE = DeadlineEngine(Deadline, DeadlineHold, DeadlineRungFired,
                        catalogue=lambda session: deadline_rules(load_rules(session, CaseRules)))


def wait_rule_id(step: str) -> str:
    return f"case.{step}"
