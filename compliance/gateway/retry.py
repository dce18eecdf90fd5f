"""Retry timing and the rate-limit headers providers send.

Backoff is exponential with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"),
except when the provider says how long to wait: ``retry-after-ms`` (OpenAI), then ``retry-after``
(seconds or an HTTP date, RFC 9110 §10.2.3) win over our own guess.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
#: The longest wait a provider header can impose on one call or hold a route for.
MAX_PROVIDER_WAIT_S = 300.0
#: Backoff doubles at most this many times (2**30 * base is far above any max_delay_s).
_MAX_DOUBLINGS = 30


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry one call on one route."""

    #: Attempts per route when the transport fails (429, 5xx, timeout, connection).
    max_attempts: int = 4
    #: Extra attempts on the same route after an empty, non-JSON or schema-invalid answer.
    content_retries: int = 1
    #: Attempts of a flex call answered 429 "resource unavailable", a budget of their own.
    unavailable_attempts: int = 8
    base_delay_s: float = 0.5
    max_delay_s: float = 20.0

    def delay(self, failures: int, retry_after_s: float | None, rng: random.Random) -> float:
        """Seconds to wait before the next attempt after ``failures`` failed ones."""
        if retry_after_s is not None:
            return min(retry_after_s, MAX_PROVIDER_WAIT_S) + rng.uniform(0, 0.05)
        doublings = min(max(failures - 1, 0), _MAX_DOUBLINGS)
        ceiling = min(self.max_delay_s, self.base_delay_s * 2**doublings)
        return rng.uniform(0, ceiling)


def _non_negative(text: str) -> float | None:
    """A plain number of seconds; None for text, negatives, ``nan`` and ``inf``."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def parse_duration(text: str) -> float | None:
    """Parse OpenAI reset durations (``"1s"``, ``"6m0s"``, ``"120ms"``) or plain seconds.

    Anything else — negatives, ``nan``, ``inf``, unknown units — is None: a header must never
    hold a route forever or move it into the past.
    """
    text = text.strip()
    if not text:
        return None
    if _is_number(text):
        return _non_negative(text)
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    scale = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
    return sum(float(number) * scale[unit] for number, unit in parts)


def parse_retry_after(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """Seconds the provider asked us to wait, if it said."""
    millis = (headers.get("retry-after-ms") or "").strip()
    if millis and (waited := _non_negative(millis)) is not None:
        return waited / 1000.0
    value = (headers.get("retry-after") or "").strip()
    if not value:
        return None
    if _is_number(value):
        return _non_negative(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


@dataclass(frozen=True)
class RateLimitHeaders:
    """What ``x-ratelimit-*`` said about the provider's view of our budget."""

    limit_requests: int | None = None
    remaining_requests: int | None = None
    reset_requests_s: float | None = None
    limit_tokens: int | None = None
    remaining_tokens: int | None = None
    reset_tokens_s: float | None = None

    @classmethod
    def parse(cls, headers: Mapping[str, str]) -> RateLimitHeaders:
        def integer(name: str) -> int | None:
            value = headers.get(name)
            number = _non_negative(value) if value is not None else None
            return int(number) if number is not None else None

        def duration(name: str) -> float | None:
            value = headers.get(name)
            return parse_duration(value) if value is not None else None

        return cls(
            limit_requests=integer("x-ratelimit-limit-requests"),
            remaining_requests=integer("x-ratelimit-remaining-requests"),
            reset_requests_s=duration("x-ratelimit-reset-requests"),
            limit_tokens=integer("x-ratelimit-limit-tokens"),
            remaining_tokens=integer("x-ratelimit-remaining-tokens"),
            reset_tokens_s=duration("x-ratelimit-reset-tokens"),
        )
