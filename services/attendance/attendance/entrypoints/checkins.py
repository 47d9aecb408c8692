"""Entrypoints of check-ins (Art. 26, 47): the intake queue's consumer, which decides check-ins
in batches, and the look-up of one's own check-in."""

from __future__ import annotations

from datetime import UTC, datetime

from attendance.usecases import checkins
from common.contracts.attendance import CHECKIN_INTAKE_QUEUE, CheckinCommand
from common.inbox import consumes_batch
from common.service import query


class CheckinEntrypoints:
    # Batches of up to 500, two in flight: one is decided while the other waits on the database. A
    # batch of fewer than 50 gathers for 50 ms first: a batch costs ~6 ms of CPU whatever its size,
    # so at 100 check-ins a second batches of one each would take most of a core; phones waiting for
    # their decision (wait_ms) then wait 50 ms more. At the peak the batches are big and start at
    # once, and a bigger one costs less per check-in: the decisions keep up with the intake.
    @consumes_batch(CHECKIN_INTAKE_QUEUE, CheckinCommand, source="gateway", window=500, in_flight=2, linger=0.05)
    def decide_checkins(self, commands: list[CheckinCommand]) -> None:
        platform_time = self.clock.now() if self.clock.shows_a_set_time() else None
        session = self.db.session
        decided = checkins.decide_checkins(session, commands, self.rules(), platform_time=platform_time,
                                           wall_clock=lambda: datetime.now(UTC))
        self.db.commit()
        # The gateways waiting for these decisions (wait_ms) hear them now; the others read them
        # from the status URL.
        self.replies([(reply_to, answer.view) for answer in decided for reply_to in answer.reply_to])

    @query
    def checkin_status(self, call, checkin_id: str) -> dict:
        return checkins.checkin_status(call, checkin_id)
