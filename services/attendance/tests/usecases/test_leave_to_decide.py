"""The approvals of a ZZD user's task list (Art. 26): the pending leave requests of the projects
whose owner the user serves, and no one else's."""

from datetime import UTC, datetime, timedelta

import pytest

from attendance.usecases.leave import decide_leave, leave_to_decide, request_leave
from common.errors import InvalidInput

START = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 08:00 local
PROJECT = "p-dike"


def shared_everything(project_id, file_ids, audiences):
    return []


def ask(call, day: str, reason: str) -> dict:
    return request_leave(call, {"project_id": PROJECT, "start_date": day, "end_date": day, "reason": reason},
                         share_files=shared_everything)


def test_the_owner_sees_the_pending_leave_it_decides_oldest_first(call_as):
    first = ask(call_as("pm", START), "2026-12-02", "病假")
    second = ask(call_as("safety", START + timedelta(minutes=5)), "2026-12-03", "事假")
    later = START + timedelta(hours=1)
    for owner_staff in ("owner-chief", "lead"):
        assert [row["id"] for row in leave_to_decide(call_as(owner_staff, later))] == [first["id"], second["id"]]
    assert [row["id"] for row in leave_to_decide(call_as("lead", later), limit=1, offset=1)] == [second["id"]]
    decide_leave(call_as("owner-chief", later), first["id"], {"decision": "refuse", "note": "工期紧"},
                 share_files=shared_everything)
    assert [(row["id"], row["status"]) for row in leave_to_decide(call_as("lead", later))] == [
        (second["id"], "pending")]


def test_no_one_but_the_owner_has_the_leave_to_decide(call_as):
    ask(call_as("pm", START), "2026-12-02", "病假")
    later = START + timedelta(hours=1)
    # Another owner, the line above, the back office (which only reads) and the person asking.
    for other in ("stranger", "line-head", "back-office"):
        assert leave_to_decide(call_as(other, later)) == []
    assert leave_to_decide(call_as("pm", later)) == []
    with pytest.raises(InvalidInput, match="limit"):
        leave_to_decide(call_as("lead", later), limit=501)
