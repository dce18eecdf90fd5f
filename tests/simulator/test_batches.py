"""Files and Batch APIs of the simulator, round-tripped through the openai SDK."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import httpx2
import openai
import pytest
from fastapi import FastAPI
from openai.types import Batch

from simulator import SimulatorConfig, create_app

FINAL = {"completed", "failed", "cancelled", "expired"}


@asynccontextmanager
async def sdk(app: FastAPI, api_key: str = "batch-key") -> AsyncIterator[openai.AsyncOpenAI]:
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport) as http:
        yield openai.AsyncOpenAI(
            base_url="http://simulator/v1", api_key=api_key, max_retries=0, http_client=http
        )


def batch_input(count: int) -> bytes:
    lines = [
        {
            "custom_id": f"doc-{index}",
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {
                "model": "small-model",
                "messages": [{"role": "user", "content": f"Письмо номер {index}"}],
                "response_format": {"type": "json_object"},
            },
        }
        for index in range(count)
    ]
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()


async def submit(client: openai.AsyncOpenAI, content: bytes) -> Batch:
    uploaded = await client.files.create(file=("night.jsonl", content), purpose="batch")
    return await client.batches.create(
        input_file_id=uploaded.id,
        endpoint="/v1/chat/completions",
        completion_window="24h",
        metadata={"run": "nightly-test"},
    )


async def wait_final(client: openai.AsyncOpenAI, batch_id: str) -> Batch:
    for _ in range(500):
        batch = await client.batches.retrieve(batch_id)
        if batch.status in FINAL:
            return batch
        await asyncio.sleep(0.01)
    raise AssertionError(f"batch {batch_id} did not finish")


async def read_lines(client: openai.AsyncOpenAI, file_id: str) -> list[dict[str, Any]]:
    content = await client.files.content(file_id)
    return [json.loads(line) for line in content.text.splitlines()]


async def test_a_batch_round_trips_with_every_custom_id_answered_out_of_input_order() -> None:
    app = create_app(SimulatorConfig(batch_delay_s=0.05, seed=1))
    async with sdk(app) as client:
        created = await submit(client, batch_input(8))
        batch = await wait_final(client, created.id)
        assert batch.output_file_id is not None
        lines = await read_lines(client, batch.output_file_id)
    assert created.status == "validating"
    assert batch.status == "completed"
    assert batch.request_counts is not None
    assert (batch.request_counts.total, batch.request_counts.completed) == (8, 8)
    assert batch.metadata == {"run": "nightly-test"}
    custom_ids = [line["custom_id"] for line in lines]
    assert sorted(custom_ids) == sorted(f"doc-{index}" for index in range(8))
    assert custom_ids != [f"doc-{index}" for index in range(8)]
    first = lines[0]
    assert first["error"] is None
    assert first["response"]["status_code"] == 200
    assert first["response"]["request_id"].startswith("req_")
    assert json.loads(first["response"]["body"]["choices"][0]["message"]["content"])


async def test_a_batch_passes_through_in_progress_before_completing() -> None:
    app = create_app(SimulatorConfig(batch_delay_s=0.2, latency_ms=100))
    async with sdk(app) as client:
        created = await submit(client, batch_input(2))
        seen = set()
        while (batch := await client.batches.retrieve(created.id)).status not in FINAL:
            seen.add(batch.status)
            await asyncio.sleep(0.02)
    assert {"validating", "in_progress", "finalizing"} <= seen


async def test_failed_lines_go_to_the_error_file() -> None:
    app = create_app(SimulatorConfig(batch_delay_s=0, fail_rate=1.0))
    async with sdk(app) as client:
        batch = await wait_final(client, (await submit(client, batch_input(3))).id)
        assert batch.error_file_id is not None
        errors = await read_lines(client, batch.error_file_id)
    assert batch.status == "completed"
    assert batch.output_file_id is None
    assert batch.request_counts is not None
    assert (batch.request_counts.failed, batch.request_counts.completed) == (3, 0)
    assert {line["response"]["status_code"] for line in errors} <= {500, 503}


async def test_batch_lines_are_not_rate_limited_but_are_logged() -> None:
    app = create_app(SimulatorConfig(batch_delay_s=0, rpm=1))
    async with sdk(app) as client:
        created = await submit(client, batch_input(4))
        batch = await wait_final(client, created.id)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
        log = (await http.get("http://simulator/simulator/requests")).json()
    assert batch.request_counts is not None
    assert batch.request_counts.completed == 4
    assert log["counts"]["ok"] == 4
    assert {entry["batch_id"] for entry in log["entries"]} == {created.id}


async def test_an_invalid_input_file_fails_the_batch_with_line_errors() -> None:
    content = (
        b'{"custom_id": "a", "method": "POST", "url": "/v1/embeddings", "body": {}}\nnot json\n'
    )
    app = create_app(SimulatorConfig(batch_delay_s=0))
    async with sdk(app) as client:
        batch = await wait_final(client, (await submit(client, content)).id)
    assert batch.status == "failed"
    assert batch.errors is not None and batch.errors.data is not None
    assert [(error.code, error.line) for error in batch.errors.data] == [
        ("invalid_url", 1),
        ("invalid_json_line", 2),
    ]


async def test_a_batch_can_be_cancelled_while_it_runs() -> None:
    app = create_app(SimulatorConfig(batch_delay_s=5))
    async with sdk(app) as client:
        created = await submit(client, batch_input(2))
        cancelling = await client.batches.cancel(created.id)
        batch = await wait_final(client, created.id)
    assert cancelling.status == "cancelling"
    assert batch.status == "cancelled"
    assert batch.cancelled_at is not None


async def test_a_batch_on_an_unknown_file_is_not_found() -> None:
    async with sdk(create_app(SimulatorConfig())) as client:
        with pytest.raises(openai.NotFoundError):
            await client.batches.create(
                input_file_id="file-missing",
                endpoint="/v1/chat/completions",
                completion_window="24h",
            )


async def test_files_can_be_listed_retrieved_and_deleted() -> None:
    async with sdk(create_app(SimulatorConfig())) as client:
        uploaded = await client.files.create(file=("a.jsonl", b"{}\n"), purpose="batch")
        listed = [file.id async for file in client.files.list()]
        retrieved = await client.files.retrieve(uploaded.id)
        deleted = await client.files.delete(uploaded.id)
        with pytest.raises(openai.NotFoundError):
            await client.files.retrieve(uploaded.id)
    assert listed == [uploaded.id]
    assert (retrieved.filename, retrieved.bytes, retrieved.purpose) == ("a.jsonl", 3, "batch")
    assert deleted.deleted is True


async def test_batches_are_listed_newest_first() -> None:
    app = create_app(SimulatorConfig(batch_delay_s=0))
    async with sdk(app) as client:
        first = await submit(client, batch_input(1))
        second = await submit(client, batch_input(1))
        listed = [batch.id async for batch in client.batches.list()]
        for batch_id in listed:
            await wait_final(client, batch_id)
    assert listed == [second.id, first.id]
