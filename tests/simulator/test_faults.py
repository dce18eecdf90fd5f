"""Seeded faults: each kind produces its outcome, and the request log records it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

import httpx
import httpx2
import openai
import pytest
from fastapi import FastAPI

from simulator import SimulatorConfig, create_app

SCHEMA = {
    "type": "object",
    "properties": {"topic": {"type": "string"}, "priority": {"type": "integer"}},
    "required": ["topic", "priority"],
}


@asynccontextmanager
async def sdk(app: FastAPI, api_key: str = "route-key") -> AsyncIterator[openai.AsyncOpenAI]:
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport) as http:
        yield openai.AsyncOpenAI(
            base_url="http://simulator/v1", api_key=api_key, max_retries=0, http_client=http
        )


async def request_log(app: FastAPI) -> dict[str, Any]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
        response = await http.get("http://simulator/simulator/requests")
    return dict(response.json())


async def ask(client: openai.AsyncOpenAI, **extra: Any) -> Any:
    return await client.chat.completions.create(
        model="small-model",
        messages=[{"role": "user", "content": "Summarise the letter."}],
        **extra,
    )


async def test_fail_rate_one_answers_500_or_503_and_logs_a_server_error() -> None:
    app = create_app(SimulatorConfig(fail_rate=1.0))
    async with sdk(app) as client:
        with pytest.raises(openai.InternalServerError) as caught:
            await ask(client)
    assert caught.value.status_code in (500, 503)
    assert caught.value.type == "server_error"
    log = await request_log(app)
    assert log["counts"]["server_error"] == 1
    assert log["entries"][0]["status"] == caught.value.status_code


async def test_hang_rate_one_never_answers_in_time_and_is_logged_when_it_starts() -> None:
    app = create_app(SimulatorConfig(hang_rate=1.0, hang_seconds=0.3))
    async with sdk(app) as client:
        pending = asyncio.ensure_future(ask(client))
        await asyncio.sleep(0.1)
        log_during_hang = await request_log(app)
        with pytest.raises(openai.InternalServerError) as caught:
            await pending
    assert [entry["outcome"] for entry in log_during_hang["entries"]] == ["hang"]
    assert caught.value.status_code == 504


async def test_a_hang_does_not_block_other_requests() -> None:
    app = create_app(SimulatorConfig(hang_rate=1.0, hang_seconds=1.0))
    async with sdk(app) as client:
        tasks = [asyncio.create_task(ask(client)) for _ in range(4)]
        for _ in range(300):  # wait until all four hang at the same time
            if (await request_log(app))["counts"].get("hang", 0) == 4:
                break
            await asyncio.sleep(0.01)
        hanging_together = not any(task.done() for task in tasks)
        results = await asyncio.gather(*tasks, return_exceptions=True)
    assert hanging_together
    assert all(isinstance(result, openai.InternalServerError) for result in results)
    assert (await request_log(app))["counts"]["hang"] == 4


async def test_malformed_rate_one_breaks_requested_json() -> None:
    app = create_app(SimulatorConfig(malformed_rate=1.0))
    async with sdk(app) as client:
        completion = await ask(client, response_format={"type": "json_object", "schema": SCHEMA})
    with pytest.raises(ValueError):
        json.loads(completion.choices[0].message.content or "")
    assert (await request_log(app))["counts"]["malformed"] == 1


async def test_malformed_rate_one_garbles_plain_text() -> None:
    app = create_app(SimulatorConfig(malformed_rate=1.0))
    async with sdk(app) as client:
        completion = await ask(client)
    assert "\ufffd" in (completion.choices[0].message.content or "")


async def test_empty_rate_one_answers_empty_content_with_no_completion_tokens() -> None:
    app = create_app(SimulatorConfig(empty_rate=1.0))
    async with sdk(app) as client:
        completion = await ask(client)
    assert completion.choices[0].message.content == ""
    assert completion.usage is not None
    assert completion.usage.completion_tokens == 0
    assert (await request_log(app))["counts"]["empty"] == 1


async def test_a_rate_limited_request_is_never_also_a_fault() -> None:
    app = create_app(SimulatorConfig(rpm=1, fail_rate=1.0))
    async with sdk(app) as client:
        with pytest.raises(openai.InternalServerError):
            await ask(client)
        with pytest.raises(openai.RateLimitError):
            await ask(client)
    log = await request_log(app)
    assert [entry["outcome"] for entry in log["entries"]] == ["server_error", "rate_limited"]


async def test_the_fault_sequence_is_the_same_for_the_same_seed() -> None:
    async def outcomes(seed: int) -> list[str]:
        app = create_app(SimulatorConfig(seed=seed, fail_rate=0.3, empty_rate=0.3))
        async with sdk(app) as client:
            for _ in range(12):
                with suppress(openai.InternalServerError):
                    await ask(client)
        return [entry["outcome"] for entry in (await request_log(app))["entries"]]

    first, second = await outcomes(5), await outcomes(5)
    assert first == second
    assert {"ok", "server_error", "empty"} <= set(first)


async def test_the_request_log_records_keys_models_and_tokens() -> None:
    app = create_app(SimulatorConfig())
    async with sdk(app, api_key="route-night") as client:
        completion = await ask(client)
    [entry] = (await request_log(app))["entries"]
    assert completion.usage is not None
    assert entry["key"] == "route-night"
    assert entry["model"] == "small-model"
    assert (entry["seq"], entry["outcome"], entry["status"]) == (1, "ok", 200)
    assert entry["prompt_tokens"] == completion.usage.prompt_tokens
    assert entry["completion_tokens"] == completion.usage.completion_tokens


async def test_a_request_without_a_key_is_logged_as_anonymous() -> None:
    app = create_app(SimulatorConfig())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
        await http.post(
            "http://simulator/v1/chat/completions",
            json={"model": "m", "messages": [{"role": "user", "content": "hi"}]},
        )
    assert (await request_log(app))["entries"][0]["key"] == "anonymous"


async def test_the_request_log_is_mirrored_to_a_jsonl_file(tmp_path: Path) -> None:
    log_file = tmp_path / "requests.jsonl"
    app = create_app(SimulatorConfig(log_file=log_file, empty_rate=1.0))
    async with sdk(app) as client:
        await ask(client)
        await ask(client)
    lines = [json.loads(line) for line in log_file.read_text(encoding="utf-8").splitlines()]
    assert [(line["seq"], line["outcome"]) for line in lines] == [(1, "empty"), (2, "empty")]


def test_fault_rates_outside_zero_to_one_or_summing_above_one_are_refused() -> None:
    with pytest.raises(ValueError, match="fail_rate must be between 0 and 1"):
        SimulatorConfig(fail_rate=1.5)
    with pytest.raises(ValueError, match="must not exceed 1"):
        SimulatorConfig(fail_rate=0.6, hang_rate=0.6)


async def test_flex_requests_are_refused_resource_unavailable_at_the_seeded_rate() -> None:
    app = create_app(SimulatorConfig(flex_unavailable_rate=0.3, seed=7))
    outcomes: list[str] = []
    async with sdk(app) as client:
        for _ in range(200):
            try:
                answer = await ask(client, service_tier="flex")
            except openai.RateLimitError as exc:
                assert exc.status_code == 429 and exc.code == "resource_unavailable"
                assert "resource unavailable" in exc.message.lower()
                outcomes.append("unavailable")
            else:
                assert answer.service_tier == "flex"
                outcomes.append("ok")
        standard = await ask(client)  # no service_tier: never refused, none echoed
    log = await request_log(app)

    assert 40 <= outcomes.count("unavailable") <= 80  # 30 % of 200, seeded
    assert log["counts"]["resource_unavailable"] == outcomes.count("unavailable")
    assert log["counts"]["rate_limited"] == 0
    assert {e["service_tier"] for e in log["entries"][:-1]} == {"flex"}
    assert log["entries"][-1]["service_tier"] is None
    assert standard.service_tier is None

    again = create_app(SimulatorConfig(flex_unavailable_rate=0.3, seed=7))
    replay: list[str] = []
    async with sdk(again) as client:
        for _ in range(200):
            try:
                await ask(client, service_tier="flex")
                replay.append("ok")
            except openai.RateLimitError:
                replay.append("unavailable")
    assert replay == outcomes


async def test_the_flex_draw_leaves_the_fault_sequence_of_the_seed_alone() -> None:
    async def faults(tier: str | None) -> list[str]:
        app = create_app(SimulatorConfig(fail_rate=0.3, flex_unavailable_rate=0.0, seed=3))
        extra = {"service_tier": tier} if tier else {}
        async with sdk(app) as client:
            for _ in range(30):
                with suppress(openai.InternalServerError):
                    await ask(client, **extra)
        return [e["outcome"] for e in (await request_log(app))["entries"]]

    assert await faults("flex") == await faults(None)


def test_the_flex_rate_is_a_share() -> None:
    with pytest.raises(ValueError, match="flex_unavailable_rate"):
        SimulatorConfig(flex_unavailable_rate=1.5)
