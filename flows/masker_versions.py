"""Which masker version a document's steps run under, and which map re-identifies an output.

The vault keeps one map per (document, content hash, masker version), and every step result
names the masker version of the text its step saw (``step_results.masker_version``). A step
result written before that column existed has none: it was masked with the version of the
**oldest** vault entry of its document's content (at migration 0009 the only one)
— :func:`resolve`.

**The rule for step chaining** (docs/masking.md, "Masker versions"): draft's prompt shows the
outputs of categorize and extract, and their placeholders must be those of the text draft sees.
So a document keeps the masker version of its first finished result (current content, active
prompt versions) until its content changes or none of its results is current any more
(:func:`run_version`); a document without one is masked by the current masker. Outputs of
another version (possible only when two processes with different maskers worked on one
document at once) are never shown to a step of this version (:func:`same_version`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Protocol

from sqlalchemy.orm import Session

from compliance.keys.encryption import DataKey
from compliance.keys.vault import VaultRecord, open_record
from storage.models import Document, VaultEntry
from storage.repositories.vault import VaultRepository


class Made(Protocol):
    """A stored step result, as far as its masker version goes."""

    @property
    def masker_version(self) -> str | None: ...

    @property
    def result_id(self) -> int: ...


def resolve(version: str | None, entries: Sequence[VaultEntry]) -> str | None:
    """A step result's masker version; None (a row from before migration 0009) is the version
    of the oldest of ``entries`` (the document's content's vault entries, oldest first)."""
    if version is not None:
        return version
    return entries[0].masker_version if entries else None


def run_version(finished: Iterable[Made], entries: Sequence[VaultEntry], current: str) -> str:
    """The masker version the pending steps of a document run under: that of its first
    finished result, or ``current`` (the masker's) when it has none."""
    first = min(finished, key=lambda made: made.result_id, default=None)
    if first is None:
        return current
    return resolve(first.masker_version, entries) or current


def same_version(
    finished: Mapping[str, Made], entries: Sequence[VaultEntry], version: str
) -> set[str]:
    """The finished steps whose output a step running under ``version`` may be shown."""
    return {s for s, made in finished.items() if resolve(made.masker_version, entries) == version}


def entry_of(entries: Sequence[VaultEntry], version: str | None) -> VaultEntry | None:
    return next((entry for entry in entries if entry.masker_version == version), None)


def open_entry(key: DataKey, entry: VaultEntry) -> VaultRecord:
    """The record sealed in ``entry`` (bound to its document, content and masker version)."""
    return open_record(
        key, entry.document_id, entry.content_hash, entry.masker_version, entry.sealed
    )


class VaultMaps:
    """The vault records of one document's current content, opened once each, by version."""

    def __init__(
        self, document: Document, entries: Sequence[VaultEntry], key: Callable[[], DataKey]
    ) -> None:
        self.document = document
        self.entries = list(entries)
        self._key = key
        self._records: dict[str, VaultRecord] = {}

    @classmethod
    def load(cls, session: Session, document: Document, key: Callable[[], DataKey]) -> VaultMaps:
        """``key`` gives the document's data key; it is asked for only if an entry is opened."""
        entries = VaultRepository(session).for_content(document.id, document.content_hash)
        return cls(document, entries, key)

    def record(self, version: str | None) -> VaultRecord | None:
        """The record of a step result's masker version (None as :func:`resolve` reads it)."""
        resolved = resolve(version, self.entries)
        entry = entry_of(self.entries, resolved) if resolved is not None else None
        if entry is None:
            return None
        if entry.masker_version not in self._records:
            self._records[entry.masker_version] = open_entry(self._key(), entry)
        return self._records[entry.masker_version]

    def mapping(self, version: str | None) -> dict[str, str] | None:
        record = self.record(version)
        return record.mapping if record is not None else None
