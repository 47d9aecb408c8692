"""What every portal client shares: the two ways a call can fail, and reading a JSON answer.

* :class:`PortalRefused` - the portal answered and refused the call (its code kept);
* :class:`PortalUnavailable` - no usable answer (network, timeout, 5xx, malformed data): the same
  call later may work.

Only fixed paths are logged: parameters carry secrets, one-time credentials and personal data.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from datetime import timedelta, timezone
from typing import Any

import httpx

logger = logging.getLogger(__name__)

# The portals' times are wall-clock time in China Standard Time, whatever the host's zone is.
CHINA_STANDARD_TIME = timezone(timedelta(hours=8), name="UTC+08:00")


class _UrlsWithoutQuery(logging.Filter):
    """httpx logs every request's URL at INFO, and the ZZD token request carries the app secret in
    its query string (the portal's protocol): httpx's records show URLs without their query."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(arg, httpx.URL) and arg.query for arg in record.args):
            record.args = tuple(arg.copy_with(query=None) if isinstance(arg, httpx.URL) else arg
                                for arg in record.args)
        return True


logging.getLogger("httpx").addFilter(_UrlsWithoutQuery())


class PortalRefused(Exception):
    """The portal answered and refused the call; ``portal_code`` is its reason."""

    def __init__(self, message: str, *, portal: str, portal_code: str | None = None) -> None:
        super().__init__(message)
        self.portal = portal
        self.portal_code = portal_code


class PortalUnavailable(Exception):
    """No usable answer from the portal: unreachable, too slow, broken, or rejecting our app itself."""

    def __init__(self, message: str, *, portal: str) -> None:
        super().__init__(message)
        self.portal = portal


def post_form_for_json(
    http: httpx.Client, portal: str, base_url: str, endpoint: str, form: Mapping[str, str]
) -> dict[str, Any]:
    """POST a form to base_url + endpoint; the JSON object answered, or PortalUnavailable."""
    return answer_json(portal, endpoint, lambda: http.post(base_url + endpoint, data=dict(form)))


def answer_json(portal: str, endpoint: str, send: Callable[[], httpx.Response]) -> dict[str, Any]:
    """Send one request and return the JSON object answered, or raise PortalUnavailable.

    The portals report business failures inside a JSON body, so only transport failures, 5xx and
    bodies that are not a JSON object count as "unavailable" here; the caller judges the content.
    Only `endpoint` (a fixed path) is logged: parameters carry secrets and one-time credentials.
    """
    try:
        response = send()
    except httpx.TimeoutException as exc:
        log_unavailable(portal, endpoint, "timeout", error_type=type(exc).__name__)
        raise PortalUnavailable(f"{portal} did not answer {endpoint} in time", portal=portal) from exc
    except httpx.HTTPError as exc:
        log_unavailable(portal, endpoint, "transport error", error_type=type(exc).__name__)
        raise PortalUnavailable(
            f"{portal} could not be reached at {endpoint}: {type(exc).__name__}", portal=portal
        ) from exc

    if response.status_code >= 500:
        log_unavailable(portal, endpoint, "server error", http_status=response.status_code)
        raise PortalUnavailable(f"{portal} answered HTTP {response.status_code} on {endpoint}", portal=portal)
    try:
        payload = response.json()
        # Some ZLB deployments answer a JSON *string* that itself holds the JSON object.
        if isinstance(payload, str):
            payload = json.loads(payload)
    except ValueError as exc:
        log_unavailable(portal, endpoint, "body is not JSON", http_status=response.status_code)
        raise PortalUnavailable(f"{portal} answered non-JSON data on {endpoint}", portal=portal) from exc
    if not isinstance(payload, dict):
        log_unavailable(portal, endpoint, "body is not a JSON object", http_status=response.status_code)
        raise PortalUnavailable(f"{portal} answered malformed data on {endpoint}", portal=portal)
    return payload


def log_unavailable(portal: str, endpoint: str, reason: str, **details: Any) -> None:
    logger.error(
        "portal unavailable",
        extra={"portal": portal, "portal_endpoint": endpoint, "reason": reason, **details},
    )


def malformed(portal: str, endpoint: str, what: str) -> PortalUnavailable:
    log_unavailable(portal, endpoint, f"malformed answer: {what}")
    return PortalUnavailable(f"{portal} answered malformed data on {endpoint}: {what}", portal=portal)
