"""The nightly batch: plan the pending work, process it in chunk tasks, summarise the run.

Prefect sees one flow run per night and one task run per chunk of ``nightly.chunk_size``
documents (DESIGN 1: never one per document or per call). Chunks are awaited with
``asyncio.gather`` inside the async flow, bounded by a semaphore; model calls in flight are
bounded by ``nightly.concurrency``. Parameters, results and logs carry ids and counts only.
One nightly run works at a time: a run holds a lease in the database (flows/nightly/lease.py),
and a run that starts while another is alive fails with ``RunInProgress`` before it plans
anything.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from flows.accounting import RunCounters
from flows.batch import collect
from flows.batch.rounds import SettleReport, batch_steps, settle, submit_round
from flows.config import STEPS
from flows.nightly import lease
from flows.nightly.chunk import BatchState, ProgressHook, process_chunk
from flows.nightly.window import WindowGuard, window_deadline
from flows.planning.work import Plan, plan_work
from flows.results import document_status
from flows.runtime import Runtime
from flows.settings import load_settings
from storage.engine import transaction
from storage.models import Document, Run, RunKind, RunStatus, StepStatus
from storage.repositories.runs import RunRepository
from storage.repositories.step_results import StepResultRepository

logger = logging.getLogger("nightshift.nightly")

ChunkRunner = Callable[[str, list[int]], Awaitable[dict[str, int]]]

#: Batch state of the runs active in this process, by run id (chunk tasks look theirs up here).
_ACTIVE: dict[str, BatchState] = {}
#: Where a flow run started from this process reports progress (the CLI's progress bar).
_PROGRESS: list[ProgressHook] = []


@contextmanager
def reporting_progress(hook: ProgressHook) -> Iterator[None]:
    """Send the progress of nightly flow runs started in this process to ``hook``."""
    _PROGRESS.append(hook)
    try:
        yield
    finally:
        _PROGRESS.remove(hook)


def progress_hook() -> ProgressHook | None:
    return _PROGRESS[-1] if _PROGRESS else None


async def run_chunk(run_id: str, document_ids: list[int]) -> dict[str, int]:
    """Process one chunk of an active run (the plain function the chunk task wraps)."""
    return await process_chunk(_ACTIVE[run_id], document_ids)


@task(
    name="process-chunk",
    retries=2,
    retry_delay_seconds=[5, 30],
    persist_result=False,
    cache_policy=NO_CACHE,
    task_run_name="chunk-{document_ids[0]}",
)
async def process_chunk_task(run_id: str, document_ids: list[int]) -> dict[str, int]:
    return await run_chunk(run_id, document_ids)


def _start_run(
    runtime: Runtime, plan_steps: Sequence[str], limit: int | None, flow_run_id: str | None
) -> tuple[str, Plan]:
    """Take the lease (a live run refuses this one), plan, and insert the 'running' row."""
    run_id = str(uuid.uuid4())
    versions = runtime.versions(tuple(plan_steps))
    timeout_s = runtime.settings.nightly.lease_timeout_s
    owner = lease.Owner.current()
    lease.hold(run_id)
    try:
        with transaction(runtime.app.sessions) as session:
            now = datetime.now(UTC)
            runs = RunRepository(session)
            lease.take_over(runs, now, timeout_s)
            plan = plan_work(session, versions, plan_steps, limit)
            _settle(session, plan.unsettled, runtime.versions(STEPS))
            runs.add(
                Run(
                    id=run_id,
                    kind=RunKind.NIGHTLY.value,
                    status=RunStatus.RUNNING.value,
                    started_at=now,
                    prefect_flow_run_id=flow_run_id,
                    owner_host=owner.host,
                    owner_pid=owner.pid,
                    heartbeat_at=now,
                    parameters={
                        "limit": limit,
                        "documents_planned": len(plan.items),
                        "calls_planned": plan.calls_planned,
                        "by_priority": plan.by_priority(),
                        "prompt_versions": {s: v[0] for s, v in versions.items()},
                    },
                )
            )
    except IntegrityError:
        # The only unique key this transaction writes is the one-running-nightly-run index
        # (run ids are fresh): another run inserted its row after our check.
        lease.release(run_id)
        raise lease.in_progress(runtime.app.sessions, timeout_s) from None
    except BaseException:
        lease.release(run_id)
        raise
    return run_id, plan


def _settle(
    session: Session, document_ids: Sequence[int], versions: dict[str, tuple[str, str]]
) -> None:
    """Give finished documents that a killed worker left 'pending' their real status."""
    statuses: dict[int, list[StepStatus]] = {}
    for row in StepResultRepository(session).latest_finished(document_ids, versions):
        statuses.setdefault(row.document_id, []).append(StepStatus(row.status))
    for document_id, found in statuses.items():
        status = document_status(found, len(versions))
        session.execute(
            update(Document).where(Document.id == document_id).values(status=status.value)
        )


def _seconds_left(
    runtime: Runtime, window_end: str | None, deadline: datetime | None
) -> float | None:
    now = datetime.now(UTC)
    if deadline is None:
        if not window_end or window_end == "none":
            return None
        deadline = window_deadline(window_end, runtime.settings.nightly.timezone, now)
    return (deadline - now).total_seconds()


async def run_nightly(
    runtime: Runtime,
    *,
    limit: int | None = None,
    window_end: str | None = None,
    deadline: datetime | None = None,
    chunk_runner: ChunkRunner = run_chunk,
    progress: ProgressHook | None = None,
    flow_run_id: str | None = None,
    chunks_in_flight: int = 2,
    wait_for_lease: bool = False,
    wait: bool = False,
    poll_s: float | None = None,
) -> dict[str, Any]:
    """One nightly run over the pending work; returns the summary (ids and counts only).

    Steps whose mode is ``batch`` are not called online: the chunks run the online steps before
    the first batch-mode step (:func:`online_steps`), then every batch-mode step's pending
    documents are submitted (``flows.batch.rounds.submit_round``) and the run returns; ``wait``
    keeps collecting and submitting the next rounds (``flows.batch.rounds.settle``, polling
    every ``poll_s``, default the collector's first poll, within its per-batch backoff) until
    every document is settled.

    ``window_end`` (HH:MM in ``nightly.timezone``; "none" for no window) or an explicit
    ``deadline`` bounds when new documents may start. While another nightly run holds the
    lease, :class:`~flows.nightly.lease.RunInProgress` is raised at once, or with ``wait_for_lease``
    the run waits for it (checking every ``nightly.heartbeat_s``) as long as its window is open.
    """
    started = time.monotonic()
    nightly = runtime.settings.nightly
    end = nightly.window_end if window_end is None else window_end
    steps = online_steps(runtime)
    batched = batch_steps(runtime)
    run_id, plan = await _take_lease(
        runtime, steps, limit, flow_run_id, end, deadline, wait=wait_for_lease
    )
    try:
        state = BatchState(
            runtime=runtime,
            run_id=run_id,
            steps=steps,
            versions=runtime.versions(STEPS),
            semaphore=asyncio.Semaphore(nightly.concurrency),
            window=WindowGuard(_seconds_left(runtime, end, deadline), len(plan.items)),
            progress=progress,
            mask_workers=runtime.settings.privacy.mask_processes(len(plan.items), os.cpu_count()),
        )
        sessions = runtime.app.sessions
        async with lease.heartbeats(sessions, run_id, nightly.heartbeat_s, state.window.close):
            failed_chunks = await _process(state, plan, chunk_runner, chunks_in_flight)
            batch = await _batch_rounds(runtime, run_id, wait, poll_s) if batched else None
        status = RunStatus.FAILED if failed_chunks else RunStatus.COMPLETED
        summary = _summary(run_id, plan, state, time.monotonic() - started, failed_chunks)
        summary.update(batch_summary(batch))
        with transaction(sessions) as session:
            RunRepository(session).finish(run_id, status, datetime.now(UTC), summary)
    finally:
        lease.release(run_id)
    # A signed checkpoint at the end of every run: the night's calls are provably in the log.
    checkpoint = await runtime.audit.checkpoint()
    summary["audit_tree_size"] = checkpoint.checkpoint.tree_size
    summary["status"] = status.value
    return summary


def online_steps(runtime: Runtime) -> tuple[str, ...]:
    """The steps the nightly chunks call online: those before the first batch-mode step (a
    step after it waits for the batch's answer; an online step after a batch-mode one is not
    run by the nightly flow)."""
    steps: list[str] = []
    for step in STEPS:
        if runtime.settings.step_mode(step) == "batch":
            break
        steps.append(step)
    return tuple(steps)


async def _batch_rounds(
    runtime: Runtime, run_id: str, wait: bool, poll_s: float | None
) -> SettleReport:
    """Submit the batch-mode steps' pending work; with ``wait``, collect until settled."""
    if wait:
        every = collect.FIRST_POLL_S if poll_s is None else poll_s
        return await settle(runtime, run_id, poll_s=every)
    report = SettleReport(rounds=1)
    report.submitted.extend(await submit_round(runtime, run_id))
    return report


def batch_summary(report: SettleReport | None) -> dict[str, Any]:
    """The batch path's counters for the run summary, apart from the online calls'."""
    if report is None:
        return {}
    data = report.as_dict()
    return {
        "batches_submitted": data["batches"],
        "batch_lines": data["batch_lines"],
        "batch_lines_expired": data["lines_expired"],
        "batch_lines_failed": data["lines_failed"],
        "batch_resubmitted": data["resubmitted"],
        "batch_escalations": data["escalations"],
        "batch_steps_by_status": data["steps_by_status"],
        "batch_cost": data["cost"],
        "batch_settled": data["settled"],
    }


async def _take_lease(
    runtime: Runtime,
    steps: Sequence[str],
    limit: int | None,
    flow_run_id: str | None,
    window_end: str | None,
    deadline: datetime | None,
    *,
    wait: bool,
) -> tuple[str, Plan]:
    """Start the run; with ``wait``, wait while another run holds the lease and the window
    is open (the scheduled night queued behind a re-run finishes what is left)."""
    said = False
    while True:
        try:
            return _start_run(runtime, steps, limit, flow_run_id)
        except lease.RunInProgress as busy:
            left = _seconds_left(runtime, window_end, deadline)
            if not wait or (left is not None and left <= 0):
                raise
            if not said:
                said = True
                holder = busy.live.run_id[:8] if busy.live else "another run"
                logger.warning("nightly run %s holds the lease: waiting for it to finish", holder)
            interval = runtime.settings.nightly.heartbeat_s
            await asyncio.sleep(interval if left is None else min(interval, left))


async def _process(
    state: BatchState, plan: Plan, chunk_runner: ChunkRunner, chunks_in_flight: int
) -> int:
    """Process the planned documents in chunks; returns the number of chunks that failed."""
    runtime, run_id = state.runtime, state.run_id
    if state.mask_workers > 1:  # start the masking processes now, in the background
        await asyncio.to_thread(runtime.masker().start_pool, state.mask_workers)
    _ACTIVE[run_id] = state
    state.tick("planned", len(plan.items))
    size = runtime.settings.nightly.chunk_size
    ids = [item.document_id for item in plan.items]
    chunks = [ids[i : i + size] for i in range(0, len(ids), size)]
    gate = asyncio.Semaphore(max(chunks_in_flight, 1))

    async def one(chunk: list[int]) -> None:
        async with gate:
            await chunk_runner(run_id, chunk)

    try:
        outcomes = await asyncio.gather(*(one(c) for c in chunks), return_exceptions=True)
    finally:
        _ACTIVE.pop(run_id, None)
    failed = 0
    for chunk, error in zip(chunks, outcomes, strict=True):
        if isinstance(error, BaseException):
            failed += 1
            logger.error("chunk starting at document %s failed: %s", chunk[0], type(error).__name__)
    return failed


def _summary(
    run_id: str, plan: Plan, state: BatchState, duration_s: float, failed_chunks: int
) -> dict[str, Any]:
    counters: RunCounters = state.counters
    data = counters.as_dict()
    processed = counters.documents_done + counters.documents_review + counters.documents_failed
    per_1000 = (
        (counters.cost * 1000 / processed).quantize(counters.cost.__class__("0.01"))
        if processed
        else 0
    )
    data.update(
        run_id=run_id,
        documents_total=len(plan.items),
        documents_in_store=plan.documents_total,
        chunks_failed=failed_chunks,
        cost_per_1000_documents=str(per_1000),
        duration_s=round(duration_s, 3),
        prompt_versions={s: v[0] for s, v in state.versions.items()},
    )
    return data


@flow(name="nightly", persist_result=False, log_prints=False)
async def nightly_flow(
    limit: int | None = None,
    window_end: str | None = None,
    wait_for_lease: bool = False,
    wait: bool = False,
) -> dict[str, Any]:
    """The nightly batch over every pending document (Prefect flow; parameters are counts).

    ``wait_for_lease``: while another nightly run works, wait for it (within the window)
    instead of failing at once — the scheduled night sets it, an on-demand re-run does not.
    ``wait``: collect the batch-mode steps' batches until every document is settled."""
    context = FlowRunContext.get()
    flow_run_id = str(context.flow_run.id) if context and context.flow_run else None
    runtime = Runtime.open(load_settings())
    try:
        return await run_nightly(
            runtime,
            limit=limit,
            window_end=window_end,
            chunk_runner=process_chunk_task,
            flow_run_id=flow_run_id,
            progress=progress_hook(),
            wait_for_lease=wait_for_lease,
            wait=wait,
        )
    finally:
        await runtime.aclose()
