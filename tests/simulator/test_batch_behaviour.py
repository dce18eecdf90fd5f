"""Batches that behave like a real provider's: turnaround, expiry, partial failures, ledger."""

from __future__ import annotations

import asyncio
import json
import math
import statistics
from typing import Any

import httpx
import openai
import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from simulator import SimulatorConfig, create_app
from simulator.batchplan import Fate, draw_plan, parse_window
from tests.simulator.test_batches import FINAL, batch_input, read_lines, sdk, wait_final
from tests.simulator.test_server import cli


def quick(**settings: Any) -> SimulatorConfig:
    """Batches without the validating pause, 1 simulated hour in 0.36 s."""
    return SimulatorConfig(batch_delay_s=0.0, batch_time_scale=1e-4, **settings)


async def control(app: FastAPI, path: str, method: str = "GET") -> dict[str, Any]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
        response = await http.request(method, f"http://simulator{path}")
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def run_batch(
    client: openai.AsyncOpenAI, content: bytes, window: str = "24h", **extra: Any
) -> openai.types.Batch:
    uploaded = await client.files.create(file=("night.jsonl", content), purpose="batch")
    created = await client.batches.create(
        input_file_id=uploaded.id,
        endpoint="/v1/chat/completions",
        completion_window=window,  # type: ignore[arg-type]
        **extra,
    )
    for _ in range(3000):  # up to a minute, for a loaded machine; a quick batch takes < 1 s
        batch = await client.batches.retrieve(created.id)
        if batch.status in FINAL:
            return batch
        await asyncio.sleep(0.02)
    raise AssertionError(f"batch {created.id} did not finish")


async def both_files(
    client: openai.AsyncOpenAI, batch: openai.types.Batch
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    output = await read_lines(client, batch.output_file_id) if batch.output_file_id else []
    errors = await read_lines(client, batch.error_file_id) if batch.error_file_id else []
    return output, errors


# --- the plan -------------------------------------------------------------------------------


def test_turnaround_has_the_configured_median_and_a_long_tail() -> None:
    config = SimulatorConfig(batch_turnaround_median_s=120, batch_turnaround_sigma=1.0, seed=3)
    times = [draw_plan(config, f"batch_{i}", 1, 86400).turnaround_s for i in range(2000)]
    assert 108 < statistics.median(times) < 132
    assert sum(t > 4 * 120 for t in times) / len(times) > 0.05
    assert sum(t < 120 / 4 for t in times) / len(times) > 0.05


def test_without_a_tail_every_batch_takes_the_median() -> None:
    config = SimulatorConfig(batch_turnaround_median_s=120)
    assert {draw_plan(config, f"b{i}", 3, 86400).turnaround_s for i in range(50)} == {120.0}


def test_slow_and_overrunning_shares_take_most_of_the_window_or_more() -> None:
    config = SimulatorConfig(
        batch_turnaround_median_s=60, batch_slow_rate=0.3, batch_expire_rate=0.1
    )
    plans = [draw_plan(config, f"b{i}", 5, 3600) for i in range(1000)]
    slow = [p for p in plans if 1800 <= p.turnaround_s <= 3600]
    overrun = [p for p in plans if p.turnaround_s > 3600]
    assert 0.25 < len(slow) / 1000 < 0.35
    assert 0.07 < len(overrun) / 1000 < 0.13
    assert all(p.expires and p.end_s == 3600 for p in overrun)
    assert not any(p.expires for p in slow)


def test_line_fates_follow_their_shares_and_the_plan_is_seeded() -> None:
    config = SimulatorConfig(
        batch_line_fail_rate=0.1, batch_line_error_rate=0.05, batch_expired_line_rate=0.05, seed=9
    )
    plan = draw_plan(config, "batch_x", 4000, 86400)
    share = {fate: sum(line.fate is fate for line in plan.lines) / 4000 for fate in Fate}
    assert 0.08 < share[Fate.FAIL] < 0.12
    assert 0.035 < share[Fate.ERROR_ONLY] < 0.065
    assert 0.035 < share[Fate.STUCK] < 0.065
    assert all(line.at_s == math.inf for line in plan.lines if line.fate is Fate.STUCK)
    assert plan == draw_plan(config, "batch_x", 4000, 86400)
    assert plan != draw_plan(config, "batch_y", 4000, 86400)


def test_completion_windows_parse_and_nonsense_is_refused() -> None:
    assert parse_window("24h") == 86400
    assert parse_window("90m") == 5400
    assert parse_window("30s") == 30
    for bad in ("", "24", "0h", "1w", "-1h", "24 hours"):
        with pytest.raises(ValueError, match="completion_window"):
            parse_window(bad)


@pytest.mark.parametrize(
    "settings",
    [
        {"batch_line_fail_rate": 0.6, "batch_line_error_rate": 0.3, "batch_expired_line_rate": 0.2},
        {"batch_slow_rate": 0.7, "batch_expire_rate": 0.4},
        {"batch_no_output_rate": 1.5},
        {"batch_time_scale": -1.0},
        {"batch_turnaround_median_s": -5.0},
    ],
)
def test_impossible_batch_settings_are_refused(settings: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        SimulatorConfig(**settings)


def test_the_cli_takes_the_batch_options_and_refuses_impossible_ones() -> None:
    refused = CliRunner().invoke(
        cli(), ["--batch-line-fail-rate", "0.7", "--batch-line-error-rate", "0.7"]
    )
    assert refused.exit_code == 2
    assert "must not exceed 1" in " ".join(refused.output.replace("│", " ").split())
    out_of_range = CliRunner().invoke(cli(), ["--batch-expired-line-rate", "1.5"])
    assert out_of_range.exit_code == 2


# --- turnaround and expiry, end to end ---------------------------------------------------------


async def test_lines_finish_over_the_turnaround_and_the_batch_completes() -> None:
    config = SimulatorConfig(
        batch_delay_s=0, batch_time_scale=1e-3, batch_turnaround_median_s=400, seed=2
    )
    app = create_app(config)
    async with sdk(app) as client:
        uploaded = await client.files.create(file=("n.jsonl", batch_input(12)), purpose="batch")
        created = await client.batches.create(
            input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
        )
        partial = []
        while (batch := await client.batches.retrieve(created.id)).status != "completed":
            assert batch.request_counts is not None
            if batch.status == "in_progress" and 0 < batch.request_counts.completed < 12:
                partial.append(batch.request_counts.completed)
            assert batch.status in {"validating", "in_progress", "finalizing"}
            await asyncio.sleep(0.005)
    assert partial, "no poll saw a batch with some lines finished and others not"
    assert batch.request_counts is not None and batch.request_counts.completed == 12
    assert batch.completion_window == "24h"
    assert batch.expires_at == batch.created_at + math.ceil(86400 * 1e-3)


async def test_an_expired_batch_returns_its_finished_lines_and_lists_the_rest() -> None:
    config = quick(batch_turnaround_median_s=60, batch_expired_line_rate=0.25, seed=4)
    app = create_app(config)
    async with sdk(app) as client:
        batch = await run_batch(client, batch_input(40), window="1h")
        output, errors = await both_files(client, batch)
    plan = draw_plan(config, batch.id, 40, 3600)
    stuck = {f"doc-{i}" for i, line in enumerate(plan.lines) if line.fate is Fate.STUCK}
    assert 0 < len(stuck) < 40
    assert batch.status == "expired"
    assert batch.expired_at is not None and batch.completed_at is None
    assert {line["custom_id"] for line in output} == {f"doc-{i}" for i in range(40)} - stuck
    assert {line["custom_id"] for line in errors} == stuck
    for line in errors:
        assert line["response"] is None
        assert line["error"]["code"] == "batch_expired"
    assert batch.request_counts is not None
    assert (batch.request_counts.completed, batch.request_counts.failed) == (40 - len(stuck), 0)
    ledger = await control(app, "/simulator/batch-lines")
    assert ledger["counts"]["expired"] == len(stuck)
    assert ledger["billed"] == 40 - len(stuck)


async def test_an_overrunning_batch_expires_with_part_of_its_lines_done() -> None:
    app = create_app(quick(batch_expire_rate=1.0, seed=5))
    async with sdk(app) as client:
        batch = await run_batch(client, batch_input(30), window="1h")
        output, errors = await both_files(client, batch)
    assert batch.status == "expired"
    assert 0 < len(output) < 30
    assert len(output) + len(errors) == 30
    assert {line["error"]["code"] for line in errors} == {"batch_expired"}


async def test_a_completion_window_the_simulator_cannot_read_is_refused() -> None:
    async with sdk(create_app(quick())) as client:
        uploaded = await client.files.create(file=("n.jsonl", batch_input(1)), purpose="batch")
        with pytest.raises(openai.BadRequestError, match="completion_window"):
            await client.batches.create(
                input_file_id=uploaded.id,
                endpoint="/v1/chat/completions",
                completion_window="tomorrow",  # type: ignore[arg-type]
            )


# --- partial failures ------------------------------------------------------------------------


async def test_failed_and_error_only_lines_go_to_the_error_file_of_a_completed_batch() -> None:
    config = quick(batch_line_fail_rate=0.3, batch_line_error_rate=0.2, seed=6)
    app = create_app(config)
    async with sdk(app) as client:
        batch = await run_batch(client, batch_input(50))
        output, errors = await both_files(client, batch)
    plan = draw_plan(config, batch.id, 50, 86400)
    failed = {f"doc-{i}" for i, line in enumerate(plan.lines) if line.fate is Fate.FAIL}
    error_only = {f"doc-{i}" for i, line in enumerate(plan.lines) if line.fate is Fate.ERROR_ONLY}
    assert failed and error_only
    assert batch.status == "completed"
    by_id = {line["custom_id"]: line for line in errors}
    assert set(by_id) == failed | error_only
    for custom_id in failed:
        line = by_id[custom_id]
        assert line["error"] is None
        assert line["response"]["status_code"] in {500, 503}
        assert line["response"]["body"]["error"]["message"]
        assert line["response"]["request_id"].startswith("req_")
    for custom_id in error_only:
        assert by_id[custom_id]["response"] is None
        assert by_id[custom_id]["error"]["code"] == "server_error"
    assert {line["custom_id"] for line in output}.isdisjoint(by_id)
    assert len(output) + len(errors) == 50
    assert batch.request_counts is not None
    assert batch.request_counts.failed == len(failed | error_only)
    assert batch.request_counts.completed == len(output)


async def test_a_batch_whose_lines_all_fail_completes_without_an_output_file() -> None:
    app = create_app(quick(batch_no_output_rate=1.0, seed=7))
    async with sdk(app) as client:
        batch = await run_batch(client, batch_input(6))
        output, errors = await both_files(client, batch)
    assert batch.status == "completed"
    assert batch.output_file_id is None and output == []
    assert sorted(line["custom_id"] for line in errors) == [f"doc-{i}" for i in range(6)]
    log = await control(app, "/simulator/requests")
    assert log["entries"] == []


async def test_a_cancelled_batch_lists_its_unfinished_lines_as_cancelled() -> None:
    config = SimulatorConfig(batch_delay_s=0, batch_time_scale=1.0, batch_turnaround_median_s=60)
    app = create_app(config)
    async with sdk(app) as client:
        uploaded = await client.files.create(file=("n.jsonl", batch_input(5)), purpose="batch")
        created = await client.batches.create(
            input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
        )
        while (await client.batches.retrieve(created.id)).status != "in_progress":
            await asyncio.sleep(0.005)
        await client.batches.cancel(created.id)
        batch = await wait_final(client, created.id)
        output, errors = await both_files(client, batch)
    assert batch.status == "cancelled"
    assert len(output) + len(errors) == 5
    assert {line["error"]["code"] for line in errors} == {"batch_cancelled"}


# --- usage, the ledger, files ----------------------------------------------------------------


async def test_output_lines_carry_usage_as_the_request_log_counted_it() -> None:
    app = create_app(quick(seed=8))
    async with sdk(app) as client:
        batch = await run_batch(client, batch_input(5))
        output, _ = await both_files(client, batch)
    ledger = {
        line["custom_id"]: line for line in (await control(app, "/simulator/batch-lines"))["lines"]
    }
    log = await control(app, "/simulator/requests")
    for line in output:
        usage = line["response"]["body"]["usage"]
        assert usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0
        assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
        entry = ledger[line["custom_id"]]
        assert (entry["prompt_tokens"], entry["completion_tokens"]) == (
            usage["prompt_tokens"],
            usage["completion_tokens"],
        )
    assert batch.usage is not None
    assert batch.usage.input_tokens == sum(e["prompt_tokens"] for e in log["entries"])
    assert batch.usage.output_tokens == sum(e["completion_tokens"] for e in log["entries"])


async def test_the_ledger_keeps_every_line_as_uploaded_and_counts_each_custom_id() -> None:
    app = create_app(quick(batch_line_fail_rate=0.5, seed=10))
    content = batch_input(6)
    async with sdk(app) as client:
        first = await run_batch(client, content)
        second = await run_batch(client, content)
    ledger = await control(app, "/simulator/batch-lines")
    uploaded = [json.loads(line) for line in content.decode().splitlines()]
    assert len(ledger["lines"]) == 12
    for entry in ledger["lines"]:
        original = uploaded[entry["line"] - 1]
        assert entry["custom_id"] == original["custom_id"]
        assert entry["body"] == original["body"]
        assert entry["model"] == "small-model"
        assert entry["batch_id"] in {first.id, second.id}
        assert entry["outcome"] in {"answered", "failed"}
    counts = ledger["custom_ids"]
    assert set(counts) == {f"doc-{i}" for i in range(6)}
    assert all(seen["submitted"] == 2 for seen in counts.values())
    billed = sum(seen["billed"] for seen in counts.values())
    assert billed == ledger["billed"] == ledger["counts"]["answered"]
    assert 0 < billed < 12
    assert max(seen["billed"] for seen in counts.values()) == 2  # a double payment shows
    one = await control(app, "/simulator/batch-lines?custom_id=doc-3")
    assert [entry["custom_id"] for entry in one["lines"]] == ["doc-3", "doc-3"]
    await control(app, "/simulator/reset", "POST")
    assert (await control(app, "/simulator/batch-lines"))["lines"] == []


async def test_uploaded_files_stay_readable_byte_for_byte_until_deleted() -> None:
    app = create_app(quick())
    content = batch_input(3)
    async with sdk(app) as client:
        batch = await run_batch(client, content)
        assert (await client.files.content(batch.input_file_id)).content == content
        listed = {file.id async for file in client.files.list(purpose="batch")}
        assert listed == {batch.input_file_id}
        await client.files.delete(batch.input_file_id)
        with pytest.raises(openai.NotFoundError):
            await client.files.content(batch.input_file_id)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_files_past_expires_after_are_gone() -> None:
    clock = FakeClock()
    app = create_app(SimulatorConfig(batch_delay_s=0, wall_clock=clock))
    async with sdk(app) as client:
        kept = await client.files.create(file=("k.jsonl", b"{}\n"), purpose="batch")
        short = await client.files.create(
            file=("s.jsonl", b"{}\n"),
            purpose="batch",
            expires_after={"anchor": "created_at", "seconds": 3600},
        )
        assert short.expires_at == short.created_at + 3600
        assert kept.expires_at is None
        clock.now += 3599
        assert (await client.files.content(short.id)).content == b"{}\n"
        clock.now += 1
        with pytest.raises(openai.NotFoundError):
            await client.files.content(short.id)
        with pytest.raises(openai.NotFoundError):
            await client.files.retrieve(short.id)
        assert [file.id async for file in client.files.list()] == [kept.id]


async def test_a_batch_output_expires_after_what_the_batch_asked() -> None:
    clock = FakeClock()
    app = create_app(SimulatorConfig(batch_delay_s=0, wall_clock=clock, batch_time_scale=0.5))
    async with sdk(app) as client:
        batch = await run_batch(
            client,
            batch_input(2),
            output_expires_after={"anchor": "created_at", "seconds": 7200},
        )
        assert batch.output_file_id is not None
        output = await client.files.retrieve(batch.output_file_id)
        assert output.expires_at == output.created_at + 3600
        clock.now += 3600
        with pytest.raises(openai.NotFoundError):
            await client.files.content(batch.output_file_id)
        assert (await client.files.content(batch.input_file_id)).content == batch_input(2)


@pytest.mark.parametrize(
    "policy",
    [{"anchor": "created_at", "seconds": 60}, {"anchor": "last_active_at", "seconds": 3600}],
)
async def test_expiry_policies_openai_refuses_are_refused(policy: dict[str, Any]) -> None:
    async with sdk(create_app(quick())) as client:
        with pytest.raises(openai.BadRequestError):
            await client.files.create(
                file=("a.jsonl", b"{}\n"),
                purpose="batch",
                expires_after=policy,  # type: ignore[arg-type]
            )
        uploaded = await client.files.create(file=("a.jsonl", batch_input(1)), purpose="batch")
        with pytest.raises(openai.BadRequestError):
            await client.batches.create(
                input_file_id=uploaded.id,
                endpoint="/v1/chat/completions",
                completion_window="24h",
                output_expires_after=policy,  # type: ignore[arg-type]
            )


async def test_the_same_seed_gives_the_same_night() -> None:
    config = quick(
        batch_line_fail_rate=0.2,
        batch_line_error_rate=0.1,
        batch_expired_line_rate=0.1,
        seed=11,
    )
    fates = []
    for _ in range(2):
        app = create_app(config)
        async with sdk(app) as client:
            await run_batch(client, batch_input(30), window="1h")
        ledger = await control(app, "/simulator/batch-lines")
        fates.append(
            sorted((e["custom_id"], e["outcome"], e["status_code"]) for e in ledger["lines"])
        )
    assert fates[0] == fates[1]
    assert {outcome for _, outcome, _ in fates[0]} == {"answered", "failed", "error", "expired"}


# --- a night shaped like issue 14's must-show ------------------------------------------------

PLANTED = "+7 701 555 0142"  # synthetic, the kind of value masking must keep out of uploads


def night_lines(custom_ids: list[str]) -> bytes:
    lines = [
        {
            "custom_id": custom_id,
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {
                "model": "small-model",
                "messages": [
                    {
                        "role": "user",
                        "content": f"Subject: {custom_id}\n[PERSON_1] asks, call [PHONE_1]",
                    }
                ],
                "response_format": {"type": "json_object"},
            },
        }
        for custom_id in custom_ids
    ]
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()


async def stored_contents(client: openai.AsyncOpenAI, purpose: str) -> list[bytes]:
    return [
        (await client.files.content(file.id)).content
        async for file in client.files.list(purpose=purpose)
    ]


async def test_a_night_of_resubmitted_batches_pays_each_custom_id_once() -> None:
    config = SimulatorConfig(
        batch_delay_s=0,
        batch_time_scale=1e-5,
        batch_turnaround_median_s=120,
        batch_turnaround_sigma=1.0,
        batch_expired_line_rate=0.05,
        batch_line_fail_rate=0.02,
        seed=14,
    )
    app = create_app(config)
    wanted = [f"doc-{index}:extract" for index in range(2000)]
    pending, sent = list(wanted), 0
    rounds: list[tuple[str, int, int]] = []
    async with sdk(app) as client:
        while pending and len(rounds) < 6:
            batch = await run_batch(client, night_lines(pending))
            output, errors = await both_files(client, batch)
            sent += len(pending)
            rounds.append((batch.status, len(output), len(errors)))
            assert {line["custom_id"] for line in output + errors} == set(pending)
            pending = [line["custom_id"] for line in errors]
        uploads = await stored_contents(client, "batch")
        await client.files.create(file=("leak.jsonl", PLANTED.encode()), purpose="batch")
        with_leak = await stored_contents(client, "batch")
    assert pending == []
    assert rounds[0][0] == "expired"
    assert 0.9 < rounds[0][1] / 2000 < 0.96
    ledger = await control(app, "/simulator/batch-lines")
    assert len(ledger["lines"]) == sent
    assert {custom_id: seen["billed"] for custom_id, seen in ledger["custom_ids"].items()} == (
        dict.fromkeys(wanted, 1)
    )
    assert ledger["billed"] == 2000
    assert ledger["counts"]["expired"] > 0 and ledger["counts"]["failed"] > 0
    assert len(uploads) == len(rounds)
    assert not any(PLANTED.encode() in content for content in uploads)
    assert any(PLANTED.encode() in content for content in with_leak)


# --- what an input file may hold --------------------------------------------------------------


async def test_a_file_over_the_line_or_byte_limit_or_with_two_models_fails_its_batch() -> None:
    two_models = batch_input(2).replace(b'"small-model"', b'"strong-model"', 1)
    cases = [
        (quick(batch_max_requests=3), batch_input(4), [("too_many_requests", None)]),
        (quick(batch_max_bytes=100), batch_input(2), [("file_too_large", None)]),
        (quick(), two_models, [("mismatched_model", 2)]),
    ]
    for config, content, expected in cases:
        async with sdk(create_app(config)) as client:
            batch = await run_batch(client, content)
        assert batch.status == "failed"
        assert batch.errors is not None and batch.errors.data is not None
        assert [(error.code, error.line) for error in batch.errors.data] == expected
    async with sdk(create_app(quick(batch_max_requests=4))) as client:
        assert (await run_batch(client, batch_input(4))).status == "completed"
