"""The FastAPI app of the provider simulator (``create_app``).

Routes (all answers carry ``x-nightshift-simulator: 1``; errors are OpenAI-shaped):

- ``GET /v1/models``, ``GET /v1/models/{id}``: a few ids, ``owned_by: "nightshift-simulator"``;
  any model id is accepted on requests;
- ``POST /v1/chat/completions``: see :mod:`simulator.engine`;
- ``/v1/files…`` and ``/v1/batches…``: see :mod:`simulator.files` and
  :mod:`simulator.batches`;
- ``GET /simulator/requests``, ``GET /simulator/batch-lines``, ``POST /simulator/reset``,
  ``GET /simulator/config``, ``GET /health``: the simulator's own controls.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from simulator.batches import DEFAULT_WINDOW, ENDPOINT, BatchOptions, BatchService
from simulator.batchledger import BatchLedger
from simulator.batchplan import parse_window
from simulator.config import SimulatorConfig
from simulator.engine import CompletionEngine
from simulator.errors import SimulatorHTTPError, error_body
from simulator.faults import FaultInjector
from simulator.files import FileStore, expiry_seconds, files_router, list_page
from simulator.ids import IdFactory
from simulator.limits import RateLimiter
from simulator.requestlog import RequestLog

OWNER = "nightshift-simulator"


@dataclass(frozen=True)
class SimulatorState:
    """Everything one simulator app holds; reachable as ``app.state.simulator``."""

    config: SimulatorConfig
    log: RequestLog
    limiter: RateLimiter
    faults: FaultInjector
    engine: CompletionEngine
    files: FileStore
    batches: BatchService

    @property
    def batch_lines(self) -> BatchLedger:
        return self.batches.ledger

    def reset(self) -> None:
        """Clear the request log, the batch-line ledger and the limit windows; restart faults."""
        self.log.clear()
        self.batch_lines.clear()
        self.limiter.reset()
        self.faults.reseed()


def build_state(config: SimulatorConfig) -> SimulatorState:
    ids = IdFactory(config.seed)
    log = RequestLog(config.wall_clock, config.log_file)
    limiter = RateLimiter(config.rpm, config.tpm, config.window_s, config.clock)
    faults = FaultInjector(config)
    engine = CompletionEngine(config, log, limiter, faults, ids)
    files = FileStore(ids, config.wall_clock, config.batch_time_scale)
    batches = BatchService(engine, files, ids, config)
    return SimulatorState(config, log, limiter, faults, engine, files, batches)


def create_app(config: SimulatorConfig) -> FastAPI:
    """A fresh simulator app; its state lives in ``app.state.simulator``."""
    state = build_state(config)
    app = FastAPI(
        title="nightshift provider simulator",
        description="An OpenAI-compatible SIMULATOR for demos, tests and benchmarks; "
        "not a real model.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.simulator = state
    app.add_middleware(SimulatorHeaderMiddleware)
    _add_error_handlers(app)
    app.include_router(_models_router(config))
    app.include_router(_chat_router(state))
    app.include_router(files_router(state.files))
    app.include_router(_batches_router(state))
    app.include_router(_control_router(state))
    return app


def api_key(request: Request) -> str:
    """The bearer token of the request, or ``anonymous``."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else "anonymous"


class SimulatorHeaderMiddleware:
    """Adds ``x-nightshift-simulator: 1`` to every HTTP response (pure ASGI)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_marked(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("x-nightshift-simulator", "1")
            await send(message)

        await self.app(scope, receive, send_marked)


def _add_error_handlers(app: FastAPI) -> None:
    async def simulator_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, SimulatorHTTPError)
        return JSONResponse(exc.body, status_code=exc.status)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        message = str(exc.detail)
        if exc.status_code == 404:
            message = f"Unknown request URL: {request.method} {request.url.path}."
        return JSONResponse(error_body(message), status_code=exc.status_code)

    async def validation_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        param = ".".join(str(part) for part in first["loc"] if part != "body") or None
        body = error_body(f"Invalid value for '{param}': {first['msg']}", param=param)
        return JSONResponse(body, status_code=400)

    app.add_exception_handler(SimulatorHTTPError, simulator_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)


def _models_router(config: SimulatorConfig) -> APIRouter:
    router = APIRouter(prefix="/v1/models", tags=["models"])

    def model_object(model_id: str) -> dict[str, Any]:
        return {"id": model_id, "object": "model", "created": 0, "owned_by": OWNER}

    @router.get("")
    async def list_models() -> dict[str, Any]:
        return {"object": "list", "data": [model_object(m) for m in config.models]}

    @router.get("/{model_id}")
    async def retrieve_model(model_id: str) -> dict[str, Any]:
        return model_object(model_id)

    return router


def _chat_router(state: SimulatorState) -> APIRouter:
    router = APIRouter(tags=["chat"])

    @router.post("/v1/chat/completions")
    async def chat_completions(request: Request) -> Response:
        state.log.arrived()
        key = api_key(request)
        try:
            body = json.loads(await request.body())
        except ValueError:
            result = state.engine.bad_body(key, "The request body is not valid JSON.")
        else:
            result = await state.engine.complete(body, key)
        return JSONResponse(result.body, status_code=result.status, headers=result.headers)

    return router


class BatchCreate(BaseModel):
    model_config = ConfigDict(extra="allow")

    input_file_id: str
    endpoint: str
    completion_window: str = DEFAULT_WINDOW
    metadata: dict[str, str] | None = None
    output_expires_after: dict[str, Any] | None = None


def _batches_router(state: SimulatorState) -> APIRouter:
    router = APIRouter(prefix="/v1/batches", tags=["batches"])
    batches = state.batches

    @router.post("")
    async def create_batch(payload: BatchCreate, request: Request) -> dict[str, Any]:
        if payload.endpoint != ENDPOINT:
            message = f"The simulator runs batches for '{ENDPOINT}' only."
            raise SimulatorHTTPError(400, message, param="endpoint")
        try:
            window_s = parse_window(payload.completion_window)
        except ValueError as exc:
            raise SimulatorHTTPError(400, str(exc), param="completion_window") from exc
        expires = payload.output_expires_after
        options = BatchOptions(
            metadata=payload.metadata,
            completion_window=payload.completion_window,
            window_s=window_s,
            output_expires_after_s=(
                expiry_seconds(expires, "output_expires_after") if expires is not None else None
            ),
        )
        batch = batches.create(payload.input_file_id, api_key(request), options)
        return batch.as_object()

    @router.get("")
    async def list_batches(limit: int = 20) -> dict[str, Any]:
        return list_page([batch.as_object() for batch in batches.all()[: max(1, limit)]])

    @router.get("/{batch_id}")
    async def retrieve_batch(batch_id: str) -> dict[str, Any]:
        return batches.get(batch_id).as_object()

    @router.post("/{batch_id}/cancel")
    async def cancel_batch(batch_id: str) -> dict[str, Any]:
        return batches.cancel(batch_id).as_object()

    return router


def _control_router(state: SimulatorState) -> APIRouter:
    router = APIRouter(tags=["simulator"])

    @router.get("/simulator/requests")
    async def requests_log() -> dict[str, Any]:
        return state.log.summary()

    @router.get("/simulator/batch-lines")
    async def batch_lines(custom_id: str | None = None) -> dict[str, Any]:
        return state.batch_lines.summary(custom_id)

    @router.post("/simulator/reset")
    async def reset() -> dict[str, Any]:
        state.reset()
        return {"reset": True}

    @router.get("/simulator/config")
    async def settings() -> dict[str, Any]:
        return state.config.public_settings()

    @router.get("/health")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "simulator": True}

    return router
