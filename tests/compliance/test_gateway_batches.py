"""The gateway's batch path against the provider simulator over real HTTP: lines only through
the guards, the same body an online call sends, one intent per line, upload, create, collect."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest

from compliance.gateway.batches import BatchLine, input_file, seal_line, split_files
from compliance.gateway.calls import Attempt, Intent, ModelRequest, Refusal
from compliance.gateway.gateway import Gateway
from compliance.gateway.routes import RouteConfig
from compliance.masking.policy import MaskedTextPolicy
from simulator import SimulatorConfig, run_simulator_in_thread
from tests.compliance.test_gateway_simulator import REQUEST, simulator_route


@pytest.fixture(scope="module")
def simulator() -> Iterator[str]:
    with run_simulator_in_thread(SimulatorConfig(seed=7, batch_delay_s=0.05)) as url:
        yield url


class Recorder:
    """An intent and attempt observer that keeps what the gateway told it."""

    def __init__(self) -> None:
        self.intents: list[Intent] = []
        self.attempts: list[Attempt] = []

    async def intend(self, request: ModelRequest, intent: Intent) -> None:
        self.intents.append(intent)

    async def observe(self, request: ModelRequest, attempt: Attempt) -> None:
        self.attempts.append(attempt)


def masked(request: ModelRequest, document_id: int) -> ModelRequest:
    return ModelRequest(
        step=request.step,
        prompt_version=request.prompt_version,
        messages=request.messages,
        output=request.output,
        max_tokens=request.max_tokens,
        document_id=document_id,
        masked=True,
    )


def test_a_line_cannot_be_made_but_by_the_gateway() -> None:
    with pytest.raises(TypeError, match=r"Gateway\.batch_line only"):
        BatchLine("k", "sim", "m", REQUEST, b"{}\n", "sha256:x", "0" * 32)
    with pytest.raises(TypeError, match="BatchLine objects only"):
        input_file([b'{"custom_id": "k"}\n'])  # type: ignore[list-item]


async def test_lines_are_guarded_uploaded_created_and_collected_by_custom_id(
    simulator: str,
) -> None:
    recorder = Recorder()
    routes = {"sim": simulator_route(simulator)}
    async with Gateway.unguarded_for_tests(
        routes, {"sim": "batch-key"}, policies=[MaskedTextPolicy()], observers=[recorder]
    ) as gateway:
        refused = await gateway.batch_line(REQUEST, "sim", "unmasked")  # masked=False
        leak = ModelRequest(
            step="extract",
            prompt_version="extract.v1",
            messages=({"role": "user", "content": "ИИН 900101300123, тел. +7 701 234 56 78"},),
            masked=True,
        )
        residual = await gateway.batch_line(leak, "sim", "residual")
        lines = [await gateway.batch_line(masked(REQUEST, n), "sim", f"doc-{n}") for n in range(5)]
        assert isinstance(refused, Refusal) and refused.reason.startswith("unmasked")
        assert isinstance(residual, Refusal) and residual.reason.startswith("residual_identifiers")
        assert [a.outcome.value for a in recorder.attempts] == ["refused", "refused"]
        sealed = [line for line in lines if isinstance(line, BatchLine)]
        assert len(sealed) == 5

        # The body is the online call's: the same messages, schema and limits.
        body = json.loads(sealed[0].data)["body"]
        assert body["messages"] == gateway.messages_for(REQUEST, routes["sim"])
        assert body["response_format"]["type"] == "json_schema"
        assert body["model"] == "small-model" and body["max_tokens"] == REQUEST.max_tokens

        await gateway.intend_lines(sealed, "local-1")
        assert [i.detail for i in recorder.intents] == ["batch:local-1"] * 5
        assert [i.request_sha256 for i in recorder.intents] == [s.request_sha256 for s in sealed]

        file_id = await gateway.upload_batch_file("sim", sealed, "local-1.jsonl")
        assert await gateway.file_content("sim", file_id) == input_file(sealed)
        info = await gateway.create_batch("sim", file_id, "local-1")
        assert info.input_file_id == file_id
        for _ in range(200):
            info = await gateway.retrieve_batch("sim", info.id)
            if info.status == "completed":
                break
            await asyncio.sleep(0.05)
        assert info.status == "completed" and info.output_file_id is not None
        results = await gateway.batch_results("sim", info.output_file_id)
    assert sorted(r.custom_id for r in results) == [f"doc-{n}" for n in range(5)]
    assert all(r.status_code == 200 and r.body and r.body["choices"] for r in results)


def _lines(count: int, size: int) -> list[BatchLine]:

    return [
        seal_line(f"k{n}", "sim", "m", REQUEST, {"x": "a" * size}, f"{n:032x}", 1)
        for n in range(count)
    ]


def test_files_split_at_whichever_limit_comes_first() -> None:
    lines = _lines(10, 100)
    one = len(lines[0].data)
    assert [len(f) for f in split_files(lines, 4, 10_000)] == [4, 4, 2]
    assert [len(f) for f in split_files(lines, 100, one * 3)] == [3, 3, 3, 1]
    assert [f for files in split_files(lines, 4, one * 3) for f in files] == lines  # in order


def test_one_model_per_file() -> None:
    a, b = _lines(2, 10)
    other = RouteConfig(base_url="http://x", model="m2", region="KZ")

    c = seal_line("c", "other", other.model, REQUEST, {}, "f" * 32, 1)
    with pytest.raises(ValueError, match="one route and model"):
        split_files([a, b, c], 10, 10_000)
