"""The HTTP API (FastAPI): ``create_app(settings)``, started by ``nightshift serve``.

One :class:`~flows.runtime.Runtime` per process, opened by the lifespan and closed with it: the
gateway's HTTP pool and its ``AsyncOpenAI`` clients belong to the server's event loop (DESIGN:
never cross event loops). The masker (seconds to load) is loaded in the background at start-up;
``/readyz`` says ready once it is in. Several processes (``--workers N``) share the database:
caller-key limits, the audit log and the pacer hold across them.

Routes, by the role of the key (``Authorization: Bearer <key>``; docs/api.md):

=========================================  =============================  ======================
route                                      what                           roles
=========================================  =============================  ======================
``POST /v1/process``                       one document, online steps     client
``POST /v1/documents``                     ingest one or a list           client
``GET /v1/documents/{id}``                 results                        client, admin; auditor
                                                                          without any text
``GET /v1/review``, ``POST /v1/review/…``  the review queue               client, admin
``POST /v1/chat/completions``,             OpenAI-compatible, masked      client
``GET /v1/models[/{id}]``
``GET /v1/audit/…``                        entries, checkpoint, proofs    auditor
``POST|GET /v1/keys``, ``DELETE …/{id}``   caller keys                    admin
``/healthz``, ``/readyz``, ``/metrics``    process up, ready, Prometheus  no key
=========================================  =============================  ======================

A document belongs to the key that sent it: a client key of document scope ``own`` reads,
lists and resolves only its own (``service.api.documents``, ``service.api.review``).
Errors are JSON (``service.api.errors``) and never echo what the caller sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

import httpx2
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from compliance.keys.callers import CallerKeys
from compliance.keys.encryption import KeyRing
from flows.runtime import Runtime
from flows.settings import Settings, load_settings
from service.api import audit, chat, documents, keys, review
from service.api.errors import ApiError, ErrorBoundary, error_response, install_error_handlers
from service.api.metrics import CONTENT_TYPE, ApiMetrics, MetricsMiddleware
from service.api.support import ApiState, api_state
from storage.migrate import current_revision, head_revision
from storage.repositories import DocumentRepository

logger = logging.getLogger("nightshift.api")

#: Largest request body accepted (a list of documents for ``POST /v1/documents``); one record
#: is further bound by ``ingest.max_record_bytes``.
MAX_BODY_BYTES = 16 * 1024 * 1024
#: Threads for blocking work (database, masking): the default pool has only ``cores + 4``,
#: which ten concurrent online requests would queue on.
THREADS = 32


class BodyLimit:
    """Refuses a body over ``limit`` bytes with 413 before it is read (pure ASGI)."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            length = dict(scope.get("headers") or ()).get(b"content-length")
            if length is not None and (not length.isdigit() or int(length) > self.limit):
                error = ApiError(413, f"the body is over the limit of {self.limit:,} bytes")
                await error_response(error)(scope, receive, send)
                return
            received = 0

            async def counted() -> Message:
                nonlocal received
                message = await receive()
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise ApiError(413, f"the body is over the limit of {self.limit:,} bytes")
                return message

            await self.app(scope, counted, send)
            return
        await self.app(scope, receive, send)


def _load_masker(runtime: Runtime, workers: int) -> None:
    masker = runtime.masker()
    if workers > 1:
        masker.start_pool(workers)


def _lifespan(
    settings: Settings, metrics: ApiMetrics, transport: httpx2.AsyncBaseTransport | None
) -> Any:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        loop.set_default_executor(ThreadPoolExecutor(THREADS, thread_name_prefix="nightshift"))
        runtime = Runtime.open(settings, transport=transport)
        runtime.gateway.add_observer(metrics)
        try:
            keys = CallerKeys.open(runtime.app.sessions, settings.keys_dir)
            # A server is a long run: the automatic choice masks in worker processes (started in
            # the background; until they are up, and with mask_workers = 1, in a thread).
            privacy = settings.privacy
            workers = privacy.mask_processes(privacy.mask_pool_min_documents, os.cpu_count())
            app.state.api = ApiState(
                settings, runtime, keys, metrics, head_revision(), mask_workers=workers
            )
            app.state.masker = asyncio.ensure_future(
                asyncio.to_thread(_load_masker, runtime, workers)
            )
            yield
        finally:
            masker = getattr(app.state, "masker", None)
            if masker is not None:
                with contextlib.suppress(Exception):
                    await masker  # a thread cannot be cancelled: let the load finish
            await runtime.aclose()

    return lifespan


def create_app(
    settings: Settings, *, transport: httpx2.AsyncBaseTransport | None = None
) -> FastAPI:
    """The API of one process; ``transport`` replaces the gateway's HTTP transport (tests)."""
    metrics = ApiMetrics(settings.billing.currency)
    app = FastAPI(
        title="nightshift",
        description="LLM document work behind one compliance gateway. Keys: "
        "`Authorization: Bearer <key>` (`nightshift keys create`). See docs/api.md.",
        version="1",
        lifespan=_lifespan(settings, metrics, transport),
    )
    install_error_handlers(app)
    for module in (documents, review, chat, audit, keys):
        app.include_router(module.router)
    _add_probes(app)
    app.add_middleware(BodyLimit)
    app.add_middleware(ErrorBoundary)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    return app


def _readiness(state: ApiState, masker_loaded: bool) -> dict[str, str]:
    checks: dict[str, str] = {}
    engine = state.runtime.app.engine
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
        current = current_revision(engine)
        checks["migrations"] = (
            "ok"
            if current == state.head_revision
            else f"at {current}, head is {state.head_revision}"
        )
    except Exception as exc:
        checks["database"] = f"unreachable ({type(exc).__name__})"
    try:
        KeyRing.load(state.settings.keys_dir)
        checks["data_key"] = "ok"
    except Exception as exc:
        checks["data_key"] = f"does not load ({type(exc).__name__})"
    checks["masker"] = "ok" if masker_loaded else "loading"
    return checks


def _pending(state: ApiState) -> dict[str, int]:
    with state.runtime.app.sessions() as session:
        return DocumentRepository(session).count_by_status()


def _add_probes(app: FastAPI) -> None:
    @app.get("/healthz", tags=["probes"], summary="The process is up (no key)")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["probes"], summary="Database, migrations, data key, masker")
    async def readyz(request: Request) -> Response:
        task = getattr(request.app.state, "masker", None)
        loaded = task is not None and task.done() and task.exception() is None
        if task is not None and task.done() and task.exception() is not None:
            checks = {"masker": f"failed to load ({type(task.exception()).__name__})"}
        else:
            checks = await run_in_threadpool(_readiness, api_state(request), loaded)
        ready = all(value == "ok" for value in checks.values())
        body = {
            "status": "ready" if ready else "not ready",
            "checks": checks,
            "masking": _masking_mode(api_state(request), loaded),
        }
        return JSONResponse(body, status_code=200 if ready else 503)

    @app.get("/metrics", tags=["probes"], summary="Prometheus metrics (no key)")
    async def metrics(request: Request) -> Response:
        state = api_state(request)
        data = await run_in_threadpool(state.metrics.render, lambda: _pending(state))
        return Response(data, media_type=CONTENT_TYPE)


def _masking_mode(state: ApiState, loaded: bool) -> str:
    """Where documents are masked now: ``in-process``, ``N processes``, or ``starting N
    processes`` (until they are up, in-process). Informational: ready either way."""
    processes = state.runtime.masker().processes if loaded else 0
    if processes:
        return f"{processes} processes"
    if state.mask_workers > 1:
        return f"starting {state.mask_workers} processes"
    return "in-process"


def app_from_environment() -> FastAPI:
    """The app factory ``nightshift serve --workers N`` gives uvicorn (settings from the
    environment, as every process of nightshift reads them)."""
    return create_app(load_settings(check_secrets=True))
