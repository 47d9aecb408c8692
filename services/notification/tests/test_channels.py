"""The channels against local stand-ins of the providers: each request signed as the provider
checks it, one delivery per message id, a refusal or a broken provider a ChannelFault."""

import httpx
import pytest
from fastapi import Response

from gateway.portal_standins import serve_in_thread, sms_standin_app, zlb_standin_app, zzd_standin_app
from notification.channels import ChannelFault, DevFileChannel, Outgoing, PortalChannels
from notification.settings import NotificationSettings


@pytest.fixture(scope="module")
def standins():
    zzd, zlb, sms = (zzd_standin_app("app-key", "app-secret", {}), zlb_standin_app("svc", "svc-pwd", {}),
                     sms_standin_app("sms-key", "sms-secret"))
    with serve_in_thread(zzd) as zzd_url, serve_in_thread(zlb) as zlb_url, serve_in_thread(sms) as sms_url:
        yield {"zzd": (zzd.state.portal, zzd_url), "zlb": (zlb.state.portal, zlb_url),
               "sms": (sms.state.portal, sms_url)}


def channels(standins, **overrides):
    settings = NotificationSettings(**{
        "zzd_base_url": standins["zzd"][1], "zzd_app_key": "app-key", "zzd_app_secret": "app-secret",
        "zzd_tenant_id": "t-1", "zlb_base_url": standins["zlb"][1], "zlb_service_code": "svc",
        "zlb_service_password": "svc-pwd", "sms_base_url": standins["sms"][1], "sms_access_key": "sms-key",
        "sms_secret": "sms-secret", **overrides})
    return PortalChannels(settings, httpx.Client(timeout=2))


def test_a_work_notice_is_signed_and_delivered_once_per_biz_msg_id(standins):
    state = standins["zzd"][0]
    notice = Outgoing("m-1", "zzd", "owner-chief", "zzd-200", "预警", "项目经理缺勤")
    channels(standins).send(notice, lambda _: None)
    channels(standins).send(notice, lambda _: None)  # a resend after a fault we did not hear of
    assert list(state.work_notices) == ["m-1"]
    assert state.work_notices["m-1"]["receiverIds"] == "zzd-200" and state.work_notices["m-1"]["tenantId"] == "t-1"
    assert "项目经理缺勤" in state.work_notices["m-1"]["msg"]


def test_a_badly_signed_or_refused_or_broken_work_notice_is_a_fault(standins):
    state = standins["zzd"][0]
    notice = Outgoing("m-2", "zzd", "owner-chief", "zzd-200", "预警", "x")
    with pytest.raises(ChannelFault):
        channels(standins, zzd_app_secret="wrong").send(notice, lambda _: None)
    state.refuse_work_notices = 1
    with pytest.raises(ChannelFault, match="STANDIN-NOTICE-FAILED"):
        channels(standins).send(notice, lambda _: None)
    state.canned_response = Response(status_code=503)
    try:
        with pytest.raises(ChannelFault):
            channels(standins).send(notice, lambda _: None)
    finally:
        state.canned_response = None
    assert "m-2" not in state.work_notices
    channels(standins).send(notice, lambda _: None)
    assert "m-2" in state.work_notices


def test_a_zlb_message_is_signed_and_delivered_once_per_msg_id(standins):
    state = standins["zlb"][0]
    message = Outgoing("m-3", "zlb", "pm", "zlb-501", "预警", "请处理")
    channels(standins).send(message, lambda _: None)
    channels(standins).send(message, lambda _: None)
    assert state.messages == {"m-3": {"userId": "zlb-501", "title": "预警", "content": "请处理"}}
    with pytest.raises(ChannelFault):
        channels(standins, zlb_service_password="wrong").send(Outgoing("m-4", "zlb", "pm", "zlb-501", "t", "x"),
                                                              lambda _: None)


def test_a_text_goes_to_the_phone_asked_at_send_time(standins):
    state = standins["sms"][0]
    asked = []
    text = Outgoing("m-5", "sms", "offline-chief", None, "预警", "请处理")
    channels(standins).send(text, lambda user_id: asked.append(user_id) or "13800000000")
    assert asked == ["offline-chief"] and state.texts["m-5"]["phone"] == "13800000000"
    with pytest.raises(ChannelFault, match="no phone"):
        channels(standins).send(Outgoing("m-6", "sms", "x", None, "t", "x"), lambda _: None)
    with pytest.raises(ChannelFault):
        channels(standins, sms_secret="wrong").send(Outgoing("m-7", "sms", "x", None, "t", "x"), lambda _: "1")
    assert "m-7" not in state.texts


def test_the_development_channel_writes_what_would_be_sent(tmp_path):
    path = tmp_path / "var" / "notifications.jsonl"
    DevFileChannel(path).send(Outgoing("m-8", "zzd", "lead", "zzd-201", "预警", "x"), lambda _: None)
    assert '"id": "m-8"' in path.read_text(encoding="utf-8")
