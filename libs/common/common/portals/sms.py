"""The SMS gateway: one signed JSON request per text message. The request's shape lives here only
(a simple, common shape, in the manner of the cloud SMS services):

``POST /sms/send`` with the JSON body ``{"phone", "sign_name", "template_code", "template_param",
"out_id"}`` and the headers ``X-Sms-Key`` (our access key), ``X-Sms-Timestamp`` (epoch seconds),
``X-Sms-Nonce`` and ``X-Sms-Signature`` = hex(HMAC-SHA256(secret, timestamp + "\\n" + nonce + "\\n"
+ body)). ``out_id`` is ours for the message: the gateway sends one text per id. The answer is
``{"code": "OK", "message", "biz_id"}``; any other code is a refusal.

The phone number is personal data: it is sent, never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import Callable
from typing import Any

import httpx

from common.portals.base import PortalRefused, answer_json, malformed

logger = logging.getLogger(__name__)

SMS = "sms"
SMS_OK = "OK"
SMS_HEADER_KEY = "X-Sms-Key"
SMS_HEADER_TIMESTAMP = "X-Sms-Timestamp"
SMS_HEADER_NONCE = "X-Sms-Nonce"
SMS_HEADER_SIGNATURE = "X-Sms-Signature"


def sms_signature(secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    text = timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body
    return hmac.new(secret.encode(), text, hashlib.sha256).hexdigest()


class SmsClient:
    SEND_PATH = "/sms/send"

    def __init__(self, base_url: str, access_key: str, secret: str, sign_name: str, http: httpx.Client,
                 wall_clock: Callable[[], float] = time.time) -> None:
        self._base_url = base_url.rstrip("/")
        self._access_key = access_key
        self._secret = secret
        self._sign_name = sign_name
        self._http = http
        self._wall_clock = wall_clock

    def send(self, *, phone: str, template_code: str, template_param: dict[str, str], out_id: str) -> dict[str, Any]:
        body = json.dumps({"phone": phone, "sign_name": self._sign_name, "template_code": template_code,
                           "template_param": template_param, "out_id": out_id},
                          ensure_ascii=False, separators=(",", ":")).encode()
        timestamp, nonce = str(int(self._wall_clock())), secrets.token_hex(8)
        headers = {"content-type": "application/json", SMS_HEADER_KEY: self._access_key,
                   SMS_HEADER_TIMESTAMP: timestamp, SMS_HEADER_NONCE: nonce,
                   SMS_HEADER_SIGNATURE: sms_signature(self._secret, timestamp, nonce, body)}
        answer = answer_json(SMS, self.SEND_PATH,
                             lambda: self._http.post(self._base_url + self.SEND_PATH, content=body, headers=headers))
        if "code" not in answer:
            raise malformed(SMS, self.SEND_PATH, "no code")
        if str(answer["code"]) != SMS_OK:
            code, message = str(answer["code"]), str(answer.get("message") or "no reason given")
            logger.warning("sms gateway refused a text", extra={"portal": SMS, "portal_code": code,
                                                                "portal_message": message, "out_id": out_id})
            raise PortalRefused(f"the SMS gateway refused the text: {message}", portal=SMS, portal_code=code)
        return answer
