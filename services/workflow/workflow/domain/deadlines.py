"""The workflow's deadlines (Art. 22–24, 28, 31, 32, 35, 45, 46): every deadline of the
regulation, with its rungs (a reminder, a warning) at offsets of active time, and the role of the
project that must act. The engine's rules are the platform's (:mod:`common.deadlines`, re-exported
here): no time runs during a pause — the project's suspensions (Art. 35), and the deadline's own
holds (a supervision notice's rectification stands still while the contractor's answer awaits the
supervisor, Art. 45); a rung falls due once the active time since the start reaches its offset,
and fires once.

A rule names the role of the project that must act; a deadline whose case names the unit
responsible (a notice names its contractor and its supervisor) warns that unit instead, so that
a project with two firms of a role warns the right one."""

from __future__ import annotations

from dataclasses import dataclass

from common import deadlines as engine_rules
from common.deadlines import (  # noqa: F401 - the engine's rules, read here with the workflow's own
    Pause,
    Rung,
    days,
    due_at,
    extended,
    next_rung,
    rungs_due,
    with_length,
)
from common.scope import PARTICIPANT_ROLES
from workflow.domain.rules import WorkflowRules


@dataclass(frozen=True)
class DeadlineRule(engine_rules.DeadlineRule):
    """A deadline of the regulation, with the role of the project that must act (e.g. "owner")."""

    must_act: str

    @property
    def warns_a_firm(self) -> bool:
        """Whether the unit that must act is a participating firm (its warning names the firm)."""
        return self.must_act in PARTICIPANT_ROLES


ACCEPTANCE_SMALL = "art31.acceptance.government-small"
ACCEPTANCE_LARGE = "art31.acceptance.government-large"
ACCEPTANCE_VILLAGE = "art31.acceptance.village-self"
REACCEPTANCE_TOWNSHIP = "art31.acceptance.village-township"
SETTLEMENT_SMALL = "art32.settlement-audit.small"
SETTLEMENT_LARGE = "art32.settlement-audit.large"
READINESS = "art24.readiness-at-planned-start"
CONCEALED_INSPECTION = "art28.concealed.inspection"
CONCEALED_REVIEW = "art28.concealed.owner-review"
SUPERVISION_LOG = "art46.supervision-log"
NOTICE_RECTIFICATION = "art45.notice-rectification"
NOTICE_VERIFICATION = "art45.notice-verification"


def deadline_rules(rules: WorkflowRules) -> dict[str, DeadlineRule]:
    """Every deadline of the regulation (Art. 22–24, 28, 31, 32, 45, 46), with its figures from
    the current settings."""
    catalogue = [
        DeadlineRule(ACCEPTANCE_SMALL, "Art. 31", "no acceptance records within the window (under 20 million yuan)",
                     (Rung("warning", days(rules.acceptance_days_small)),), must_act="owner"),
        DeadlineRule(ACCEPTANCE_LARGE, "Art. 31", "no acceptance records within the window (20 million yuan or more)",
                     (Rung("warning", days(rules.acceptance_days_large)),), must_act="owner"),
        DeadlineRule(ACCEPTANCE_VILLAGE, "Art. 31", "no self-acceptance records of the village project",
                     (Rung("warning", days(rules.acceptance_days_village)),), must_act="owner"),
        DeadlineRule(REACCEPTANCE_TOWNSHIP, "Art. 31", "no township re-acceptance records of the village project",
                     (Rung("reminder", days(rules.village_reacceptance_reminder_days)),
                      Rung("warning", days(rules.acceptance_days_village))), must_act="supervising_unit"),
        DeadlineRule(SETTLEMENT_SMALL, "Art. 32", "records not submitted for settlement audit (under 20 million yuan)",
                     (Rung("warning", days(rules.settlement_audit_days_small)),), must_act="owner"),
        DeadlineRule(SETTLEMENT_LARGE, "Art. 32",
                     "records not submitted for settlement audit (20 million yuan or more)",
                     (Rung("warning", days(rules.settlement_audit_days_large)),), must_act="owner"),
        DeadlineRule(READINESS, "Art. 24", "firms, contracts or key people still missing at the planned start",
                     (Rung("warning", days(0)),), must_act="owner"),
        DeadlineRule(CONCEALED_INSPECTION, "Art. 28",
                     "no stand-by inspection with photos recorded on the day of the concealed work",
                     (Rung("warning", days(1)),), must_act="supervisor"),
        DeadlineRule(CONCEALED_REVIEW, "Art. 28", "the owner has not reviewed the concealed-work photos",
                     (Rung("warning", days(rules.concealed_owner_review_days)),), must_act="owner"),
        DeadlineRule(SUPERVISION_LOG, "Art. 22, 46", "no supervision log within the interval",
                     (Rung("warning", days(rules.supervision_log_interval_days)),), must_act="supervisor"),
        # The length of a rectification is set per notice (Deadline.length_days).
        # Its days stand still while the contractor's answer awaits verification (a hold).
        DeadlineRule(NOTICE_RECTIFICATION, "Art. 45", "a supervision notice is not rectified in time",
                     (Rung("warning", days(0)),), must_act="contractor"),
        # Art. 23, 45: the supervisor verifies the contractor's answer in time (处置不及时).
        DeadlineRule(NOTICE_VERIFICATION, "Art. 23, 45",
                     "the supervisor has not verified a contractor's answer to a supervision notice in time",
                     (Rung("warning", days(rules.notice_verification_days)),), must_act="supervisor"),
    ]
    return {rule.rule_id: rule for rule in catalogue}

