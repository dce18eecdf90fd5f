"""The gateway through the official ``openai`` SDK against the provider simulator over real HTTP,
and the pacer keeping a paced gateway under the simulator's limit.

The simulator counts its limits over a sliding window; ``window_s=1`` compresses its minute to a
second, so a limit of 20 per window is a route of 1,200 requests per minute and the test stays
short.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from jsonschema import Draft202012Validator
from sqlalchemy.orm import Session, sessionmaker

from compliance.gateway.calls import ModelRequest, Outcome, OutputSchema
from compliance.gateway.gateway import Gateway
from compliance.gateway.pacer import RoutePacer
from compliance.gateway.retry import RetryPolicy
from compliance.gateway.routes import RouteConfig
from simulator import SimulatorConfig, run_simulator_in_thread

SCHEMA = OutputSchema(
    "categorize",
    "1",
    {
        "type": "object",
        "properties": {
            "category": {"type": "string", "enum": ["payments", "fraud", "other"]},
            "urgent": {"type": "boolean"},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        },
        "required": ["category", "urgent", "confidence"],
        "additionalProperties": False,
    },
)
REQUEST = ModelRequest(
    step="categorize",
    prompt_version="categorize.v1",
    messages=(
        {"role": "system", "content": "Categorize the customer e-mail."},
        {"role": "user", "content": "С карты дважды списали 5 000 тенге, верните, пожалуйста."},
    ),
    output=SCHEMA,
    max_tokens=128,
)
LIMIT_PER_WINDOW = 20
CALLS = 40
CONCURRENCY = 16


@pytest.fixture(scope="module")
def simulator() -> Iterator[str]:
    with run_simulator_in_thread(SimulatorConfig(seed=3)) as url:
        yield url


@pytest.fixture
def limited_simulator() -> Iterator[str]:
    config = SimulatorConfig(rpm=LIMIT_PER_WINDOW, window_s=1.0, seed=5)
    with run_simulator_in_thread(config) as url:
        yield url


def simulator_route(url: str, **extra: Any) -> RouteConfig:
    return RouteConfig(base_url=f"{url}/v1", model="small-model", region="KZ", **extra)


async def simulator_log(url: str) -> dict[str, Any]:
    async with httpx2.AsyncClient() as client:
        response = await client.get(f"{url}/simulator/requests")
    response.raise_for_status()
    log: dict[str, Any] = response.json()
    return log


async def test_a_json_schema_call_through_the_sdk_returns_a_valid_answer(simulator: str) -> None:
    async with Gateway.unguarded_for_tests(
        {"sim": simulator_route(simulator)}, {"sim": "route-sim"}
    ) as gateway:
        response = await gateway.call(REQUEST, "sim")
    assert response.outcome is Outcome.OK, response.attempts
    assert response.parsed is not None
    assert list(Draft202012Validator(SCHEMA.schema).iter_errors(response.parsed)) == []
    (attempt,) = response.attempts
    assert attempt.http_status == 200
    assert attempt.tokens_in > 0 and attempt.tokens_out > 0
    assert attempt.request_sha256 and attempt.response_sha256
    log = await simulator_log(simulator)
    mine = [e for e in log["entries"] if e["key"] == "route-sim"]
    assert [(e["outcome"], e["prompt_tokens"]) for e in mine] == [("ok", attempt.tokens_in)]


async def call_many(gateway: Gateway, route: str) -> list[Outcome]:
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one() -> Outcome:
        async with gate:
            return (await gateway.call(REQUEST, route)).outcome

    return list(await asyncio.gather(*(one() for _ in range(CALLS))))


async def test_without_a_pacer_a_burst_runs_into_the_limit(limited_simulator: str) -> None:
    """The control for the next test: the limit is tight enough to matter."""
    config = simulator_route(limited_simulator, rpm=LIMIT_PER_WINDOW * 60)
    retry = RetryPolicy(max_attempts=1)
    async with Gateway.unguarded_for_tests(
        {"sim": config}, {"sim": "route-sim"}, retry=retry
    ) as gateway:
        outcomes = await call_many(gateway, "sim")
    assert Outcome.RATE_LIMITED in outcomes
    assert (await simulator_log(limited_simulator))["counts"]["rate_limited"] > 0


async def test_a_paced_gateway_stays_under_the_limit_and_gets_no_429(
    limited_simulator: str, sessions: sessionmaker[Session]
) -> None:
    # 1,200/min at 60 % = one start per 83.3 ms; at most floor(1.05 / 0.0833) + 1 = 13 starts
    # in any second, seven under the simulator's 20: the simulator runs in this process's
    # threads, so on a busy machine answers (and their timestamps) bunch up
    config = simulator_route(limited_simulator, rpm=LIMIT_PER_WINDOW * 60)
    pacer = RoutePacer(sessions, {"sim": config}, headroom=0.6, tolerance_s=0.05)
    retry = RetryPolicy(max_attempts=1)
    async with Gateway.unguarded_for_tests(
        {"sim": config}, {"sim": "route-sim"}, pacer=pacer, retry=retry
    ) as gateway:
        outcomes = await call_many(gateway, "sim")
    assert outcomes.count(Outcome.OK) == CALLS, outcomes
    counts = (await simulator_log(limited_simulator))["counts"]
    assert counts["rate_limited"] == 0
    assert counts["ok"] == CALLS
