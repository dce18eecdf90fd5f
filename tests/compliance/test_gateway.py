"""The gateway against a crafted provider (``httpx2.MockTransport``): classification, retries,
waits, hashes and cost, asserted on what actually left the process."""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import format_datetime
from typing import Any

import httpx2
import pytest

from compliance.gateway.calls import Attempt, ModelRequest, Outcome, OutputSchema
from compliance.gateway.gateway import Gateway
from compliance.gateway.retry import RetryPolicy
from compliance.gateway.routes import RouteConfig

SCHEMA = OutputSchema(
    "category",
    "1",
    {
        "type": "object",
        "properties": {"category": {"type": "string"}, "score": {"type": "number"}},
        "required": ["category", "score"],
        "additionalProperties": False,
    },
)
REQUEST = ModelRequest(
    step="categorize",
    prompt_version="categorize.v1",
    messages=({"role": "system", "content": "Route the e-mail."}, {"role": "user", "content": "x"}),
    output=SCHEMA,
    max_tokens=64,
)
GOOD = '{"category": "payments", "score": 0.9}'
ONE_SHOT = RetryPolicy(max_attempts=1, content_retries=0)
Handler = Callable[[httpx2.Request], httpx2.Response]


def route(**overrides: Any) -> RouteConfig:
    settings: dict[str, Any] = {"base_url": "http://provider.test/v1", "model": "m", "region": "KZ"}
    return RouteConfig(**(settings | overrides))


def completion(content: str | None = GOOD, tokens_in: int = 40, tokens_out: int = 9) -> Any:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": "m",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": tokens_in,
            "completion_tokens": tokens_out,
            "total_tokens": tokens_in + tokens_out,
        },
    }


def ok(content: str | None = GOOD, **usage: int) -> httpx2.Response:
    return httpx2.Response(200, json=completion(content, **usage))


def error(status: int, **headers: str) -> httpx2.Response:
    body = {"error": {"message": "simulated", "type": "x", "code": None}}
    return httpx2.Response(status, json=body, headers=headers)


class Provider:
    """Answers from a script (the last answer repeats) and keeps every request it received."""

    def __init__(self, *answers: httpx2.Response | type[Exception] | Handler) -> None:
        self.answers = list(answers)
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
        if isinstance(answer, type):
            raise answer("simulated transport failure")
        if callable(answer) and not isinstance(answer, httpx2.Response):
            return answer(request)
        return answer

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]


class Waits:
    """The injected sleep: records the delays instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


class Seen:
    """An observer that keeps every attempt it was shown."""

    def __init__(self) -> None:
        self.attempts: list[Attempt] = []

    async def observe(self, request: ModelRequest, attempt: Attempt) -> None:
        self.attempts.append(attempt)


def gateway(
    provider: Provider,
    *,
    config: RouteConfig | None = None,
    retry: RetryPolicy | None = None,
    waits: Waits | None = None,
    seed: int = 7,
    **extra: Any,
) -> Gateway:
    return Gateway.unguarded_for_tests(
        {"r": config or route()},
        {"r": "sk-route-r"},
        retry=retry,
        transport=httpx2.MockTransport(provider),
        rng=random.Random(seed),
        sleep=waits or Waits(),
        **extra,
    )


@pytest.fixture
def waits() -> Iterator[Waits]:
    yield Waits()


@pytest.mark.parametrize(
    ("answer", "outcome", "status"),
    [
        (ok(), Outcome.OK, 200),
        (error(429), Outcome.RATE_LIMITED, 429),
        (error(500), Outcome.SERVER_ERROR, 500),
        (error(503), Outcome.SERVER_ERROR, 503),
        (error(400), Outcome.CLIENT_ERROR, 400),
        (error(408), Outcome.TIMEOUT, 408),
        (httpx2.ReadTimeout, Outcome.TIMEOUT, None),
        (httpx2.ConnectError, Outcome.CONNECTION_ERROR, None),
        (ok(""), Outcome.EMPTY, 200),
        (ok(None), Outcome.EMPTY, 200),
        (ok("category: payments"), Outcome.INVALID_JSON, 200),
        (ok('{"category": "payments"}'), Outcome.SCHEMA_INVALID, 200),
        (httpx2.Response(200, text="<html>proxy</html>"), Outcome.SERVER_ERROR, 200),
        (httpx2.Response(200, json={"unexpected": True}), Outcome.SERVER_ERROR, 200),
    ],
    ids=lambda value: value if isinstance(value, str | int) else None,
)
async def test_each_provider_answer_is_classified_into_one_outcome(
    answer: Any, outcome: Outcome, status: int | None
) -> None:
    provider = Provider(answer)
    async with gateway(provider, retry=ONE_SHOT) as gw:
        response = await gw.call(REQUEST, "r")
    assert [a.outcome for a in response.attempts] == [outcome]
    assert response.outcome is outcome
    assert response.attempts[0].http_status == status
    assert len(provider.requests) == 1
    if outcome is Outcome.OK:
        assert response.parsed == json.loads(GOOD) and response.content == GOOD
    else:
        assert response.parsed is None and response.attempts[0].detail


async def test_a_text_answer_without_a_schema_is_ok_unless_it_is_blank() -> None:
    plain = ModelRequest("draft", "draft.v1", ({"role": "user", "content": "hi"},))
    async with gateway(Provider(ok("Здравствуйте!"), ok("  ")), retry=ONE_SHOT) as gw:
        first = await gw.call(plain, "r")
        second = await gw.call(plain, "r")
    assert (first.outcome, first.content, first.parsed) == (Outcome.OK, "Здравствуйте!", None)
    assert second.outcome is Outcome.EMPTY


async def test_transport_failures_stop_after_max_attempts(waits: Waits) -> None:
    provider = Provider(error(503))
    policy = RetryPolicy(max_attempts=3, content_retries=5)
    async with gateway(provider, retry=policy, waits=waits) as gw:
        response = await gw.call(REQUEST, "r")
    assert [a.outcome for a in response.attempts] == [Outcome.SERVER_ERROR] * 3
    assert [a.number for a in response.attempts] == [1, 2, 3]
    assert len(provider.requests) == 3
    assert len(waits.delays) == 2


async def test_content_failures_are_retried_content_retries_times_without_waiting(
    waits: Waits,
) -> None:
    provider = Provider(ok("not json"))
    async with gateway(provider, retry=RetryPolicy(content_retries=2), waits=waits) as gw:
        response = await gw.call(REQUEST, "r")
    assert [a.outcome for a in response.attempts] == [Outcome.INVALID_JSON] * 3
    assert len(provider.requests) == 3
    assert waits.delays == []


async def test_a_failure_then_an_answer_ends_ok_with_both_attempts(waits: Waits) -> None:
    provider = Provider(error(500), ok("{}"), ok())
    async with gateway(provider, waits=waits) as gw:
        response = await gw.call(REQUEST, "r")
    assert [a.outcome for a in response.attempts] == [
        Outcome.SERVER_ERROR,
        Outcome.SCHEMA_INVALID,
        Outcome.OK,
    ]
    assert response.ok and response.parsed == json.loads(GOOD)
    assert len(waits.delays) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
async def test_a_client_error_is_not_retried(status: int, waits: Waits) -> None:
    provider = Provider(error(status), ok())
    async with gateway(provider, waits=waits) as gw:
        response = await gw.call(REQUEST, "r")
    assert [a.outcome for a in response.attempts] == [Outcome.CLIENT_ERROR]
    assert len(provider.requests) == 1 and waits.delays == []


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_the_sdk_makes_exactly_one_request_per_attempt(status: int) -> None:
    provider = Provider(error(status))
    async with gateway(provider, retry=RetryPolicy(max_attempts=2)) as gw:
        response = await gw.call(REQUEST, "r")
    assert len(response.attempts) == 2
    assert len(provider.requests) == 2
    assert {r.headers.get("x-stainless-retry-count") for r in provider.requests} <= {"0", None}


def jitter(seed: int, draws: int) -> list[float]:
    rng = random.Random(seed)
    return [rng.uniform(0, 0.05) for _ in range(draws)]


async def test_retry_after_ms_decides_the_wait(waits: Waits) -> None:
    provider = Provider(error(429, **{"retry-after-ms": "1500", "retry-after": "9"}), ok())
    async with gateway(provider, waits=waits, seed=3) as gw:
        response = await gw.call(REQUEST, "r")
    assert response.ok
    assert response.attempts[0].retry_after_s == 1.5
    assert waits.delays == [1.5 + jitter(3, 1)[0]]


async def test_retry_after_in_seconds_decides_the_wait(waits: Waits) -> None:
    provider = Provider(error(503, **{"retry-after": "4"}), ok())
    async with gateway(provider, waits=waits, seed=4) as gw:
        await gw.call(REQUEST, "r")
    assert waits.delays == [4.0 + jitter(4, 1)[0]]


async def test_retry_after_as_an_http_date_is_counted_from_the_injected_clock(
    waits: Waits,
) -> None:
    now = 1_790_000_000.0
    date = format_datetime(datetime.fromtimestamp(now + 42, UTC), usegmt=True)
    provider = Provider(error(429, **{"retry-after": date}), ok())
    async with gateway(provider, waits=waits, seed=5, clock=lambda: now) as gw:
        response = await gw.call(REQUEST, "r")
    assert response.attempts[0].retry_after_s == 42.0
    assert waits.delays == [42.0 + jitter(5, 1)[0]]


async def test_a_huge_retry_after_is_capped_and_a_nonsense_one_falls_back_to_backoff(
    waits: Waits,
) -> None:
    huge, nonsense = error(429, **{"retry-after": "86400"}), error(429, **{"retry-after": "inf"})
    provider = Provider(huge, nonsense)
    policy = RetryPolicy(max_attempts=3, base_delay_s=1.0, max_delay_s=10.0)
    async with gateway(provider, retry=policy, waits=waits, seed=6) as gw:
        response = await gw.call(REQUEST, "r")
    rng = random.Random(6)
    assert waits.delays == [300.0 + rng.uniform(0, 0.05), rng.uniform(0, 2.0)]
    assert response.attempts[1].retry_after_s is None


async def test_without_retry_after_the_backoff_has_full_jitter_under_the_policy_ceiling(
    waits: Waits,
) -> None:
    policy = RetryPolicy(max_attempts=7, base_delay_s=0.25, max_delay_s=2.0)
    async with gateway(Provider(error(500)), retry=policy, waits=waits, seed=11) as gw:
        await gw.call(REQUEST, "r")
    ceilings = [0.25, 0.5, 1.0, 2.0, 2.0, 2.0]
    rng = random.Random(11)
    assert waits.delays == [rng.uniform(0, ceiling) for ceiling in ceilings]
    assert all(0 <= d <= c for d, c in zip(waits.delays, ceilings, strict=True))


async def test_the_request_hash_is_the_sha256_of_the_bytes_the_provider_received() -> None:
    received: list[str] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        received.append("sha256:" + hashlib.sha256(request.read()).hexdigest())
        return ok() if len(received) > 1 else error(500)

    provider = Provider(answer)
    async with gateway(provider) as gw:
        response = await gw.call(REQUEST, "r")
    assert [a.request_sha256 for a in response.attempts] == received
    assert len(received) == 2


async def test_the_response_hash_is_the_sha256_of_the_body_received() -> None:
    answer = ok()
    async with gateway(Provider(answer)) as gw:
        response = await gw.call(REQUEST, "r")
    expected = "sha256:" + hashlib.sha256(answer.content).hexdigest()
    assert response.attempts[0].response_sha256 == expected


async def test_the_cost_is_the_reported_tokens_times_the_route_prices() -> None:
    config = route(price_input_per_1m=Decimal("0.15"), price_output_per_1m=Decimal("0.60"))
    provider = Provider(error(500), ok(tokens_in=1200, tokens_out=350))
    async with gateway(provider, config=config) as gw:
        response = await gw.call(REQUEST, "r")
    assert [a.cost for a in response.attempts] == [Decimal("0"), Decimal("0.000390")]
    assert (response.tokens_in, response.tokens_out) == (1200, 350)
    assert response.cost == Decimal("0.000390")  # 1200 × 0.15 / 1M + 350 × 0.60 / 1M


async def test_what_is_sent_carries_the_route_model_key_limits_and_timeout() -> None:
    provider = Provider(ok())
    config = route(model="strong-model", timeout_s=12.0)
    async with gateway(provider, config=config) as gw:
        await gw.call(REQUEST, "r", timeout_s=3.5)
        await gw.call(REQUEST, "r")
    first, second = provider.requests
    assert str(first.url) == "http://provider.test/v1/chat/completions"
    assert first.headers["authorization"] == "Bearer sk-route-r"
    body = json.loads(first.content)
    assert body["model"] == "strong-model"
    assert (body["max_tokens"], body["temperature"]) == (64, 0.0)
    assert body["messages"][1] == {"role": "user", "content": "x"}
    assert first.extensions["timeout"]["read"] == 3.5
    assert second.extensions["timeout"]["read"] == 12.0


class Refuse:
    def __init__(self, reason: str | None) -> None:
        self.reason = reason
        self.checked = 0

    async def check(self, request: ModelRequest, route_name: str, route: RouteConfig) -> str | None:
        self.checked += 1
        return self.reason


async def test_a_refusing_policy_sends_nothing_and_is_observed_as_one_refused_attempt() -> None:
    provider = Provider(ok())
    seen = Seen()
    allow, refuse = Refuse(None), Refuse("residency:US")
    async with gateway(provider, policies=[allow, refuse], observers=[seen]) as gw:
        response = await gw.call(REQUEST, "r")
    assert provider.requests == []
    assert response.outcome is Outcome.REFUSED and not response.ok
    assert [(a.number, a.outcome, a.detail) for a in seen.attempts] == [
        (1, Outcome.REFUSED, "residency:US")
    ]
    assert response.attempts == seen.attempts
    assert seen.attempts[0].request_sha256 is None
    assert (allow.checked, refuse.checked) == (1, 1)


async def test_policies_added_later_apply_to_later_calls() -> None:
    provider = Provider(ok())
    async with gateway(provider) as gw:
        assert (await gw.call(REQUEST, "r")).ok
        gw.add_policy(Refuse("limit:rpm"))
        assert (await gw.call(REQUEST, "r")).outcome is Outcome.REFUSED
    assert len(provider.requests) == 1


async def test_observers_see_every_attempt_in_order_with_hashes_and_no_text() -> None:
    provider = Provider(error(429), httpx2.ConnectError, ok("nope"), ok())
    first, second = Seen(), Seen()
    async with gateway(provider, observers=[first]) as gw:
        gw.add_observer(second)
        response = await gw.call(REQUEST, "r")
    expected = [Outcome.RATE_LIMITED, Outcome.CONNECTION_ERROR, Outcome.INVALID_JSON, Outcome.OK]
    assert [(a.number, a.outcome) for a in first.attempts] == list(enumerate(expected, 1))
    assert first.attempts == second.attempts == response.attempts
    for attempt in first.attempts:
        assert attempt.request_sha256 and attempt.request_sha256.startswith("sha256:")
        assert "nope" not in (attempt.detail or "")


def test_a_route_without_an_api_key_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="no API key for route"):
        Gateway.unguarded_for_tests({"r": route(), "s": route()}, {"r": "k"})


async def test_concurrent_calls_each_hash_their_own_request_body() -> None:
    received: dict[str, str] = {}

    def answer(request: httpx2.Request) -> httpx2.Response:
        body = request.read()
        user = json.loads(body)["messages"][-1]["content"]
        received[user] = "sha256:" + hashlib.sha256(body).hexdigest()
        return ok()

    requests = [
        ModelRequest("categorize", "v1", ({"role": "user", "content": f"письмо {n}"},))
        for n in range(12)
    ]
    async with gateway(Provider(answer)) as gw:
        responses = await asyncio.gather(*(gw.call(r, "r") for r in requests))
    for request, response in zip(requests, responses, strict=True):
        assert response.attempts[0].request_sha256 == received[request.messages[0]["content"]]
    assert len(set(received.values())) == 12
