"""Login adapters for the two government portals our users arrive from.

People working for the administration sign in through 浙政钉 (ZZD, the government DingTalk);
enterprises and citizens sign in through 浙里办 (ZLB, the provincial government-services SSO).
Both hand our front end a one-time credential (a ZZD auth code, a ZLB ticket); the gateway trades
it, server to server, for the user's portal identity. The adapters below do only that trade and
turn every outcome into one of three things the gateway can act on:

* a `PortalIdentity` - the portal vouched for this user;
* `PortalLoginFailed` - the portal refused the login: the credential (expired, already used,
  forged), or - logged as an error for ops - the platform's own signed call or app credentials
  (ZZD: wrong key or secret, a clock out of the portal's window);
* `PortalUnavailable` - we could not get a usable answer (network, timeout, 5xx, malformed data):
  retrying the same login later may work, and ops should look at it.

Credentials (app secret, service password, tokens, auth codes, tickets, signs) are never logged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from common.portals.base import (
    PortalRefused,
    PortalUnavailable,
    log_unavailable,
    malformed,
    post_form_for_json,
)
from common.portals.zlb import ZLB, ZLB_SUCCESS, zlb_signed_form
from common.portals.zzd import (
    ZZD,
    ZZD_TOKEN_INVALID,
    ZzdClient,
    zzd_error_code,
    zzd_error_message,
    zzd_response_code,
)

logger = logging.getLogger(__name__)

__all__ = ["PortalIdentity", "PortalLoginFailed", "PortalUnavailable", "ZlbAdapter", "ZzdAdapter"]


@dataclass(frozen=True)
class PortalIdentity:
    """Who the portal says the user is; `external_id` is stable per portal, `name` is for display."""

    portal: str
    external_id: str
    name: str | None


class PortalLoginFailed(PortalRefused):
    """The portal refused the user's code or ticket; only a fresh portal login can help."""


def _log_refused(portal: str, portal_code: str | None, portal_message: str) -> None:
    # A refused code is usually the user's doing (reload, double click, stale link): a warning, not an error.
    logger.warning(
        "portal refused login",
        extra={"portal": portal, "portal_code": portal_code, "portal_message": portal_message},
    )


class ZzdAdapter(ZzdClient):
    """Trades a 浙政钉 auth code (the micro-app's in-app login) for the user's identity.

    Every call to the open platform is signed and the app access token is cached
    (:class:`common.portals.zzd.ZzdClient`). Either refusal — of our signed call or app
    credentials, or of the user's code — is a refused login (:class:`PortalLoginFailed`) with the
    portal's code logged; a refusal of our own signed request or app credentials is logged as an
    error, for ops, since no user can log in until it is fixed.
    """

    USER_PATH = "/rpc/oauth2/dingtalk_app_user.json"
    refused = PortalLoginFailed

    def identify(self, auth_code: str) -> PortalIdentity:
        """Return who the portal says the holder of `auth_code` is.

        Raises PortalLoginFailed if ZZD refuses the code or our signed call, PortalUnavailable if
        ZZD cannot be used.
        """
        if not auth_code:
            raise PortalLoginFailed("empty ZZD auth code", portal=ZZD)
        token = self._access_token()
        content = self._user_content(token, auth_code)
        if zzd_response_code(content) == ZZD_TOKEN_INVALID:
            # The portal can revoke a token before its announced expiry (secret rotated, portal
            # restarted). The code was not consumed by a call the portal refused, so retry once
            # with a fresh token; a second refusal means the problem is ours, not the user's.
            self._forget_token(token)
            token = self._access_token()
            content = self._user_content(token, auth_code)
            if zzd_response_code(content) == ZZD_TOKEN_INVALID:
                log_unavailable(ZZD, self.USER_PATH, "fresh access token refused")
                raise PortalUnavailable("ZZD refused a freshly issued access token", portal=ZZD)
        return self._identity_from(content)

    def _user_content(self, token: str, auth_code: str) -> dict[str, Any]:
        """The user call's content; a token refusal is returned so that `identify` can refresh it."""
        payload = self._signed_call("POST", self.USER_PATH, {"access_token": token, "auth_code": auth_code})
        content = self._content(payload, self.USER_PATH, ours=False)
        if content["success"] is True or zzd_response_code(content) == ZZD_TOKEN_INVALID:
            return content
        code, message = zzd_error_code(payload), zzd_error_message(payload)
        _log_refused(ZZD, code, message)
        raise PortalLoginFailed(f"ZZD refused the auth code: {message}", portal=ZZD, portal_code=code)

    def _identity_from(self, content: dict[str, Any]) -> PortalIdentity:
        data = content.get("data")
        if not isinstance(data, dict):
            raise malformed(ZZD, self.USER_PATH, "no data")
        account_id = data.get("accountId")
        # bool is an int subclass; a boolean accountId is garbage, not account 1.
        if isinstance(account_id, bool) or not isinstance(account_id, int | str) or account_id == "":
            raise malformed(ZZD, self.USER_PATH, "no accountId")
        name = next((value for value in (data.get("lastName"), data.get("nickNameCn"))
                     if isinstance(value, str) and value), None)
        return PortalIdentity(portal=ZZD, external_id=str(account_id), name=name)


class ZlbAdapter:
    """Trades a 浙里办 SSO ticket for the user's identity ("simpleauth" protocol).

    Every call is signed with MD5(servicecode + servicepwd + time); ZLB rejects times too far from
    its own clock, which is why the clock is injectable (tests) and expressed in UTC+8 (protocol).
    """

    SIMPLEAUTH_PATH = "/sso/servlet/simpleauth"

    def __init__(
        self,
        base_url: str,
        service_code: str,
        service_password: str,
        http: httpx.Client,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._service_code = service_code
        self._service_password = service_password
        self._http = http
        self._wall_clock = wall_clock

    def identify(self, ticket: str) -> PortalIdentity:
        """Return who the portal says the holder of `ticket` is.

        Raises PortalLoginFailed if ZLB refuses the ticket (or a later step), PortalUnavailable if
        ZLB cannot be used.
        """
        if not ticket:
            raise PortalLoginFailed("empty ZLB ticket", portal=ZLB)
        validation = self._call("ticketValidation", {"st": ticket})
        session_token = validation.get("token")
        if not isinstance(session_token, str) or not session_token:
            raise malformed(ZLB, self.SIMPLEAUTH_PATH, "ticketValidation gave no token")
        user_info = self._call("getUserInfo", {"token": session_token})
        user_id = user_info.get("userid")
        if isinstance(user_id, bool) or not isinstance(user_id, str | int) or user_id == "":
            raise malformed(ZLB, self.SIMPLEAUTH_PATH, "getUserInfo gave no userid")
        user_name = user_info.get("username")
        return PortalIdentity(
            portal=ZLB,
            external_id=str(user_id),
            name=user_name if isinstance(user_name, str) and user_name else None,
        )

    def _call(self, method: str, arguments: Mapping[str, str]) -> dict[str, Any]:
        """One signed simpleauth call; returns the answer when result == "0", raises otherwise."""
        form = {
            "method": method,
            **zlb_signed_form(self._service_code, self._service_password, self._wall_clock()),
            **arguments,
        }
        answer = post_form_for_json(self._http, ZLB, self._base_url, self.SIMPLEAUTH_PATH, form)
        if "result" not in answer:
            raise malformed(ZLB, self.SIMPLEAUTH_PATH, f"{method} gave no result")
        result = str(answer["result"])
        if result != ZLB_SUCCESS:
            # Any non-zero result is a refusal. A bad sign or time (our configuration or clock) also
            # lands here; the code is kept on the exception and in the log so ops can tell them apart.
            message = str(answer.get("errmsg") or "no reason given")
            _log_refused(ZLB, result, message)
            raise PortalLoginFailed(f"ZLB refused {method}: {message}", portal=ZLB, portal_code=result)
        return answer
