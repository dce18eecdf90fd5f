"""Flex calls through the gateway, asserted on what left the process (``httpx2.MockTransport``):
``service_tier`` in the body, the long timeout, 429 "resource unavailable" apart from a rate
limit, its own retry budget, the fallback to standard calls, the price factor, the audit's tier."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

import httpx2
import pytest

from compliance.audit.observer import draft_entry, intent_entry
from compliance.gateway.answers import is_resource_unavailable
from compliance.gateway.calls import Intent, ModelRequest, Outcome
from compliance.gateway.gateway import Gateway
from compliance.gateway.pacer import Reservation, RoutePacer
from compliance.gateway.retry import RateLimitHeaders, RetryPolicy
from compliance.gateway.tiers import tier_for, wants_flex
from storage.types import utcnow
from tests.compliance.test_gateway import REQUEST, Provider, Seen, Waits, error, ok, route

NIGHTLY = REQUEST  # ModelRequest's path defaults to "nightly"
ONLINE = ModelRequest(**{**NIGHTLY.__dict__, "path": "online"})
UNAVAILABLE_BODY = {
    "error": {
        "message": "Resource unavailable: flex processing has no capacity now (simulated).",
        "type": "resource_unavailable",
        "param": None,
        "code": "resource_unavailable",
    }
}


def unavailable(**headers: str) -> httpx2.Response:
    return httpx2.Response(429, json=UNAVAILABLE_BODY, headers=headers)


@dataclass
class Share:
    """A nightly window whose share gone the test sets."""

    gone: float | None = 0.0

    def share_gone(self) -> float | None:
        return self.gone


class Intents(Seen):
    """Sees attempts and the intents before them."""

    def __init__(self) -> None:
        super().__init__()
        self.intents: list[Intent] = []

    async def intend(self, request: ModelRequest, intent: Intent) -> None:
        self.intents.append(intent)


class RecordingPacer:
    """Books nothing; keeps what each settle was told."""

    def __init__(self) -> None:
        self.settled: list[tuple[int | None, RateLimitHeaders | None, float | None]] = []

    async def acquire(self, route: str, tokens: int) -> Reservation:
        return Reservation(route, tokens, 0.0, 0.0, 0.0)

    async def settle(
        self,
        reservation: Reservation,
        used_tokens: int | None,
        headers: RateLimitHeaders | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        self.settled.append((used_tokens, headers, retry_after_s))


def flex_gateway(
    provider: Provider, *, retry: RetryPolicy | None = None, **route_options: Any
) -> tuple[Gateway, Intents, Waits, RecordingPacer]:
    seen, waits, pacer = Intents(), Waits(), RecordingPacer()
    options = {
        "service_tier": "flex",
        "price_input_per_1m": Decimal(100),
        "price_output_per_1m": Decimal(400),
    }
    gateway = Gateway.unguarded_for_tests(
        {"r": route(**(options | route_options))},
        {"r": "k"},
        observers=[seen],
        transport=httpx2.MockTransport(provider),
        retry=retry or RetryPolicy(),
        sleep=waits,
        rng=random.Random(1),
        pacer=cast(RoutePacer, pacer),
    )
    return gateway, seen, waits, pacer


def read_timeout(request: httpx2.Request) -> float:
    timeout = request.extensions["timeout"]
    return float(timeout["read"])


async def test_a_flex_call_sends_service_tier_flex_with_the_long_timeout_and_costs_half() -> None:
    provider = Provider(ok(tokens_in=1000, tokens_out=100))
    gateway, seen, _, _ = flex_gateway(provider, timeout_s=30.0)
    async with gateway:
        response = await gateway.call(NIGHTLY, "r", timeout_s=20.0)

    assert response.ok
    assert provider.bodies()[0]["service_tier"] == "flex"
    assert read_timeout(provider.requests[0]) == 900.0
    # (1000 × 100 + 100 × 400) / 1M = 0.14 at the route's prices; flex is billed at 0.5
    assert seen.attempts[0].cost == Decimal("0.070000")
    assert seen.attempts[0].service_tier == "flex"
    assert not seen.attempts[0].flex_fallback


async def test_a_standard_route_sends_no_service_tier_and_its_own_timeout() -> None:
    provider = Provider(ok(tokens_in=1000, tokens_out=100))
    gateway, seen, _, _ = flex_gateway(provider, service_tier=None, timeout_s=30.0)
    async with gateway:
        await gateway.call(NIGHTLY, "r")

    assert "service_tier" not in provider.bodies()[0]
    assert read_timeout(provider.requests[0]) == 30.0
    assert seen.attempts[0].cost == Decimal("0.140000")
    assert seen.attempts[0].service_tier is None


async def test_online_calls_on_a_flex_route_go_standard_a_person_is_waiting() -> None:
    provider = Provider(ok())
    gateway, seen, _, _ = flex_gateway(provider, flex_timeout_s=600.0)
    async with gateway:
        await gateway.call(ONLINE, "r", timeout_s=20.0)

    assert "service_tier" not in provider.bodies()[0]
    assert read_timeout(provider.requests[0]) == 20.0
    assert not seen.attempts[0].flex_fallback  # not flex at all, so not a fallback


async def test_resource_unavailable_is_its_own_outcome_retried_with_backoff_no_pacing_hold() -> (
    None
):
    provider = Provider(unavailable(**{"retry-after": "7"}), unavailable(), ok())
    gateway, seen, waits, pacer = flex_gateway(provider)
    async with gateway:
        response = await gateway.call(NIGHTLY, "r")

    assert response.ok
    assert [a.outcome for a in seen.attempts] == [
        Outcome.RESOURCE_UNAVAILABLE,
        Outcome.RESOURCE_UNAVAILABLE,
        Outcome.OK,
    ]
    assert seen.attempts[0].detail == "HTTP 429 resource_unavailable"
    assert [b["service_tier"] for b in provider.bodies()] == ["flex"] * 3
    assert 7.0 <= waits.delays[0] <= 7.05  # the provider's word first
    assert 0.0 <= waits.delays[1] <= 1.0  # then full jitter, base 0.5 s × 2
    # no capacity is not a rate limit: nothing used, and no hold on the route's pacing
    assert [(used, hold) for used, _, hold in pacer.settled[:2]] == [(0, None), (0, None)]
    assert [a.cost for a in seen.attempts[:2]] == [Decimal(0), Decimal(0)]


async def test_a_rate_limit_429_on_a_flex_call_stays_a_rate_limit_and_holds_the_route() -> None:
    provider = Provider(error(429, **{"retry-after": "3"}), ok())
    gateway, seen, waits, pacer = flex_gateway(provider)
    async with gateway:
        await gateway.call(NIGHTLY, "r")

    assert seen.attempts[0].outcome is Outcome.RATE_LIMITED
    assert pacer.settled[0][2] == 3.0
    assert 3.0 <= waits.delays[0] <= 3.05


async def test_resource_unavailable_has_a_budget_apart_from_transport_failures() -> None:
    policy = RetryPolicy(max_attempts=2, unavailable_attempts=5)
    script = [error(503), unavailable(), unavailable(), unavailable(), ok()]
    provider = Provider(*script)
    gateway, seen, _, _ = flex_gateway(provider, retry=policy)
    async with gateway:
        response = await gateway.call(NIGHTLY, "r")
    assert response.ok and len(seen.attempts) == 5  # 3 unavailable did not spend max_attempts

    provider = Provider(unavailable())
    gateway, seen, _, _ = flex_gateway(provider, retry=policy)
    async with gateway:
        response = await gateway.call(NIGHTLY, "r")
    assert response.outcome is Outcome.RESOURCE_UNAVAILABLE
    assert len(seen.attempts) == 5


async def test_a_429_saying_resource_unavailable_to_a_standard_call_is_a_rate_limit() -> None:
    provider = Provider(unavailable(), ok())
    gateway, seen, _, _ = flex_gateway(provider, service_tier=None)
    async with gateway:
        await gateway.call(NIGHTLY, "r")
    assert seen.attempts[0].outcome is Outcome.RATE_LIMITED


async def test_once_the_window_share_is_gone_flex_calls_go_out_standard_as_fallbacks() -> None:
    window = Share(0.2)
    provider = Provider(unavailable(), ok())
    gateway, seen, _, _ = flex_gateway(provider, flex_fallback_after=0.5, timeout_s=30.0)
    async with gateway:
        await gateway.call(NIGHTLY, "r", window=window)
        window.gone = 0.5
        await gateway.call(NIGHTLY, "r", window=window)

    bodies = provider.bodies()
    assert [b.get("service_tier") for b in bodies] == ["flex", "flex", None]
    assert [read_timeout(r) for r in provider.requests] == [900.0, 900.0, 30.0]
    assert [a.flex_fallback for a in seen.attempts] == [False, False, True]
    assert seen.attempts[2].service_tier is None
    assert seen.attempts[2].cost == 2 * seen.attempts[1].cost  # the route's full price


async def test_the_window_share_is_read_per_attempt_a_retry_after_the_point_goes_standard() -> None:
    window = Share(0.49)
    provider = Provider(unavailable(), ok())
    gateway, seen, waits, _ = flex_gateway(provider)

    async def sleep(seconds: float) -> None:
        await waits(seconds)
        window.gone = 0.51

    gateway._sleep = sleep
    async with gateway:
        response = await gateway.call(NIGHTLY, "r", window=window)

    assert response.ok
    assert [b.get("service_tier") for b in provider.bodies()] == ["flex", None]
    assert [a.flex_fallback for a in seen.attempts] == [False, True]


def test_one_predicate_decides_flex_and_a_default_tier_is_sent_as_asked() -> None:
    flex, default = route(service_tier="flex"), route(service_tier="default")
    assert wants_flex(flex, NIGHTLY) and not wants_flex(flex, ONLINE)
    assert not wants_flex(default, NIGHTLY) and not wants_flex(route(), NIGHTLY)
    assert tier_for(default, NIGHTLY, None).service_tier == "default"
    assert tier_for(flex, NIGHTLY, None).flex  # no window: flex all night
    assert tier_for(flex, NIGHTLY, Share(None)).flex
    assert tier_for(flex, NIGHTLY, Share(1.0)).fallback
    always = route(service_tier="flex", flex_fallback_after=0.0)
    assert tier_for(always, NIGHTLY, Share(0.0)).fallback


def test_the_resource_unavailable_body_is_told_apart_by_code_or_message() -> None:
    assert is_resource_unavailable(httpx2.Response(429, json=UNAVAILABLE_BODY).content)
    by_message = {"error": {"message": "Resource Unavailable, retry later", "code": None}}
    assert is_resource_unavailable(httpx2.Response(429, json=by_message).content)
    limit = {"error": {"message": "Rate limit reached", "code": "rate_limit_exceeded"}}
    assert not is_resource_unavailable(httpx2.Response(429, json=limit).content)
    assert not is_resource_unavailable(b"<html>busy</html>")
    assert not is_resource_unavailable(b'["error"]')


async def test_audit_entries_record_the_tier_sent() -> None:
    provider = Provider(ok())
    gateway, seen, _, _ = flex_gateway(provider)
    async with gateway:
        await gateway.call(NIGHTLY, "r")
    attempt, intent = seen.attempts[0], seen.intents[0]

    assert intent.service_tier == "flex" and intent.attempt_id == attempt.attempt_id
    assert intent_entry(NIGHTLY, intent, None, utcnow())["service_tier"] == "flex"
    assert draft_entry(NIGHTLY, attempt, None, utcnow())["service_tier"] == "flex"
    standard = Intent("a" * 32, 1, "r", "m")
    assert intent_entry(NIGHTLY, standard, None, utcnow())["service_tier"] is None


@pytest.mark.parametrize("share", [-0.1, 1.1])
def test_the_fallback_share_is_a_share(share: float) -> None:
    with pytest.raises(ValueError):
        route(service_tier="flex", flex_fallback_after=share)


def test_a_route_in_flex_mode_is_flex_on_the_nightly_path_only() -> None:
    by_mode = route(mode="flex")
    assert wants_flex(by_mode, NIGHTLY) and not wants_flex(by_mode, ONLINE)
    assert not wants_flex(route(mode="batch"), NIGHTLY)
