"""The simulator's record of every batch line it received, and what became of it.

One entry per line of every batch that started running: the batch id, the line's number in
the input file, its ``custom_id``, ``model`` and ``body`` exactly as the uploaded file had them,
and its outcome once decided:

- ``pending`` while the batch runs;
- ``answered``: the completion engine answered (``status_code`` 200 goes to the output file
  and is what a provider bills; a fault's 4xx/5xx goes to the error file);
- ``failed`` (a status code and an error body, error file), ``error`` (an error-only line:
  ``response: null`` and an ``error`` object, error file);
- ``expired`` / ``cancelled``: not finished when the window closed or the batch was cancelled
  (error file, ``batch_expired`` / ``batch_cancelled``).

``GET /simulator/batch-lines`` returns :meth:`BatchLedger.summary`: the entries (bodies
included, optionally for one ``custom_id``), the count per outcome, and per ``custom_id`` across
all batches how many lines carried it (``submitted``) and how many were billed (``billed``: an
answer with status 200) — what a test needs to prove that no (document, step) was paid twice.
``POST /simulator/reset`` clears it with the request log.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

OUTCOMES = ("pending", "answered", "failed", "error", "expired", "cancelled")


@dataclass
class LedgerEntry:
    batch_id: str
    line: int
    custom_id: str
    model: str | None
    body: dict[str, Any]
    outcome: str = "pending"
    status_code: int | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def billed(self) -> bool:
        return self.outcome == "answered" and self.status_code == 200

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "line": self.line,
            "custom_id": self.custom_id,
            "model": self.model,
            "body": self.body,
            "outcome": self.outcome,
            "status_code": self.status_code,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "billed": self.billed,
        }


class BatchLedger:
    """Entries by (batch id, custom_id), in arrival order."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], LedgerEntry] = {}

    def received(self, batch_id: str, line: int, custom_id: str, body: dict[str, Any]) -> None:
        model = body.get("model")
        named = model if isinstance(model, str) else None
        self._entries[(batch_id, custom_id)] = LedgerEntry(batch_id, line, custom_id, named, body)

    def settle(
        self,
        batch_id: str,
        custom_id: str,
        outcome: str,
        status_code: int | None = None,
        usage: dict[str, Any] | None = None,
    ) -> None:
        entry = self._entries.get((batch_id, custom_id))
        if entry is None or entry.outcome != "pending":
            return
        entry.outcome = outcome
        entry.status_code = status_code
        entry.prompt_tokens = int((usage or {}).get("prompt_tokens", 0))
        entry.completion_tokens = int((usage or {}).get("completion_tokens", 0))

    def entries(self, custom_id: str | None = None) -> list[LedgerEntry]:
        return [e for e in self._entries.values() if custom_id is None or e.custom_id == custom_id]

    def per_custom_id(self) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        for entry in self._entries.values():
            seen = counts.setdefault(entry.custom_id, {"submitted": 0, "billed": 0})
            seen["submitted"] += 1
            seen["billed"] += int(entry.billed)
        return counts

    def summary(self, custom_id: str | None = None) -> dict[str, Any]:
        outcomes = Counter(entry.outcome for entry in self._entries.values())
        return {
            "counts": {outcome: outcomes[outcome] for outcome in OUTCOMES},
            "billed": sum(entry.billed for entry in self._entries.values()),
            "custom_ids": self.per_custom_id(),
            "lines": [entry.as_dict() for entry in self.entries(custom_id)],
        }

    def clear(self) -> None:
        self._entries.clear()
