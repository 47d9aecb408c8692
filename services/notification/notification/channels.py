"""The channels a message goes out through, each an adapter of :mod:`common.portals` to a configured
base URL: the 浙政钉 work notice (government staff), the 浙里办 message (enterprise staff), SMS
(the phone asked of the workflow at send time, never kept or logged); and the development channel
that writes each message as a JSON line to a file under ``var/`` instead of sending it.

Every fault of a channel (a refusal, no usable answer, no phone) is a :class:`ChannelFault`: the
delivery is tried again later, then parked (:mod:`notification.domain.delivery`). Any other error of
a send (the phone lookup timing out, an unknown user) is a failed attempt all the same
(:func:`notification.usecases.delivery.attempt`).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import httpx
from nameko.extensions import DependencyProvider

from common.portals.base import PortalRefused, PortalUnavailable
from common.portals.sms import SmsClient
from common.portals.zlb import ZlbMessageClient
from common.portals.zzd import ZzdClient
from notification.settings import NotificationSettings, notification_settings

logger = logging.getLogger(__name__)

PhoneLookup = Callable[[str], str | None]


class ChannelFault(Exception):
    """The message did not go out this time."""


@dataclass(frozen=True)
class Outgoing:
    id: str  # the message id the provider sees
    channel: str
    recipient_user_id: str
    address: str | None
    title: str
    text: str


class PortalChannels:
    """The three providers, one client each per process (the ZZD access token is shared)."""

    def __init__(self, settings: NotificationSettings, http: httpx.Client) -> None:
        self.settings = settings
        self.zzd = ZzdClient(settings.zzd_base_url, settings.zzd_app_key, settings.zzd_app_secret, http,
                             client_ip=settings.zzd_client_ip, client_mac=settings.zzd_client_mac)
        self.zlb = ZlbMessageClient(settings.zlb_base_url, settings.zlb_service_code, settings.zlb_service_password,
                                    http)
        self.sms = SmsClient(settings.sms_base_url, settings.sms_access_key, settings.sms_secret,
                             settings.sms_sign_name, http)

    def send(self, message: Outgoing, phone_of: PhoneLookup) -> None:
        try:
            if message.channel == "zzd":
                text = {"msgtype": "text", "text": {"content": f"{message.title}\n{message.text}"}}
                self.zzd.send_work_notice(receiver_ids=[message.address or ""], tenant_id=self.settings.zzd_tenant_id,
                                          biz_msg_id=message.id, msg=text)
            elif message.channel == "zlb":
                self.zlb.send_message(user_id=message.address or "", msg_id=message.id, title=message.title,
                                      content=message.text)
            elif message.channel == "sms":
                phone = phone_of(message.recipient_user_id)
                if not phone:
                    raise ChannelFault("no phone number is registered for the recipient")
                self.sms.send(phone=phone, template_code=self.settings.sms_template_code,
                              template_param={"title": message.title, "text": message.text[:200]}, out_id=message.id)
            else:
                raise ChannelFault(f"unknown channel {message.channel}")
        except (PortalRefused, PortalUnavailable) as error:
            code = getattr(error, "portal_code", None)
            raise ChannelFault(f"{error}" + (f" (code {code})" if code else "")) from error


class DevFileChannel:
    """Development only: what would be sent, one JSON line per message, in a file."""

    _lock = threading.Lock()

    def __init__(self, path) -> None:
        self.path = path

    def send(self, message: Outgoing, phone_of: PhoneLookup) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"written_at": datetime.now(UTC).isoformat(), **asdict(message)}, ensure_ascii=False)
        with self._lock, self.path.open("a", encoding="utf-8") as file:
            file.write(line + "\n")


def channels_from(settings: NotificationSettings, http: httpx.Client):
    if settings.dev_file:
        return DevFileChannel(settings.dev_file_location())
    return PortalChannels(settings, http)


class Channels(DependencyProvider):
    """The service's channels, made once per container from its settings."""

    def setup(self) -> None:
        settings = notification_settings()
        self.http = httpx.Client(timeout=settings.portal_timeout_seconds)
        self.channels = channels_from(settings, self.http)
        if settings.dev_file:
            logger.warning("development channel on: messages are written to a file, not sent",
                           extra={"path": str(settings.dev_file_location())})

    def stop(self) -> None:
        self.http.close()

    def get_dependency(self, worker_ctx):
        return self.channels
