"""The OpenAI-compatible endpoint: ``POST /v1/chat/completions`` and ``GET /v1/models``.

An existing ``openai`` SDK client changes only ``base_url`` and ``api_key`` (a client key). The
``model`` field names a nightshift **route**; ``/v1/models`` lists the routes the key may use:
those in the home country, and those abroad when ``residency.allow_masked_export`` is on.

A completion goes through the same door as every other call:

1. the caller's messages are **masked** together — one placeholder map for the whole
   conversation, so ``[PERSON_1]`` is the same person in every message (masking failure: 422,
   nothing sent);
2. the gateway gets a ``ModelRequest`` on path ``api`` with the caller's key id: residency, the
   masked-text guard and the key's limits apply, and every attempt is an audit entry;
3. the reply is **re-identified** for the caller: known placeholders become the real values
   again; placeholders the model invented stay as written and are counted in the
   ``x-nightshift-unknown-placeholders`` header. ``x-nightshift-model-ms`` is the time the
   model call took as the gateway measured it (the rest of the answer's time is ours).

Refusals: over a key limit → 429 with ``Retry-After``; a route abroad → 403 ``residency_error``
with the reason code; identifiers left after masking → 422. ``stream: true`` is refused with
400 (no server-sent events). Fields other than those below (``top_p``, ``user`` …) are ignored.
"""

from __future__ import annotations

import time
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from compliance.gateway.calls import ModelRequest, ModelResponse, Outcome
from compliance.gateway.routes import RouteConfig
from compliance.keys.limits import KEY_REVOKED, KEY_UNKNOWN, limit_refusal
from compliance.masking import MaskingError, MaskResult, reidentify
from compliance.residency import ResidencyConfig, RouteResidency
from flows.online.flow import ONLINE_RETRY, ONLINE_TIMEOUT_S
from service.api.documents import limit_error
from service.api.errors import ApiError, retry_after_header
from service.api.support import ApiState, ClientCaller, api_state

router = APIRouter(tags=["openai-compatible"])

#: What the audit log records as the step and prompt version of a proxied completion.
CHAT_STEP = "chat"
CHAT_PROMPT_VERSION = "api.chat.v1"
DEFAULT_MAX_TOKENS = 512
MAX_TOKENS = 32_768
OWNER = "nightshift"


class TextPart(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: Literal["text"]
    text: str


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant"]
    content: str | list[TextPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "\n".join(part.text for part in self.content)
        return self.content or ""


class ChatRequest(BaseModel):
    """The fields of an OpenAI chat completion request that nightshift uses."""

    model_config = ConfigDict(extra="allow")

    model: str = Field(min_length=1, max_length=64, description="A route name (GET /v1/models).")
    messages: list[ChatMessage] = Field(min_length=1, max_length=256)
    max_tokens: int | None = Field(default=None, ge=1, le=MAX_TOKENS)
    max_completion_tokens: int | None = Field(default=None, ge=1, le=MAX_TOKENS)
    temperature: float | None = Field(default=None, ge=0, le=2)
    n: int | None = Field(default=None, ge=1, le=1, description="Only 1.")
    stream: bool | None = Field(default=None, description="Not supported: must be false.")


def usable_routes(routes: dict[str, RouteConfig], residency: ResidencyConfig) -> list[str]:
    """Routes a call may go to: in the country, or abroad with masked export allowed."""
    return sorted(
        name
        for name, route in routes.items()
        if residency.route_status(route.region) is not RouteResidency.REFUSED
    )


def _model_object(name: str, route: RouteConfig, residency: ResidencyConfig) -> dict[str, Any]:
    return {
        "id": name,
        "object": "model",
        "created": 0,
        "owned_by": OWNER,
        "region": route.region,
        "residency": residency.route_status(route.region).value,
    }


@router.get("/v1/models", summary="The routes this key may use, as OpenAI models")
async def list_models(caller: ClientCaller, request: Request) -> dict[str, Any]:
    settings = api_state(request).settings
    return {
        "object": "list",
        "data": [
            _model_object(name, settings.routes[name], settings.residency)
            for name in usable_routes(settings.routes, settings.residency)
        ],
    }


@router.get("/v1/models/{model}", summary="One route, as an OpenAI model")
async def retrieve_model(
    model: Annotated[str, Path(max_length=64)], caller: ClientCaller, request: Request
) -> dict[str, Any]:
    settings = api_state(request).settings
    if model not in usable_routes(settings.routes, settings.residency):
        raise ApiError(404, "no such model for this key; GET /v1/models lists them")
    return _model_object(model, settings.routes[model], settings.residency)


def _mask(state: ApiState, body: ChatRequest) -> MaskResult:
    parts = {f"m{index}": message.text() for index, message in enumerate(body.messages)}
    size = sum(len(text.encode()) for text in parts.values())
    limit = state.settings.ingest.max_record_bytes
    if size > limit:
        raise ApiError(413, f"the messages hold {size:,} bytes, over the limit of {limit:,}")
    try:
        return state.runtime.masker().mask(parts)
    except MaskingError:
        raise ApiError(
            422, "the messages could not be masked; nothing was sent", code="masking_failed"
        ) from None


def _refusal_error(response: ModelResponse, state: ApiState) -> ApiError:
    limit = limit_refusal(response)
    if limit is not None:
        return limit_error(limit)
    detail = (response.attempts[-1].detail if response.attempts else None) or "refused"
    if detail.startswith("residency:"):
        region = detail.split(":")[1]
        country = state.settings.residency.country
        return ApiError(
            403,
            f"route {response.route} is in {region}, outside {country}: the call was refused "
            f"and audited ({detail}); GET /v1/models lists the routes you may use",
            "residency_error",
            code=detail,
        )
    if detail in (KEY_REVOKED, KEY_UNKNOWN):
        return ApiError(401, "the API key was revoked; ask an admin for a new one", code=detail)
    return ApiError(
        422,
        f"the masked messages were refused before sending ({detail}); nothing was sent",
        code=detail,
    )


def _failure(response: ModelResponse, state: ApiState) -> ApiError:
    if response.outcome is Outcome.REFUSED:
        return _refusal_error(response, state)
    last = response.attempts[-1] if response.attempts else None
    tries = f"after {len(response.attempts)} attempt(s)"
    if response.outcome is Outcome.RATE_LIMITED:
        return ApiError(
            429,
            f"route {response.route} is rate limited upstream {tries}; retry later",
            code="upstream_rate_limited",
            headers=retry_after_header(last.retry_after_s if last else None),
        )
    if response.outcome is Outcome.TIMEOUT:
        return ApiError(
            504, f"route {response.route} did not answer in time {tries}", "upstream_error"
        )
    status = f" (HTTP {last.http_status})" if last and last.http_status else ""
    return ApiError(
        502,
        f"route {response.route} failed: {response.outcome.value}{status} {tries}",
        "upstream_error",
        code=response.outcome.value,
    )


@router.post("/v1/chat/completions", summary="OpenAI-compatible chat completion, masked")
async def chat_completions(body: ChatRequest, caller: ClientCaller, request: Request) -> Any:
    state = api_state(request)
    if body.stream:
        raise ApiError(400, "stream is not supported: send the request with stream false")
    if body.model not in state.settings.routes:
        raise ApiError(404, "model names no route here; GET /v1/models lists the routes")
    masked = await run_in_threadpool(_mask, state, body)
    messages = tuple(
        {
            "role": "system" if m.role == "developer" else m.role,
            "content": masked.parts[f"m{i}"],
        }
        for i, m in enumerate(body.messages)
    )
    call = ModelRequest(
        step=CHAT_STEP,
        prompt_version=CHAT_PROMPT_VERSION,
        messages=messages,
        max_tokens=body.max_completion_tokens or body.max_tokens or DEFAULT_MAX_TOKENS,
        temperature=body.temperature if body.temperature is not None else 0.0,
        path="api",
        caller_key_id=caller.key_id,
        masked=True,
        masked_counts=dict(masked.counts),
    )
    response = await state.runtime.gateway.call(
        call, body.model, retry=ONLINE_RETRY, timeout_s=ONLINE_TIMEOUT_S
    )
    if not response.ok:
        raise _failure(response, state)
    reply = reidentify(response.content or "", masked.mapping)
    answer = {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.text},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": response.tokens_in,
            "completion_tokens": response.tokens_out,
            "total_tokens": response.tokens_in + response.tokens_out,
        },
    }
    model_ms = sum(attempt.latency_ms for attempt in response.attempts)
    headers = {
        "x-nightshift-unknown-placeholders": str(len(reply.unknown)),
        "x-nightshift-model-ms": f"{model_ms:.1f}",
    }
    return JSONResponse(answer, headers=headers)
