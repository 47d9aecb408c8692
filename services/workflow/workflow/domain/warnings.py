"""The workflow's warning rules (Art. 8 预警设置): every rule the service raises a warning for,
with its article, gathered from where each is defined — the warning rungs of the deadline
catalogue (Art. 22–24, 28, 31, 32, 45, 46), suspect concealed-work photos (Art. 28), changes
carried out before their approval (Art. 27) and a contractor refusing to rectify a supervision
notice (Art. 45). The back office switches each off or on again
(``WorkflowRules.warnings_switched_off``)."""

from __future__ import annotations

from workflow.domain import changes, concealed, supervision
from workflow.domain.deadlines import deadline_rules
from workflow.domain.rules import WorkflowRules


def warning_rules() -> dict[str, str]:
    """Rule id → article of every warning the workflow raises (the figures of the settings do
    not change which rules there are)."""
    deadline_warnings = {rule.rule_id: rule.article for rule in deadline_rules(WorkflowRules()).values()
                         if any(rung.name == "warning" for rung in rule.rungs)}
    return {**deadline_warnings,
            concealed.PHOTO_EVIDENCE_SUSPECT: concealed.PHOTO_EVIDENCE_SUSPECT_ARTICLE,
            changes.AFTER_THE_FACT_RULE: changes.AFTER_THE_FACT_ARTICLE,
            supervision.REFUSED_RECTIFICATION: supervision.REFUSED_RECTIFICATION_ARTICLE}
