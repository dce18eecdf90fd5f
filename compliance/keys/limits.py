"""Per-caller-key limits in the gateway, shared by every process through the database.

:class:`KeyLimiter` is both a ``CallPolicy`` and an ``AttemptObserver``
(``compliance.gateway.gateway``). Before a call made for a key (``ModelRequest.caller_key_id``;
None = no key limits) it books, in one transaction (``storage.repositories.callers``), one
request and the estimated tokens and money against the key's limits:

=====================  =========================================================================
limit                  rule (0 = no limit)
=====================  =========================================================================
``rpm``                at most ``rpm`` calls start in any 60-second window ``[t, t + 60)``,
                       bursts included: a ring of ``rpm`` slots per key, each holding the start
                       of the last call that used it; a call takes the oldest slot, which must
                       be at least 60 s (+ a small margin) old. Exact, whatever the number of
                       processes.
``tpm``                GCRA over tokens: a call may start when the tokens booked ahead of now,
                       its own included, are at most one minute's worth (a call larger than
                       that starts when nothing is booked ahead). The long-run rate is ``tpm``;
                       a 60-second window can see up to twice ``tpm`` after an idle minute.
``daily_tokens``       fixed window per calendar day in the limiter's time zone.
``monthly_budget``     fixed window per calendar month, in the billing currency; a call books
                       its prompt estimate plus ``max_tokens`` at the route's prices.
=====================  =========================================================================

Over a limit the call is refused — ``Refusal("key_limit:<limit>", retry_after_s)``, one
``refused`` attempt, audited like any other, nothing sent — and nothing is charged (the booking
is rolled back). On the ``nightly`` path a key over ``rpm``/``tpm`` is not refused: the booking
takes the next free slot and the call sleeps until it, as the route pacer does; over the daily
or monthly budget it is refused and the batch defers the document (``flows/nightly/chunk.py``).

After each attempt :meth:`KeyLimiter.observe` reconciles the booking with what the provider
reported (unused tokens and money are given back, retries are charged); when a later policy
refused the call, the whole booking is given back. Requests/min count calls, not the retries
the gateway makes for one call (those are paced per route). Clocks: Unix seconds of each
process's clock (hosts sharing PostgreSQL must run NTP); ``clock`` and ``sleep`` are injectable.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from datetime import time as dtime
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from compliance.errors import ComplianceError
from compliance.gateway.calls import Attempt, ModelRequest, ModelResponse, Outcome, Refusal, cost_of
from compliance.gateway.routes import RouteConfig
from compliance.gateway.structured import messages_as_sent
from compliance.gateway.tokens import estimate_tokens
from storage.models.callers import CallerKey
from storage.repositories.callers import CallerKeyRepository, CallerLimitsRepository

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

WINDOW_S = 60.0
PREFIX = "key_limit"
RPM = f"{PREFIX}:rpm"
TPM = f"{PREFIX}:tpm"
DAILY_TOKENS = f"{PREFIX}:daily_tokens"
MONTHLY_BUDGET = f"{PREFIX}:monthly_budget"
KEY_UNKNOWN = "key_unknown"
KEY_REVOKED = "key_revoked"
#: Refusals that waiting minutes will not cure: a batch defers the document instead.
BUDGET_REASONS = frozenset({DAILY_TOKENS, MONTHLY_BUDGET})
LIMIT_REASONS = frozenset({RPM, TPM, DAILY_TOKENS, MONTHLY_BUDGET})
MICROS = Decimal(10**6)


class LimitExceeded(ComplianceError):
    """A call was refused because its caller key is over a limit (the API answers 429)."""

    def __init__(self, key_id: str | None, limit: str, retry_after_s: float | None) -> None:
        self.key_id = key_id
        self.limit = limit
        self.retry_after_s = retry_after_s
        wait = (
            f"retry in {retry_after_s:.0f} s" if retry_after_s is not None else "it will not pass"
        )
        super().__init__(f"caller key {key_id} is over its {limit} limit; {wait}")


def limit_refusal(response: ModelResponse) -> LimitExceeded | None:
    """The key-limit refusal that stopped ``response``'s call, if that is what happened."""
    if response.outcome is not Outcome.REFUSED or not response.attempts:
        return None
    attempt = response.attempts[-1]
    if attempt.detail not in LIMIT_REASONS:
        return None
    return LimitExceeded(response.request.caller_key_id, attempt.detail, attempt.retry_after_s)


def budget_refusal(responses: Sequence[ModelResponse]) -> str | None:
    """``key_limit:daily_tokens`` / ``key_limit:monthly_budget`` when that refused the last call."""
    if not responses or responses[-1].outcome is not Outcome.REFUSED:
        return None
    attempts = responses[-1].attempts
    detail = attempts[-1].detail if attempts else None
    return detail if detail in BUDGET_REASONS else None


def to_micros(amount: Decimal) -> int:
    """Money as integer millionths (exact sums and comparisons on every database)."""
    return int((amount * MICROS).to_integral_value())


@dataclass
class _Booking:
    """What a call booked, so that its attempts can settle it."""

    request: ModelRequest
    key_id: str
    tokens: int
    cost_micros: int
    start_at: float
    #: Seconds of token time per token (0 when the key has no tpm).
    token_s: float = 0.0
    day: str | None = None
    month: str | None = None
    #: (slot, its previous time, the time booked) when the key has an rpm.
    slot: tuple[int, float, float] | None = None
    settled: bool = False


class _Refused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        self.refusal = refusal


#: The booking of the call in progress in this task (policies and observers of one call run in
#: the task that awaits ``Gateway.call``).
_BOOKING: contextvars.ContextVar[_Booking | None] = contextvars.ContextVar(
    "nightshift_key_booking", default=None
)


def _next_midnight(moment: datetime) -> datetime:
    zone = moment.tzinfo
    return datetime.combine(moment.date() + timedelta(days=1), dtime(0), tzinfo=zone)


def _next_month(moment: datetime) -> datetime:
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    return datetime(year, month, 1, tzinfo=moment.tzinfo)


class KeyLimiter:
    """The caller-key limits of the gateway (a ``CallPolicy`` and an ``AttemptObserver``)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        timezone: tzinfo = UTC,
        clock: Clock = time.time,
        sleep: Sleep = asyncio.sleep,
        rpm_margin_s: float = 0.5,
    ) -> None:
        """``timezone`` sets where a day and a month start for the daily and monthly limits.

        A request slot is reused ``60 + rpm_margin_s`` seconds after its previous call started,
        so the jitter between booking a call and the provider receiving it (up to the margin)
        cannot put ``rpm + 1`` of the key's calls into the provider's 60-second window.
        """
        if rpm_margin_s < 0:
            raise ValueError("rpm_margin_s must not be negative")
        self._rpm_window_s = WINDOW_S + rpm_margin_s
        self._sessions = sessions
        self._tz = timezone
        self._clock = clock
        self._sleep = sleep

    # -- before the call ------------------------------------------------------------------

    async def check(
        self, request: ModelRequest, route_name: str, route: RouteConfig
    ) -> Refusal | None:
        if request.caller_key_id is None:
            return None
        _BOOKING.set(None)
        prompt = estimate_tokens(messages_as_sent(request, route))
        tokens = prompt + request.max_tokens
        cost = cost_of(
            prompt, request.max_tokens, route.price_input_per_1m, route.price_output_per_1m
        )
        now = self._clock()
        wait = request.path == "nightly"
        result = await asyncio.to_thread(
            self._book, request, request.caller_key_id, now, tokens, to_micros(cost), wait
        )
        if isinstance(result, Refusal):
            return result
        if result is not None:
            _BOOKING.set(result)
            if result.start_at > now:
                await self._sleep(result.start_at - now)
        return None

    def _book(
        self,
        request: ModelRequest,
        key_id: str,
        now: float,
        tokens: int,
        cost_micros: int,
        wait: bool,
    ) -> _Booking | Refusal | None:
        try:
            with self._sessions() as session, session.begin():
                key = CallerKeyRepository(session).get(key_id)
                if key is None:
                    raise _Refused(Refusal(KEY_UNKNOWN))
                if key.revoked_at is not None:
                    raise _Refused(Refusal(KEY_REVOKED))
                if not (key.rpm or key.tpm or key.daily_tokens or key.monthly_budget):
                    return None
                booking = _Booking(request, key_id, tokens, cost_micros, now)
                self._book_locked(CallerLimitsRepository(session), key, booking, now, wait)
                return booking
        except _Refused as refused:  # the transaction is rolled back: nothing was charged
            return refused.refusal

    def _book_locked(
        self,
        repo: CallerLimitsRepository,
        key: CallerKey,
        booking: _Booking,
        now: float,
        wait: bool,
    ) -> None:
        tat = repo.lock(key.id)  # every other booking of this key waits here until we commit
        if tat is None:
            raise _Refused(Refusal(KEY_UNKNOWN))
        local = datetime.fromtimestamp(now, self._tz)
        if key.daily_tokens:
            booking.day = f"day:{local.date().isoformat()}"
            if booking.tokens > key.daily_tokens or not repo.charge(
                key.id,
                booking.day,
                booking.tokens,
                booking.cost_micros,
                max_tokens=key.daily_tokens,
            ):
                raise _Refused(Refusal(DAILY_TOKENS, _next_midnight(local).timestamp() - now))
        budget = to_micros(Decimal(key.monthly_budget))
        if budget:
            booking.month = f"month:{local:%Y-%m}"
            if booking.cost_micros > budget or not repo.charge(
                key.id, booking.month, booking.tokens, booking.cost_micros, max_cost_micros=budget
            ):
                raise _Refused(Refusal(MONTHLY_BUDGET, _next_month(local).timestamp() - now))
        start = now
        if key.rpm:
            booking.slot = self._take_slot(repo, key.id, now, wait, self._rpm_window_s)
            start = booking.slot[2]
        if key.tpm:
            start = max(start, self._take_tokens(repo, key, booking, tat, now, wait))
        if booking.slot is not None and start > booking.slot[2]:
            slot, previous, taken = booking.slot
            repo.swap_slot(key.id, slot, taken, start)  # the slot records the real start
            booking.slot = (slot, previous, start)
        booking.start_at = start

    @staticmethod
    def _take_slot(
        repo: CallerLimitsRepository, key_id: str, now: float, wait: bool, window_s: float
    ) -> tuple[int, float, float]:
        """Take the key's oldest request slot: (slot, previous time, start time)."""
        oldest = repo.oldest_slot(key_id)
        if oldest is None:
            raise _Refused(Refusal(KEY_UNKNOWN))
        slot, used_at = oldest
        free_at = used_at + window_s
        if free_at > now and not wait:
            raise _Refused(Refusal(RPM, free_at - now))
        start = max(now, free_at)
        # Under the key's lock the compare-and-set cannot lose; if it ever did, refuse briefly.
        if not repo.swap_slot(key_id, slot, used_at, start):
            raise _Refused(Refusal(RPM, 1.0))
        return slot, used_at, start

    @staticmethod
    def _take_tokens(
        repo: CallerLimitsRepository,
        key: CallerKey,
        booking: _Booking,
        tat: float,
        now: float,
        wait: bool,
    ) -> float:
        """Book the call's tokens on the key's GCRA; returns the earliest conforming start."""
        booking.token_s = WINDOW_S / key.tpm
        base = max(tat, now)
        new_tat = base + booking.tokens * booking.token_s
        start = max(now, new_tat - WINDOW_S) if new_tat - base <= WINDOW_S else base
        if start > now and not wait:
            raise _Refused(Refusal(TPM, start - now))
        repo.set_tat(key.id, new_tat)
        return start

    # -- after each attempt ---------------------------------------------------------------

    async def observe(self, request: ModelRequest, attempt: Attempt) -> None:
        booking = _BOOKING.get()
        if booking is None or booking.request is not request:
            return
        used = attempt.tokens_in + attempt.tokens_out
        spent = to_micros(attempt.cost)
        release = False
        if not booking.settled:  # the first attempt replaces the estimate by the real usage
            booking.settled = True
            release = attempt.outcome is Outcome.REFUSED  # a later policy stopped the call
            if release:
                used = spent = 0
            used -= booking.tokens
            spent -= booking.cost_micros
        elif attempt.outcome is Outcome.REFUSED:
            return
        if used or spent or release:
            await asyncio.to_thread(self._settle, booking, used, spent, release)

    def _settle(self, booking: _Booking, tokens: int, cost_micros: int, release: bool) -> None:
        with self._sessions() as session, session.begin():
            repo = CallerLimitsRepository(session)
            repo.lock(booking.key_id)  # same lock order as a booking: no deadlock
            if booking.token_s and tokens:
                repo.shift_tokens(booking.key_id, tokens * booking.token_s)
            for period in (booking.day, booking.month):
                if period is not None and (tokens or cost_micros):
                    repo.adjust(booking.key_id, period, tokens, cost_micros)
            if release and booking.slot is not None:
                slot, previous, taken = booking.slot
                repo.swap_slot(booking.key_id, slot, taken, previous)
