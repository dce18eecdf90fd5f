"""The online path: one document through the same steps, answered now, never paid twice."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flows.online import process_online
from flows.runtime import Runtime
from flows.settings import Settings
from tests.simulated import SimulatorFactory, ingest_samples


async def test_one_document_runs_every_step_and_asking_again_is_answered_from_the_store(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    sim = simulator(seed=2)
    settings = wired_home(sim.url)
    ingest_samples(settings, 3, seed=14, tmp_path=tmp_path)
    runtime = Runtime.open(settings)
    try:
        first = await process_online(runtime, 2)
        calls = sim.total()
        again = await process_online(runtime, 2)
    finally:
        await runtime.aclose()

    assert set(first.steps) == {"extract", "categorize", "draft"}
    assert first.counters.calls == calls >= 2
    assert all(not view.from_store for view in first.steps.values())
    assert first.steps["categorize"].output is not None
    assert sim.total() == calls
    assert all(view.from_store for view in again.steps.values())
    assert again.counters.calls == 0


async def test_asking_for_fewer_steps_calls_only_those(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    sim = simulator(seed=3)
    settings = wired_home(sim.url)
    ingest_samples(settings, 2, seed=15, tmp_path=tmp_path)
    runtime = Runtime.open(settings)
    try:
        result = await process_online(runtime, 1, ["categorize"])
    finally:
        await runtime.aclose()

    assert list(result.steps) == ["categorize"]
    assert sim.total() == result.counters.calls == 1
    assert result.status == "pending"  # extract and draft have not run yet


async def test_a_draft_without_a_category_is_not_sent(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    sim = simulator(seed=4)
    settings = wired_home(sim.url)
    ingest_samples(settings, 1, seed=16, tmp_path=tmp_path)
    runtime = Runtime.open(settings)
    try:
        result = await process_online(runtime, 1, ["draft"])
    finally:
        await runtime.aclose()

    assert result.steps["draft"].reason == "needs:categorize"
    assert sim.total() == 0
