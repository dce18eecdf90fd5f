"""Per-key rate limits over a sliding window, with OpenAI's ``x-ratelimit-*`` headers.

Every API key (the bearer token; ``anonymous`` without one) has its own window of
``window_s`` seconds (60 by default). A request is admitted when, counting it, the window holds
at most ``rpm`` requests and ``tpm`` tokens. At admission a request reserves
``prompt tokens + max_tokens`` (or the configured default output estimate); once answered the
reservation is corrected to the real ``prompt + completion`` tokens. Refused requests use
nothing. A request whose reservation alone exceeds ``tpm`` can never pass: it is refused
with a message that says so.

Headers, on every chat-completion response (200, 429 and the others):

- ``x-ratelimit-limit-requests`` / ``-tokens``: the limit;
- ``x-ratelimit-remaining-requests`` / ``-tokens``: what is left in the window now;
- ``x-ratelimit-reset-requests`` / ``-tokens``: time until the window holds no usage, i.e. until
  ``remaining`` is back at the limit (OpenAI's "resets to its initial state"), written in
  OpenAI's duration style: ``120ms``, ``1s``, ``8.64s``, ``6m0s``, ``1h0m0s``.

A dimension whose limit is 0 (no limit) sends no headers at all, like servers without limits.
A 429 also carries ``retry-after`` (whole seconds, rounded up) and ``retry-after-ms``: the time
until the request would have been admitted.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


def format_duration(seconds: float) -> str:
    """OpenAI's (Go's) duration style: ``0s``, ``120ms``, ``1s``, ``8.64s``, ``6m0s``."""
    millis = math.ceil(round(seconds * 1000, 6))
    if millis <= 0:
        return "0s"
    if millis < 1000:
        return f"{millis}ms"
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs = f"{rest / 1000:.3f}".rstrip("0").rstrip(".")
    if hours:
        return f"{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{minutes}m{secs}s"
    return f"{secs}s"


@dataclass
class _Usage:
    at: float
    tokens: int


@dataclass(frozen=True)
class Reservation:
    """What an admitted request holds in its key's window until it is settled."""

    key: str
    usage: _Usage


@dataclass(frozen=True)
class LimitState:
    """One key's window as the headers describe it (limits of 0 mean "no limit")."""

    limit_requests: int
    remaining_requests: int
    reset_requests_s: float
    limit_tokens: int
    remaining_tokens: int
    reset_tokens_s: float

    def headers(self) -> dict[str, str]:
        """The ``x-ratelimit-*`` headers; a dimension without a limit sends none."""
        headers: dict[str, str] = {}
        if self.limit_requests:
            headers["x-ratelimit-limit-requests"] = str(self.limit_requests)
            headers["x-ratelimit-remaining-requests"] = str(self.remaining_requests)
            headers["x-ratelimit-reset-requests"] = format_duration(self.reset_requests_s)
        if self.limit_tokens:
            headers["x-ratelimit-limit-tokens"] = str(self.limit_tokens)
            headers["x-ratelimit-remaining-tokens"] = str(self.remaining_tokens)
            headers["x-ratelimit-reset-tokens"] = format_duration(self.reset_tokens_s)
        return headers


@dataclass(frozen=True)
class Admission:
    """The answer of :meth:`RateLimiter.admit`."""

    state: LimitState
    reservation: Reservation | None = None
    retry_after_s: float = 0.0
    dimension: str = ""
    message: str = ""

    @property
    def allowed(self) -> bool:
        return self.reservation is not None

    def retry_headers(self) -> dict[str, str]:
        """``retry-after`` (ceil seconds) and ``retry-after-ms`` of a refusal."""
        seconds = max(1, math.ceil(round(self.retry_after_s, 6)))
        millis = max(1, math.ceil(round(self.retry_after_s * 1000, 6)))
        return {"retry-after": str(seconds), "retry-after-ms": str(millis)}


@dataclass
class _Window:
    usages: deque[_Usage] = field(default_factory=deque)

    def prune(self, oldest_allowed: float) -> None:
        while self.usages and self.usages[0].at <= oldest_allowed:
            self.usages.popleft()

    def tokens(self) -> int:
        return sum(usage.tokens for usage in self.usages)


class RateLimiter:
    """Sliding-window request and token limits per key; ``clock`` is injectable."""

    def __init__(self, rpm: int, tpm: int, window_s: float, clock: Callable[[], float]) -> None:
        self._rpm = rpm
        self._tpm = tpm
        self._window_s = window_s
        self._clock = clock
        self._windows: dict[str, _Window] = {}

    def admit(self, key: str, tokens: int) -> Admission:
        """Admit a request reserving ``tokens``, or refuse it with the time to wait."""
        now = self._clock()
        window = self._window(key, now)
        refusal = self._refusal(window, tokens, now)
        if refusal is not None:
            wait, dimension, message = refusal
            state = self._state(window, now)
            return Admission(state, retry_after_s=wait, dimension=dimension, message=message)
        usage = _Usage(at=now, tokens=tokens)
        window.usages.append(usage)
        return Admission(self._state(window, now), reservation=Reservation(key, usage))

    def settle(self, reservation: Reservation, tokens: int) -> None:
        """Correct a reservation to the tokens the request really used."""
        reservation.usage.tokens = tokens

    def state(self, key: str) -> LimitState:
        """The key's window now, without using anything."""
        now = self._clock()
        return self._state(self._window(key, now), now)

    def reset(self) -> None:
        """Forget every window."""
        self._windows.clear()

    def _window(self, key: str, now: float) -> _Window:
        window = self._windows.setdefault(key, _Window())
        window.prune(now - self._window_s)
        return window

    def _refusal(self, window: _Window, tokens: int, now: float) -> tuple[float, str, str] | None:
        """``(seconds to wait, "requests" | "tokens", message)`` or None to admit."""
        usages = window.usages
        if self._rpm and len(usages) >= self._rpm:
            freeing = usages[len(usages) - self._rpm]
            wait = freeing.at + self._window_s - now
            return (
                wait,
                "requests",
                f"Rate limit reached for requests per min (RPM): limit {self._rpm}.",
            )
        if not self._tpm:
            return None
        if tokens > self._tpm:
            wait = usages[-1].at + self._window_s - now if usages else self._window_s
            return (
                wait,
                "tokens",
                (
                    f"Request too large for tokens per min (TPM): limit {self._tpm}, requested "
                    f"{tokens}. Reduce the prompt or max_tokens; waiting will not help."
                ),
            )
        used = window.tokens()
        if used + tokens <= self._tpm:
            return None
        return (
            self._token_wait(window, used + tokens - self._tpm, now),
            "tokens",
            (
                f"Rate limit reached for tokens per min (TPM): limit {self._tpm}, used {used}, "
                f"requested {tokens}."
            ),
        )

    def _token_wait(self, window: _Window, excess: int, now: float) -> float:
        freed = 0
        for usage in window.usages:
            freed += usage.tokens
            if freed >= excess:
                return usage.at + self._window_s - now
        return window.usages[-1].at + self._window_s - now

    def _state(self, window: _Window, now: float) -> LimitState:
        reset = window.usages[-1].at + self._window_s - now if window.usages else 0.0
        return LimitState(
            limit_requests=self._rpm,
            remaining_requests=max(0, self._rpm - len(window.usages)),
            reset_requests_s=reset,
            limit_tokens=self._tpm,
            remaining_tokens=max(0, self._tpm - window.tokens()),
            reset_tokens_s=reset,
        )
