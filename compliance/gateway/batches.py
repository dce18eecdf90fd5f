"""What the batch path is made of: sealed request lines, input files split at the route's
limits, and the provider's view of a batch and of its result lines. No SDK here: the calls to
``/v1/files`` and ``/v1/batches`` are :class:`~compliance.gateway.gateway.Gateway`'s.

A :class:`BatchLine` is made only by :meth:`Gateway.batch_line
<compliance.gateway.gateway.Gateway.batch_line>`, after the same residency and masking guards an
online call passes, from the same body an online call would send; its constructor refuses any
other caller (the seal below), and :func:`input_file` takes nothing but lines. So no text reaches
an input file except through the guards — by construction, not by convention (docs/batch.md).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from compliance.gateway.calls import ModelRequest

#: The endpoint every line of a nightshift batch asks for.
ENDPOINT = "/v1/chat/completions"
#: Only this module's :func:`seal_line`, called by the gateway after its guards, holds it.
_SEAL = object()


@dataclass(frozen=True)
class BatchLine:
    """One request line of a batch input file, built from a guarded, masked request."""

    custom_id: str
    route: str
    model: str
    #: The request it was built from, for the audit entries (ids and counts; observers never
    #: read its messages).
    request: ModelRequest
    #: The JSONL line as uploaded, newline included.
    data: bytes
    #: ``sha256:<hex>`` of the line's ``body`` as serialized in the file.
    request_sha256: str
    #: The audit attempt id of this line (its intent and outcome entries share it).
    attempt_id: str
    #: 1, or 2 for the one resubmission a key may have.
    attempt: int = 1
    _seal: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._seal is not _SEAL:
            raise TypeError(
                "a BatchLine is made by Gateway.batch_line only, after the residency and "
                "masking guards"
            )


def seal_line(
    custom_id: str,
    route: str,
    model: str,
    request: ModelRequest,
    body: Mapping[str, Any],
    attempt_id: str,
    attempt: int,
) -> BatchLine:
    """The line for ``body``; called by the gateway once the request passed its guards."""
    body_bytes = _dumps(body)
    data = (
        b'{"custom_id":'
        + _dumps(custom_id)
        + b',"method":"POST","url":'
        + _dumps(ENDPOINT)
        + b',"body":'
        + body_bytes
        + b"}\n"
    )
    return BatchLine(
        custom_id=custom_id,
        route=route,
        model=model,
        request=request,
        data=data,
        request_sha256="sha256:" + hashlib.sha256(body_bytes).hexdigest(),
        attempt_id=attempt_id,
        attempt=attempt,
        _seal=_SEAL,
    )


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class LineTooLarge(ValueError):
    """One line alone is over the route's ``batch_max_bytes``."""


def split_files(
    lines: Sequence[BatchLine], max_requests: int, max_bytes: int
) -> list[list[BatchLine]]:
    """The lines in input files of at most ``max_requests`` lines and ``max_bytes`` bytes, in
    order. All lines must be for one route and model (one model per file)."""
    if len({(line.route, line.model) for line in lines}) > 1:
        raise ValueError("a batch input file holds the lines of one route and model only")
    files: list[list[BatchLine]] = []
    current: list[BatchLine] = []
    size = 0
    for line in lines:
        if len(line.data) > max_bytes:
            raise LineTooLarge(f"line {line.custom_id} has {len(line.data)} bytes > {max_bytes}")
        if current and (len(current) >= max_requests or size + len(line.data) > max_bytes):
            files.append(current)
            current, size = [], 0
        current.append(line)
        size += len(line.data)
    if current:
        files.append(current)
    return files


def input_file(lines: Sequence[BatchLine]) -> bytes:
    """The JSONL content of one input file."""
    for line in lines:
        if not isinstance(line, BatchLine):
            raise TypeError("a batch input file is made of BatchLine objects only")
    return b"".join(line.data for line in lines)


@dataclass(frozen=True)
class BatchInfo:
    """The provider's view of one batch (what the collector needs)."""

    id: str
    status: str
    input_file_id: str | None
    output_file_id: str | None
    error_file_id: str | None
    total: int
    completed: int
    failed: int

    @classmethod
    def of(cls, batch: Any) -> BatchInfo:
        counts = getattr(batch, "request_counts", None)
        return cls(
            id=str(batch.id),
            status=str(batch.status),
            input_file_id=batch.input_file_id,
            output_file_id=batch.output_file_id,
            error_file_id=batch.error_file_id,
            total=int(getattr(counts, "total", 0) or 0),
            completed=int(getattr(counts, "completed", 0) or 0),
            failed=int(getattr(counts, "failed", 0) or 0),
        )


@dataclass(frozen=True)
class ResultLine:
    """One line of a batch's output or error file."""

    custom_id: str
    status_code: int | None
    body: dict[str, Any] | None
    #: ``sha256:<hex>`` of the line as received.
    response_sha256: str
    error_code: str | None = None


def parse_result_lines(content: bytes) -> list[ResultLine]:
    """The lines of an output or error file; unreadable lines are skipped (they count as
    missing, and missing lines are resubmitted)."""
    results = []
    for raw in content.splitlines():
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
        except ValueError:
            continue
        if not isinstance(item, dict) or not isinstance(item.get("custom_id"), str):
            continue
        response: dict[str, Any] = (
            item["response"] if isinstance(item.get("response"), dict) else {}
        )
        error: dict[str, Any] = item["error"] if isinstance(item.get("error"), dict) else {}
        body = response.get("body") if isinstance(response.get("body"), dict) else None
        status = response.get("status_code")
        results.append(
            ResultLine(
                custom_id=item["custom_id"],
                status_code=status if isinstance(status, int) else None,
                body=body,
                response_sha256="sha256:" + hashlib.sha256(raw).hexdigest(),
                error_code=str(error["code"]) if error.get("code") else None,
            )
        )
    return results
