"""What earlier nights tell the planner: retries, output tokens, escalations, latency.

From what earlier runs left in the database (ids and counts only):

- the retry share of the last nightly runs (``Run.summary``): attempts per logical call, and
  token-bearing attempts per logical call (a 429 or a timeout costs no tokens, a retried empty
  answer does);
- step results at the active prompt versions: mean output tokens of a step that called a model,
  the share of finished steps that called one (draft is skipped for ``no_reply_needed``), and
  the share of calls escalated to ``escalate_to`` (results that ended on that route);
- audit entries of those runs: the median latency of answered attempts per route.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from flows.config import StepsConfig
from storage.models import Run, RunKind, StepResult
from storage.models.audit import AuditEntry
from storage.repositories.step_results import FINISHED

_TRANSPORT = ("rate_limited", "timeouts", "server_errors", "connection_errors", "client_errors")
#: Answered attempts read for the latency per route (the newest first).
LATENCY_SAMPLES = 5_000


@dataclass(frozen=True)
class History:
    runs: int = 0
    calls: int = 0
    retries: int = 0
    escalations: int = 0
    rate_limited: int = 0
    transport_failures: int = 0
    #: step -> mean output tokens of a finished result that called a model.
    output_tokens: dict[str, float] = field(default_factory=dict)
    #: step -> share of finished results that called a model.
    called_share: dict[str, float] = field(default_factory=dict)
    #: step -> share of its calls that ended on ``escalate_to``.
    escalated_share: dict[str, float] = field(default_factory=dict)
    #: route -> median milliseconds of an answered attempt.
    latency_ms: dict[str, float] = field(default_factory=dict)

    @property
    def retry_factor(self) -> float:
        """Attempts per logical call (1 = no retries)."""
        first = self.calls - self.retries
        return self.calls / first if first > 0 else 1.0

    @property
    def token_factor(self) -> float:
        """Attempts that cost tokens per logical call (transport failures cost none)."""
        first = self.calls - self.retries
        return (self.calls - self.transport_failures) / first if first > 0 else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "runs": self.runs,
            "calls": self.calls,
            "retries": self.retries,
            "escalations": self.escalations,
            "rate_limited": self.rate_limited,
            "retry_share": round(self.retries / self.calls, 4) if self.calls else 0.0,
            "retry_factor": round(self.retry_factor, 4),
            "token_factor": round(self.token_factor, 4),
            "output_tokens": {k: round(v, 1) for k, v in self.output_tokens.items()},
            "called_share": {k: round(v, 4) for k, v in self.called_share.items()},
            "escalated_share": {k: round(v, 4) for k, v in self.escalated_share.items()},
            "latency_ms": {k: round(v, 1) for k, v in self.latency_ms.items()},
        }


def recent_history(
    session: Session, versions: Mapping[str, tuple[str, str]], steps: StepsConfig, runs: int = 7
) -> History:
    """What the last ``runs`` finished nightly runs and the stored step results tell (see doc)."""
    rows = session.scalars(
        select(Run)
        .where(Run.kind == RunKind.NIGHTLY.value, Run.summary.is_not(None))
        .order_by(Run.started_at.desc())
        .limit(runs)
    ).all()
    summaries = [r.summary or {} for r in rows]

    def total(key: str) -> int:
        return sum(int(s.get(key, 0) or 0) for s in summaries)

    output, called, escalated = _step_history(session, versions, steps)
    return History(
        runs=len(rows),
        calls=total("calls"),
        retries=total("retries"),
        escalations=total("escalations"),
        rate_limited=total("rate_limited"),
        transport_failures=sum(total(k) for k in _TRANSPORT),
        output_tokens=output,
        called_share=called,
        escalated_share=escalated,
        latency_ms=_latencies(session, [r.id for r in rows]),
    )


def _step_history(
    session: Session, versions: Mapping[str, tuple[str, str]], steps: StepsConfig
) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    called_expr = case((StepResult.tokens_in > 0, 1), else_=0)
    output: dict[str, float] = {}
    called_share: dict[str, float] = {}
    escalated: dict[str, float] = {}
    for step, (prompt, schema) in versions.items():
        rows = session.execute(
            select(StepResult.route, called_expr, func.count(), func.sum(StepResult.tokens_out))
            .where(
                StepResult.step == step,
                StepResult.prompt_version == prompt,
                StepResult.schema_version == schema,
                StepResult.status.in_(FINISHED),
            )
            .group_by(StepResult.route, called_expr)
        ).all()
        finished = sum(int(n) for _, _, n, _ in rows)
        calling = [(route, int(n), int(out or 0)) for route, c, n, out in rows if c]
        n_called = sum(n for _, n, _ in calling)
        if not finished or not n_called:
            continue
        output[step] = sum(out for _, _, out in calling) / n_called
        called_share[step] = n_called / finished
        strong = getattr(steps, step).escalate_to
        ended_strong = sum(n for route, n, _ in calling if strong and route == strong)
        # An escalated result made two calls (the step's route, then escalate_to).
        escalated[step] = ended_strong / (n_called + ended_strong)
    return output, called_share, escalated


def _latencies(session: Session, run_ids: Sequence[str]) -> dict[str, float]:
    if not run_ids:
        return {}
    rows = session.execute(
        select(AuditEntry.route, AuditEntry.entry)
        .where(AuditEntry.run_id.in_(list(run_ids)), AuditEntry.outcome == "ok")
        .order_by(AuditEntry.seq.desc())
        .limit(LATENCY_SAMPLES)
    ).all()
    by_route: dict[str, list[float]] = {}
    for route, entry in rows:
        latency_us = json.loads(entry).get("latency_us")
        if isinstance(latency_us, int):
            by_route.setdefault(route, []).append(latency_us / 1000.0)
    return {route: statistics.median(values) for route, values in by_route.items()}
