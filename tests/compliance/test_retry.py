"""Retry timing and the provider's rate-limit headers."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx2
import pytest

from compliance.gateway.retry import (
    MAX_PROVIDER_WAIT_S,
    RateLimitHeaders,
    RetryPolicy,
    parse_duration,
    parse_retry_after,
)

NOW = datetime(2026, 11, 27, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1s", 1.0),
        ("6m0s", 360.0),
        ("120ms", 0.12),
        ("1h2m3.5s", 3723.5),
        ("8.64s", 8.64),
        ("1h0m0s", 3600.0),
        ("0s", 0.0),
        ("0.5", 0.5),
        ("17", 17.0),
        (" 2s ", 2.0),
    ],
)
def test_parse_duration_reads_openai_durations_and_plain_seconds(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "  ", "soon", "1d", "1s2", "s", "-1", "-1s", "nan", "inf"])
def test_parse_duration_refuses_what_is_not_a_duration(text: str) -> None:
    assert parse_duration(text) is None


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "0.25"}, 0.25),
        ({"retry-after-ms": "20", "retry-after": "1"}, 0.02),
        ({"retry-after-ms": "soon", "retry-after": "2"}, 2.0),
        ({"retry-after": format_datetime(NOW + timedelta(seconds=90), usegmt=True)}, 90.0),
        ({"retry-after": "Fri, 27 Nov 2026 01:30:30 GMT"}, 30.0),
        ({"retry-after": format_datetime(NOW - timedelta(minutes=5), usegmt=True)}, 0.0),
    ],
)
def test_retry_after_reads_milliseconds_seconds_and_http_dates(
    headers: dict[str, str], seconds: float
) -> None:
    assert parse_retry_after(headers, now=NOW) == pytest.approx(seconds)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"retry-after": ""},
        {"retry-after": "later"},
        {"retry-after": "inf"},
        {"retry-after": "nan"},
        {"retry-after": "-4"},
        {"retry-after-ms": "inf"},
    ],
)
def test_retry_after_is_none_when_the_provider_said_nothing_usable(
    headers: dict[str, str],
) -> None:
    assert parse_retry_after(headers, now=NOW) is None


def test_retry_after_reads_http_headers_case_insensitively() -> None:
    headers = httpx2.Headers({"Retry-After-Ms": "750"})
    assert parse_retry_after(headers) == 0.75


def test_ratelimit_headers_parse_the_openai_set() -> None:
    headers = httpx2.Headers(
        {
            "X-RateLimit-Limit-Requests": "500",
            "x-ratelimit-remaining-requests": "0",
            "x-ratelimit-reset-requests": "120ms",
            "x-ratelimit-limit-tokens": "30000",
            "x-ratelimit-remaining-tokens": "29500",
            "x-ratelimit-reset-tokens": "1m0s",
        }
    )
    parsed = RateLimitHeaders.parse(headers)
    assert parsed.reset_requests_s == pytest.approx(0.12)
    assert parsed == RateLimitHeaders(
        limit_requests=500,
        remaining_requests=0,
        reset_requests_s=parsed.reset_requests_s,
        limit_tokens=30000,
        remaining_tokens=29500,
        reset_tokens_s=60.0,
    )


def test_ratelimit_headers_leave_out_what_is_missing_or_unreadable() -> None:
    parsed = RateLimitHeaders.parse(
        {
            "x-ratelimit-remaining-requests": "inf",
            "x-ratelimit-remaining-tokens": "many",
            "x-ratelimit-reset-tokens": "forever",
        }
    )
    assert parsed == RateLimitHeaders()


def test_backoff_has_full_jitter_below_a_doubling_ceiling() -> None:
    policy = RetryPolicy(base_delay_s=0.5, max_delay_s=3.0)
    rng = random.Random(1)
    for failures, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 3.0), (9, 3.0), (5000, 3.0)]:
        delays = [policy.delay(failures, None, rng) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8  # jitter spreads over the whole range
        assert min(delays) < ceiling * 0.2


def test_a_provider_wait_wins_over_backoff_and_is_capped() -> None:
    policy = RetryPolicy(base_delay_s=0.5, max_delay_s=3.0)
    rng = random.Random(2)
    assert 7.0 <= policy.delay(1, 7.0, rng) <= 7.05
    assert 0.0 <= policy.delay(3, 0.0, rng) <= 0.05
    assert MAX_PROVIDER_WAIT_S <= policy.delay(1, 1e9, rng) <= MAX_PROVIDER_WAIT_S + 0.05
