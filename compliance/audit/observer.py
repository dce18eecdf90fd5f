"""The gateway's audit observer: an intent before every request and an outcome after it.

It is one of the gateway's four guards (``compliance.gateway.factory.build_gateway``), built
once per process (``flows/runtime.py``).

Per attempt that sends a request, the gateway awaits :meth:`AuditObserver.intend` after the
pacer granted the slot and before the request is sent: the ``intent`` entry is committed before
anything leaves the process, so a process killed mid-request leaves an attempt whose outcome is
``unknown`` — never a request the log does not know of (DESIGN 11). After the attempt it awaits
:meth:`AuditObserver.observe`: the ``outcome`` entry, linked by ``attempt_id``, committed before
``Gateway.call`` returns. A refused attempt sends nothing and has only its outcome entry. If an
entry cannot be committed, the method raises :class:`~compliance.audit.errors.AuditWriteError`
and the call fails closed (no request after a failed intent).

What goes in (:func:`intent_entry`, :func:`draft_entry`): ids, hashes, counts, usage, outcome —
copied field by field from :class:`~compliance.gateway.calls.ModelRequest`,
:class:`~compliance.gateway.calls.Intent` and :class:`~compliance.gateway.calls.Attempt`. The
messages, the answer and masked values are never read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from compliance.audit.entries import ENTRY_VERSION, INTENT, OUTCOME, PENDING, format_time
from compliance.audit.log import AuditLog
from compliance.gateway.calls import Attempt, Intent, ModelRequest
from compliance.gateway.routes import RouteConfig
from storage.types import utcnow

#: Longest ``detail`` kept (a reason code, never text from the call).
DETAIL_MAX = 200


def endpoint_host(base_url: str) -> str | None:
    """``host[:port]`` of a base URL, without credentials or path."""
    parts = urlsplit(base_url)
    if parts.hostname is None:
        return None
    return f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname


def _call_fields(
    request: ModelRequest, route_name: str, model: str, route: RouteConfig | None, moment: datetime
) -> dict[str, Any]:
    """What an intent and an outcome entry of one call share."""
    return {
        "v": ENTRY_VERSION,
        "time": format_time(moment),
        "path": request.path,
        "run_id": request.run_id,
        "caller_key_id": request.caller_key_id,
        "route": route_name,
        "model": model,
        "endpoint_host": endpoint_host(route.base_url) if route else None,
        "region": route.region if route else None,
        "step": request.step,
        "prompt_version": request.prompt_version,
        "document_id": request.document_id,
        "masked_counts": {str(k): int(v) for k, v in sorted(request.masked_counts.items())},
    }


def intent_entry(
    request: ModelRequest, intent: Intent, route: RouteConfig | None, moment: datetime
) -> dict[str, Any]:
    """The entry of an attempt about to send (kind ``intent``), without its seq."""
    return {
        **_call_fields(request, intent.route, intent.model, route, moment),
        "kind": INTENT,
        "attempt_id": intent.attempt_id,
        "attempt": intent.number,
        "service_tier": intent.service_tier,
        "outcome": PENDING,
        "http_status": None,
        "detail": intent.detail[:DETAIL_MAX] if intent.detail else None,
        "tokens_in": 0,
        "tokens_out": 0,
        "cost": f"{Decimal(0):.6f}",
        "latency_us": 0,
        "retry_after_ms": None,
        "request_sha256": intent.request_sha256,
        "response_sha256": None,
    }


def draft_entry(
    request: ModelRequest, attempt: Attempt, route: RouteConfig | None, moment: datetime
) -> dict[str, Any]:
    """The entry of one ended attempt (kind ``outcome``), without its seq (the log assigns it)."""
    return {
        **_call_fields(request, attempt.route, attempt.model, route, moment),
        "kind": OUTCOME,
        "attempt_id": attempt.attempt_id,
        "attempt": attempt.number,
        "service_tier": attempt.service_tier,
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
    }


class AuditObserver:
    """An ``AttemptObserver`` (``compliance.gateway.gateway``) appending to an :class:`AuditLog`."""

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

    async def intend(self, request: ModelRequest, intent: Intent) -> None:
        """Commit the intent entry; the gateway sends the request only after this returns."""
        route = self._routes.get(intent.route)
        await self.log.append(intent_entry(request, intent, route, self._clock()))

    async def observe(self, request: ModelRequest, attempt: Attempt) -> None:
        route = self._routes.get(attempt.route)
        await self.log.append(draft_entry(request, attempt, route, self._clock()))
