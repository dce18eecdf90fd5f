"""Submit: one step's pending documents as batch lines, in files at the route's limits.

For each document whose ``step`` has no finished result at the active prompt version (and whose
inputs are there: draft waits for categorize, the next round), the request is built exactly as
the online path builds it — the prompt rendered on the vault's masked view
(:func:`flows.steps.runner.step_request`) — and turned into a line by
:meth:`Gateway.batch_line <compliance.gateway.gateway.Gateway.batch_line>`, which applies the
residency and masking guards per line. Per file, in this order:

1. the ``provider_batches`` row (``created``) and its lines are committed;
2. one audit intent per line is committed (the upload is the irreversible act);
3. the file is uploaded (``uploaded``, its file id recorded), the batch created (the provider's
   id and the window deadline recorded).

A key that already has a ``submitted`` or ``done`` line is never put in a new batch, and a key
is sent at most twice (the database refuses a third line). A batch a killed submitter left
``uploaded`` is created from its file on the next submit; one left ``created`` (the upload may
not have happened) has its lines marked ``expired``, so the keys go out once more.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from compliance.gateway.batches import BatchLine, split_files
from compliance.gateway.calls import Refusal
from flows.batch.keys import result_key
from flows.config import STEPS
from flows.nightly.chunk import BatchState, Loaded, load_documents
from flows.nightly.window import WindowGuard
from flows.results import document_status, outcome_row
from flows.runtime import Runtime
from flows.steps.base import StepOutcome
from flows.steps.runner import SPECS, missing_inputs, step_request
from storage.engine import transaction
from storage.models import (
    BatchStatus,
    Document,
    LineStatus,
    ProviderBatch,
    ProviderBatchLine,
    StepStatus,
)
from storage.repositories.batches import KeyState, ProviderBatchRepository
from storage.repositories.documents import DocumentRepository
from storage.repositories.step_results import StepResultRepository
from storage.types import utcnow

logger = logging.getLogger("nightshift.batch")

#: The collector's first look at a new batch, after this many seconds.
FIRST_POLL_S = 30.0


@dataclass
class SubmitReport:
    """What one submit did (ids and counts only)."""

    step: str
    batches: list[str] = field(default_factory=list)
    lines: int = 0
    resubmitted: int = 0
    bytes: int = 0
    #: Documents whose step waits for an input (draft: categorize) — the next round's.
    waiting: int = 0
    #: Keys already in flight or answered, or sent twice already: not sent again.
    skipped: int = 0
    #: Steps settled without a call (a draft with nothing to answer, a refused or unmaskable
    #: document), saved as the online path would.
    settled: int = 0
    refused: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "step": self.step,
            "batches": list(self.batches),
            "lines": self.lines,
            "resubmitted": self.resubmitted,
            "bytes": self.bytes,
            "waiting": self.waiting,
            "skipped": self.skipped,
            "settled": self.settled,
            "refused": self.refused,
        }


def _pending_documents(runtime: Runtime, step: str) -> list[int]:
    versions = runtime.versions((step,))
    with transaction(runtime.app.sessions) as session:
        finished = StepResultRepository(session).finished_keys(versions)
        ids = session.scalars(
            select(Document.id).where(Document.wrapped_key.is_not(None)).order_by(Document.id)
        ).all()
    return [int(d) for d in ids if (int(d), step) not in finished]


async def submit_step(
    runtime: Runtime,
    step: str,
    run_id: str | None,
    *,
    limit: int | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> SubmitReport:
    """Submit the pending documents of ``step`` in batches on the step's route."""
    if step not in STEPS:
        raise ValueError(f"unknown step {step!r}; steps are {', '.join(STEPS)}")
    report = SubmitReport(step)
    await resume_unsubmitted(runtime, report, clock)
    document_ids = await asyncio.to_thread(_pending_documents, runtime, step)
    if limit is not None:
        document_ids = document_ids[:limit]
    route_name = getattr(runtime.settings.step_routes, step).route
    route = runtime.settings.routes[route_name]
    chunk = runtime.settings.nightly.chunk_size
    lines: list[tuple[BatchLine, Loaded]] = []
    for start in range(0, len(document_ids), chunk):
        lines.extend(
            await _lines_of(
                runtime, step, route_name, run_id, document_ids[start : start + chunk], report
            )
        )
    fitting: list[tuple[BatchLine, Loaded]] = []
    for line, item in lines:
        if len(line.data) > route.batch_max_bytes:
            await _settle(runtime, run_id, item, _not_sent(runtime, step, "batch_line_too_large"))
            report.settled += 1
        else:
            fitting.append((line, item))
    by_key = {line.custom_id: item for line, item in fitting}
    files = split_files(
        [line for line, _ in fitting], route.batch_max_requests, route.batch_max_bytes
    )
    for file_lines in files:
        batch_id = await _submit_file(runtime, run_id, step, route_name, file_lines, by_key, clock)
        report.batches.append(batch_id)
        report.lines += len(file_lines)
        report.resubmitted += sum(1 for line in file_lines if line.attempt > 1)
        report.bytes += sum(len(line.data) for line in file_lines)
    return report


def _not_sent(runtime: Runtime, step: str, reason: str) -> StepOutcome:
    prompt = runtime.registry.active(step)
    return StepOutcome(
        step, StepStatus.REVIEW, prompt.version, prompt.schema_version, reason=reason
    )


async def _settle(runtime: Runtime, run_id: str | None, item: Loaded, outcome: StepOutcome) -> None:
    """Save a step settled without a line, and the document's status with it."""
    row = outcome_row(item.document, item.data_key, outcome, run_id, item.masker_version)
    others = [made.status for s, made in item.finished.items() if s != outcome.step]
    status = document_status([*others, outcome.status], len(STEPS))

    def write() -> None:
        with transaction(runtime.app.sessions) as session:
            StepResultRepository(session).upsert_many([row])
            if item.document.status != status.value:
                DocumentRepository(session).set_statuses({item.document.id: status})

    await asyncio.to_thread(write)


async def _lines_of(
    runtime: Runtime,
    step: str,
    route_name: str,
    run_id: str | None,
    document_ids: Sequence[int],
    report: SubmitReport,
) -> list[tuple[BatchLine, Loaded]]:
    """The lines of these documents' ``step``; steps settled without a call are saved here."""
    state = BatchState(
        runtime,
        run_id or "",
        (step,),
        runtime.versions(STEPS),
        asyncio.Semaphore(1),
        WindowGuard(None, len(document_ids)),
    )
    loaded = await asyncio.to_thread(load_documents, state, document_ids)
    prompt = runtime.registry.active(step)
    ctx = runtime.step_context("nightly", run_id, caller_key_id=runtime.service_key_id)
    spec = SPECS[step]
    candidates: list[tuple[str, Loaded]] = []
    for item in loaded:
        if step in item.finished:
            continue
        if item.view is None:
            await _settle(
                runtime, run_id, item, _not_sent(runtime, step, item.failure or "not_masked")
            )
            report.settled += 1
            continue
        previous = {
            s: made.output
            for s, made in item.finished.items()
            if made.output is not None and s in item.readable
        }
        if missing_inputs(step, previous):
            report.waiting += 1
            continue
        skipped = spec.skip(previous) if spec.skip is not None else None
        if skipped is not None:
            done = StepOutcome(step, StepStatus.DONE, prompt.version, prompt.schema_version)
            done.output = skipped
            await _settle(runtime, run_id, item, done)
            report.settled += 1
            continue
        key = result_key(
            item.document.id,
            step,
            prompt.version,
            prompt.schema_version,
            item.document.content_hash,
        )
        candidates.append((key, item))
    states = await asyncio.to_thread(_key_states, runtime, [key for key, _ in candidates])
    lines: list[tuple[BatchLine, Loaded]] = []
    for key, item in candidates:
        state_of = states.get(key)
        if state_of is not None and not state_of.sendable:
            report.skipped += 1
            continue
        assert item.view is not None
        previous = {
            s: made.output
            for s, made in item.finished.items()
            if made.output is not None and s in item.readable
        }
        inputs = {name: previous[name] for name in spec.inputs if name in previous}
        request = step_request(ctx, prompt, item.view, inputs)
        attempt = (state_of.attempts if state_of else 0) + 1
        made = await runtime.gateway.batch_line(request, route_name, key, attempt=attempt)
        if isinstance(made, Refusal):
            refused = StepOutcome(
                step,
                StepStatus.FAILED,
                prompt.version,
                prompt.schema_version,
                reason=f"refused:{made.reason}",
                route=route_name,
            )
            await _settle(runtime, run_id, item, refused)
            report.refused += 1
            continue
        lines.append((made, item))
    return lines


def _key_states(runtime: Runtime, keys: list[str]) -> dict[str, KeyState]:
    with transaction(runtime.app.sessions) as session:
        return dict(ProviderBatchRepository(session).key_states(keys))


async def _submit_file(
    runtime: Runtime,
    run_id: str | None,
    step: str,
    route_name: str,
    lines: Sequence[BatchLine],
    items: dict[str, Loaded],
    clock: Callable[[], datetime],
) -> str:
    """Record, audit, upload and create one batch; returns our batch id."""
    route = runtime.settings.routes[route_name]
    batch_id = str(uuid.uuid4())
    prompt = runtime.registry.active(step)
    rows = [
        ProviderBatchLine(
            batch_id=batch_id,
            custom_id=line.custom_id,
            document_id=items[line.custom_id].document.id,
            step=step,
            prompt_version=prompt.version,
            schema_version=prompt.schema_version,
            input_hash=items[line.custom_id].document.content_hash,
            masker_version=items[line.custom_id].masker_version,
            status=LineStatus.SUBMITTED.value,
            attempt=line.attempt,
            request_sha256=line.request_sha256,
            attempt_id=line.attempt_id,
        )
        for line in lines
    ]
    batch = ProviderBatch(
        id=batch_id,
        run_id=run_id,
        route=route_name,
        model=route.model,
        step=step,
        prompt_version=prompt.version,
        status=BatchStatus.CREATED.value,
        input_bytes=sum(len(line.data) for line in lines),
    )

    def record() -> None:
        with transaction(runtime.app.sessions) as session:
            ProviderBatchRepository(session).add(batch, rows)

    await asyncio.to_thread(record)
    await runtime.gateway.intend_lines(lines, batch_id)
    file_id = await runtime.gateway.upload_batch_file(route_name, lines, f"{batch_id}.jsonl")
    await asyncio.to_thread(_write, runtime, lambda repo: repo.record_upload(batch_id, file_id))
    await _create(runtime, batch_id, route_name, file_id, clock)
    logger.info("batch %s submitted: step %s, %d lines", batch_id, step, len(lines))
    return batch_id


async def _create(
    runtime: Runtime, batch_id: str, route_name: str, file_id: str, clock: Callable[[], datetime]
) -> None:
    route = runtime.settings.routes[route_name]
    info = await runtime.gateway.create_batch(route_name, file_id, batch_id)
    now = clock()
    await asyncio.to_thread(
        _write,
        runtime,
        lambda repo: repo.record_submitted(
            batch_id,
            provider_batch_id=info.id,
            status=info.status,
            submitted_at=now,
            window_deadline=now + timedelta(seconds=route.completion_window_s),
            next_poll_at=now + timedelta(seconds=FIRST_POLL_S),
        ),
    )


def _write(runtime: Runtime, change: Callable[[ProviderBatchRepository], None]) -> None:
    with transaction(runtime.app.sessions) as session:
        change(ProviderBatchRepository(session))


async def resume_unsubmitted(
    runtime: Runtime, report: SubmitReport, clock: Callable[[], datetime] = utcnow
) -> None:
    """Finish what a killed submitter left: create the batch of an uploaded file; expire the
    lines of a batch that may never have been uploaded (their keys may go out once more)."""

    def left() -> list[tuple[str, str, str | None, str]]:
        with transaction(runtime.app.sessions) as session:
            return [
                (b.id, b.route, b.input_file_id, b.status)
                for b in ProviderBatchRepository(session).unsubmitted()
            ]

    for batch_id, route_name, file_id, status in await asyncio.to_thread(left):
        if status == BatchStatus.UPLOADED.value and file_id is not None:
            await _create(runtime, batch_id, route_name, file_id, clock)
            report.batches.append(batch_id)
            continue

        def abandon(repo: ProviderBatchRepository, batch_id: str = batch_id) -> None:
            repo.set_line_status([line.id for line in repo.lines(batch_id)], LineStatus.EXPIRED)
            repo.mark_collected(batch_id)

        await asyncio.to_thread(_write, runtime, abandon)
