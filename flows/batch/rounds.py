"""Rounds: submit every batch-mode step's pending work, collect, and again until settled.

extract and categorize go out in the first round; draft needs categorize's answer, so it goes
in a later one, as do the resubmissions of failed and expired lines. ``settle`` is what
``run nightly --wait``, the tests and the demo use; a deployment would call ``submit_round``
and ``collect_once`` on a schedule instead (no worker waits for hours).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from flows.batch.collect import CollectReport, collect_once, lines_settled, open_batches
from flows.batch.submit import SubmitReport, submit_step
from flows.config import STEPS
from flows.runtime import Runtime
from storage.types import utcnow


def batch_steps(runtime: Runtime) -> tuple[str, ...]:
    """The steps whose mode is ``batch``."""
    return tuple(s for s in STEPS if runtime.settings.step_mode(s) == "batch")


async def submit_round(
    runtime: Runtime, run_id: str | None, *, clock: Callable[[], datetime] = utcnow
) -> list[SubmitReport]:
    return [await submit_step(runtime, step, run_id, clock=clock) for step in batch_steps(runtime)]


@dataclass
class SettleReport:
    rounds: int = 0
    submitted: list[SubmitReport] = field(default_factory=list)
    collected: list[CollectReport] = field(default_factory=list)
    settled: bool = False

    def as_dict(self) -> dict[str, Any]:
        steps: dict[str, int] = {}
        for report in self.collected:
            for status, n in report.steps_by_status.items():
                steps[status] = steps.get(status, 0) + n
        return {
            "rounds": self.rounds,
            "settled": self.settled,
            "batches": sum(len(r.batches) for r in self.submitted),
            "batch_lines": sum(r.lines for r in self.submitted),
            "resubmitted": sum(r.resubmitted for r in self.submitted),
            "lines_expired": sum(r.lines_expired for r in self.collected),
            "lines_failed": sum(r.lines_failed for r in self.collected),
            "escalations": sum(r.escalations for r in self.collected),
            "steps_by_status": steps,
            "cost": str(sum((r.cost for r in self.collected), Decimal(0))),
        }


async def settle(
    runtime: Runtime,
    run_id: str | None,
    *,
    poll_s: float = 30.0,
    max_rounds: int = 1_000,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Callable[[], datetime] = utcnow,
) -> SettleReport:
    """Submit and collect until no batch is open and a submit sends nothing new."""
    report = SettleReport()
    while report.rounds < max_rounds:
        report.rounds += 1
        sent = await submit_round(runtime, run_id, clock=clock)
        report.submitted.extend(sent)
        collected = await collect_once(runtime, run_id, clock=clock)
        report.collected.append(collected)
        quiet = not any(r.lines for r in sent) and not collected.collected
        if quiet and await asyncio.to_thread(lines_settled, runtime):
            report.settled = True
            break
        await sleep(poll_s)
    return report


async def collect_round(
    runtime: Runtime, run_id: str | None, *, clock: Callable[[], datetime] = utcnow
) -> dict[str, Any]:
    """One collect pass over the due batches, then the next round's submit (documents whose next
    step is in batch mode, and resubmissions) — what ``nightshift run collect`` does once.
    Ids and counts only."""
    collected = await collect_once(runtime, run_id, clock=clock)
    sent = await submit_round(runtime, run_id, clock=clock)
    left = await asyncio.to_thread(open_batches, runtime)
    data = collected.as_dict()
    data["batches_collected"] = len(data.pop("collected"))
    data.update(
        batches_submitted=sum(len(r.batches) for r in sent),
        batch_lines=sum(r.lines for r in sent),
        resubmitted=sum(r.resubmitted for r in sent),
        batches_open=left,
        settled=left == 0 and not any(r.lines for r in sent),
    )
    return data
