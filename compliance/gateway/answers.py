"""What came back from one HTTP exchange with a model, classified (``compliance.gateway.gateway``).

:class:`Result` is the gateway's private account of an exchange before it becomes an
:class:`~compliance.gateway.calls.Attempt`: the outcome, usage, headers and body. The rules are in
``docs/gateway.md`` (Outcomes).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from compliance.gateway.calls import ModelRequest, Outcome
from compliance.gateway.routes import RouteConfig
from compliance.gateway.structured import parse_answer


def used_tokens(result: Result) -> int | None:
    """Tokens the provider counted: reported usage; none for a 429 or a refused connection;
    unknown (keep the booking) for a timeout or a server error."""
    if result.usage_reported:
        return result.tokens_in + result.tokens_out
    if result.outcome in (
        Outcome.RATE_LIMITED,
        Outcome.RESOURCE_UNAVAILABLE,
        Outcome.CONNECTION_ERROR,
    ):
        return 0
    return None


def count_tokens(usage: Any, field: str) -> int:
    """A token count from the answer's ``usage`` object; 0 when it is absent or not a number."""
    value = usage.get(field) if isinstance(usage, dict) else None
    return int(value) if isinstance(value, int | float) and value >= 0 else 0


def sha256_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass
class Result:
    outcome: Outcome
    status: int | None = None
    content: str | None = None
    parsed: dict[str, Any] | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    usage_reported: bool = False
    headers: Mapping[str, str] | None = None
    body: bytes | None = None
    detail: str | None = None


#: The ``error.code`` of OpenAI's 429 to a flex request that finds no capacity.
RESOURCE_UNAVAILABLE_CODE = "resource_unavailable"


def is_resource_unavailable(body: bytes) -> bool:
    """True when a 429 body says "resource unavailable" (OpenAI's flex answer when it has no
    capacity) rather than that a rate limit was hit: ``error.code`` ``resource_unavailable``,
    or the words in ``error.message``."""
    try:
        data = json.loads(body)
    except ValueError:
        return False
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        return False
    if error.get("code") == RESOURCE_UNAVAILABLE_CODE:
        return True
    message = error.get("message")
    return isinstance(message, str) and "resource unavailable" in message.lower()


def status_result(
    status: int, headers: Mapping[str, str], body: bytes, *, flex: bool = False
) -> Result:
    """The result of an HTTP error status: how it is retried (``compliance.gateway.retry``).
    A 429 to a ``flex`` request that says "resource unavailable" is not a rate limit."""
    if status == 429 and flex and is_resource_unavailable(body):
        return Result(
            Outcome.RESOURCE_UNAVAILABLE,
            status=status,
            headers=headers,
            body=body,
            detail=f"HTTP 429 {RESOURCE_UNAVAILABLE_CODE}",
        )
    if status == 429:
        outcome = Outcome.RATE_LIMITED
    elif status == 408:
        outcome = Outcome.TIMEOUT
    elif status >= 500:
        outcome = Outcome.SERVER_ERROR
    else:
        outcome = Outcome.CLIENT_ERROR
    return Result(
        outcome,
        status=status,
        headers=headers,
        body=body,
        detail=f"HTTP {status}",
    )


def classify_completion(
    request: ModelRequest,
    route: RouteConfig,
    completion: dict[str, Any],
    status: int,
    headers: Mapping[str, str],
    body: bytes,
) -> Result:
    """The result of a 200 chat completion: ok, or which content failure it is."""
    usage = completion.get("usage")
    tokens_in = count_tokens(usage, "prompt_tokens")
    tokens_out = count_tokens(usage, "completion_tokens")
    choices = completion["choices"]
    first = choices[0] if choices and isinstance(choices[0], dict) else {}
    message = first.get("message")
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, str):
        content = None
    result = Result(
        Outcome.OK,
        status=status,
        content=content,
        tokens_in=tokens_in,
        tokens_out=tokens_out,
        usage_reported=isinstance(usage, dict),
        headers=headers,
        body=body,
    )
    if request.output is None:
        if content is None or not content.strip():
            return replace(result, outcome=Outcome.EMPTY, detail="empty content")
        return result
    outcome, parsed, detail = parse_answer(content, request.output, route.structured_output)
    return replace(result, outcome=outcome, parsed=parsed, detail=detail)
