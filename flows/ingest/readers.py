"""Which files to read and which reader reads each one.

Paths are taken in the order given; folders are walked recursively in sorted order, skipping
hidden entries (names starting with ``.``), so the same tree always reads the same way. A file
listed twice is read once. Before a reader opens a file, its first bytes are checked: a binary
file is rejected as a whole ("binary file"), then a suffix nightshift does not read is rejected
("unsupported file type").
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from flows.config import IngestConfig
from flows.ingest.csv_reader import read_csv
from flows.ingest.email_reader import read_eml, read_mbox
from flows.ingest.jsonl import read_jsonl
from flows.ingest.records import IncomingDocument, Rejection
from flows.ingest.sniff import SAMPLE_BYTES, binary_file_reason

Item = IncomingDocument | Rejection
Reader = Callable[[Path, IngestConfig], Iterator[Item]]

READERS: dict[str, Reader] = {
    ".jsonl": read_jsonl,
    ".csv": read_csv,
    ".eml": read_eml,
    ".mbox": read_mbox,
}


@dataclass(frozen=True)
class SourceFile:
    path: Path
    size: int


def list_files(paths: Iterable[Path]) -> tuple[list[SourceFile], list[Rejection]]:
    """The files to read under ``paths`` and the paths that cannot be listed."""
    files: list[SourceFile] = []
    problems: list[Rejection] = []
    seen: set[Path] = set()
    for path in paths:
        for found in _walk(path, problems):
            try:
                key, size = found.resolve(), found.stat().st_size
            except OSError as exc:
                problems.append(Rejection(str(found), _os_reason(exc)))
                continue
            if key not in seen:
                seen.add(key)
                files.append(SourceFile(found, size))
    return files, problems


def _walk(path: Path, problems: list[Rejection]) -> Iterator[Path]:
    try:
        is_dir = stat.S_ISDIR(path.stat().st_mode)
    except FileNotFoundError:
        problems.append(Rejection(str(path), "no such file or directory"))
        return
    except OSError as exc:
        problems.append(Rejection(str(path), _os_reason(exc)))
        return
    if not is_dir:
        yield path
        return

    def on_error(exc: OSError) -> None:
        problems.append(Rejection(str(exc.filename or path), _os_reason(exc)))

    for root, dirs, names in os.walk(path, onerror=on_error):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if not name.startswith("."):
                yield Path(root) / name


def read_file(path: Path, config: IngestConfig) -> Iterator[Item]:
    """Every record of one file, or one rejection for the whole file."""
    try:
        with path.open("rb") as handle:
            sample = handle.read(SAMPLE_BYTES)
        binary = binary_file_reason(sample)
        if binary:
            yield Rejection(str(path), binary)
            return
        reader = READERS.get(path.suffix.lower())
        if reader is None:
            yield Rejection(str(path), _unsupported(path))
            return
        yield from reader(path, config)
    except OSError as exc:
        yield Rejection(str(path), _os_reason(exc))


def _unsupported(path: Path) -> str:
    suffix = path.suffix.lower() or "(none)"
    return f"unsupported file type {suffix}; nightshift reads {', '.join(READERS)} files"


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "unreadable file: permission denied"
    detail = (exc.strerror or type(exc).__name__).lower()
    return f"unreadable file: {detail}"
