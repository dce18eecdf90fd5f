"""Audit entries: what one attempt at a model call leaves in the log, as canonical JSON.

An entry holds hashes, counts, ids, usage and the outcome — never text from the call and never
a value that was masked. It is serialized as **canonical JSON**: keys sorted, no whitespace,
UTF-8 (``ensure_ascii=False``), no floating-point numbers (durations are integer micro- or
milliseconds, money is a decimal string), so the same entry always has the same bytes. Those
bytes are what the Merkle tree hashes (``leaf = SHA-256(0x00 ‖ bytes)``), what the database
stores and what ``nightshift audit export`` writes, byte for byte.

:data:`FIELDS` is the schema; ``docs/audit.md`` carries :func:`schema_markdown` verbatim (a
test keeps the two equal).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from compliance.audit.errors import EntryError

#: Version of the entry format; bump it when a field is added, renamed or changes meaning.
#: v2 (0008) added ``attempt_id`` and ``kind``: an attempt that sends a request is an ``intent``
#: entry committed before the request leaves the process and an ``outcome`` entry after it.
#: v3 added ``service_tier``: the tier the request carried (``flex`` at batch prices).
ENTRY_VERSION = 3
#: Kinds of v2 entries; a v1 entry is one whole attempt (what ``outcome`` is in v2).
INTENT = "intent"
OUTCOME = "outcome"
#: The ``outcome`` of an intent entry: it is written before there is one.
PENDING = "pending"


@dataclass(frozen=True)
class EntryField:
    name: str
    json_type: str
    description: str


FIELDS: tuple[EntryField, ...] = (
    EntryField("attempt", "integer", "Attempt number within the call, from 1 (retries add one)."),
    EntryField(
        "attempt_id",
        "string or null",
        "Id of the attempt (32 hex digits), the same in its intent and its outcome entry. "
        "Since v2.",
    ),
    EntryField(
        "caller_key_id",
        "string or null",
        "Caller key the call was made for; null for the service itself.",
    ),
    EntryField(
        "cost",
        "string",
        "Cost of this attempt at the route's prices, a decimal string with 6 places.",
    ),
    EntryField(
        "detail",
        "string or null",
        "Short reason code (e.g. `HTTP 429`, a refusal reason); never text from the call.",
    ),
    EntryField("document_id", "integer or null", "Document the call was about."),
    EntryField("endpoint_host", "string or null", "Host (and port) of the route's base URL."),
    EntryField(
        "http_status",
        "integer or null",
        "HTTP status of the answer; null when there was none (refused, timeout, connection error).",
    ),
    EntryField(
        "kind",
        "string",
        "`intent`: committed before the request is sent (outcome `pending`, no usage yet); "
        "`outcome`: how the attempt ended (a refused attempt, which sends nothing, has only "
        "this one). Since v2.",
    ),
    EntryField("latency_us", "integer", "Time the attempt took, in microseconds."),
    EntryField(
        "masked_counts",
        "object",
        "What was masked in the prompt, as counts per entity "
        'type (`{"PERSON": 2}`); never the values.',
    ),
    EntryField("model", "string", "Model name the route sends."),
    EntryField(
        "outcome",
        "string",
        "How the attempt ended: ok, rate_limited, resource_unavailable (a flex call's 429), "
        "server_error, "
        "client_error, timeout, connection_error, empty, invalid_json, schema_invalid, "
        "refused; `pending` in an intent entry.",
    ),
    EntryField(
        "path",
        "string",
        "nightly, online (`nightshift process`, `POST /v1/process`) or api "
        "(`POST /v1/chat/completions`).",
    ),
    EntryField(
        "prompt_version",
        "string",
        "Version of the prompt used (`extract.v1` …); `api.chat.v1` for `chat`.",
    ),
    EntryField("region", "string or null", "ISO 3166-1 country of the route's endpoint."),
    EntryField(
        "request_sha256",
        "string or null",
        "`sha256:<hex>` of the exact request body sent; null when nothing was sent.",
    ),
    EntryField(
        "response_sha256",
        "string or null",
        "`sha256:<hex>` of the response body received; null when none was.",
    ),
    EntryField(
        "retry_after_ms", "integer or null", "The provider's `retry-after`, in milliseconds."
    ),
    EntryField("route", "string", "Name of the route (configured model endpoint)."),
    EntryField(
        "run_id", "string or null", "Run (nightly, online request, re-run) the call belonged to."
    ),
    EntryField("seq", "integer", "Position in the log: the Merkle leaf index, from 0, contiguous."),
    EntryField(
        "service_tier",
        "string or null",
        "The `service_tier` the request carried: `flex` (batch prices, may answer "
        "`resource_unavailable`) or `default`; null when none was sent. Since v3.",
    ),
    EntryField(
        "step",
        "string",
        "extract, categorize or draft; `chat` for a completion proxied by "
        "`POST /v1/chat/completions`.",
    ),
    EntryField(
        "time", "string", "When the attempt was recorded: UTC, RFC 3339, microseconds, `Z`."
    ),
    EntryField("tokens_in", "integer", "Prompt tokens the provider reported."),
    EntryField("tokens_out", "integer", "Completion tokens the provider reported."),
    EntryField("v", "integer", f"Entry format version (currently {ENTRY_VERSION})."),
)

FIELD_NAMES = frozenset(field.name for field in FIELDS)
#: The fields of a v2 entry (logs written before flex hold them; they stay valid).
V2_FIELD_NAMES = FIELD_NAMES - {"service_tier"}
#: The fields of a v1 entry (logs written before 0008 hold them; they stay valid).
V1_FIELD_NAMES = V2_FIELD_NAMES - {"attempt_id", "kind"}
#: Fields an entry has before the log assigns its ``seq``.
DRAFT_FIELDS = FIELD_NAMES - {"seq"}
_FIELDS_OF_VERSION = {1: V1_FIELD_NAMES, 2: V2_FIELD_NAMES, ENTRY_VERSION: FIELD_NAMES}


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8, no NaN: one byte string per value."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def format_time(moment: datetime) -> str:
    """RFC 3339 in UTC with microseconds and ``Z`` (``2026-11-27T01:02:03.000004Z``)."""
    if moment.tzinfo is None:
        raise ValueError("an audit time must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> datetime:
    """The aware UTC time of :func:`format_time`'s text."""
    if not text.endswith("Z"):
        raise ValueError(f"not an RFC 3339 UTC time: {text!r}")
    return datetime.fromisoformat(text).astimezone(UTC)


def encode_entry(draft: Mapping[str, Any], seq: int) -> bytes:
    """The bytes of the entry ``draft`` gets at position ``seq`` (a v2 draft; a v1 one in tests
    of old logs)."""
    version = draft.get("v")
    fields = _FIELDS_OF_VERSION.get(version, FIELD_NAMES) if type(version) is int else FIELD_NAMES
    wanted = fields - {"seq"}
    if draft.keys() != wanted:
        missing = sorted(wanted - draft.keys())
        extra = sorted(draft.keys() - wanted)
        raise EntryError(f"an audit entry draft has missing fields {missing} or extra {extra}")
    return canonical_json({**draft, "seq": seq})


def decode_entry(data: bytes, *, canonical: bool = True) -> dict[str, Any]:
    """Parse entry bytes; refuse anything that is not exactly a canonical entry.

    ``canonical=False`` skips re-serialising to compare (a third of the cost) where the bytes
    are already bound to a hash recorded when they were written."""
    try:
        value = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise EntryError("not JSON") from None
    if not isinstance(value, dict):
        raise EntryError("not a JSON object")
    version = value.get("v")
    fields = _FIELDS_OF_VERSION.get(version) if type(version) is int else None
    if fields is None or value.keys() != fields:
        raise EntryError("fields differ from the entry schema of its version (v1, v2 or v3)")
    if fields is not V1_FIELD_NAMES and value["kind"] not in (INTENT, OUTCOME):
        raise EntryError("kind is neither intent nor outcome")
    if canonical and canonical_json(value) != data:
        raise EntryError("not in canonical form")
    if not isinstance(value["seq"], int):
        raise EntryError("seq is not an integer")
    return value


def schema_markdown() -> str:
    """The entry schema as a Markdown table (``docs/audit.md`` holds it verbatim)."""
    lines = ["| field | JSON type | meaning |", "|---|---|---|"]
    lines += [f"| `{f.name}` | {f.json_type} | {f.description} |" for f in FIELDS]
    return "\n".join(lines) + "\n"
