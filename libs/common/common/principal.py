"""Who is calling: the identity the gateway authenticated, carried in the RPC context so that
every service can authorize again, object by object."""

from __future__ import annotations

import json
from typing import Literal

from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc
from pydantic import BaseModel, ConfigDict

from common.rpc import BoundedServiceRpc

CONTEXT_KEY = "principal"

Portal = Literal["zzd", "zlb", "public", "system"]


class Principal(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    user_id: str | None = None
    portal: Portal
    # The kinds of unit the user holds posts in, as the gateway looked them up in the registry
    # for this request — never as a token claims them. Empty unless the gateway looked (it does
    # for the back office); services that need a user's posts for anything else load them.
    roles: frozenset[str] = frozenset()

    @property
    def is_back_office(self) -> bool:
        """A leading-group post held now: the gateway sends ``leading_group`` only after finding
        the post in the registry on this very request (``gateway.auth.back_office_principal``)."""
        return self.portal == "zzd" and "leading_group" in self.roles

    def to_context(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_context(cls, value: str | None) -> Principal | None:
        if not value:
            return None
        return cls.model_validate(json.loads(value))


SYSTEM = Principal(user_id=None, portal="system")
ANONYMOUS = Principal(user_id=None, portal="public")


class Caller(DependencyProvider):
    """The principal of the current call. Timers and event handlers act as :data:`SYSTEM`;
    an RPC that carries no principal is :data:`ANONYMOUS`, which the services' authorization
    refuses for anything but public actions."""

    def get_dependency(self, worker_ctx) -> Principal:
        principal = Principal.from_context(worker_ctx.data.get(CONTEXT_KEY))
        if principal is not None:
            return principal
        if isinstance(worker_ctx.entrypoint, Rpc):
            return ANONYMOUS
        return SYSTEM


class ServiceRpc(BoundedServiceRpc):
    """Calls another service on behalf of the current caller: the user's principal travels on,
    and a timer or an event handler calls as :data:`SYSTEM`."""

    def get_dependency(self, worker_ctx):
        worker_ctx.data.setdefault(CONTEXT_KEY, SYSTEM.to_context())
        return super().get_dependency(worker_ctx)
