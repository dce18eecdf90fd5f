"""Route pacing: run just under a route's rpm/tpm, together with every other worker process.

The algorithm is GCRA (the "virtual scheduling" form of a leaky bucket, as used by ATM networks
and by redis-cell): each route has a theoretical arrival time (TAT) for requests and for tokens.
A call books ``60/rpm`` seconds of request time and ``tokens * 60/tpm`` seconds of token time in
one atomic UPDATE (``storage.repositories.pacing``) and sleeps until its slot. A small tolerance
lets calls start slightly early so the pipe never idles; ``headroom`` keeps the pace a few
percent under the limit so the provider's own window never overflows.

After the call the booking is reconciled with the real usage (unused tokens are given back), and
the provider's view wins when it is stricter: a 429's ``retry-after`` holds the route for every
process until then, and an ``x-ratelimit-remaining-*`` too small for the next call holds it
until the sliding window has freed what is missing (capped by the reset time). A hold is
stored as ``until + tolerance`` so that the tolerance cannot start a call before ``until``.

In any window of ``W`` seconds at most ``floor((W + tolerance_s) / interval) + 1`` calls start
(``interval`` = ``60 / (rpm * headroom)``), whatever the number of processes. The burst the
tolerance allows fits the provider's 60-second window when ``tolerance_s <= (1 - headroom) * 60``.

Clocks: times are Unix seconds from each process's clock; hosts sharing a database must run NTP.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from compliance.gateway.retry import RateLimitHeaders
from compliance.gateway.routes import RouteConfig
from storage.repositories.pacing import PacingRepository

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class Reservation:
    route: str
    tokens: int
    #: Seconds of token time per token on this route (0 when the route has no tpm).
    token_s: float
    start_at: float
    waited_s: float
    #: The slot booked in the shared row (conforming time before the tolerance); None when
    #: the route is unlimited. Slots of one route are at least one interval apart.
    slot_at: float | None = None


class RoutePacer:
    """Books upstream capacity per route in the shared database before each attempt."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        routes: Mapping[str, RouteConfig],
        *,
        headroom: float = 0.97,
        tolerance_s: float = 1.0,
        clock: Clock = time.time,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if not 0 < headroom <= 1:
            raise ValueError("headroom must be in (0, 1]")
        if tolerance_s < 0:
            raise ValueError("tolerance_s must not be negative")
        self._sessions = sessions
        self._routes = dict(routes)
        self._headroom = headroom
        self._tolerance_s = tolerance_s
        self._clock = clock
        self._sleep = sleep
        self._ensured: set[str] = set()

    def intervals(self, route: str) -> tuple[float, float]:
        """(seconds per request, seconds per token) at the paced rate; 0 means unlimited."""
        config = self._routes[route]
        request_s = 60.0 / (config.rpm * self._headroom) if config.rpm else 0.0
        token_s = 60.0 / (config.tpm * self._headroom) if config.tpm else 0.0
        return request_s, token_s

    async def acquire(self, route: str, tokens: int) -> Reservation:
        """Wait for the route's next slot for a call of about ``tokens`` tokens."""
        request_s, token_s = self.intervals(route)
        now = self._clock()
        if not request_s and not token_s:
            return Reservation(route, tokens, 0.0, now, 0.0)
        tat_r, tat_t = await asyncio.to_thread(
            self._reserve, route, now, request_s, tokens * token_s
        )
        slot = max(tat_r - request_s, tat_t - tokens * token_s)
        start = max(now, slot - self._tolerance_s)
        wait = start - now
        if wait > 0:
            await self._sleep(wait)
        return Reservation(route, tokens, token_s, start, max(wait, 0.0), slot)

    async def settle(
        self,
        reservation: Reservation,
        used_tokens: int | None,
        headers: RateLimitHeaders | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        """Reconcile a booking with what happened, and respect the provider's stricter view."""
        shift = 0.0
        if used_tokens is not None and reservation.token_s:
            shift = (used_tokens - reservation.tokens) * reservation.token_s
        now = self._clock()
        hold_r, hold_t = self._holds(now + self._tolerance_s, reservation, headers, retry_after_s)
        if shift or hold_r is not None or hold_t is not None:
            await asyncio.to_thread(self._settle, reservation.route, shift, hold_r, hold_t)

    def _holds(
        self,
        base: float,
        reservation: Reservation,
        headers: RateLimitHeaders | None,
        retry_after_s: float | None,
    ) -> tuple[float | None, float | None]:
        """Theoretical arrival times that keep the route closed: ``base`` is now + tolerance.

        A 429's ``retry-after`` holds the route for that long. An ``x-ratelimit-remaining-*``
        too small for the next call holds it only until enough budget has been freed: the
        provider's window is sliding, so usage leaves it at about the pace it entered — one
        request interval per missing request, ``token_s`` per missing token. The reset header
        (the time until the *whole* window is empty, up to 60 s) only caps that wait, and is
        the wait when the route declares no limit to derive a pace from.
        """
        if retry_after_s is not None:
            return base + retry_after_s, base + retry_after_s
        if headers is None:
            return None, None
        request_s, token_s = self.intervals(reservation.route)
        hold_r = hold_t = None
        if headers.remaining_requests == 0 and headers.reset_requests_s:
            hold_r = base + _until_freed(1, request_s, headers.reset_requests_s)
        if (
            headers.remaining_tokens is not None
            and headers.remaining_tokens < reservation.tokens
            and headers.reset_tokens_s
        ):
            missing = reservation.tokens - headers.remaining_tokens
            hold_t = base + _until_freed(missing, token_s, headers.reset_tokens_s)
        return hold_r, hold_t

    def _reserve(
        self, route: str, now: float, request_s: float, token_s: float
    ) -> tuple[float, float]:
        with self._sessions() as session, session.begin():
            repo = PacingRepository(session)
            if route not in self._ensured:
                repo.ensure(route)
            result = repo.reserve(route, now, request_s, token_s, self._tolerance_s)
        self._ensured.add(route)
        return result

    def _settle(self, route: str, shift: float, hold_r: float | None, hold_t: float | None) -> None:
        with self._sessions() as session, session.begin():
            repo = PacingRepository(session)
            if shift:
                repo.shift_tokens(route, shift)
            repo.hold_until(route, hold_r, hold_t)


def _until_freed(missing: float, seconds_each: float, reset_s: float) -> float:
    """Seconds until ``missing`` units leave a sliding window freeing one per ``seconds_each``."""
    if not seconds_each:
        return reset_s
    return min(missing * seconds_each, reset_s)
