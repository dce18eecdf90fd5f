"""Will tonight fit its window? Time, tokens and cost of a night, from measured loads.

:mod:`flows.planning.work` says *what* is pending; :mod:`flows.planning.sample` measures what one
document costs per step (prompt tokens of the real prompts on masked views, real usage where
step results exist, the retry share of recent runs). This module turns that into a night:

- **per route**: the calls and tokens its steps send (escalations to ``escalate_to``), and the
  time the route's limits need for them at the pace the pacer keeps
  (:meth:`compliance.gateway.pacer.RoutePacer.intervals`: ``60 / (limit × headroom)`` seconds per
  request and per token). A route's time is the larger of the two; without limits it is unbounded;
- **concurrency**: at most ``min(nightly.concurrency, 2 × chunk_size)`` documents are in flight
  (two chunks at a time, as :func:`flows.nightly.flow.run_nightly` runs them), each spending the
  observed latency of its calls one after another;
- the night takes the **largest** of these times: the routes work side by side, so the slowest
  bound is the one that sets the pace. Start-up (loading the masker) and the drain at the end are
  left out; they are seconds, not hours.

It fits when that time is within the window (``--window 01:00-05:00``, default: the hour of
``nightly.schedule`` to ``nightly.window_end``); if not, about ``N × window / time`` documents
fit. See ``docs/plan.md``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from compliance.gateway.pacer import RoutePacer
from compliance.gateway.routes import RouteConfig
from compliance.masking import Masker
from flows.config import STEPS, NightlyConfig
from flows.context import AppContext
from flows.planning.history import History, recent_history
from flows.planning.sample import StepLoad, measure_sample
from flows.planning.work import plan_work
from flows.prompts.registry import PromptRegistry
from flows.settings import Settings
from storage.engine import transaction
from storage.errors import NightshiftError
from storage.models import Document

_WINDOW = re.compile(r"^\s*([01]\d|2[0-3]):([0-5]\d)\s*-\s*([01]\d|2[0-3]):([0-5]\d)\s*$")
#: Chunks a nightly run keeps in flight (the default of ``run_nightly``'s ``chunks_in_flight``).
CHUNKS_IN_FLIGHT = 2


class PlanError(NightshiftError):
    """The plan cannot be made as asked; the message says what to change."""


@dataclass(frozen=True)
class Window:
    """The nightly window in ``timezone``: from ``start`` (None when unknown) to ``end``."""

    start: str | None
    end: str
    timezone: str

    @property
    def seconds(self) -> float | None:
        if self.start is None:
            return None
        minutes = (_minutes(self.end) - _minutes(self.start)) % (24 * 60)
        return float((minutes or 24 * 60) * 60)

    def label(self) -> str:
        return f"{self.start or '?'}-{self.end} {self.timezone}"


def _minutes(hh_mm: str) -> int:
    hours, minutes = hh_mm.split(":")
    return int(hours) * 60 + int(minutes)


def parse_window(text: str, timezone: str) -> Window:
    """``"01:00-05:00"`` → a :class:`Window`; a clear error for anything else."""
    match = _WINDOW.match(text)
    if match is None:
        raise PlanError(
            f"--window must be HH:MM-HH:MM in 24-hour time (e.g. 01:00-05:00), got {text!r}"
        )
    start = f"{match[1]}:{match[2]}"
    end = f"{match[3]}:{match[4]}"
    if start == end:
        raise PlanError(f"--window {text!r} starts and ends at the same time; give its length")
    return Window(start, end, timezone)


def cron_start(schedule: str) -> str | None:
    """HH:MM of a daily cron (``"0 1 * * *"`` → ``"01:00"``); None when it is not that simple."""
    fields = schedule.split()
    if len(fields) != 5 or not (fields[0].isdigit() and fields[1].isdigit()):
        return None
    minute, hour = int(fields[0]), int(fields[1])
    if minute > 59 or hour > 23:
        return None
    return f"{hour:02d}:{minute:02d}"


def configured_window(nightly: NightlyConfig) -> Window:
    """The window the settings describe: the schedule's start to ``window_end``."""
    return Window(cron_start(nightly.schedule), nightly.window_end, nightly.timezone)


@dataclass(frozen=True)
class RouteLoad:
    route: str
    calls: float
    tokens_in: float
    tokens_out: float
    cost: Decimal
    rpm: int
    tpm: int
    #: Seconds the route's limits need for this load (None: the route has no limit).
    seconds: float | None
    #: "rpm", "tpm" or "none": which limit sets the route's time.
    bound: str


@dataclass(frozen=True)
class WindowPlan:
    documents: int
    window: Window
    routes: list[RouteLoad]
    concurrency: int
    #: Observed seconds one document spends in model calls, one after another (None: no data).
    document_latency_s: float | None
    concurrency_seconds: float | None
    duration_s: float | None
    #: "route <name> tpm" / "route <name> rpm" / "concurrency" / "unknown".
    limited_by: str
    calls: float
    tokens_in: float
    tokens_out: float
    cost: Decimal
    currency: str
    fits: bool | None
    documents_that_fit: int | None
    notes: list[str] = field(default_factory=list)

    @property
    def tokens(self) -> float:
        return self.tokens_in + self.tokens_out

    @property
    def cost_per_1000_documents(self) -> Decimal:
        if not self.documents:
            return Decimal(0)
        return (self.cost * 1000 / self.documents).quantize(Decimal("0.01"))

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["window"] = {**asdict(self.window), "seconds": self.window.seconds}
        data["tokens"] = round(self.tokens)
        data["cost"] = str(self.cost.quantize(Decimal("0.01")))
        data["cost_per_1000_documents"] = str(self.cost_per_1000_documents)
        for route in data["routes"]:
            route["cost"] = str(Decimal(route["cost"]).quantize(Decimal("0.01")))
        for key in ("calls", "tokens_in", "tokens_out"):
            data[key] = round(data[key])
        return data


def _route_loads(loads: Sequence[StepLoad], documents: int) -> dict[str, list[float]]:
    """{route: [calls, tokens in, tokens out]} for ``documents`` documents."""
    totals: dict[str, list[float]] = {}
    for load in loads:
        shares = [(load.route, 1.0 - load.escalated_share)]
        if load.escalate_to and load.escalated_share:
            shares.append((load.escalate_to, load.escalated_share))
        for route, share in shares:
            row = totals.setdefault(route, [0.0, 0.0, 0.0])
            row[0] += documents * load.calls * share
            row[1] += documents * load.tokens_in * share
            row[2] += documents * load.tokens_out * share
    return totals


def _route_time(pacer: RoutePacer, route: str, calls: float, tokens: float) -> tuple[float, str]:
    request_s, token_s = pacer.intervals(route)
    by_requests, by_tokens = calls * request_s, tokens * token_s
    if not request_s and not token_s:
        return 0.0, "none"
    return (by_tokens, "tpm") if by_tokens >= by_requests else (by_requests, "rpm")


def _route_rows(
    loads: Sequence[StepLoad],
    documents: int,
    routes: Mapping[str, RouteConfig],
    pacer: RoutePacer,
) -> list[RouteLoad]:
    rows = []
    for name, (calls, tokens_in, tokens_out) in sorted(_route_loads(loads, documents).items()):
        config = routes[name]
        seconds, bound = _route_time(pacer, name, calls, tokens_in + tokens_out)
        cost = (
            Decimal(str(tokens_in)) * config.price_input_per_1m
            + Decimal(str(tokens_out)) * config.price_output_per_1m
        ) / Decimal(10**6)
        rows.append(
            RouteLoad(
                route=name,
                calls=round(calls, 1),
                tokens_in=round(tokens_in, 1),
                tokens_out=round(tokens_out, 1),
                cost=cost,
                rpm=config.rpm,
                tpm=config.tpm,
                seconds=None if bound == "none" else round(seconds, 1),
                bound=bound,
            )
        )
    return rows


def document_latency(loads: Sequence[StepLoad], latency_ms: Mapping[str, float]) -> float | None:
    """Seconds one document spends waiting for its calls (steps run one after another)."""
    total = 0.0
    for load in loads:
        parts = [(load.route, 1.0 - load.escalated_share)]
        if load.escalate_to and load.escalated_share:
            parts.append((load.escalate_to, load.escalated_share))
        for route, share in parts:
            if load.calls * share and route not in latency_ms:
                return None
            total += load.calls * share * latency_ms.get(route, 0.0) / 1000.0
    return total


def plan_window(
    loads: Sequence[StepLoad],
    documents: int,
    settings: Settings,
    window: Window,
    latency_ms: Mapping[str, float],
    pacer: RoutePacer,
) -> WindowPlan:
    """The night for ``documents`` documents at ``loads`` per document (see the module doc).

    ``pacer`` is the route pacer of the process (only its paced intervals are used).
    """
    if documents < 0:
        raise PlanError(f"--documents must be 0 or more, got {documents}")
    routes = _route_rows(loads, documents, settings.routes, pacer)
    nightly = settings.nightly
    concurrency = min(nightly.concurrency, CHUNKS_IN_FLIGHT * nightly.chunk_size)
    per_document = document_latency(loads, latency_ms)
    by_concurrency = None if per_document is None else documents * per_document / concurrency
    bounds = [(r.seconds, f"route {r.route} {r.bound}") for r in routes if r.seconds is not None]
    if by_concurrency is not None:
        bounds.append((by_concurrency, "concurrency"))
    duration, limited_by = max(bounds, default=(None, "unknown"))
    notes = []
    if duration is None:
        notes.append(
            "no route has an rpm/tpm limit and no latency was observed yet: the time cannot be "
            "estimated; run a small night first (nightshift run nightly --limit 100)"
        )
    fits, fit = _fit(documents, duration, window.seconds)
    if window.seconds is None:
        notes.append(
            f"the window start is unknown (nightly.schedule {nightly.schedule!r} is not a daily "
            "time); give --window HH:MM-HH:MM"
        )
    return WindowPlan(
        documents=documents,
        window=window,
        routes=routes,
        concurrency=concurrency,
        document_latency_s=None if per_document is None else round(per_document, 3),
        concurrency_seconds=None if by_concurrency is None else round(by_concurrency, 1),
        duration_s=None if duration is None else round(duration, 1),
        limited_by=limited_by,
        calls=sum(r.calls for r in routes),
        tokens_in=sum(r.tokens_in for r in routes),
        tokens_out=sum(r.tokens_out for r in routes),
        cost=sum((r.cost for r in routes), Decimal(0)),
        currency=settings.billing.currency,
        fits=fits,
        documents_that_fit=fit,
        notes=notes,
    )


def _fit(
    documents: int, duration: float | None, window_s: float | None
) -> tuple[bool | None, int | None]:
    if duration is None or window_s is None:
        return None, None
    if duration <= window_s:
        return True, documents
    return False, math.floor(documents * window_s / duration)


@dataclass(frozen=True)
class NightPlan:
    """The plan with what it was made from: the sample, the per-document tokens, the history."""

    plan: WindowPlan
    #: "pending" (the work planned now) or "given" (``--documents N`` like the stored ones).
    source: str
    sample: dict[str, Any]
    per_document: dict[str, dict[str, dict[str, float]]]
    history: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.plan.as_dict(),
            "source": self.source,
            "sample": self.sample,
            "tokens_per_document": self.per_document,
            "history": self.history,
        }


def _population(
    app: AppContext, registry: PromptRegistry, documents: int | None
) -> tuple[dict[int, tuple[str, ...]], int]:
    versions = {s: (p.version, p.schema_version) for s in STEPS for p in (registry.active(s),)}
    with transaction(app.sessions) as session:
        if documents is None:
            items = plan_work(session, versions, STEPS).items
            return {item.document_id: item.steps for item in items}, len(items)
        ids = session.scalars(select(Document.id).where(Document.wrapped_key.is_not(None))).all()
    if not ids:
        raise PlanError(
            "no readable documents are stored to measure; ingest a typical sample first "
            "(nightshift ingest PATH), then plan"
        )
    return {int(i): STEPS for i in ids}, documents


def plan_night(
    app: AppContext,
    registry: PromptRegistry,
    masker: Callable[[], Masker],
    *,
    documents: int | None = None,
    window: Window | None = None,
    sample_size: int = 300,
    seed: int = 0,
) -> NightPlan:
    """Plan the pending work (``documents=None``) or ``documents`` documents like the stored
    ones, against ``window`` (default: the configured one)."""
    if sample_size < 1:
        raise PlanError(f"the sample size must be at least 1, got {sample_size}")
    settings = app.settings
    versions = {s: (p.version, p.schema_version) for s in STEPS for p in (registry.active(s),)}
    with transaction(app.sessions) as session:
        history: History = recent_history(session, versions, settings.step_routes)
    population, count = _population(app, registry, documents)
    sample = measure_sample(app, registry, masker, population, history, size=sample_size, seed=seed)
    plan = plan_window(
        sample.loads(settings.step_routes, history),
        count,
        settings,
        window or configured_window(settings.nightly),
        history.latency_ms,
        RoutePacer(app.sessions, settings.routes),
    )
    plan.notes.extend(sample.notes)
    if not history.runs:
        plan.notes.append("no finished nightly run yet: no retries and no latency are assumed")
    return NightPlan(
        plan,
        "pending" if documents is None else "given",
        sample.as_dict(),
        sample.per_document(),
        history.as_dict(),
    )
