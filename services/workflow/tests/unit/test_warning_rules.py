"""The workflow's warning rules (Art. 8): every rule it raises a warning for may be switched off
by the back office, with its article, and every process stages its warnings in one place."""

import re
from pathlib import Path

import pytest

from common.rule_settings import describe_rules
from workflow.domain import deadlines as dl
from workflow.domain.changes import AFTER_THE_FACT_RULE
from workflow.domain.concealed import PHOTO_EVIDENCE_SUSPECT
from workflow.domain.rules import WorkflowRules
from workflow.domain.supervision import REFUSED_RECTIFICATION
from workflow.domain.warnings import warning_rules
from workflow.service import WorkflowService

USECASES = Path(__file__).resolve().parents[2] / "workflow" / "usecases"


def test_every_deadline_and_process_warning_is_a_known_rule_with_its_article():
    known = warning_rules()
    assert set(dl.deadline_rules(WorkflowRules())) <= set(known)
    assert {AFTER_THE_FACT_RULE, PHOTO_EVIDENCE_SUSPECT, REFUSED_RECTIFICATION} <= set(known)
    assert (known[dl.NOTICE_VERIFICATION], known[AFTER_THE_FACT_RULE], known[PHOTO_EVIDENCE_SUSPECT]) == (
        "Art. 23, 45", "Art. 27", "Art. 28")


def test_the_setting_is_off_for_none_by_default_and_the_service_lists_the_rules_to_switch():
    assert WorkflowService.setting_choices == {"warnings_switched_off": warning_rules()}
    described = describe_rules(WorkflowRules(), choices=WorkflowService.setting_choices)["warnings_switched_off"]
    assert (described["value"], described["default"], described["article"]) == ([], [], "Art. 8")
    assert described["choices"] == warning_rules()


@pytest.mark.parametrize("module", sorted(path.name for path in USECASES.glob("*.py")))
def test_warnings_are_staged_only_through_the_one_helper(module):
    """usecases/common.py stages every warning (raise_warning, stage_announcements): no process
    emits one itself or stages events past it."""
    if module == "common.py":
        return
    source = (USECASES / module).read_text()
    assert not re.search(r"emit\(\s*events\.\w*WarningRaised", source), module
    assert not re.search(r"\bstage_events?\(", source), module
