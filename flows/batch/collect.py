"""Collect: poll the open batches, store what came back as the online path stores it.

Per due batch (``ProviderBatchRepository.due``: open at the provider, or ended and not collected;
``next_poll_at`` is the backoff, ``FIRST_POLL_S`` doubling up to ``MAX_POLL_S``):

1. the provider's view (``retrieve_batch``); a batch still open past its ``window_deadline`` is
   cancelled (the provider keeps and returns the lines it finished);
2. once it ended: the output and error files, lines mapped back by ``custom_id`` (order is not
   guaranteed); per line still ``submitted``:

   * an answer (status 200): :func:`flows.steps.runner.run_step` with the answer as its first
     response — the same schema check, gate, escalation to ``escalate_to`` (an online call,
     checkpointed first) and verdict as online — saved as a step result with the masker
     version the line was built with; the line is ``done``;
   * an error line (``failed``) or no line at all (``expired``): its outcome is audited; the key
     is resubmitted by the next submit (attempt 2), and after a second failure the step is saved
     ``failed`` (``batch:<outcome>``) so the document settles — a later online run retries it;

   every line gets one audit outcome entry (``Gateway.answer_line``: the attempt id of its
   intent, the body hash, usage at the batch price);
3. the batch is ``collected``. Each line's result and status are committed together, so a killed
   collector resumes from the database: what it stored is not collected again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from compliance.gateway.batches import ResultLine
from compliance.gateway.calls import ModelRequest, ModelResponse
from flows.config import STEPS
from flows.nightly.chunk import BatchState, Loaded, load_documents
from flows.nightly.window import WindowGuard
from flows.results import document_status, outcome_row
from flows.runtime import Runtime
from flows.steps.base import StepOutcome
from flows.steps.runner import SPECS, run_step, step_request
from storage.engine import transaction
from storage.models import (
    MAX_LINE_ATTEMPTS,
    BatchStatus,
    LineStatus,
    ProviderBatchLine,
    StepStatus,
)
from storage.models.batches import ENDED_STATUSES, OPEN_STATUSES
from storage.repositories.audit import AuditRepository
from storage.repositories.batches import ProviderBatchRepository
from storage.repositories.documents import DocumentRepository
from storage.repositories.step_results import StepResultRepository
from storage.types import utcnow

logger = logging.getLogger("nightshift.batch")

FIRST_POLL_S = 30.0
MAX_POLL_S = 600.0


def backoff_s(polls: int) -> float:
    """Seconds until the next look at a batch polled ``polls`` times already."""
    return min(MAX_POLL_S, FIRST_POLL_S * float(2 ** min(polls, 16)))


@dataclass
class CollectReport:
    """What one collect pass did (ids and counts only)."""

    polled: int = 0
    cancelled: int = 0
    collected: list[str] = field(default_factory=list)
    #: Lines answered and stored as step results.
    lines_done: int = 0
    #: Lines in the error file, and lines in neither file (expired or missing).
    lines_failed: int = 0
    lines_expired: int = 0
    #: Keys whose second attempt failed too: saved as failed steps, never sent a third time.
    lines_given_up: int = 0
    escalations: int = 0
    steps_by_status: dict[str, int] = field(default_factory=dict)
    tokens_in: int = 0
    tokens_out: int = 0
    cost: Decimal = Decimal(0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "polled": self.polled,
            "cancelled": self.cancelled,
            "collected": list(self.collected),
            "lines_done": self.lines_done,
            "lines_failed": self.lines_failed,
            "lines_expired": self.lines_expired,
            "lines_given_up": self.lines_given_up,
            "escalations": self.escalations,
            "steps_by_status": dict(self.steps_by_status),
            "tokens_in": self.tokens_in,
            "tokens_out": self.tokens_out,
            "cost": str(self.cost),
        }

    def count(self, outcome: StepOutcome) -> None:
        key = outcome.status.value
        self.steps_by_status[key] = self.steps_by_status.get(key, 0) + 1
        self.escalations += max(0, len(outcome.responses) - 1)
        self.tokens_in += outcome.tokens_in
        self.tokens_out += outcome.tokens_out
        self.cost += outcome.cost


@dataclass(frozen=True)
class _Due:
    id: str
    route: str
    step: str
    status: str
    provider_batch_id: str | None
    window_deadline: datetime | None
    polls: int
    output_file_id: str | None
    error_file_id: str | None


def _due(runtime: Runtime, now: datetime) -> list[_Due]:
    with transaction(runtime.app.sessions) as session:
        return [
            _Due(
                b.id,
                b.route,
                b.step,
                b.status,
                b.provider_batch_id,
                b.window_deadline,
                b.polls,
                b.output_file_id,
                b.error_file_id,
            )
            for b in ProviderBatchRepository(session).due(now)
        ]


def _write(runtime: Runtime, change: Callable[[ProviderBatchRepository], None]) -> None:
    with transaction(runtime.app.sessions) as session:
        change(ProviderBatchRepository(session))


async def collect_once(
    runtime: Runtime, run_id: str | None = None, *, clock: Callable[[], datetime] = utcnow
) -> CollectReport:
    """Poll every due batch once and collect those that ended."""
    report = CollectReport()
    for batch in await asyncio.to_thread(_due, runtime, clock()):
        if batch.status in OPEN_STATUSES:
            batch = await _poll(runtime, batch, report, clock())
        if batch.status in ENDED_STATUSES:
            await _collect(runtime, batch, report, run_id)
    return report


async def _poll(runtime: Runtime, batch: _Due, report: CollectReport, now: datetime) -> _Due:
    assert batch.provider_batch_id is not None
    gateway = runtime.gateway
    info = await gateway.retrieve_batch(batch.route, batch.provider_batch_id)
    report.polled += 1
    late = batch.window_deadline is not None and now >= batch.window_deadline
    if info.status in OPEN_STATUSES and info.status != BatchStatus.CANCELLING.value and late:
        info = await gateway.cancel_batch(batch.route, batch.provider_batch_id)
        report.cancelled += 1
        logger.info("batch %s cancelled: past its window", batch.id)
    ended = info.status in ENDED_STATUSES
    next_poll = None if ended else now + timedelta(seconds=backoff_s(batch.polls))
    await asyncio.to_thread(
        _write,
        runtime,
        lambda repo: repo.record_poll(
            batch.id,
            status=info.status,
            completed=info.completed,
            failed=info.failed,
            output_file_id=info.output_file_id,
            error_file_id=info.error_file_id,
            finished_at=now if ended else None,
            next_poll_at=next_poll,
        ),
    )
    return _Due(
        batch.id,
        batch.route,
        batch.step,
        info.status,
        batch.provider_batch_id,
        batch.window_deadline,
        batch.polls + 1,
        info.output_file_id,
        info.error_file_id,
    )


def _submitted_lines(runtime: Runtime, batch_id: str) -> tuple[list[ProviderBatchLine], set[str]]:
    """The lines still to collect, and those of their attempt ids whose outcome entry a killed
    collector already wrote."""
    with transaction(runtime.app.sessions) as session:
        lines = [
            line
            for line in ProviderBatchRepository(session).lines(batch_id)
            if line.status == LineStatus.SUBMITTED.value
        ]
        audited = AuditRepository(session).with_outcome(line.attempt_id for line in lines)
        session.expunge_all()
    return lines, audited


async def _collect(
    runtime: Runtime, batch: _Due, report: CollectReport, run_id: str | None
) -> None:
    results: dict[str, ResultLine] = {}
    for file_id in (batch.error_file_id, batch.output_file_id):  # an answer wins over an error
        if file_id:
            for result in await runtime.gateway.batch_results(batch.route, file_id):
                results[result.custom_id] = result
    lines, audited = await asyncio.to_thread(_submitted_lines, runtime, batch.id)
    if lines:
        state = BatchState(
            runtime,
            run_id or "",
            (batch.step,),
            runtime.versions(STEPS),
            asyncio.Semaphore(1),
            WindowGuard(None, len(lines)),
        )
        loaded = await asyncio.to_thread(
            load_documents, state, sorted({line.document_id for line in lines})
        )
        items = {item.document.id: item for item in loaded}
        for line in lines:
            await _one_line(
                runtime,
                batch,
                line,
                items.get(line.document_id),
                results,
                report,
                run_id,
                record=line.attempt_id not in audited,
            )
    await asyncio.to_thread(_write, runtime, lambda repo: repo.mark_collected(batch.id))
    report.collected.append(batch.id)


async def _one_line(
    runtime: Runtime,
    batch: _Due,
    line: ProviderBatchLine,
    item: Loaded | None,
    results: Mapping[str, ResultLine],
    report: CollectReport,
    run_id: str | None,
    *,
    record: bool = True,
) -> None:
    result = results.get(line.custom_id)
    prompt = runtime.registry.get(line.prompt_version)
    ctx = runtime.step_context("nightly", run_id, caller_key_id=runtime.service_key_id)
    current = (
        item is not None
        and item.view is not None
        and item.document.content_hash == line.input_hash
        and item.masker_version == line.masker_version
        and line.step not in item.finished
    )

    async def answered(request: ModelRequest) -> ModelResponse:
        return await runtime.gateway.answer_line(
            request,
            batch.route,
            attempt_id=line.attempt_id,
            number=line.attempt,
            request_sha256=line.request_sha256,
            result=result,
            missing=f"batch:{batch.status}",
            record=record,
        )

    if not current or item is None or item.view is None:
        # Changed, erased or answered meanwhile: the line is audited (it was paid for), not stored.
        request = ModelRequest(
            step=line.step,
            prompt_version=line.prompt_version,
            messages=(),
            output=prompt.output_schema,
            path="nightly",
            run_id=run_id,
            document_id=line.document_id,
            caller_key_id=runtime.service_key_id,
        )
        await answered(request)
        await asyncio.to_thread(_set_line, runtime, line.id, LineStatus.DONE)
        return
    previous = {
        s: made.output
        for s, made in item.finished.items()
        if made.output is not None and s in item.readable
    }
    answer = result is not None and result.status_code == 200
    if not answer:
        inputs = {name: previous[name] for name in SPECS[line.step].inputs if name in previous}
        response = await answered(step_request(ctx, prompt, item.view, inputs))
        expired = result is None
        report.lines_expired += expired
        report.lines_failed += not expired
        status = LineStatus.EXPIRED if expired else LineStatus.FAILED
        outcome = None
        if line.attempt >= MAX_LINE_ATTEMPTS:  # never a third time: the step fails, settles
            outcome = StepOutcome(
                line.step,
                StepStatus.FAILED,
                prompt.version,
                prompt.schema_version,
                reason=f"batch:{response.outcome.value}",
                route=batch.route,
                model=response.model,
                responses=[response],
            )
            report.lines_given_up += 1
            report.count(outcome)
        await asyncio.to_thread(_store, runtime, item, line, outcome, status, run_id)
        return

    async def checkpoint(first: StepOutcome) -> None:
        await asyncio.to_thread(_store, runtime, item, line, first, None, run_id)

    outcome = await run_step(
        ctx,
        runtime.registry,
        line.step,
        item.view,
        previous,
        checkpoint=checkpoint,
        answered=answered,
    )
    report.lines_done += 1
    report.count(outcome)
    await asyncio.to_thread(_store, runtime, item, line, outcome, LineStatus.DONE, run_id)


def _set_line(runtime: Runtime, line_id: int, status: LineStatus) -> None:
    with transaction(runtime.app.sessions) as session:
        ProviderBatchRepository(session).set_line_status([line_id], status)


def _store(
    runtime: Runtime,
    item: Loaded,
    line: ProviderBatchLine,
    outcome: StepOutcome | None,
    status: LineStatus | None,
    run_id: str | None,
) -> None:
    """The step's result (or checkpoint), the line's status and the document's status, in one
    transaction: a killed collector never stores a line twice or loses one it marked."""
    with transaction(runtime.app.sessions) as session:
        if outcome is not None:
            row = outcome_row(item.document, item.data_key, outcome, run_id, line.masker_version)
            StepResultRepository(session).upsert_many([row])
        if status is not None:
            ProviderBatchRepository(session).set_line_status([line.id], status)
        if outcome is not None and status is not None:
            statuses = [made.status for s, made in item.finished.items() if s != line.step]
            new = document_status([*statuses, outcome.status], len(STEPS))
            if item.document.status != new.value:
                DocumentRepository(session).set_statuses({item.document.id: new})


def lines_settled(runtime: Runtime) -> bool:
    """True when no batch is waiting to be collected."""
    with transaction(runtime.app.sessions) as session:
        return ProviderBatchRepository(session).unsettled_count() == 0


def open_batches(runtime: Runtime) -> int:
    """How many batches are not collected yet."""
    with transaction(runtime.app.sessions) as session:
        return ProviderBatchRepository(session).unsettled_count()
