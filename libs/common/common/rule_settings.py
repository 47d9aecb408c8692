"""Runtime rule settings (Art. 8: warning and indicator settings).

Each service declares its figures as one pydantic model whose defaults are the regulation's
and whose fields name their article. The back office reads and changes them through the
gateway (``GET/PUT /admin/v1/settings/{service}``); a change is validated as a whole, stored
in the service's database, audited, and read by the next worker: no restart is needed.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session

from common.audit import record_change
from common.clock import district_iso
from common.errors import InvalidInput
from common.principal import Principal
from common.schema import rule_setting

RulesT = TypeVar("RulesT", bound="RuleSettings")
# Setting name → the values its list may hold, each with its article (a service's warning rules).
Choices = Mapping[str, Mapping[str, str]]


class RuleSettings(BaseModel):
    """Base of a service's rule settings. Give every field a ``description`` and an
    ``article`` in ``json_schema_extra``."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def validation_details(error: ValidationError, prefix: str = "") -> list[dict]:
    return [
        {"field": prefix + ".".join(str(part) for part in item["loc"]), "reason": item["msg"]}
        for item in error.errors()
    ]


def load_rules(session: Session, rules_cls: type[RulesT]) -> RulesT:
    stored = {row.name: row.value for row in session.execute(sa.select(rule_setting.c.name, rule_setting.c.value))}
    known = {name: value for name, value in stored.items() if name in rules_cls.model_fields}
    return rules_cls.model_validate(known)


class RulesCache:
    """The busiest paths (check-ins) read the rules at most every ``seconds`` per process and
    database: a change reaches them within that time, without a restart, and saves a query per
    request."""

    def __init__(self, rules_cls: type[RulesT], seconds: float = 2.0):
        self.rules_cls = rules_cls
        self.seconds = seconds
        self._cached: dict[str, tuple[float, RulesT]] = {}

    def get(self, session: Session) -> RulesT:
        key = str(session.get_bind().url)
        now = time.monotonic()
        read_at, value = self._cached.get(key, (float("-inf"), None))
        if value is None or now - read_at > self.seconds:
            value = load_rules(session, self.rules_cls)
            self._cached[key] = (now, value)
        return value


def update_rules(
    session: Session, rules_cls: type[RulesT], changes: dict, *, principal: Principal, at: datetime,
    choices: Choices | None = None,
) -> RulesT:
    """Validate ``changes`` against the whole set (and a list setting named in ``choices`` against
    its values: another value is refused, naming it), store them with who changed them and when,
    and audit the change; nothing is changed when one is refused."""
    if not isinstance(changes, dict) or not changes:
        raise InvalidInput.field("body", "name at least one setting to change")
    current = load_rules(session, rules_cls)
    unknown = sorted(set(changes) - set(rules_cls.model_fields))
    if unknown:
        raise InvalidInput(
            "unknown settings", [{"field": name, "reason": "no such setting"} for name in unknown]
        )
    try:
        updated = rules_cls.model_validate({**current.model_dump(mode="json"), **changes})
    except ValidationError as error:
        raise InvalidInput("invalid settings", validation_details(error)) from None
    updated = _within_choices(updated, changes, choices or {})
    new_values = updated.model_dump(mode="json")
    old_values = current.model_dump(mode="json")
    for name in changes:
        session.execute(sa.delete(rule_setting).where(rule_setting.c.name == name))
        session.execute(
            sa.insert(rule_setting).values(
                name=name, value=new_values[name], updated_at=at, updated_by=principal.user_id
            )
        )
    record_change(
        session,
        principal=principal,
        at=at,
        action="rule_settings.changed",
        entity_type="rule_settings",
        entity_id=rules_cls.__name__,
        before={name: old_values[name] for name in changes},
        after={name: new_values[name] for name in changes},
    )
    return updated


def _within_choices(rules: RulesT, changes: dict, choices: Choices) -> RulesT:
    unknown = {name: [value for value in getattr(rules, name) if value not in choices[name]]
               for name in changes if name in choices}
    refused = [{"field": name, "reason": f"no such choice: {', '.join(values)}; the choices are "
                                         f"{', '.join(sorted(choices[name]))}"}
               for name, values in unknown.items() if values]
    if refused:
        raise InvalidInput("invalid settings", refused)
    return rules.model_copy(update={name: sorted(set(getattr(rules, name))) for name in unknown})


def describe_stored(session: Session, rules_cls: type[RuleSettings], choices: Choices | None = None) -> dict:
    """:func:`describe_rules` of the settings stored in the service's database, with who changed
    each last and when, from one query over ``rule_setting``."""
    rows = [row for row in session.execute(sa.select(rule_setting)) if row.name in rules_cls.model_fields]
    rules = rules_cls.model_validate({row.name: row.value for row in rows})
    changes = {row.name: {"changed_by": row.updated_by, "changed_at": district_iso(row.updated_at)} for row in rows}
    return describe_rules(rules, changes, choices)


_NEVER_CHANGED = {"changed_by": None, "changed_at": None}


def describe_rules(rules: RuleSettings, changes: Mapping[str, dict] | None = None,
                   choices: Choices | None = None) -> dict:
    """The values with, for each, its default, article and meaning, the values it may take when
    they are a fixed list (``choices``: value → its article, null otherwise), and who changed it last and when
    (``changes``: setting name → ``changed_by``, the user id, and ``changed_at``, ISO 8601 with the
    district's offset; both null while it has never been changed): what the back office shows."""
    schema = type(rules).model_json_schema()["properties"]
    values = rules.model_dump(mode="json")
    changes, choices = changes or {}, choices or {}
    return {
        name: {
            "value": values[name],
            "default": schema[name].get("default"),
            "article": schema[name].get("article"),
            "description": schema[name].get("description"),
            "minimum": schema[name].get("minimum", schema[name].get("exclusiveMinimum")),
            "maximum": schema[name].get("maximum"),
            "choices": dict(sorted(choices[name].items())) if name in choices else None,
            **{key: changes.get(name, _NEVER_CHANGED).get(key) for key in _NEVER_CHANGED},
        }
        for name in values
    }


# --- switching warning rules off (Art. 8 预警设置) ---------------------------------------------------

WARNING_SWITCH_ARTICLE = "Art. 8"


def warning_switches(description: str) -> Any:
    """The field of a service's ``warnings_switched_off`` setting (Art. 8: the back office sets the
    warnings): the ids of the service's warning rules the back office has switched off, none by
    default (``description``: what a switched-off rule does in the service). The service class
    names its own warning rules (rule id → article) in ``PlatformService.setting_choices``, from its
    catalogue — the settings do not import the domain that reads them: :func:`update_rules` refuses
    any other id, naming it, and the back office sees them as the setting's ``choices``. The service
    stages every warning in one place that skips a rule of the list."""
    return Field([], description=f"{description} Each id is one of `choices` (rule id → its article).",
                 json_schema_extra={"article": WARNING_SWITCH_ARTICLE})
