"""Timers that the liveness probe watches.

A service's timers (the deadline sweep, the attendance evaluation) are the regulation's
clock: if one stops turning, warnings stop without any error. Each run beats a heartbeat;
``/livez`` fails when a timer has not completed a run for several of its intervals, and
``supervision_timer_last_success_timestamp_seconds`` tells when it last ran without an error
(the alert on a deadline sweep that stopped firing, deploy/prometheus/alerts.yml).
"""

from __future__ import annotations

from nameko.timer import Timer

from common import health, metrics

# A run may legitimately take a while (a month-end evaluation of a whole district).
_MISSED_INTERVALS = 10
_MIN_MAX_AGE_SECONDS = 600.0


class WatchedTimer(Timer):
    def start(self):
        self.heartbeat = health.heartbeat(f"{self.container.service_name}.{self.method_name}",
                                          max(_MIN_MAX_AGE_SECONDS, _MISSED_INTERVALS * self.interval))
        self.last_success = metrics.TIMER_LAST_SUCCESS.labels(self.container.service_name, self.method_name)
        self.last_success.set_to_current_time()
        super().start()

    def stop(self):
        self.heartbeat.retire()
        super().stop()

    def handle_result(self, worker_ctx, result, exc_info):
        self.heartbeat.beat()
        if exc_info is None:
            self.last_success.set_to_current_time()
        return super().handle_result(worker_ctx, result, exc_info)


timer = WatchedTimer.decorator
