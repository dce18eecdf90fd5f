"""The chat-completion logic, shared by ``POST /v1/chat/completions`` and batch lines.

One request goes through these steps, and leaves exactly one request-log entry:

1. validate the body (and the requested schema) → 400 ``bad_request``; ``stream: true`` is
   refused here too;
2. rate limits of the caller's key (HTTP only, not batch lines) → 429 ``rate_limited``;
   then, for ``service_tier: "flex"`` (HTTP only), one draw of its own → 429
   ``resource_unavailable`` at ``flex_unavailable_rate``;
3. one fault draw (:mod:`simulator.faults`) → 500/503 ``server_error`` or ``hang``;
4. generate the content (:mod:`simulator.generate`), truncate it to the output limit
   (``finish_reason: "length"``), then empty or corrupt it when the draw says so;
5. sleep ``latency_ms + latency_per_output_token_ms × completion_tokens`` (plus
   ``flex_latency_ms`` for flex), correct the key's token reservation, record, answer in
   OpenAI's shape (echoing the ``service_tier`` asked for).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from simulator.chat import BadRequest, ChatRequest, parse_chat_request
from simulator.config import SimulatorConfig
from simulator.errors import RESOURCE_UNAVAILABLE, SERVER_ERROR, error_body
from simulator.faults import Fault, FaultDraw, FaultInjector, corrupt_json, garble_text
from simulator.generate import Content, answer_content
from simulator.ids import IdFactory
from simulator.limits import Admission, RateLimiter, Reservation
from simulator.requestlog import Observation, Outcome, RequestLog
from simulator.tokens import prompt_tokens, text_tokens, truncate_to_tokens

STREAM_REFUSED = (
    "Streaming is not supported by the nightshift simulator: send the request without "
    "'stream' (or with stream: false)."
)


@dataclass(frozen=True)
class SimResponse:
    """A status, an OpenAI-shaped JSON body and the headers to send with it."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Call:
    key: str
    request_id: str
    limited: bool
    batch_id: str | None
    model: str = ""
    prompt_tokens: int = 0
    reservation: Reservation | None = None
    service_tier: str | None = None

    @property
    def flex(self) -> bool:
        return self.service_tier == "flex"

    def seen(
        self, outcome: Outcome, status: int, completion: int = 0, latency_ms: float = 0.0
    ) -> Observation:
        return Observation(
            key=self.key,
            model=self.model,
            outcome=outcome,
            status=status,
            request_id=self.request_id,
            prompt_tokens=self.prompt_tokens,
            completion_tokens=completion,
            latency_ms=latency_ms,
            batch_id=self.batch_id,
            service_tier=self.service_tier,
        )


class CompletionEngine:
    """Answers chat-completion bodies like a provider would, faults and limits included."""

    def __init__(
        self,
        config: SimulatorConfig,
        log: RequestLog,
        limiter: RateLimiter,
        faults: FaultInjector,
        ids: IdFactory,
    ) -> None:
        self._config = config
        self._log = log
        self._limiter = limiter
        self._faults = faults
        self._ids = ids

    async def complete(
        self, body: object, key: str, *, limited: bool = True, batch_id: str | None = None
    ) -> SimResponse:
        """Answer one decoded request body sent with API key ``key``."""
        call = _Call(key, self._ids.request(), limited, batch_id)
        try:
            request, content = self._prepare(call, body)
        except BadRequest as exc:
            return self._bad_request(call, exc)
        if limited:
            admission = self._limiter.admit(key, self._reserve(call, request))
            if not admission.allowed:
                return self._rate_limited(call, admission)
            call.reservation = admission.reservation
            if call.flex and self._faults.flex_unavailable():
                return self._unavailable(call)
        draw = self._faults.draw()
        if draw.fault is Fault.HANG:
            return await self._hang(call)
        if draw.fault is Fault.SERVER_ERROR:
            return await self._server_error(call, draw)
        return await self._answer(call, request, content, draw)

    def bad_body(self, key: str, message: str) -> SimResponse:
        """Record and answer a body that is not JSON at all."""
        call = _Call(key, self._ids.request(), True, None)
        return self._bad_request(call, BadRequest(message))

    def _prepare(self, call: _Call, body: object) -> tuple[ChatRequest, Content]:
        if isinstance(body, dict) and isinstance(body.get("model"), str):
            call.model = body["model"]
        request = parse_chat_request(body)
        if request.stream:
            raise BadRequest(STREAM_REFUSED, "stream")
        call.service_tier = request.service_tier
        call.prompt_tokens = prompt_tokens(message.text() for message in request.messages)
        return request, answer_content(request, self._config.seed)

    def _reserve(self, call: _Call, request: ChatRequest) -> int:
        return call.prompt_tokens + (request.output_limit() or self._config.default_output_tokens)

    def _headers(self, call: _Call) -> dict[str, str]:
        headers = {"x-request-id": call.request_id}
        if call.limited:
            headers.update(self._limiter.state(call.key).headers())
        return headers

    def _settle(self, call: _Call, tokens: int) -> None:
        if call.reservation is not None:
            self._limiter.settle(call.reservation, tokens)

    def _bad_request(self, call: _Call, exc: BadRequest) -> SimResponse:
        self._log.record(call.seen(Outcome.BAD_REQUEST, 400))
        body = error_body(exc.message, param=exc.param)
        return SimResponse(400, body, self._headers(call))

    def _rate_limited(self, call: _Call, admission: Admission) -> SimResponse:
        self._log.record(call.seen(Outcome.RATE_LIMITED, 429))
        body = error_body(admission.message, type_=admission.dimension, code="rate_limit_exceeded")
        headers = {
            "x-request-id": call.request_id,
            **admission.state.headers(),
            **admission.retry_headers(),
        }
        return SimResponse(429, body, headers)

    def _unavailable(self, call: _Call) -> SimResponse:
        """OpenAI's answer to a flex request it has no capacity for: 429, not billed."""
        self._settle(call, 0)
        self._log.record(call.seen(Outcome.RESOURCE_UNAVAILABLE, 429))
        message = (
            "Resource unavailable: there is no capacity for flex processing right now; "
            "retry later or send the request without service_tier flex (simulated)."
        )
        body = error_body(message, type_=RESOURCE_UNAVAILABLE, code=RESOURCE_UNAVAILABLE)
        return SimResponse(429, body, self._headers(call))

    async def _hang(self, call: _Call) -> SimResponse:
        seconds = self._config.hang_seconds
        self._settle(call, call.prompt_tokens)
        self._log.record(call.seen(Outcome.HANG, 504, latency_ms=seconds * 1000))
        await asyncio.sleep(seconds)
        message = f"Simulated hang: no answer for {seconds:g} s (the client should time out)."
        body = error_body(message, type_=SERVER_ERROR, code="timeout")
        return SimResponse(504, body, self._headers(call))

    async def _server_error(self, call: _Call, draw: FaultDraw) -> SimResponse:
        await _sleep_ms(self._config.latency_ms)
        self._settle(call, call.prompt_tokens)
        self._log.record(call.seen(Outcome.SERVER_ERROR, draw.status, 0, self._config.latency_ms))
        if draw.status == 503:
            message = "The engine is currently overloaded, please try again later (simulated)."
        else:
            message = "The server had an error while processing your request (simulated)."
        body = error_body(message, type_=SERVER_ERROR, code=None)
        return SimResponse(draw.status, body, self._headers(call))

    async def _answer(
        self, call: _Call, request: ChatRequest, content: Content, draw: FaultDraw
    ) -> SimResponse:
        text, finish_reason, outcome = _shape(request, content, draw)
        completion = text_tokens(text)
        config = self._config
        delay_ms = config.latency_ms + config.latency_per_output_token_ms * completion
        if call.flex:
            delay_ms += config.flex_latency_ms
        await _sleep_ms(delay_ms)
        self._settle(call, call.prompt_tokens + completion)
        self._log.record(call.seen(outcome, 200, completion, delay_ms))
        body = self._completion_body(call, request, text, finish_reason, completion)
        return SimResponse(200, body, self._headers(call))

    def _completion_body(
        self, call: _Call, request: ChatRequest, text: str, finish_reason: str, completion: int
    ) -> dict[str, Any]:
        message = {"role": "assistant", "content": text, "refusal": None}
        choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason}
        tier = {"service_tier": call.service_tier} if call.service_tier else {}
        return {
            "id": self._ids.completion(),
            "object": "chat.completion",
            "created": int(self._config.wall_clock()),
            "model": request.model,
            "choices": [choice],
            "usage": {
                "prompt_tokens": call.prompt_tokens,
                "completion_tokens": completion,
                "total_tokens": call.prompt_tokens + completion,
            },
            "system_fingerprint": "nightshift-simulator",
            **tier,
        }


def _shape(request: ChatRequest, content: Content, draw: FaultDraw) -> tuple[str, str, Outcome]:
    """Apply the output limit and a content fault: ``(text, finish_reason, outcome)``."""
    if draw.fault is Fault.EMPTY:
        return "", "stop", Outcome.EMPTY
    text, finish_reason = content.text, "stop"
    limit = request.output_limit()
    if limit is not None and text_tokens(text) > limit:
        text, finish_reason = truncate_to_tokens(text, limit), "length"
    if draw.fault is Fault.MALFORMED:
        corrupt = corrupt_json if content.is_json else garble_text
        return corrupt(text, draw.variant), finish_reason, Outcome.MALFORMED
    return text, finish_reason, Outcome.OK


async def _sleep_ms(millis: float) -> None:
    if millis > 0:
        await asyncio.sleep(millis / 1000)
