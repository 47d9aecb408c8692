"""The gateway times every call to a service, by outcome (the RPC latency panel and the
timeout alert of deploy/prometheus)."""

import pytest
from nameko.exceptions import RpcTimeout, UnknownService
from prometheus_client import REGISTRY

from common.errors import NotFound
from common.principal import Principal
from gateway.rpc import BrokerUnavailable, ReplyLost, ServiceClient

PRINCIPAL = Principal(user_id="u1", portal="zzd")


def _count(outcome: str) -> float:
    return REGISTRY.get_sample_value("gateway_rpc_seconds_count",
                                     {"service": "metricsvc", "method": "get_thing", "outcome": outcome}) or 0


@pytest.mark.parametrize(("raised", "outcome"), [
    (None, "ok"), (RpcTimeout(10), "timeout"), (ReplyLost("gone"), "reply_lost"),
    (BrokerUnavailable("down"), "unavailable"), (UnknownService("metricsvc"), "unknown_service"),
    (NotFound("no such thing"), "error"),
])
def test_each_call_is_timed_with_its_outcome(monkeypatch, raised, outcome):
    def answer(*_args):
        if raised is not None:
            raise raised
        return {"id": "t1"}

    client = ServiceClient({"AMQP_URI": "pyamqp://guest:guest@127.0.0.1:1/"}, timeout=1.0)
    monkeypatch.setattr(client, "_call", answer)
    before = _count(outcome)
    if raised is None:
        assert client.call("metricsvc", "get_thing", "t1", principal=PRINCIPAL) == {"id": "t1"}
    else:
        with pytest.raises(type(raised)):
            client.call("metricsvc", "get_thing", "t1", principal=PRINCIPAL)
    assert _count(outcome) - before == 1
