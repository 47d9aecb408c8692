"""The notification service as it runs (its own process, the real RabbitMQ and PostgreSQL): a
warning published on the attendance service's exchange reaches the ZZD stand-in as one signed work
notice per acting post, and never a second one, whether the event is delivered again or the
service restarts."""

import time
from datetime import UTC, datetime

from kombu import Exchange
from sqlalchemy.orm import Session

from common import events
from common.amqp import ConfirmedPublisher, OutgoingMessage
from common.database import engine_for, migrate
from common.principal import Principal
from gateway.portal_standins import serve_in_thread, zzd_standin_app
from notification.service import MIGRATIONS_DIR

BACK_OFFICE = Principal(user_id="back-office", portal="zzd", roles=frozenset({"leading_group"}))


def wait_for(predicate, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_warning_becomes_one_work_notice_per_acting_post_once(postgres_database, service_process, amqp_uri, feed):
    url = postgres_database("notification")
    migrate(url, MIGRATIONS_DIR)
    with Session(engine_for(url)) as session:
        feed(session)
        session.commit()
    standin = zzd_standin_app("app-key", "app-secret", {})
    state = standin.state.portal
    with serve_in_thread(standin) as zzd_url:
        service = service_process("notification", url)
        service.env.update({"SUPERVISION_NOTIFICATION_ZZD_BASE_URL": zzd_url,
                            "SUPERVISION_NOTIFICATION_ZZD_APP_KEY": "app-key",
                            "SUPERVISION_NOTIFICATION_ZZD_APP_SECRET": "app-secret",
                            "SUPERVISION_NOTIFICATION_ZZD_TENANT_ID": "t-1"})
        service.start()
        event = events.AttendanceWarningRaised(
            occurred_at=datetime.now(UTC), warning_id="w-1", rule_id="attendance.absent", article="Art. 26",
            project_id="p-dike", must_act="owner", summary="项目经理连续缺勤")
        publisher = ConfirmedPublisher(amqp_uri, Exchange("attendance.events", type="topic", durable=True), 5)
        message = OutgoingMessage(routing_key=event.event_type, body=event.model_dump(mode="json"),
                                  message_id=str(event.event_id))
        try:
            assert all(publisher.publish([message]).confirmed)
            assert wait_for(lambda: len(state.work_notices) == 2), service.log.read_text()[-3000:]
            assert sorted(notice["receiverIds"] for notice in state.work_notices.values()) == ["zzd-200", "zzd-201"]

            assert all(publisher.publish([message]).confirmed)  # delivered again
            service.stop()
            service.start()  # and a restart
            time.sleep(3)
        finally:
            publisher.close()
        assert len(state.work_notices) == 2 and state.work_notice_requests == 2
        log = service.call("list_deliveries", principal=BACK_OFFICE, status="sent")
        assert sorted(item["recipient_user_id"] for item in log) == ["lead", "owner-chief"]
        service.stop()
    engine_for(url).dispose()
