"""CSV with a header row (UTF-8, optional BOM; Excel dialect). ``where`` = ``path:row N``.

Rows are numbered from 1 after the header, so ``row 1`` is the first record. Header names are
stripped and lower-cased; a ``body`` column is required. Empty cells count as absent (an empty
``body`` cell is an empty body).
``attachments`` and ``labels`` cells hold JSON; ``to``/``cc`` hold a list of addresses as text
(or a JSON array). A row with more cells than the header has is rejected.
"""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from flows.config import IngestConfig
from flows.ingest.errors import RecordRejected
from flows.ingest.records import IncomingDocument, Rejection, json_problem, record_from_mapping
from flows.ingest.sizes import too_large
from storage.models import DocumentFormat

_BOM = "\ufeff"
_JSON_COLUMNS = ("attachments", "labels")
_LIST_COLUMNS = ("to", "cc")


class _Lines:
    """Decodes a binary file line by line for :mod:`csv`, remembering bad UTF-8 and sizes."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self.offset = 0
        self.row_bytes = 0
        self.bad_utf8: int | None = None

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self._handle.readline()
        if not line:
            raise StopIteration
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            if self.bad_utf8 is None:
                self.bad_utf8 = self.offset + exc.start
            text = line.decode("utf-8", errors="replace")
        self.offset += len(line)
        self.row_bytes += len(line)
        return text

    def next_row(self) -> None:
        self.row_bytes = 0
        self.bad_utf8 = None


def read_csv(path: Path, config: IngestConfig) -> Iterator[IncomingDocument | Rejection]:
    # The csv module's field limit is process-wide; raise it (never lower it) to our record limit.
    csv.field_size_limit(max(csv.field_size_limit(), config.max_record_bytes + 1))
    with path.open("rb") as handle:
        lines = _Lines(handle)
        rows = csv.reader(lines)
        try:
            header = _header(next(rows, None))
        except RecordRejected as exc:
            yield Rejection(str(path), exc.reason)
            return
        for number in itertools.count(1):
            lines.next_row()
            try:
                cells = next(rows)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Rejection(f"{path}:row {number}", _csv_problem(exc, config))
                continue
            if any(cell.strip() for cell in cells):
                yield _row(header, cells, lines, f"{path}:row {number}", config)


def _header(cells: list[str] | None) -> list[str]:
    if not cells:
        raise RecordRejected("empty CSV file: no header row")
    names = [cell.removeprefix(_BOM).strip().lower() for cell in cells]
    if "body" not in names:
        raise RecordRejected("the CSV header has no body column")
    if len(set(names)) != len(names):
        raise RecordRejected("the CSV header names a column twice")
    return names


def _csv_problem(exc: csv.Error, config: IngestConfig) -> str:
    if "field larger than field limit" in str(exc):
        return too_large(config.max_record_bytes + 1, config.max_record_bytes).replace(
            "record is", "a cell is over", 1
        )
    return f"invalid CSV: {exc}"


def _row(
    header: list[str], cells: list[str], lines: _Lines, where: str, config: IngestConfig
) -> IncomingDocument | Rejection:
    if lines.bad_utf8 is not None:
        return Rejection(where, f"invalid UTF-8 at byte {lines.bad_utf8} of the file")
    if lines.row_bytes > config.max_record_bytes:
        return Rejection(where, too_large(lines.row_bytes, config.max_record_bytes))
    if len(cells) > len(header):
        return Rejection(where, f"the row has {len(cells)} cells but the header has {len(header)}")
    try:
        data = _values(dict(zip(header, cells, strict=False)))
        return record_from_mapping(
            data, where=where, format=DocumentFormat.CSV, size_bytes=lines.row_bytes
        )
    except RecordRejected as exc:
        return Rejection(where, exc.reason)


def _values(row: dict[str, str]) -> dict[str, Any]:
    """CSV cells as record values: empty cells dropped, JSON cells decoded."""
    data: dict[str, Any] = {
        key: value for key, value in row.items() if value.strip() or key == "body"
    }
    for key in _JSON_COLUMNS:
        if key in data:
            data[key] = _json_cell(key, data[key])
    for key in _LIST_COLUMNS:
        if key in data and data[key].lstrip().startswith("["):
            data[key] = _json_cell(key, data[key])
    return data


def _json_cell(column: str, value: str) -> Any:
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise RecordRejected(
            f"column {column} is not valid JSON: {json_problem(exc, 'character')}"
        ) from None
