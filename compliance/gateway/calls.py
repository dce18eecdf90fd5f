"""What a model call is made of: the request, each attempt, and the final response.

These types are the contract between the steps (``flows/``) and the gateway, and between the
gateway and what observes it (the audit log, the usage ledger, run summaries). They carry
hashes, counts, ids and outcomes — the text of a call lives only in ``ModelRequest.messages``
and ``ModelResponse.content``, which no observer stores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

CallPath = Literal["nightly", "online", "api"]


class Outcome(StrEnum):
    """How one attempt ended. Every attempt gets exactly one."""

    OK = "ok"
    RATE_LIMITED = "rate_limited"  # HTTP 429
    #: HTTP 429 "resource unavailable" to a flex call: no capacity now, not a rate limit.
    RESOURCE_UNAVAILABLE = "resource_unavailable"
    SERVER_ERROR = "server_error"  # HTTP 5xx
    CLIENT_ERROR = "client_error"  # HTTP 4xx other than 429: retrying will not help
    TIMEOUT = "timeout"
    CONNECTION_ERROR = "connection_error"
    EMPTY = "empty"  # 200 with no content
    INVALID_JSON = "invalid_json"  # 200, JSON asked for, not JSON
    SCHEMA_INVALID = "schema_invalid"  # 200, JSON, but not valid against the schema
    REFUSED = "refused"  # a policy stopped the call before anything was sent

    @property
    def is_transport_failure(self) -> bool:
        return self in _TRANSPORT

    @property
    def is_content_failure(self) -> bool:
        return self in _CONTENT


_TRANSPORT = frozenset(
    {
        Outcome.RATE_LIMITED,
        Outcome.RESOURCE_UNAVAILABLE,
        Outcome.SERVER_ERROR,
        Outcome.TIMEOUT,
        Outcome.CONNECTION_ERROR,
    }
)
_CONTENT = frozenset({Outcome.EMPTY, Outcome.INVALID_JSON, Outcome.SCHEMA_INVALID})


@dataclass(frozen=True)
class OutputSchema:
    """A JSON Schema the answer must satisfy, with the name and version it is known by."""

    name: str
    version: str
    schema: dict[str, Any]


@dataclass(frozen=True)
class ModelRequest:
    """One logical call: the gateway may make several attempts to answer it."""

    step: str
    prompt_version: str
    messages: tuple[dict[str, str], ...]
    output: OutputSchema | None = None
    max_tokens: int = 512
    temperature: float = 0.0
    path: CallPath = "nightly"
    run_id: str | None = None
    document_id: int | None = None
    #: The caller key the call is made for (limits, audit); None for the service itself.
    caller_key_id: str | None = None
    #: True when ``messages`` were built from masked text only (the gateway refuses otherwise).
    masked: bool = False
    #: Per-type counts of what was masked in ``messages`` (filled by the masking layer).
    masked_counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Refusal:
    """Why a policy stopped a call before anything was sent.

    ``reason`` is a short code (``key_limit:rpm``, ``residency:US``), never text from the call;
    ``retry_after_s`` is set when the same call may pass after that many seconds (it becomes the
    refused attempt's ``retry_after_s``, and the API's ``Retry-After``).
    """

    reason: str
    retry_after_s: float | None = None


@dataclass(frozen=True)
class Intent:
    """An attempt about to send its request: the pacer granted its slot, nothing has left yet.

    Intent observers (the audit log) record it durably before the request is sent, so a request
    the provider received is never missing from the log, even when the process dies at once."""

    attempt_id: str
    number: int
    route: str
    model: str
    #: The ``service_tier`` the request will carry (``flex``, ``default``); None when none.
    service_tier: str | None = None
    #: A short code (a batch line: ``batch:<our batch id>``); never text from the call.
    detail: str | None = None
    #: Known before sending only for a batch line (its body is in the input file).
    request_sha256: str | None = None


@dataclass(frozen=True)
class Attempt:
    """One HTTP exchange (or one refusal) and how it ended."""

    number: int
    route: str
    model: str
    outcome: Outcome
    http_status: int | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    cost: Decimal = Decimal(0)
    latency_ms: float = 0.0
    request_sha256: str | None = None
    response_sha256: str | None = None
    retry_after_s: float | None = None
    #: A short reason code with counts; never text from the call.
    detail: str | None = None
    #: The id its :class:`Intent` had (a refusal has an id of its own and no intent).
    attempt_id: str | None = None
    #: The ``service_tier`` the request carried (``flex``, ``default``); None when none.
    service_tier: str | None = None
    #: A flex route's attempt sent as a standard call: the window's flex share was gone.
    flex_fallback: bool = False


@dataclass
class ModelResponse:
    """The result of a call: the content when it succeeded, and every attempt made."""

    request: ModelRequest
    route: str
    model: str
    outcome: Outcome
    content: str | None = None
    parsed: dict[str, Any] | None = None
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK

    @property
    def tokens_in(self) -> int:
        return sum(a.tokens_in for a in self.attempts)

    @property
    def tokens_out(self) -> int:
        return sum(a.tokens_out for a in self.attempts)

    @property
    def cost(self) -> Decimal:
        return sum((a.cost for a in self.attempts), Decimal(0))


def cost_of(
    tokens_in: int,
    tokens_out: int,
    price_in_1m: Decimal,
    price_out_1m: Decimal,
    factor: Decimal = Decimal(1),
) -> Decimal:
    """Money for one attempt at the route's prices (per 1M tokens) times ``factor`` (flex is
    billed at batch prices), exact to 6 decimals."""
    raw = (Decimal(tokens_in) * price_in_1m + Decimal(tokens_out) * price_out_1m) / Decimal(10**6)
    raw *= factor
    return raw.quantize(Decimal("0.000001"))
