"""JSON Lines: one JSON object per line, UTF-8. Blank lines are skipped; ``where`` = ``path:line``.

A line over ``ingest.max_record_bytes`` is skipped without being held in memory whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from flows.config import IngestConfig
from flows.ingest.errors import RecordRejected
from flows.ingest.records import IncomingDocument, Rejection, json_problem, record_from_mapping
from flows.ingest.sizes import too_large
from storage.models import DocumentFormat

_BOM = b"\xef\xbb\xbf"
_CHUNK = 1 << 16


def read_jsonl(path: Path, config: IngestConfig) -> Iterator[IncomingDocument | Rejection]:
    limit = config.max_record_bytes
    with path.open("rb") as handle:
        offset = 0
        for number, (raw, size) in enumerate(_lines(handle, limit), start=1):
            where = f"{path}:{number}"
            start, offset = offset, offset + size
            if raw is None:
                yield Rejection(where, too_large(size, limit))
                continue
            if number == 1 and raw.startswith(_BOM):
                raw, start = raw[len(_BOM) :], start + len(_BOM)
            content = raw.rstrip(b"\r\n")
            if len(content) > limit:
                yield Rejection(where, too_large(len(content), limit))
            elif content.strip():
                try:
                    yield _record(content, where, start)
                except RecordRejected as exc:
                    yield Rejection(where, exc.reason)


def _lines(handle: BinaryIO, limit: int) -> Iterator[tuple[bytes | None, int]]:
    """(line, size in bytes) per line; the line is None when it is over ``limit`` bytes, and
    then the size leaves out the line break."""
    while True:
        line = handle.readline(limit + 2)
        if not line:
            return
        if len(line) <= limit + 1 or line.endswith(b"\n"):
            yield line, len(line)
            continue
        size = len(line)
        while not line.endswith(b"\n"):
            line = handle.readline(_CHUNK)
            size += len(line)
            if not line:
                break
        yield None, size - (len(line) - len(line.rstrip(b"\r\n")))


def _record(raw: bytes, where: str, start: int) -> IncomingDocument:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordRejected(
            f"invalid UTF-8 at byte {exc.start} of the line (byte {start + exc.start} of the file)"
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordRejected(f"invalid JSON: {json_problem(exc)}") from None
    except RecursionError:
        raise RecordRejected("invalid JSON: nested too deeply") from None
    if not isinstance(data, dict):
        raise RecordRejected(f"the line is a JSON {_json_type(data)}, not an object")
    return record_from_mapping(data, where=where, format=DocumentFormat.JSONL, size_bytes=len(raw))


def _json_type(value: object) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"
