"""Attempts from entries: what ``nightshift audit query`` and ``GET /v1/audit/entries`` list.

An attempt that sent a request is two entries linked by ``attempt_id`` — its ``intent``,
committed before the request left, and its ``outcome`` — and a refused attempt or a v1 entry is
one. :func:`merge_attempt` makes one record of them, so "requests the provider received ==
attempts listed" can be checked by counting:

- the fields of the outcome entry (of the intent while there is none, with outcome
  ``unknown``), without ``kind``; ``attempt_id`` is null for a v1 entry;
- ``seq`` and ``time`` of the attempt's first entry (what ``--from``/``--to`` select on);
- ``entries``: the seqs of its entries, intent first — each proven on its own
  (``nightshift audit proof SEQ``).
"""

from __future__ import annotations

import json
from typing import Any

from compliance.audit.entries import INTENT

#: The outcome of an attempt whose intent has no outcome entry.
UNKNOWN = "unknown"


def merge_attempt(first: bytes, outcome: bytes | None) -> dict[str, Any]:
    """One record of an attempt from its first entry and, for an intent, its outcome entry."""
    head: dict[str, Any] = json.loads(first)
    if head.get("kind") != INTENT:
        record, entries = head, [head["seq"]]
    elif outcome is None:
        record, entries = {**head, "outcome": UNKNOWN}, [head["seq"]]
    else:
        end = json.loads(outcome)
        record = {**end, "seq": head["seq"], "time": head["time"]}
        entries = [head["seq"], end["seq"]]
    record.pop("kind", None)
    record.setdefault("attempt_id", None)
    record["entries"] = entries
    return record
