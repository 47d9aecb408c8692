"""The complaints service's settings (Art. 8): the time limits of each step of a case. Each figure is a
setting whose default is the regulation's where it gives one, and the platform's (documented as
such) where it does not; each names the article it serves."""

from __future__ import annotations

from common.rule_settings import RuleSettings


class CaseRules(RuleSettings):
    """The complaints service's settings, changeable by the back office at run time."""
