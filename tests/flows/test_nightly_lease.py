"""One nightly run at a time: a live run's lease refuses a second one; a dead run is taken over."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from flows.context import app_context
from flows.nightly import lease
from flows.nightly.flow import run_nightly
from flows.nightly.lease import RunInProgress
from flows.runtime import Runtime
from flows.settings import Settings
from storage.engine import transaction
from storage.models import Run, RunStatus
from tests.flows.nightly_support import add_running_run, results_count, start_worker
from tests.simulated import SimulatorFactory, ingest_samples

HERE = socket.gethostname()


async def nightly(settings: Settings) -> dict[str, Any]:
    runtime = Runtime.open(settings)
    try:
        return await run_nightly(runtime, window_end="none")
    finally:
        await runtime.aclose()


def runs(settings: Settings) -> list[Run]:
    with app_context(settings) as ctx, transaction(ctx.sessions) as session:
        return list(session.scalars(select(Run).order_by(Run.started_at)))


def gone_pid() -> int:
    """The id of a process of this host that has exited."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(timeout=30)
    return child.pid


def wait_for_results(settings: Settings, worker: subprocess.Popen[bytes], at_least: int) -> None:
    deadline = time.monotonic() + 60
    while results_count(settings) < at_least:
        assert worker.poll() is None, "the worker ended before the second run could start"
        assert time.monotonic() < deadline, "the worker made no progress"
        time.sleep(0.05)


async def test_a_second_run_while_one_is_in_flight_is_refused_and_nothing_is_paid_twice(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    sim = simulator(seed=31, latency_ms=100)
    settings = wired_home(sim.url, escalate=False, extra="heartbeat_s = 0.2")
    ingest_samples(settings, 60, seed=32, tmp_path=tmp_path)

    worker = start_worker(subprocess.PIPE)
    try:
        wait_for_results(settings, worker, at_least=10)
        with pytest.raises(RunInProgress) as refused:
            await nightly(settings)
        assert worker.poll() is None, "the first run must still be in flight when refused"
        [live] = runs(settings)
        out, _ = worker.communicate(timeout=120)
    finally:
        if worker.poll() is None:
            worker.kill()
    first = json.loads(out)

    assert worker.returncode == 0
    message = str(refused.value)
    assert f"nightly run {live.id[:8]} is in progress" in message
    assert f"on host {HERE}, pid {worker.pid}" in message
    assert "last heartbeat" in message
    assert live.heartbeat_at is not None and live.heartbeat_at > live.started_at
    [finished] = runs(settings)
    assert (finished.id, finished.status) == (first["run_id"], "completed")
    assert first["documents_total"] == 60
    assert sim.total() == first["calls"]  # every call that left the process was the first run's


@pytest.mark.parametrize(
    ("host", "alive_pid", "heartbeat_age_s"),
    [
        pytest.param(HERE, False, 0.0, id="this-host-process-gone"),
        pytest.param("worker-elsewhere", True, 600.0, id="other-host-heartbeat-stale"),
    ],
)
async def test_a_dead_running_run_is_marked_crashed_and_the_new_run_proceeds(
    simulator: SimulatorFactory,
    wired_home: Callable[..., Settings],
    tmp_path: Path,
    host: str,
    alive_pid: bool,
    heartbeat_age_s: float,
) -> None:
    sim = simulator(seed=33)
    settings = wired_home(sim.url, escalate=False)
    ingest_samples(settings, 5, seed=34, tmp_path=tmp_path)
    pid = os.getppid() if alive_pid else gone_pid()
    add_running_run(settings, host=host, pid=pid, heartbeat_age_s=heartbeat_age_s, run_id="dead")

    summary = await nightly(settings)

    assert summary["status"] == "completed"
    assert summary["documents_total"] == 5
    states = {run.id: (run.status, run.finished_at is not None) for run in runs(settings)}
    assert states == {"dead": ("crashed", True), summary["run_id"]: ("completed", True)}


async def test_a_run_alive_on_another_host_refuses_the_new_run_before_any_call(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    sim = simulator(seed=35)
    settings = wired_home(sim.url, escalate=False)
    ingest_samples(settings, 5, seed=36, tmp_path=tmp_path)
    add_running_run(
        settings, host="worker-elsewhere", pid=4242, heartbeat_age_s=5.0, run_id="a1b2c3d4-live"
    )

    with pytest.raises(RunInProgress) as refused:
        await nightly(settings)

    message = str(refused.value)
    assert "nightly run a1b2c3d4 is in progress" in message
    # 5 s planted; a loaded machine takes a second or two more to get here.
    assert re.search(r"on host worker-elsewhere, pid 4242; last heartbeat [5-9] s ago", message)
    assert "nightly.lease_timeout_s (60 s)" in message
    assert [(run.id, run.status) for run in runs(settings)] == [("a1b2c3d4-live", "running")]
    assert sim.total() == 0


async def test_two_runs_that_pass_the_check_together_meet_the_unique_index(
    simulator: SimulatorFactory,
    wired_home: Callable[..., Settings],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim = simulator(seed=37)
    settings = wired_home(sim.url, escalate=False)
    ingest_samples(settings, 5, seed=38, tmp_path=tmp_path)
    add_running_run(
        settings, host="worker-elsewhere", pid=4242, heartbeat_age_s=1.0, run_id="e5f6a7b8-live"
    )
    # As if this run had checked just before the other one inserted its row.
    monkeypatch.setattr(lease, "take_over", lambda *args: None)

    with pytest.raises(RunInProgress, match="nightly run e5f6a7b8 is in progress"):
        await nightly(settings)

    assert [(run.id, run.status) for run in runs(settings)] == [("e5f6a7b8-live", "running")]
    assert sim.total() == 0


async def test_a_run_that_lost_its_lease_starts_no_new_document(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    sim = simulator(seed=39, latency_ms=100)
    extra = "heartbeat_s = 0.1\nlease_timeout_s = 30"
    settings = wired_home(sim.url, escalate=False, extra=extra)
    ingest_samples(settings, 60, seed=40, tmp_path=tmp_path)

    running = asyncio.create_task(nightly(settings))
    deadline = time.monotonic() + 60
    while results_count(settings) < 5:
        assert not running.done() and time.monotonic() < deadline
        await asyncio.sleep(0.05)
    # Another run found no heartbeat for too long and marked this one crashed.
    with app_context(settings) as ctx, transaction(ctx.sessions) as session:
        session.execute(update(Run).values(status=RunStatus.CRASHED.value))
    summary = await running

    assert summary["documents_deferred"] > 0
    processed = summary["documents_done"] + summary["documents_review"]
    assert processed + summary["documents_failed"] + summary["documents_deferred"] == 60


async def test_the_scheduled_night_waits_for_a_live_run_then_does_what_is_left(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    """``wait_for_lease`` (the scheduled deployment sets it): queued behind a re-run, the
    night starts once that run has finished, instead of failing and missing its report."""
    sim = simulator(seed=41)
    settings = wired_home(sim.url, escalate=False, extra="heartbeat_s = 0.1\nlease_timeout_s = 30")
    ingest_samples(settings, 4, seed=42, tmp_path=tmp_path)
    add_running_run(
        settings, host="worker-elsewhere", pid=4242, heartbeat_age_s=0.0, run_id="c0ffee00-live"
    )
    runtime = Runtime.open(settings)
    try:
        night = asyncio.create_task(run_nightly(runtime, window_end="none", wait_for_lease=True))
        await asyncio.sleep(0.5)  # five checks: the live run keeps the night waiting
        assert not night.done()
        assert sim.total() == 0
        with app_context(settings) as ctx, transaction(ctx.sessions) as session:
            session.execute(
                update(Run)
                .where(Run.id == "c0ffee00-live")
                .values(status=RunStatus.COMPLETED.value, finished_at=datetime.now(UTC))
            )
        summary = await asyncio.wait_for(night, timeout=60)
    finally:
        await runtime.aclose()

    assert summary["status"] == "completed"
    assert summary["documents_total"] == 4
    assert [run.status for run in runs(settings)] == ["completed", "completed"]


async def test_waiting_for_the_lease_ends_with_the_window(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    sim = simulator(seed=43)
    settings = wired_home(sim.url, escalate=False, extra="heartbeat_s = 0.1\nlease_timeout_s = 30")
    ingest_samples(settings, 2, seed=44, tmp_path=tmp_path)
    add_running_run(
        settings, host="worker-elsewhere", pid=4242, heartbeat_age_s=0.0, run_id="0dd0dd00-live"
    )
    runtime = Runtime.open(settings)
    try:
        with pytest.raises(RunInProgress, match="nightly run 0dd0dd00 is in progress"):
            await run_nightly(
                runtime,
                deadline=datetime.now(UTC) + timedelta(seconds=0.5),
                wait_for_lease=True,
            )
    finally:
        await runtime.aclose()

    assert [(run.id, run.status) for run in runs(settings)] == [("0dd0dd00-live", "running")]
    assert sim.total() == 0
