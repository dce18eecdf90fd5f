"""``nightshift mask FILE|-``: what the masker would mask in one document, for tuning recognizers.

FILE is read like ``nightshift ingest`` reads it when its suffix is one ingest knows (``.eml``,
``.mbox``, ``.jsonl``, ``.csv``; ``--record N`` picks the N-th record, default the first);
any other file, and ``-`` (stdin), is taken as the body of one document.

The document is masked as the flows mask it: parts ``sender`` (``Name <address>``), ``subject``,
``body`` and ``attachment:<i>`` for each readable attachment, one placeholder space for all.

- The human output is for the operator at the terminal: a table of every masked span with its
  type, part, offsets, placeholder **and value**, then the masked parts.
- ``--json`` prints ``{"version", "masked": {part: text}, "entities": [{"type", "part", "start",
  "end", "placeholder"}], "counts": {type: n}}`` — **without values**: JSON output is made to be
  saved, piped and pasted into tickets, so it carries the masked text and the offsets only (the
  value of a span is ``original[start:end]`` for whoever holds the original).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from compliance.masking import Masker, MaskResult
from flows.config import IngestConfig
from flows.documents import DocumentPayload
from flows.ingest.readers import READERS, read_file
from flows.ingest.records import IncomingDocument, Rejection
from service.cli.support import err_console, fail, out_console, print_json, reported_errors

STDIN = "-"


def parts_of_payload(payload: DocumentPayload) -> dict[str, str]:
    """The texts of a document that are masked, keyed as the flows key them."""
    parts: dict[str, str] = {}
    sender = " ".join(
        p
        for p in (payload.from_name, f"<{payload.from_address}>" if payload.from_address else "")
        if p
    )
    if sender:
        parts["sender"] = sender
    parts["subject"] = payload.subject
    parts["body"] = payload.body
    for index, attachment in enumerate(payload.attachments):
        if attachment.readable and attachment.text:
            parts[f"attachment:{index}"] = attachment.text
    return parts


def mask_command(
    source: Annotated[
        str, typer.Argument(metavar="FILE|-", help="A document file, or - for text on stdin.")
    ],
    record: Annotated[
        int, typer.Option("--record", min=1, help="Which record of a multi-record file.")
    ] = 1,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the result as JSON on stdout (no values).")
    ] = False,
) -> None:
    """Show what would be masked in one document: types, spans, placeholders."""
    parts, sender_name = _read_document(source, record)
    with reported_errors():
        result = Masker.load().mask(parts, sender_name=sender_name)
    if json_output:
        print_json(_as_json(result))
    else:
        _print_human(parts, result)


def _read_document(source: str, record: int) -> tuple[dict[str, str], str | None]:
    if source == STDIN:
        return {"body": sys.stdin.read()}, None
    path = Path(source)
    if not path.is_file():
        fail(f"cannot read {source}: no such file (give a document file, or - for stdin)")
    if path.suffix.lower() not in READERS:
        try:
            return {"body": path.read_text(encoding="utf-8", errors="replace")}, None
        except OSError as exc:
            fail(f"cannot read {source}: {exc.strerror or type(exc).__name__}")
    document = _nth_document(path, record)
    return parts_of_payload(document.payload), document.payload.from_name


def _nth_document(path: Path, record: int) -> IncomingDocument:
    seen = 0
    for item in read_file(path, IngestConfig()):
        if isinstance(item, Rejection):
            err_console.print(f"skipped {item.where}: {item.reason}", highlight=False)
            continue
        seen += 1
        if seen == record:
            return item
    fail(f"{path} has {seen} readable record(s); --record {record} is not one of them")


def _as_json(result: MaskResult) -> dict[str, Any]:
    return {
        "version": result.version,
        "masked": result.parts,
        "entities": [
            {
                "type": e.entity_type,
                "part": e.part,
                "start": e.start,
                "end": e.end,
                "placeholder": e.placeholder,
            }
            for e in result.entities
        ],
        "counts": result.counts,
    }


def _print_human(parts: dict[str, str], result: MaskResult) -> None:
    table = Table(title=f"masked by {result.version} (values shown to you only)")
    for column in ("type", "part", "span", "placeholder", "value"):
        table.add_column(column)
    for e in result.entities:
        value = parts[e.part][e.start : e.end]
        cells = (e.entity_type, e.part, f"{e.start}-{e.end}", e.placeholder, value)
        table.add_row(*(Text(cell) for cell in cells))
    out_console.print(table)
    counts = ", ".join(f"{kind} {n}" for kind, n in sorted(result.counts.items())) or "nothing"
    out_console.print(f"counts: {counts}", highlight=False)
    for name, text in result.parts.items():
        out_console.rule(name)
        out_console.print(text, highlight=False, markup=False)
