"""The notification service's settings (Art. 8): the digest hour and the retries of a delivery. Each
figure is a setting whose default is the regulation's where it gives one, and the platform's
(documented as such) where it does not; each names the article it serves."""

from __future__ import annotations

from common.rule_settings import RuleSettings


class NotificationRules(RuleSettings):
    """The notification service's settings, changeable by the back office at run time."""
