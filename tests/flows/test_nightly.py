"""The nightly batch: every pending document once, nothing paid twice, the summary tells all."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from compliance.gateway.retry import RetryPolicy
from flows.context import app_context
from flows.nightly.flow import run_nightly
from flows.prompts import DEFAULT_DIRECTORY
from flows.runtime import Runtime
from flows.settings import Settings
from storage.engine import transaction
from storage.models import Document, StepResult
from tests.simulated import SimulatorFactory, ingest_samples

FAST_RETRY = RetryPolicy(max_attempts=4, content_retries=1, base_delay_s=0.01, max_delay_s=0.05)


async def nightly(settings: Settings, **options: object) -> dict[str, Any]:
    prompts_dir = options.pop("prompts_dir", None)
    runtime = Runtime.open(settings, retry=FAST_RETRY, prompts_dir=prompts_dir)  # type: ignore[arg-type]
    try:
        return await run_nightly(runtime, window_end="none", **options)  # type: ignore[arg-type]
    finally:
        await runtime.aclose()


def statuses(settings: Settings) -> dict[str, int]:
    with app_context(settings) as ctx, transaction(ctx.sessions) as session:
        rows = session.execute(select(Document.status, func.count()).group_by(Document.status))
        return {status: count for status, count in rows}


async def test_a_run_finishes_every_document_and_a_second_run_makes_no_calls(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    sim = simulator(seed=3)
    settings = wired_home(sim.url)
    ingest_samples(settings, 40, seed=5, tmp_path=tmp_path)

    first = await nightly(settings)
    calls_after_first = sim.total()
    second = await nightly(settings)

    assert first["status"] == "completed"
    assert first["documents_total"] == 40
    assert first["documents_done"] + first["documents_review"] == 40
    assert first["documents_failed"] == first["documents_deferred"] == 0
    assert first["calls"] == calls_after_first
    assert second["documents_total"] == 0
    assert second["calls"] == 0
    assert sim.total() == calls_after_first


async def test_bumping_one_prompt_version_reruns_only_that_step(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    sim = simulator(seed=4)
    settings = wired_home(sim.url)
    ingest_samples(settings, 20, seed=6, tmp_path=tmp_path)
    await nightly(settings)
    before = sim.total()

    prompts = tmp_path / "prompts"
    shutil.copytree(DEFAULT_DIRECTORY, prompts)
    v1 = (prompts / "extract.v1.toml").read_text()
    (prompts / "extract.v2.toml").write_text(
        v1.replace('version = "extract.v1"', 'version = "extract.v2"')
    )
    rerun = await nightly(settings, prompts_dir=prompts)

    assert rerun["prompt_versions"]["extract"] == "extract.v2"
    assert rerun["documents_total"] == 20
    assert set(rerun["tokens_by_step"]) == {"extract"}
    assert sim.total() - before == rerun["calls"] >= 20


async def test_with_faults_every_document_ends_done_or_in_review_and_counts_match_the_simulator(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    sim = simulator(
        seed=11,
        fail_rate=0.05,
        hang_rate=0.02,
        hang_seconds=10,
        malformed_rate=0.03,
        empty_rate=0.02,
    )
    settings = wired_home(sim.url, timeout_s=3.0)  # far above a loaded answer, far below a hang
    ingest_samples(settings, 60, seed=7, tmp_path=tmp_path)

    summary = await nightly(settings)
    log = sim.counts()

    assert summary["documents_done"] + summary["documents_review"] == 60
    assert summary["documents_failed"] == 0
    assert summary["calls"] == sum(log.values())
    assert summary["server_errors"] == log.get("server_error", 0) > 0
    assert summary["timeouts"] == log.get("hang", 0) > 0
    assert summary["invalid_json"] == log.get("malformed", 0) > 0
    assert summary["empty_responses"] == log.get("empty", 0) > 0
    assert statuses(settings).keys() <= {"done", "review"}


async def test_documents_that_cannot_start_before_the_window_ends_are_deferred_then_finished_later(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    sim = simulator(seed=5, latency_ms=150)
    settings = wired_home(sim.url, extra="")
    ingest_samples(settings, 40, seed=8, tmp_path=tmp_path)

    cut = await nightly(settings, deadline=datetime.now(UTC) + timedelta(seconds=1.5))
    rest = await nightly(settings)

    assert cut["documents_deferred"] > 0
    processed = cut["documents_done"] + cut["documents_review"] + cut["documents_failed"]
    assert processed + cut["documents_deferred"] == 40
    assert rest["documents_total"] == cut["documents_deferred"]
    assert statuses(settings).get("pending", 0) == 0


async def test_step_results_record_the_versions_and_cost_of_each_step(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    sim = simulator(seed=6)
    settings = wired_home(sim.url)
    ingest_samples(settings, 10, seed=9, tmp_path=tmp_path)
    summary = await nightly(settings)

    with app_context(settings) as ctx, transaction(ctx.sessions) as session:
        rows = session.scalars(select(StepResult)).all()
    assert {r.prompt_version for r in rows} == {"extract.v1", "categorize.v1", "draft.v1"}
    assert all(r.schema_version == r.prompt_version for r in rows)
    assert sum(r.tokens_in for r in rows) == summary["tokens_in"]
    assert sum((r.cost for r in rows), Decimal(0)) == Decimal(summary["cost"])
