"""A worker killed with SIGKILL halfway: the re-run finishes the job without paying twice, and
every request the provider received is an audited attempt — the ones in flight at the kill with
outcome ``unknown`` (DESIGN 11)."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
from sqlalchemy import func, select

from compliance.audit.keys import AuditKeys
from compliance.audit.verify import VerifyReport, verify_log
from flows.context import app_context
from flows.nightly.flow import run_nightly
from flows.runtime import Runtime
from flows.settings import Settings
from service.api.audit_queries import find_attempts
from storage.engine import transaction
from storage.models import Document, Run, StepResult, StepStatus
from storage.repositories.audit import EntryFilter
from tests.flows.nightly_support import results_count, start_worker
from tests.simulated import Simulator, SimulatorFactory, ingest_samples

CONCURRENCY = 8


def kill_with_every_call_in_flight(
    settings: Settings, sim: Simulator, worker: subprocess.Popen[bytes], at_least: int
) -> tuple[int, int]:
    """SIGKILL the worker while the simulator holds one request of each of its CONCURRENCY
    slots; returns (requests received, requests in flight) at the kill, as the simulator saw.

    The worker is frozen (SIGSTOP) and the simulator read again: when no request was answered
    since all were seen in flight, no call of the worker can be between its audit intent and
    its request, so the provider's count at the kill is final. Otherwise the worker goes on
    (SIGCONT) until the next such moment."""
    deadline = time.monotonic() + 60
    while True:
        assert worker.poll() is None, "the worker ended before it could be killed"
        assert time.monotonic() < deadline, "the worker never had every call in flight"
        received, answered = sim.received_and_answered()
        if results_count(settings) >= at_least and received - answered == CONCURRENCY:
            worker.send_signal(signal.SIGSTOP)
            if sim.received_and_answered() == (received, answered):
                worker.send_signal(signal.SIGKILL)
                worker.wait(timeout=10)
                return received, received - answered
            worker.send_signal(signal.SIGCONT)
        time.sleep(0.005)


def audited_attempts(settings: Settings) -> tuple[list[dict[str, Any]], VerifyReport]:
    """What `nightshift audit query --json --limit 0` lists, and `nightshift audit verify`."""
    with app_context(settings) as ctx:
        attempts = find_attempts(ctx.sessions, EntryFilter(), None)
        report = verify_log(ctx.sessions, AuditKeys.load(settings.keys_dir).verifiers)
    return attempts, report


async def test_a_killed_run_rerun_finishes_every_step_once_and_repeats_only_calls_in_flight(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    # Calls long enough that the moment every one of them is held by the provider comes often.
    sim = simulator(seed=21, latency_ms=500)
    # Every step is one call here; escalation (a first answer checkpointed before the second
    # call) is killed and resumed in the test below.
    settings = wired_home(sim.url, escalate=False)
    ingest_samples(settings, 50, seed=12, tmp_path=tmp_path)

    worker = start_worker()
    received, in_flight = kill_with_every_call_in_flight(settings, sim, worker, at_least=30)
    killed_at = results_count(settings)
    listed, report = audited_attempts(settings)

    # Provider requests == attempts listed; the ones in flight are there, outcome unknown.
    assert len(listed) == received
    unknown = [a for a in listed if a["outcome"] == "unknown"]
    assert len(unknown) == in_flight == CONCURRENCY
    assert all(len(a["entries"]) == 1 and a["request_sha256"] is None for a in unknown)
    assert report.ok and report.unknown_outcomes == CONCURRENCY, report

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
    assert 30 <= killed_at < len(per_pair)
    assert all(count == 1 for _, _, count in per_pair)
    assert document_states <= {"done", "review"}
    assert summary["documents_total"] < 50
    repeated = sim.total() - attempts
    print(f"killed at {killed_at} results; calls repeated after the kill: {repeated}")
    assert 0 <= repeated <= CONCURRENCY
    assert run_states == ["completed", "crashed"]
    # After the re-run too: every request received is listed once, and only the kill's unknown.
    listed, report = audited_attempts(settings)
    assert len(listed) == sim.received_and_answered()[0]
    assert [a["seq"] for a in listed if a["outcome"] == "unknown"] == [a["seq"] for a in unknown]
    assert report.ok and report.unknown_outcomes == CONCURRENCY


def running_rows(settings: Settings) -> list[tuple[int, str, int]]:
    """(document, step, attempts) of the checkpoints: first answers saved before escalating."""
    with app_context(settings) as ctx, transaction(ctx.sessions) as session:
        rows = session.execute(
            select(StepResult.document_id, StepResult.step, StepResult.attempts).where(
                StepResult.status == StepStatus.RUNNING.value
            )
        ).all()
    return [(int(d), str(s), int(a)) for d, s, a in rows]


def kill_during_escalation(
    settings: Settings, worker: subprocess.Popen[bytes], at_least: int
) -> list[tuple[int, str, int]]:
    """SIGKILL the worker while an escalation call is in flight (a checkpoint is stored).

    Seen a checkpoint, the worker is frozen (SIGSTOP) and the store read again: a frozen process
    commits nothing, so what is read is exactly what the kill leaves. If the escalation finished
    in between, the worker goes on (SIGCONT) until the next one.
    """
    deadline = time.monotonic() + 60
    while True:
        assert worker.poll() is None, "the worker ended before an escalation could be caught"
        assert time.monotonic() < deadline, "the worker made no progress"
        if results_count(settings) >= at_least and running_rows(settings):
            worker.send_signal(signal.SIGSTOP)
            frozen = running_rows(settings)
            if frozen:
                worker.send_signal(signal.SIGKILL)
                worker.wait(timeout=10)
                return frozen
            worker.send_signal(signal.SIGCONT)
        time.sleep(0.01)


class Capture(httpx2.AsyncBaseTransport):
    """Forwards to the simulator; keeps (schema, model) of every request the re-run sends."""

    def __init__(self) -> None:
        self.inner = httpx2.AsyncHTTPTransport()
        self.sent: list[tuple[str, str]] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(await request.aread())
        self.sent.append((body["response_format"]["json_schema"]["name"], body["model"]))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_a_run_killed_during_an_escalation_resumes_it_without_repeating_the_first_call(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    sim = simulator(seed=23, latency_ms=80)
    # categorize escalates to the strong route when the simulator's confidence is low (~8 %).
    settings = wired_home(sim.url, escalate=True)
    ingest_samples(settings, 80, seed=14, tmp_path=tmp_path)

    worker = start_worker()
    checkpoints = kill_during_escalation(settings, worker, at_least=30)
    with app_context(settings) as ctx, transaction(ctx.sessions) as session:
        at_kill = {
            (int(d), str(s))
            for d, s in session.execute(select(StepResult.document_id, StepResult.step))
        }
        documents = set(session.scalars(select(Document.id)))

    capture = Capture()
    runtime = Runtime.open(settings, transport=capture)
    try:
        summary = await run_nightly(runtime, window_end="none")
    finally:
        await runtime.aclose()

    with app_context(settings) as ctx, transaction(ctx.sessions) as session:
        rows = {(r.document_id, r.step): r for r in session.scalars(select(StepResult))}
        document_states = set(session.scalars(select(Document.status)))
    assert len(rows) == len(documents) * 3 and document_states <= {"done", "review"}
    for document_id, step, attempts in checkpoints:
        final = rows[(document_id, step)]
        assert final.status in {"done", "review"}
        assert (final.route, final.attempts) == ("strong", attempts + 1)
    # The re-run asks the first route only for categorize steps that had no row at the kill:
    # a checkpointed one goes straight to the strong route.
    not_started = sum(1 for d in documents if (d, "categorize") not in at_kill)
    assert capture.sent.count(("categorize_v1", "small-model")) == not_started
    assert summary["escalations"] >= len(checkpoints)
    attempts = sum(r.attempts for r in rows.values())
    repeated = sim.total() - attempts
    print(f"killed with {len(checkpoints)} escalation(s) in flight; calls repeated: {repeated}")
    assert 0 <= repeated <= CONCURRENCY
