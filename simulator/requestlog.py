"""The simulator's own record of every chat-completion request it received.

Each request leaves exactly one entry, written when its outcome is decided: a hang is recorded
the moment it starts (with status 504, what a client still waiting after ``hang_seconds``
receives), everything else when its response is sent. ``latency_ms`` is the delay the
simulator applied. Batch lines are recorded too, with their ``batch_id``. ``key`` is the bearer
token the caller sent (``anonymous`` without one): keys given to a simulator are not secrets.

``received`` counts the chat-completion requests that arrived, the moment each arrives (before
it is parsed, limited or answered): ``received`` minus the entries is what is still in flight,
and after a client is killed it is exactly how many requests reached the provider.

``GET /simulator/requests`` returns :meth:`RequestLog.summary`; ``POST /simulator/reset``
calls :meth:`RequestLog.clear`. With a ``log_file`` every entry is also appended to that file as
one JSON line; the file is never truncated, a reset appends ``{"event": "reset", "time": …}``.
"""

from __future__ import annotations

import enum
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


class Outcome(enum.StrEnum):
    OK = "ok"
    RATE_LIMITED = "rate_limited"
    #: 429 to a flex request: no capacity now (not a rate limit).
    RESOURCE_UNAVAILABLE = "resource_unavailable"
    SERVER_ERROR = "server_error"
    HANG = "hang"
    MALFORMED = "malformed"
    EMPTY = "empty"
    BAD_REQUEST = "bad_request"


@dataclass(frozen=True)
class LogEntry:
    seq: int
    time: float
    key: str
    model: str
    outcome: Outcome
    status: int
    prompt_tokens: int
    completion_tokens: int
    latency_ms: float
    request_id: str
    batch_id: str | None = None
    #: The ``service_tier`` the request asked for; None when it named none.
    service_tier: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["outcome"] = self.outcome.value
        return data


@dataclass(frozen=True)
class Observation:
    """What the engine knows about a request when it records it."""

    key: str
    model: str
    outcome: Outcome
    status: int
    request_id: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: float = 0.0
    batch_id: str | None = None
    service_tier: str | None = None


class RequestLog:
    """In-memory list of entries, optionally mirrored to a JSONL file."""

    def __init__(self, wall_clock: Callable[[], float], path: Path | None = None) -> None:
        self._wall_clock = wall_clock
        self._path = path
        self._entries: list[LogEntry] = []
        self.received = 0

    def arrived(self) -> None:
        """Count one chat-completion request as it arrives."""
        self.received += 1

    def record(self, seen: Observation) -> LogEntry:
        entry = LogEntry(
            seq=len(self._entries) + 1,
            time=self._wall_clock(),
            key=seen.key,
            model=seen.model,
            outcome=seen.outcome,
            status=seen.status,
            prompt_tokens=seen.prompt_tokens,
            completion_tokens=seen.completion_tokens,
            latency_ms=seen.latency_ms,
            request_id=seen.request_id,
            batch_id=seen.batch_id,
            service_tier=seen.service_tier,
        )
        self._entries.append(entry)
        self._append_line(entry.as_dict())
        return entry

    def entries(self) -> list[LogEntry]:
        return list(self._entries)

    def counts(self) -> dict[str, int]:
        """Entries per outcome; every outcome is present, 0 when it never happened."""
        seen = Counter(entry.outcome for entry in self._entries)
        return {outcome.value: seen[outcome] for outcome in Outcome}

    def summary(self) -> dict[str, Any]:
        return {
            "counts": self.counts(),
            "received": self.received,
            "entries": [entry.as_dict() for entry in self._entries],
        }

    def clear(self) -> None:
        self._entries.clear()
        self.received = 0
        self._append_line({"event": "reset", "time": self._wall_clock()})

    def _append_line(self, data: dict[str, Any]) -> None:
        if self._path is None:
            return
        with self._path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(data, ensure_ascii=False) + "\n")
