"""OpenAI's Batch API, in memory, answered by the same completion engine.

A batch runs in an asyncio task started when it is created (not in a lifespan hook, so it
also runs under ``httpx.ASGITransport``). Its life: ``validating`` for ``batch_delay_s`` →
``failed`` (input file not usable, with ``errors``) or ``in_progress`` → ``finalizing`` for
``batch_delay_s`` → ``completed``; or, when a line is not finished as the completion window
closes, ``expired`` at the window's end, keeping the lines it finished. ``cancel`` moves it to
``cancelling`` and then ``cancelled``, keeping the answers it already has.

While ``in_progress`` the batch follows its seeded plan (:mod:`simulator.batchplan`): each
line finishes at its planned time (simulated seconds × ``batch_time_scale`` real seconds) and is
answered by the completion engine (faults apply, rate limits do not), or fails, or becomes an
error-only line; ``request_counts`` move as lines finish.

Output lines ``{id, custom_id, response: {status_code, request_id, body}, error: null}`` go to
``output_file_id`` (status 200; ``body.usage`` holds the line's prompt and completion tokens) or
``error_file_id`` (any other status); error-only, expired and cancelled lines go to the error
file as ``{id, custom_id, response: null, error: {code, message}}`` (codes ``server_error``,
``batch_expired``, ``batch_cancelled``). Each file is in a seeded shuffled order that is never
the input order, as a real provider does not promise it. Every line received is kept in the
:class:`~simulator.batchledger.BatchLedger`.
"""

from __future__ import annotations

import asyncio
import functools
import json
import math
import random
from dataclasses import dataclass, field
from typing import Any

from simulator.batchledger import BatchLedger
from simulator.batchplan import BatchPlan, Fate, LineFate, draw_plan
from simulator.config import SimulatorConfig
from simulator.engine import CompletionEngine, SimResponse
from simulator.errors import SERVER_ERROR, SimulatorHTTPError, error_body, not_found
from simulator.files import FileStore
from simulator.ids import IdFactory

ENDPOINT = "/v1/chat/completions"
DEFAULT_WINDOW = "24h"
LINE_CONCURRENCY = 16
MAX_REQUESTS = 50_000  # OpenAI's limits per batch input file
MAX_BYTES = 200 * 1024 * 1024
_ACTIVE = ("validating", "in_progress", "finalizing")
EXPIRED_MESSAGE = "This request could not be executed before the completion window expired."
CANCELLED_MESSAGE = "This request was not executed: the batch was cancelled."
ERROR_ONLY_MESSAGE = "The request could not be processed (simulated)."


@dataclass(frozen=True)
class BatchLine:
    index: int
    custom_id: str
    body: dict[str, Any]
    number: int = 0  # the line's number in the input file (1-based)


@dataclass(frozen=True)
class _Result:
    index: int
    custom_id: str
    response: SimResponse | None
    error: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.response is not None and self.response.status == 200


@dataclass
class Batch:
    id: str
    input_file_id: str
    key: str
    created_at: int
    metadata: dict[str, str] | None
    completion_window: str = DEFAULT_WINDOW
    window_s: float = 86400.0
    time_scale: float = 1.0
    output_expires_after_s: int | None = None
    status: str = "validating"
    times: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("total", "completed", "failed"), 0)
    )
    lines: list[BatchLine] = field(default_factory=list)
    results: list[_Result] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    output_file_id: str | None = None
    error_file_id: str | None = None
    model: str | None = None

    def as_object(self) -> dict[str, Any]:
        usage = _usage(self.results)
        return {
            "id": self.id,
            "object": "batch",
            "endpoint": ENDPOINT,
            "errors": {"object": "list", "data": self.errors} if self.errors else None,
            "input_file_id": self.input_file_id,
            "completion_window": self.completion_window,
            "status": self.status,
            "output_file_id": self.output_file_id,
            "error_file_id": self.error_file_id,
            "created_at": self.created_at,
            "expires_at": self.created_at + math.ceil(self.window_s * self.time_scale),
            **{f"{name}_at": self.times.get(name) for name in _TIMESTAMPS},
            "request_counts": dict(self.counts),
            "metadata": self.metadata,
            "model": self.model,
            "usage": usage,
        }


_TIMESTAMPS = (
    "in_progress",
    "finalizing",
    "completed",
    "failed",
    "expired",
    "cancelling",
    "cancelled",
)


def parse_input(
    content: bytes, max_requests: int = MAX_REQUESTS, max_bytes: int = MAX_BYTES
) -> tuple[list[BatchLine], list[dict[str, Any]]]:
    """The lines of a batch input file and OpenAI-style errors for the bad ones.

    Besides each line's shape: at most ``max_requests`` lines and ``max_bytes`` bytes, and one
    model for the whole file (the first line's), as OpenAI requires.
    """
    if len(content) > max_bytes:
        message = f"The input file has {len(content)} bytes; the limit is {max_bytes}."
        return [], [_line_error("file_too_large", None, message)]
    lines: list[BatchLine] = []
    errors: list[dict[str, Any]] = []
    seen: set[str] = set()
    models: set[object] = set()
    for number, raw in enumerate(content.decode("utf-8", errors="replace").splitlines(), 1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
        except ValueError:
            errors.append(_line_error("invalid_json_line", number, "This line is not valid JSON."))
            continue
        problem = _line_problem(item, seen)
        if problem is not None:
            errors.append(_line_error(problem[0], number, problem[1], problem[2]))
            continue
        model = item["body"].get("model")
        if models and model not in models:
            message = f"Every line must use the file's model ({lines[0].body.get('model')!r})."
            errors.append(_line_error("mismatched_model", number, message, "body.model"))
            continue
        models.add(model)
        seen.add(item["custom_id"])
        lines.append(BatchLine(len(lines), item["custom_id"], item["body"], number))
    if not lines and not errors:
        errors.append(_line_error("empty_file", None, "The input file has no requests."))
    if len(lines) > max_requests:
        message = f"The input file has {len(lines)} requests; the limit is {max_requests}."
        errors.append(_line_error("too_many_requests", None, message))
    return lines, errors


def _line_problem(item: object, seen: set[str]) -> tuple[str, str, str] | None:
    if not isinstance(item, dict):
        return "invalid_request", "Each line must be a JSON object.", "line"
    custom_id = item.get("custom_id")
    if not isinstance(custom_id, str) or not custom_id:
        return "missing_required_parameter", "Each line needs a string custom_id.", "custom_id"
    if custom_id in seen:
        return "duplicate_custom_id", f"custom_id '{custom_id}' is used twice.", "custom_id"
    if item.get("method") != "POST":
        return "invalid_request", "method must be 'POST'.", "method"
    if item.get("url") != ENDPOINT:
        return "invalid_url", f"url must be '{ENDPOINT}' (the batch's endpoint).", "url"
    if not isinstance(item.get("body"), dict):
        return "missing_required_parameter", "Each line needs a JSON object body.", "body"
    return None


def _line_error(
    code: str, line: int | None, message: str, param: str | None = None
) -> dict[str, Any]:
    return {"code": code, "line": line, "message": message, "param": param}


def _usage(results: list[_Result]) -> dict[str, Any]:
    prompt = completion = 0
    for result in results:
        if result.response is None:
            continue
        usage = result.response.body.get("usage") or {}
        prompt += int(usage.get("prompt_tokens", 0))
        completion += int(usage.get("completion_tokens", 0))
    return {
        "input_tokens": prompt,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": completion,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": prompt + completion,
    }


@dataclass(frozen=True)
class BatchOptions:
    """What a create request asks for besides the input file."""

    metadata: dict[str, str] | None = None
    completion_window: str = DEFAULT_WINDOW
    window_s: float = 86400.0
    output_expires_after_s: int | None = None


class BatchService:
    """Creates, runs, lists and cancels batches."""

    def __init__(
        self,
        engine: CompletionEngine,
        files: FileStore,
        ids: IdFactory,
        config: SimulatorConfig,
        ledger: BatchLedger | None = None,
    ) -> None:
        self._engine = engine
        self._files = files
        self._ids = ids
        self._config = config
        self._seed = config.seed
        self._delay_s = config.batch_delay_s
        self._scale = config.batch_time_scale
        self._wall_clock = config.wall_clock
        self.ledger = ledger if ledger is not None else BatchLedger()
        self._batches: dict[str, Batch] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def create(self, input_file_id: str, key: str, options: BatchOptions | None = None) -> Batch:
        """Register a batch and start running it on the current event loop."""
        options = options or BatchOptions()
        self._files.get(input_file_id, param="input_file_id")
        now = int(self._wall_clock())
        batch = Batch(
            self._ids.batch(),
            input_file_id,
            key,
            now,
            options.metadata,
            completion_window=options.completion_window,
            window_s=options.window_s,
            time_scale=self._scale,
            output_expires_after_s=options.output_expires_after_s,
        )
        self._batches[batch.id] = batch
        task = asyncio.get_running_loop().create_task(self._run(batch), name=batch.id)
        self._tasks[batch.id] = task
        task.add_done_callback(functools.partial(self._finished, batch))
        return batch

    def get(self, batch_id: str) -> Batch:
        batch = self._batches.get(batch_id)
        if batch is None:
            raise not_found("batch", batch_id, "batch_id")
        return batch

    def all(self) -> list[Batch]:
        return list(reversed(self._batches.values()))

    def cancel(self, batch_id: str) -> Batch:
        batch = self.get(batch_id)
        if batch.status not in _ACTIVE:
            message = f"Cannot cancel a batch with status '{batch.status}'."
            raise SimulatorHTTPError(409, message, param="batch_id")
        self._mark(batch, "cancelling")
        task = self._tasks.get(batch_id)
        if task is not None:
            task.cancel()
        return batch

    async def wait_idle(self) -> None:
        """Wait until no batch is running (for tests and shutdown)."""
        while self._tasks:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    def _mark(self, batch: Batch, status: str) -> None:
        batch.status = status
        batch.times[status] = int(self._wall_clock())

    async def _run(self, batch: Batch) -> None:
        await _pause(self._delay_s)
        lines, errors = parse_input(
            self._files.get(batch.input_file_id).content,
            self._config.batch_max_requests,
            self._config.batch_max_bytes,
        )
        if errors:
            batch.errors = errors
            self._mark(batch, "failed")
            return
        batch.lines = lines
        batch.counts["total"] = len(lines)
        batch.model = str(lines[0].body.get("model") or "") or None
        for line in lines:
            self.ledger.received(batch.id, line.number, line.custom_id, line.body)
        plan = draw_plan(self._config, batch.id, len(lines), batch.window_s)
        self._mark(batch, "in_progress")
        await self._follow(batch, plan)
        if plan.expires:
            self._write_outputs(batch, "expired")
            self._mark(batch, "expired")
            return
        self._mark(batch, "finalizing")
        await _pause(self._delay_s)
        self._write_outputs(batch, "expired")
        self._mark(batch, "completed")

    def _finished(self, batch: Batch, task: asyncio.Task[None]) -> None:
        """Runs when the task ends, also when it was cancelled before it started."""
        self._tasks.pop(batch.id, None)
        if task.cancelled():
            self._write_outputs(batch, "cancelled")
            self._mark(batch, "cancelled")
        elif (error := task.exception()) is not None:
            batch.errors = [_line_error("batch_failed", None, str(error))]
            self._mark(batch, "failed")

    async def _follow(self, batch: Batch, plan: BatchPlan) -> None:
        """Finish each line at its planned time; return when the batch stops processing."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        gate = asyncio.Semaphore(LINE_CONCURRENCY)
        answering: list[asyncio.Task[None]] = []
        due = sorted(
            (fate.at_s, line.index) for line, fate in zip(batch.lines, plan.lines, strict=True)
        )
        try:
            for at_s, index in due:
                if at_s > plan.window_s:
                    break
                await _pause(start + at_s * self._scale - loop.time())
                line, fate = batch.lines[index], plan.lines[index]
                if fate.fate is Fate.ANSWER:
                    answering.append(loop.create_task(self._answer(batch, line, gate)))
                else:
                    self._settle(batch, line, self._unanswered(fate))
            await asyncio.gather(*answering)
            await _pause(start + plan.end_s * self._scale - loop.time())
        finally:
            for task in answering:
                task.cancel()

    async def _answer(self, batch: Batch, line: BatchLine, gate: asyncio.Semaphore) -> None:
        async with gate:
            response = await self._engine.complete(
                line.body, batch.key, limited=False, batch_id=batch.id
            )
        self._settle(batch, line, _Result(line.index, line.custom_id, response))

    def _unanswered(self, fate: LineFate) -> SimResponse | dict[str, Any]:
        """A failed line's response (500 or 503), or an error-only line's error object."""
        if fate.fate is Fate.ERROR_ONLY:
            return {"code": "server_error", "message": ERROR_ONLY_MESSAGE}
        status = 503 if fate.variant < 0.5 else 500
        message = (
            "The engine is currently overloaded, please try again later (simulated)."
            if status == 503
            else "The server had an error while processing your request (simulated)."
        )
        body = error_body(message, type_=SERVER_ERROR)
        return SimResponse(status, body, {"x-request-id": self._ids.request()})

    def _settle(
        self, batch: Batch, line: BatchLine, outcome: _Result | SimResponse | dict[str, Any]
    ) -> None:
        if isinstance(outcome, _Result):
            result, kind = outcome, "answered"
        elif isinstance(outcome, SimResponse):
            result, kind = _Result(line.index, line.custom_id, outcome), "failed"
        else:
            result, kind = _Result(line.index, line.custom_id, None, outcome), "error"
        batch.results.append(result)
        batch.counts["completed" if result.ok else "failed"] += 1
        response = result.response
        self.ledger.settle(
            batch.id,
            line.custom_id,
            kind,
            response.status if response is not None else None,
            response.body.get("usage") if response is not None else None,
        )

    def _write_outputs(self, batch: Batch, unfinished: str) -> None:
        """Write the output and error files; lines without a result are ``unfinished``."""
        shuffler = random.Random(f"{self._seed}:{batch.id}")
        done = {result.index for result in batch.results}
        code = f"batch_{unfinished}"
        message = EXPIRED_MESSAGE if unfinished == "expired" else CANCELLED_MESSAGE
        left = [
            _Result(line.index, line.custom_id, None, {"code": code, "message": message})
            for line in batch.lines
            if line.index not in done
        ]
        for result in left:
            self.ledger.settle(batch.id, result.custom_id, unfinished)
        results = sorted(batch.results + left, key=lambda result: result.index)
        good = [result for result in results if result.ok]
        bad = [result for result in results if not result.ok]
        if good:
            batch.output_file_id = self._write_file(batch, "output", good, shuffler)
        if bad:
            batch.error_file_id = self._write_file(batch, "error", bad, shuffler)

    def _write_file(
        self,
        batch: Batch,
        kind: str,
        results: list[_Result],
        shuffler: random.Random,
    ) -> str:
        lines = [self._output_line(result) for result in _shuffled(results, shuffler)]
        text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
        stored = self._files.add(
            f"{batch.id}_{kind}.jsonl",
            "batch_output",
            text.encode("utf-8"),
            batch.output_expires_after_s,
        )
        return stored.id

    def _output_line(self, result: _Result) -> dict[str, Any]:
        response = result.response
        return {
            "id": self._ids.batch_request(),
            "custom_id": result.custom_id,
            "response": None
            if response is None
            else {
                "status_code": response.status,
                "request_id": response.headers.get("x-request-id"),
                "body": response.body,
            },
            "error": result.error,
        }


def _shuffled(items: list[_Result], shuffler: random.Random) -> list[_Result]:
    """A shuffled copy that differs from ``items`` whenever it has two or more elements."""
    order = list(items)
    shuffler.shuffle(order)
    if len(order) > 1 and order == items:
        order = order[1:] + order[:1]
    return order


async def _pause(seconds: float) -> None:
    if seconds > 0:
        await asyncio.sleep(seconds)
