"""The 浙里办 (ZLB) service credentials (the MD5 ``sign`` over service code, password and time of
every call) and its message service, through which enterprise staff receive the platform's
messages (portals.md). The message request's shape lives here only, so that it can follow the
portal's published documents: ``POST /message/send`` with the simpleauth parameters
(``servicecode``, ``time``, ``sign``, ``datatype=json``) and ``userId`` (the ZLB user id),
``msgId`` (ours: the portal delivers one message per id), ``title``, ``content``; the answer
``{"result": "0", "errmsg": ...}`` on success, any other result a refusal.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx

from common.portals.base import CHINA_STANDARD_TIME, PortalRefused, malformed, post_form_for_json

logger = logging.getLogger(__name__)

ZLB = "zlb"
ZLB_SUCCESS = "0"


def zlb_timestamp(epoch_seconds: float) -> str:
    """The `time` parameter of a ZLB call: yyyyMMddHHmmss in UTC+8."""
    return datetime.fromtimestamp(epoch_seconds, tz=CHINA_STANDARD_TIME).strftime("%Y%m%d%H%M%S")


def zlb_sign(service_code: str, service_password: str, timestamp: str) -> str:
    """The `sign` parameter of a ZLB call: lowercase hex MD5 of code + password + time.

    MD5 is what the ZLB protocol prescribes; `usedforsecurity=False` keeps it working on
    FIPS-restricted hosts, where a plain hashlib.md5() call is refused.
    """
    material = f"{service_code}{service_password}{timestamp}".encode()
    return hashlib.md5(material, usedforsecurity=False).hexdigest()


def zlb_signed_form(service_code: str, service_password: str, epoch_seconds: float) -> dict[str, str]:
    """The parameters that authenticate a call with the service credentials."""
    signed_at = zlb_timestamp(epoch_seconds)
    return {"servicecode": service_code, "time": signed_at, "sign": zlb_sign(service_code, service_password, signed_at),
            "datatype": "json"}


class ZlbMessageClient:
    """Sends a message to a ZLB user through the portal's message service."""

    MESSAGE_PATH = "/message/send"

    def __init__(self, base_url: str, service_code: str, service_password: str, http: httpx.Client,
                 wall_clock: Callable[[], float] = time.time) -> None:
        self._base_url = base_url.rstrip("/")
        self._service_code = service_code
        self._service_password = service_password
        self._http = http
        self._wall_clock = wall_clock

    def send_message(self, *, user_id: str, msg_id: str, title: str, content: str) -> dict[str, Any]:
        form = {**zlb_signed_form(self._service_code, self._service_password, self._wall_clock()),
                "userId": user_id, "msgId": msg_id, "title": title, "content": content}
        answer = post_form_for_json(self._http, ZLB, self._base_url, self.MESSAGE_PATH, form)
        if "result" not in answer:
            raise malformed(ZLB, self.MESSAGE_PATH, "no result")
        result = str(answer["result"])
        if result != ZLB_SUCCESS:
            message = str(answer.get("errmsg") or "no reason given")
            logger.warning("portal refused a message", extra={"portal": ZLB, "portal_code": result,
                                                              "portal_message": message, "msg_id": msg_id})
            raise PortalRefused(f"ZLB refused the message: {message}", portal=ZLB, portal_code=result)
        return answer
