"""``/metrics`` in the Prometheus text format (``prometheus_client``).

=============================================  ==============================================
metric                                         labels / meaning
=============================================  ==============================================
``nightshift_http_requests_total``             route (the path template), method, status
``nightshift_http_request_duration_seconds``   route, method: latency histogram
``nightshift_model_attempts_total``            route, path (online, api), outcome
``nightshift_model_tokens_total``              route, direction (in, out)
``nightshift_model_cost_total``                route, currency: money at the route's prices
``nightshift_refusals_total``                  reason: ``key_limit:rpm``, ``residency:US``,
                                               ``residual_identifiers``, ``auth:invalid_key``…
``nightshift_queue_pending_documents``         documents waiting for a run (read at scrape)
``nightshift_documents``                       status: documents per status (read at scrape)
=============================================  ==============================================

Labels hold route names, templates and reason codes — never ids of documents or keys, and never
text. Reason codes are cut before any count (``residual_identifiers:KZ_IIN=1`` counts as
``residual_identifiers``) so the label set stays small.

Several worker processes (``nightshift serve --workers N``): the serve command points
``PROMETHEUS_MULTIPROC_DIR`` at a fresh directory before the workers start, every worker writes
its counters there, and a scrape of any worker adds up all of them (``prometheus_client``'s
multiprocess mode). Without it each process reports its own.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from compliance.gateway.calls import Attempt, ModelRequest, Outcome

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_CODE_PART = re.compile(r"^[A-Za-z_]+$|^[A-Z]{2}$")


def reason_label(reason: str) -> str:
    """A refusal reason without its counts: at most two parts, each a plain word or a region."""
    parts = []
    for part in reason.split(":")[:2]:
        part = part.strip()
        if not _CODE_PART.match(part):
            break
        parts.append(part)
    return ":".join(parts) or "other"


class _Documents(Collector):
    """Reads the documents per status at scrape time (the queue depth)."""

    def __init__(self, count_by_status: Callable[[], dict[str, int]]) -> None:
        self._count = count_by_status

    def collect(self) -> Iterator[GaugeMetricFamily]:
        counts = self._count()
        pending = GaugeMetricFamily(
            "nightshift_queue_pending_documents", "Documents waiting to be processed."
        )
        pending.add_metric([], counts.get("pending", 0))
        yield pending
        per_status = GaugeMetricFamily(
            "nightshift_documents", "Documents per status.", labels=["status"]
        )
        for status, count in sorted(counts.items()):
            per_status.add_metric([status], count)
        yield per_status


class ApiMetrics:
    """The API's metrics; one per app (a registry of its own, so tests can make many apps)."""

    def __init__(self, currency: str) -> None:
        self.currency = currency
        self.multiprocess = bool(os.environ.get(MULTIPROC_ENV))
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "nightshift_http_requests",
            "HTTP requests answered.",
            ["route", "method", "status"],
            registry=r,
        )
        self.latency = Histogram(
            "nightshift_http_request_duration_seconds",
            "Time to answer an HTTP request.",
            ["route", "method"],
            buckets=BUCKETS,
            registry=r,
        )
        self.attempts = Counter(
            "nightshift_model_attempts",
            "Model call attempts.",
            ["route", "path", "outcome"],
            registry=r,
        )
        self.tokens = Counter(
            "nightshift_model_tokens", "Tokens used.", ["route", "direction"], registry=r
        )
        self.cost = Counter(
            "nightshift_model_cost", "Money spent.", ["route", "currency"], registry=r
        )
        self.refusals = Counter(
            "nightshift_refusals", "Calls and requests refused.", ["reason"], registry=r
        )

    def refused(self, reason: str) -> None:
        self.refusals.labels(reason_label(reason)).inc()

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.latency.labels(route, method).observe(seconds)

    async def observe(self, request: ModelRequest, attempt: Attempt) -> None:
        """The gateway's ``AttemptObserver``: usage, cost and refusals (no text, no ids)."""
        self.attempts.labels(attempt.route, request.path, attempt.outcome.value).inc()
        if attempt.outcome is Outcome.REFUSED:
            self.refused(attempt.detail or "refused")
            return
        if attempt.tokens_in:
            self.tokens.labels(attempt.route, "in").inc(attempt.tokens_in)
        if attempt.tokens_out:
            self.tokens.labels(attempt.route, "out").inc(attempt.tokens_out)
        if attempt.cost:
            self.cost.labels(attempt.route, self.currency).inc(float(attempt.cost))

    def render(self, count_by_status: Callable[[], dict[str, int]]) -> bytes:
        """The exposition text: every worker's counters, then the documents read now."""
        if self.multiprocess:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        else:
            registry = self.registry
        text = generate_latest(registry)
        documents = CollectorRegistry()
        documents.register(_Documents(count_by_status))
        return text + generate_latest(documents)


class MetricsMiddleware:
    """Counts and times every HTTP request by its route template (pure ASGI, cheap)."""

    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route: Any = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.observe_request(
                template, scope.get("method", "?"), status, time.perf_counter() - started
            )
