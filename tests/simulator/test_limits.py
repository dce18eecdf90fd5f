"""Per-key rate limits with OpenAI's headers, over a sliding window and an injected clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import httpx2
import openai
import pytest
from fastapi import FastAPI

from simulator import SimulatorConfig, create_app, format_duration


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@asynccontextmanager
async def sdk(app: FastAPI, api_key: str = "route-key") -> AsyncIterator[openai.AsyncOpenAI]:
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport) as http:
        yield openai.AsyncOpenAI(
            base_url="http://simulator/v1", api_key=api_key, max_retries=0, http_client=http
        )


async def ask(client: openai.AsyncOpenAI, **extra: Any) -> Any:
    return await client.chat.completions.with_raw_response.create(
        model="small-model", messages=[{"role": "user", "content": "hi"}], **extra
    )


async def test_over_the_request_limit_answers_429_with_retry_after_and_ratelimit_headers() -> None:
    clock = FakeClock()
    async with sdk(create_app(SimulatorConfig(rpm=2, clock=clock))) as client:
        first = await ask(client)
        clock.advance(10)
        second = await ask(client)
        with pytest.raises(openai.RateLimitError) as caught:
            await ask(client)
    assert first.headers["x-ratelimit-remaining-requests"] == "1"
    assert second.headers["x-ratelimit-remaining-requests"] == "0"
    headers = caught.value.response.headers
    assert headers["retry-after"] == "50"
    assert headers["retry-after-ms"] == "50000"
    assert headers["x-ratelimit-limit-requests"] == "2"
    assert headers["x-ratelimit-remaining-requests"] == "0"
    assert headers["x-ratelimit-reset-requests"] == "1m0s"
    assert caught.value.code == "rate_limit_exceeded"
    assert caught.value.type == "requests"


async def test_the_sliding_window_lets_requests_through_again_after_sixty_seconds() -> None:
    clock = FakeClock()
    async with sdk(create_app(SimulatorConfig(rpm=2, clock=clock))) as client:
        await ask(client)
        clock.advance(30)
        await ask(client)
        clock.advance(29)
        with pytest.raises(openai.RateLimitError):
            await ask(client)
        clock.advance(1)
        third = await ask(client)
        with pytest.raises(openai.RateLimitError) as caught:
            await ask(client)
    assert third.http_response.status_code == 200
    assert caught.value.response.headers["retry-after"] == "30"


async def test_tokens_are_reserved_from_max_tokens_and_refused_over_the_token_limit() -> None:
    clock = FakeClock()
    async with sdk(create_app(SimulatorConfig(tpm=100, clock=clock))) as client:
        await ask(client, max_tokens=40)
        await ask(client, max_tokens=40)
        with pytest.raises(openai.RateLimitError) as caught:
            await ask(client, max_tokens=40)
    headers = caught.value.response.headers
    assert caught.value.type == "tokens"
    assert headers["x-ratelimit-limit-tokens"] == "100"
    assert int(headers["x-ratelimit-remaining-tokens"]) < 46
    assert int(headers["retry-after"]) == 60


async def test_the_token_reservation_is_corrected_to_the_real_usage() -> None:
    async with sdk(create_app(SimulatorConfig(tpm=10_000, clock=FakeClock()))) as client:
        response = await ask(client, max_tokens=2_000, response_format={"type": "json_object"})
    usage = response.parse().usage
    assert usage.total_tokens < 200
    assert response.headers["x-ratelimit-remaining-tokens"] == str(10_000 - usage.total_tokens)


async def test_a_request_larger_than_the_token_limit_is_refused_with_a_reason() -> None:
    async with sdk(create_app(SimulatorConfig(tpm=50))) as client:
        with pytest.raises(openai.RateLimitError, match="Request too large"):
            await ask(client, max_tokens=100)


async def test_each_api_key_has_its_own_window() -> None:
    app = create_app(SimulatorConfig(rpm=1, clock=FakeClock()))
    async with sdk(app, api_key="route-a") as route_a, sdk(app, api_key="route-b") as route_b:
        await ask(route_a)
        with pytest.raises(openai.RateLimitError):
            await ask(route_a)
        answered = await ask(route_b)
    assert answered.http_response.status_code == 200


async def test_without_limits_no_ratelimit_headers_are_sent() -> None:
    async with sdk(create_app(SimulatorConfig())) as client:
        response = await ask(client)
    assert not [name for name in response.headers if name.startswith("x-ratelimit-")]


async def test_reset_clears_the_windows_and_the_request_log() -> None:
    app = create_app(SimulatorConfig(rpm=1, clock=FakeClock()))
    async with sdk(app) as client:
        await ask(client)
        with pytest.raises(openai.RateLimitError):
            await ask(client)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
            await http.post("http://simulator/simulator/reset")
            answered = await ask(client)
            log = (await http.get("http://simulator/simulator/requests")).json()
    assert answered.http_response.status_code == 200
    assert [entry["outcome"] for entry in log["entries"]] == ["ok"]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (0.12, "120ms"), (1, "1s"), (8.64, "8.64s"), (360, "6m0s"), (3600, "1h0m0s")],
)
def test_durations_are_written_in_openai_style(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text
