"""The nightly window: stop starting new work when the projected finish passes ``window_end``."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo


def window_deadline(window_end: str, timezone: str, now: datetime) -> datetime:
    """The next ``window_end`` (HH:MM in ``timezone``) after ``now``, as an aware datetime."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    hours, minutes = (int(part) for part in window_end.split(":"))
    end = datetime.combine(local.date(), dtime(hours, minutes), tzinfo=zone)
    if end <= local:
        end += timedelta(days=1)
    return end


class WindowGuard:
    """Decides, before each document starts, whether it can still finish inside the window.

    A document may start when now + the observed duration of one document (start to finish, which
    includes waiting for the pacer) is before the deadline. Documents are offered in priority
    order, so what is deferred is the least urgent work. ``projected_finish`` is the throughput
    estimate for everything not yet started, reported in the summary.
    """

    def __init__(
        self,
        seconds_left: float | None,
        total: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._start = clock()
        self._deadline = None if seconds_left is None else self._start + seconds_left
        self._total = total
        self._durations = 0.0
        self.finished = 0
        self.started = 0
        self.deferred = 0

    def try_start(self) -> float | None:
        """The start time when the document may start, None when it must be deferred."""
        now = self._clock()
        if self._deadline is not None:
            typical = self._durations / self.finished if self.finished else 0.0
            if now + typical > self._deadline:
                self.deferred += 1
                return None
        self.started += 1
        return now

    def close(self) -> None:
        """Start no more documents (the run lost its lease): the rest is deferred."""
        self._deadline = -math.inf

    def finish_one(self, started_at: float) -> None:
        self.finished += 1
        self._durations += self._clock() - started_at

    def share_gone(self) -> float | None:
        """The share of the window gone since the run started, 0 to 1 (1 once closed); None
        without a deadline. Flex routes fall back to standard calls past their
        ``flex_fallback_after`` (``compliance.gateway.tiers``)."""
        if self._deadline is None:
            return None
        span = self._deadline - self._start
        if span <= 0:
            return 1.0
        return min(max((self._clock() - self._start) / span, 0.0), 1.0)

    def projected_finish_s(self) -> float | None:
        """Seconds from now until everything not yet started would be done, at the seen pace."""
        if not self.finished:
            return None
        elapsed = self._clock() - self._start
        remaining = self._total - self.started - self.deferred
        return remaining * elapsed / self.finished
