"""What every nameko service of the platform has: its database (with outbox relay), the
platform clock, the caller's identity, metrics, and the back office's entrypoints for the
manual clock, the rule settings (Art. 8) and the audit trail."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from kombu.utils import json as kombu_json
from pydantic import ValidationError

from common.audit import AuditQuery, query_trail
from common.clock_provider import ManualClockEntrypoints, PlatformClock
from common.database import Database
from common.errors import EXPECTED_ERRORS, CommandExpired, InvalidInput, PermissionDenied
from common.metrics import EntrypointMetrics
from common.principal import Caller
from common.rpc import RequestInfo, rpc
from common.rule_settings import Choices, RuleSettings, describe_stored, load_rules, update_rules, validation_details
from common.schema import rpc_request

logger = logging.getLogger(__name__)


def _refuse_if_expired(service) -> None:
    if service.request.expired():
        raise CommandExpired("the caller stopped waiting before this request could start; nothing was done")


def command(method):
    """An RPC that changes state: the method gets ``self._call()`` (the service's use-case Call)
    and the unit of work commits before the reply goes out.

    RPC delivery is at least once: a service that crashes after committing but before the broker
    heard it acknowledge gets the request again. Its answer is therefore kept with the change,
    under the request's id, and a redelivered request is answered again, not carried out twice.
    """

    def entrypoint(self, *args, **kwargs):
        _refuse_if_expired(self)
        request_id = self.request.id
        if request_id is not None:
            kept = self.db.session.execute(sa.select(rpc_request.c.result)
                                           .where(rpc_request.c.request_id == request_id)).scalar()
            if kept is not None:
                logger.warning("redelivered command answered again, not carried out twice",
                               extra={"service": self.name, "method": method.__name__, "request_id": request_id})
                return kombu_json.loads(kept)
        result = method(self, self._call(), *args, **kwargs)
        if request_id is not None:
            self.db.session.execute(sa.insert(rpc_request).values(
                request_id=request_id, method=method.__name__, result=kombu_json.dumps(result),
                handled_at=self.clock.now()))
        self.db.commit()
        return result

    entrypoint.__name__ = method.__name__
    entrypoint.__qualname__ = method.__qualname__
    entrypoint.__doc__ = method.__doc__
    return rpc(expected_exceptions=EXPECTED_ERRORS)(entrypoint)


def query(method):
    """An RPC that only reads: the method gets ``self._call()``; nothing is committed."""

    def entrypoint(self, *args, **kwargs):
        _refuse_if_expired(self)
        return method(self, self._call(), *args, **kwargs)

    entrypoint.__name__ = method.__name__
    entrypoint.__qualname__ = method.__qualname__
    entrypoint.__doc__ = method.__doc__
    return rpc(expected_exceptions=EXPECTED_ERRORS)(entrypoint)


class PlatformService(ManualClockEntrypoints):
    name: str
    rules_cls: type[RuleSettings]
    # A list setting whose values are fixed → those values, each with its article: a service's
    # warning rules for its ``warnings_switched_off`` (common.rule_settings.warning_switches).
    setting_choices: Choices = {}

    db = Database()
    clock = PlatformClock()
    caller = Caller()
    metrics = EntrypointMetrics()
    request = RequestInfo()

    def rules(self):
        return load_rules(self.db.session, self.rules_cls)

    def _require_back_office(self) -> None:
        if not self.caller.is_back_office:
            raise PermissionDenied("only the leading group's back office may do this")

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_rule_settings(self) -> dict:
        self._require_back_office()
        return describe_stored(self.db.session, self.rules_cls, self.setting_choices)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def update_rule_settings(self, changes: dict) -> dict:
        self._require_back_office()
        _refuse_if_expired(self)
        updated = update_rules(self.db.session, self.rules_cls, changes, principal=self.caller, at=self.clock.now(),
                               choices=self.setting_choices)
        self.rule_settings_changed(updated)
        described = describe_stored(self.db.session, self.rules_cls, self.setting_choices)
        self.db.commit()
        return described

    def rule_settings_changed(self, rules) -> None:
        """What the service does at once, in the same transaction, when the back office has changed its
        settings (``rules``, the new ones): nothing, unless the service says otherwise (the scoring
        service rescores and recolours with new bands)."""

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def audit_trail(self, query: dict) -> list[dict]:
        self._require_back_office()
        try:
            parsed = AuditQuery.model_validate(query)
        except ValidationError as error:
            raise InvalidInput("invalid audit query", validation_details(error)) from None
        return query_trail(self.db.session, parsed)
