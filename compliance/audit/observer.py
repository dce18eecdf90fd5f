"""The gateway's audit observer: one audit entry for every attempt, refusals included.

Wire it once per process (``flows/runtime.py``)::

    audit = AuditLog.open(app.sessions, settings.keys_dir)
    gateway.add_observer(AuditObserver(audit, settings.routes))

The gateway awaits :meth:`AuditObserver.observe` before ``Gateway.call`` returns, and ``observe``
returns only once the entry is committed, so no answer leaves the gateway unaudited; if the
entry cannot be committed, ``observe`` raises :class:`~compliance.audit.errors.AuditWriteError`
and the call fails closed.

What goes in (:func:`draft_entry`): ids, hashes, counts, usage, outcome — copied field by field
from :class:`~compliance.calls.ModelRequest` and :class:`~compliance.calls.Attempt`. The
messages, the answer and masked values are never read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from compliance.audit.entries import ENTRY_VERSION, format_time
from compliance.audit.log import AuditLog
from compliance.calls import Attempt, ModelRequest
from compliance.routes import RouteConfig
from storage.types import utcnow

#: Longest ``detail`` kept (a reason code, never text from the call).
DETAIL_MAX = 200


def endpoint_host(base_url: str) -> str | None:
    """``host[:port]`` of a base URL, without credentials or path."""
    parts = urlsplit(base_url)
    if parts.hostname is None:
        return None
    return f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname


def draft_entry(
    request: ModelRequest, attempt: Attempt, route: RouteConfig | None, moment: datetime
) -> dict[str, Any]:
    """The entry of one attempt, without its seq (the log assigns it)."""
    return {
        "v": ENTRY_VERSION,
        "time": format_time(moment),
        "path": request.path,
        "run_id": request.run_id,
        "caller_key_id": request.caller_key_id,
        "route": attempt.route,
        "model": attempt.model,
        "endpoint_host": endpoint_host(route.base_url) if route else None,
        "region": route.region if route else None,
        "step": request.step,
        "prompt_version": request.prompt_version,
        "document_id": request.document_id,
        "attempt": attempt.number,
        "outcome": attempt.outcome.value,
        "http_status": attempt.http_status,
        "detail": attempt.detail[:DETAIL_MAX] if attempt.detail else None,
        "tokens_in": attempt.tokens_in,
        "tokens_out": attempt.tokens_out,
        "cost": f"{attempt.cost:.6f}",
        "latency_us": round(attempt.latency_ms * 1000),
        "retry_after_ms": (
            round(attempt.retry_after_s * 1000) if attempt.retry_after_s is not None else None
        ),
        "request_sha256": attempt.request_sha256,
        "response_sha256": attempt.response_sha256,
        "masked_counts": {str(k): int(v) for k, v in sorted(request.masked_counts.items())},
    }


class AuditObserver:
    """An ``AttemptObserver`` (``compliance.gateway``) that appends to an :class:`AuditLog`."""

    def __init__(
        self,
        log: AuditLog,
        routes: Mapping[str, RouteConfig],
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.log = log
        self._routes = dict(routes)
        self._clock = clock

    async def observe(self, request: ModelRequest, attempt: Attempt) -> None:
        route = self._routes.get(attempt.route)
        await self.log.append(draft_entry(request, attempt, route, self._clock()))
