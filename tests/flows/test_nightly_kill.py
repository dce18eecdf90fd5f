"""A worker killed with SIGKILL halfway: the re-run finishes the job without paying twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

from flows.context import app_context
from flows.nightly import run_nightly
from flows.runtime import Runtime
from flows.settings import Settings
from storage.engine import transaction
from storage.models import Document, Run, StepResult
from tests.simulated import SimulatorFactory, ingest_samples

CONCURRENCY = 8


def results_count(settings: Settings) -> int:
    with app_context(settings) as ctx, transaction(ctx.sessions) as session:
        return int(session.scalar(select(func.count()).select_from(StepResult)) or 0)


def start_worker() -> subprocess.Popen[bytes]:
    code = "from service.cli import app; app()"
    args = ["run", "nightly", "--direct", "--json", "--window-end", "none"]
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill_when(settings: Settings, worker: subprocess.Popen[bytes], at_least: int) -> None:
    deadline = time.monotonic() + 60
    while results_count(settings) < at_least:
        assert worker.poll() is None, "the worker ended before it could be killed"
        assert time.monotonic() < deadline, "the worker made no progress"
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)


async def test_a_killed_run_rerun_finishes_every_step_once_and_repeats_only_calls_in_flight(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    sim = simulator(seed=21, latency_ms=60)
    # Without escalation every step is one call, so "repeated <= in flight" is exact; with it,
    # a first answer that was complete but not yet saved would be repeated as well.
    settings = wired_home(sim.url, escalate=False)
    ingest_samples(settings, 50, seed=12, tmp_path=tmp_path)

    worker = start_worker()
    kill_when(settings, worker, at_least=60)
    killed_at = results_count(settings)

    runtime = Runtime.open(settings)
    try:
        summary = await run_nightly(runtime, window_end="none")
    finally:
        await runtime.aclose()

    with app_context(settings) as ctx, transaction(ctx.sessions) as session:
        per_pair = session.execute(
            select(StepResult.document_id, StepResult.step, func.count()).group_by(
                StepResult.document_id, StepResult.step
            )
        ).all()
        attempts = int(session.scalar(select(func.sum(StepResult.attempts))) or 0)
        document_states = set(session.scalars(select(Document.status)))
        run_states = sorted(session.scalars(select(Run.status)))
    assert 60 <= killed_at < len(per_pair)
    assert all(count == 1 for _, _, count in per_pair)
    assert document_states <= {"done", "review"}
    assert summary["documents_total"] < 50
    repeated = sim.total() - attempts
    print(f"killed at {killed_at} results; calls repeated after the kill: {repeated}")
    assert 0 <= repeated <= CONCURRENCY
    assert run_states == ["completed", "crashed"]
