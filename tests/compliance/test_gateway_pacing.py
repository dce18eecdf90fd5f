"""The gateway and the pacer together, over the real database and a crafted provider: what is
booked before each attempt, what is given back after it, and what the provider's headers hold."""

from __future__ import annotations

import json
import random
from typing import Any

import httpx2
import pytest
from sqlalchemy.orm import Session, sessionmaker

from compliance.gateway.calls import Attempt, ModelRequest, Outcome
from compliance.gateway.gateway import Gateway
from compliance.gateway.pacer import RoutePacer
from compliance.gateway.retry import MAX_PROVIDER_WAIT_S, RetryPolicy
from compliance.gateway.routes import RouteConfig
from compliance.gateway.tokens import estimate_tokens
from storage.repositories import PacingRepository

T0 = 1_800_000_000.0
TPM = 60_000  # one token = 1 ms of token time at headroom 1
REQUEST = ModelRequest(
    step="draft",
    prompt_version="draft.v1",
    messages=({"role": "user", "content": "Напишите ответ клиенту о двойном списании."},),
    max_tokens=200,
)
ESTIMATE = estimate_tokens(REQUEST.messages)


class FakeTime:
    """One clock for the pacer and the gateway; it moves only when someone sleeps."""

    def __init__(self) -> None:
        self.now = T0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def completion(tokens_in: int, tokens_out: int) -> dict[str, Any]:
    message = {"role": "assistant", "content": "Здравствуйте! Мы проверим списание."}
    return {
        "id": "c",
        "object": "chat.completion",
        "created": 0,
        "model": "m",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": tokens_in,
            "completion_tokens": tokens_out,
            "total_tokens": tokens_in + tokens_out,
        },
    }


def paced_gateway(
    sessions: sessionmaker[Session],
    time: FakeTime,
    answers: list[httpx2.Response],
    *,
    rpm: int = 0,
    tpm: int = TPM,
    tolerance_s: float = 1.0,
    retry: RetryPolicy | None = None,
) -> tuple[Gateway, RoutePacer, list[httpx2.Request]]:
    received: list[httpx2.Request] = []

    def provider(request: httpx2.Request) -> httpx2.Response:
        received.append(request)
        return answers[min(len(received), len(answers)) - 1]

    route = RouteConfig(base_url="http://p/v1", model="m", region="KZ", rpm=rpm, tpm=tpm)
    pacer = RoutePacer(
        sessions,
        {"r": route},
        headroom=1.0,
        tolerance_s=tolerance_s,
        clock=time,
        sleep=time.sleep,
    )
    gateway = Gateway.unguarded_for_tests(
        {"r": route},
        {"r": "k"},
        pacer=pacer,
        retry=retry or RetryPolicy(max_attempts=1),
        transport=httpx2.MockTransport(provider),
        rng=random.Random(1),
        sleep=time.sleep,
        clock=time,
    )
    return gateway, pacer, received


def tat(sessions: sessionmaker[Session]) -> tuple[float, float]:
    with sessions() as session:
        row = PacingRepository(session).get("r")
    assert row is not None
    return row


async def test_each_attempt_books_the_estimate_plus_max_tokens_and_settles_to_the_usage(
    sessions: sessionmaker[Session],
) -> None:
    time = FakeTime()
    answer = httpx2.Response(200, json=completion(ESTIMATE, 30))
    gateway, _, _ = paced_gateway(sessions, time, [answer])
    async with gateway:
        response = await gateway.call(REQUEST, "r")
    assert response.ok
    # booked ESTIMATE + 200 tokens, used ESTIMATE + 30: the rest is given back
    assert tat(sessions)[1] == pytest.approx(T0 + (ESTIMATE + 30) / 1000)


async def test_the_booking_learns_the_ratio_of_reported_to_estimated_prompt_tokens(
    sessions: sessionmaker[Session],
) -> None:
    time = FakeTime()
    answers = [httpx2.Response(200, json=completion(3 * ESTIMATE, 0)), httpx2.Response(500)]
    gateway, _, _ = paced_gateway(sessions, time, answers)
    booked: list[float] = []

    class BookingSpy:
        async def observe(self, request: ModelRequest, attempt: Attempt) -> None:
            booked.append(tat(sessions)[1])

    gateway.add_observer(BookingSpy())
    async with gateway:
        await gateway.call(REQUEST, "r")  # reports 3 × the estimate: settled to that
        await gateway.call(REQUEST, "r")  # a 500 keeps its booking: usage unknown
    assert booked[0] == pytest.approx(T0 + 3 * ESTIMATE / 1000)
    assert booked[1] - booked[0] == pytest.approx((3 * ESTIMATE + 200) / 1000)


async def test_a_429_gives_the_tokens_back_and_a_timeout_keeps_them(
    sessions: sessionmaker[Session],
) -> None:
    time = FakeTime()
    limited = httpx2.Response(429, json={"error": {"message": "slow down"}})
    gateway, _, _ = paced_gateway(sessions, time, [limited])
    async with gateway:
        await gateway.call(REQUEST, "r")
    assert tat(sessions)[1] == pytest.approx(T0)

    def timeout(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ReadTimeout("slow", request=request)

    route = RouteConfig(base_url="http://p/v1", model="m", region="KZ", tpm=TPM)
    pacer = RoutePacer(sessions, {"r": route}, headroom=1.0, clock=time, sleep=time.sleep)
    async with Gateway.unguarded_for_tests(
        {"r": route},
        {"r": "k"},
        pacer=pacer,
        retry=RetryPolicy(max_attempts=1),
        transport=httpx2.MockTransport(timeout),
    ) as slow:
        response = await slow.call(REQUEST, "r")
    assert response.outcome is Outcome.TIMEOUT
    assert tat(sessions)[1] == pytest.approx(T0 + (ESTIMATE + 200) / 1000)


async def test_a_429_retry_after_on_one_gateway_holds_the_route_for_another(
    sessions: sessionmaker[Session],
) -> None:
    time = FakeTime()
    limited = httpx2.Response(429, json={"error": {}}, headers={"retry-after-ms": "2500"})
    first, _, _ = paced_gateway(sessions, time, [limited], rpm=600)
    ok = httpx2.Response(200, json=completion(10, 10))
    second, _, received = paced_gateway(sessions, time, [ok], rpm=600)
    async with first, second:
        assert (await first.call(REQUEST, "r")).outcome is Outcome.RATE_LIMITED
        assert time.sleeps == []  # one attempt: the first gateway did not wait itself
        assert (await second.call(REQUEST, "r")).ok
    # the second gateway's pacer waited out the provider's 2.5 s despite 1 s of tolerance
    assert time.sleeps == pytest.approx([2.5])
    assert len(received) == 1


async def test_a_retried_429_waits_once_not_twice(sessions: sessionmaker[Session]) -> None:
    time = FakeTime()
    limited = httpx2.Response(429, json={"error": {}}, headers={"retry-after-ms": "2000"})
    ok = httpx2.Response(200, json=completion(10, 10))
    gateway, _, _ = paced_gateway(
        sessions, time, [limited, ok], rpm=600, retry=RetryPolicy(max_attempts=2)
    )
    async with gateway:
        assert (await gateway.call(REQUEST, "r")).ok
    assert len(time.sleeps) == 1
    assert 2.0 <= time.sleeps[0] <= 2.05  # the gateway's wait (+ jitter); the pacer's is over


async def test_a_huge_retry_after_holds_the_route_for_at_most_the_provider_cap(
    sessions: sessionmaker[Session],
) -> None:
    time = FakeTime()
    limited = httpx2.Response(429, json={"error": {}}, headers={"retry-after": "86400"})
    gateway, _, _ = paced_gateway(sessions, time, [limited], rpm=600, tolerance_s=0.0)
    async with gateway:
        response = await gateway.call(REQUEST, "r")
    assert response.attempts[0].retry_after_s == 86400
    assert tat(sessions)[0] == pytest.approx(T0 + MAX_PROVIDER_WAIT_S)


async def test_an_answer_saying_the_request_budget_is_spent_holds_the_route_one_interval(
    sessions: sessionmaker[Session],
) -> None:
    time = FakeTime()
    spent = httpx2.Response(
        200,
        json=completion(10, 10),
        headers={"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "6.5s"},
    )
    gateway, _, received = paced_gateway(sessions, time, [spent], rpm=600)
    async with gateway:
        assert (await gateway.call(REQUEST, "r")).ok
        assert (await gateway.call(REQUEST, "r")).ok
    # rpm 600: the provider's sliding window frees a request every 0.1 s; waiting the 6.5 s
    # until its full reset would idle the route
    assert time.sleeps == pytest.approx([0.1], abs=1e-6)
    assert len(received) == 2
    assert json.loads(received[1].content)["max_tokens"] == 200
