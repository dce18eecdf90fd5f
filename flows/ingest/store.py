"""Storing incoming documents: new, changed or unchanged, in batches, payload encrypted.

For each record the identity key (source + external id, or source + content hash) is looked up:

- not there → **new**: inserted with revision 1, status pending;
- there with the same content hash → **unchanged**: nothing is touched;
- there with another content hash → **changed**: the payload is sealed again under a new data
  key, ``revision`` += 1, status back to pending.

Ownership: a writer for a caller key (``owner_key_id``, the HTTP API) stamps the documents it
creates with that key, and touches no document the key does not own — not even an unchanged one:
a batch naming one raises :class:`~flows.ingest.errors.OwnedElsewhere` before anything is
written. A writer without an owner (the CLI, the nightly ingest) leaves every owner as it is.

Records are written in batches of ``batch_size`` (default 500): one identity lookup query and
one commit per batch, so a large ingest never holds one giant transaction and a failure loses at
most the batch in flight (re-running the ingest is idempotent). The same identity twice in one
ingest: the later record wins and counts as changed or unchanged relative to the earlier one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from compliance.keys.encryption import KeyRing
from flows.config import IngestConfig
from flows.documents import seal_payload
from flows.ingest.errors import IngestError, OwnedElsewhere
from flows.ingest.normalize import identity_key
from flows.ingest.readers import Item, list_files, read_file
from flows.ingest.records import IncomingDocument, Rejection
from storage.engine import transaction
from storage.models import Document, DocumentStatus
from storage.repositories import DocumentRepository

DEFAULT_SOURCE = "cli"
DEFAULT_BATCH_SIZE = 500
MAX_SOURCE_LENGTH = 100


class IngestProgress(Protocol):
    """Receives progress in bytes of input read (for a progress bar; no text ever)."""

    def begin(self, total_bytes: int) -> None: ...

    def advance(self, read_bytes: int) -> None: ...


@dataclass
class IngestReport:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    files: int = 0
    #: Unknown record keys that were ignored, with how many records carried each.
    ignored_fields: Counter[str] = field(default_factory=Counter)
    #: Attachments kept by filename only (not text: PDF, images … need OCR).
    unreadable_attachments: int = 0

    @property
    def documents(self) -> int:
        """Records read and stored (or found unchanged)."""
        return self.new + self.changed + self.unchanged

    def as_dict(self) -> dict[str, Any]:
        return {
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "rejected": [item.as_dict() for item in self.rejected],
            "documents": self.documents,
            "files": self.files,
            "ignored_fields": dict(sorted(self.ignored_fields.items())),
            "unreadable_attachments": self.unreadable_attachments,
        }


def check_source(source: str) -> str:
    fits = 0 < len(source) <= MAX_SOURCE_LENGTH
    if not fits or not source.isprintable() or source.strip() != source:
        raise IngestError(
            f"the source name must be 1 to {MAX_SOURCE_LENGTH} printable characters without "
            "leading or trailing spaces, e.g. --source branch-almaty"
        )
    return source


def ingest_paths(
    sessions: sessionmaker[Session],
    keyring: KeyRing,
    paths: Iterable[Path],
    *,
    source: str = DEFAULT_SOURCE,
    config: IngestConfig | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: IngestProgress | None = None,
) -> IngestReport:
    """Read ``paths`` (files and folders) and store every valid record; see the module doc."""
    config = config or IngestConfig()
    writer = DocumentWriter(sessions, keyring, source, batch_size=batch_size)
    files, problems = list_files(paths)
    writer.report.rejected.extend(problems)
    writer.report.files = len(files)
    if progress is not None:
        progress.begin(sum(item.size for item in files))
    for item in files:
        read = 0
        for record in read_file(item.path, config):
            writer.add(record)
            if progress is not None and isinstance(record, IncomingDocument):
                step = min(record.size_bytes, item.size - read)
                read += step
                progress.advance(step)
        if progress is not None:
            progress.advance(item.size - read)
    writer.flush()
    return writer.report


class DocumentWriter:
    """Takes records one by one and writes them in batches; ``report`` counts the outcome."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        keyring: KeyRing,
        source: str,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        owner_key_id: str | None = None,
    ) -> None:
        self.sessions = sessions
        self.keyring = keyring
        self.source = check_source(source)
        self.batch_size = max(1, batch_size)
        self.owner_key_id = owner_key_id
        self.report = IngestReport()
        self._batch: list[tuple[str, IncomingDocument]] = []

    def add(self, item: Item) -> None:
        if isinstance(item, Rejection):
            self.report.rejected.append(item)
            return
        self.report.ignored_fields.update(item.ignored_fields)
        self.report.unreadable_attachments += item.unreadable_attachments
        key = identity_key(self.source, item.external_id, item.content_hash)
        self._batch.append((key, item))
        if len(self._batch) >= self.batch_size:
            self.flush()

    def flush(self) -> dict[str, int]:
        """Write the pending batch in one transaction (one lookup query, one commit); returns
        the document id of each identity key written (new, changed or unchanged)."""
        if not self._batch:
            return {}
        batch, self._batch = self._batch, []
        with transaction(self.sessions) as session:
            repository = DocumentRepository(session)
            known = repository.by_identity_keys([key for key, _ in batch])
            self._check_owner(batch, known)
            for key, record in batch:
                document = known.get(key)
                if document is None:
                    known[key] = repository.add(self._new_document(key, record))
                    self.report.new += 1
                elif document.content_hash == record.content_hash:
                    self.report.unchanged += 1
                else:
                    self._change(document, record)
                    self.report.changed += 1
            session.flush()  # assigns the new documents' ids
            return {key: known[key].id for key, _ in batch}

    def _check_owner(
        self, batch: list[tuple[str, IncomingDocument]], known: dict[str, Document]
    ) -> None:
        """Raise :class:`OwnedElsewhere` if a record of an owned batch names a document of
        another owner (or of none); a writer without an owner checks nothing."""
        if self.owner_key_id is None:
            return
        taken = [
            record.where
            for key, record in batch
            if key in known and known[key].owner_key_id != self.owner_key_id
        ]
        if taken:
            raise OwnedElsewhere(taken)

    def _new_document(self, key: str, record: IncomingDocument) -> Document:
        document = Document(
            source=self.source,
            external_id=record.external_id,
            identity_key=key,
            revision=1,
            owner_key_id=self.owner_key_id,
        )
        self._fill(document, record)
        return document

    def _change(self, document: Document, record: IncomingDocument) -> None:
        document.revision += 1
        self._fill(document, record)

    def _fill(self, document: Document, record: IncomingDocument) -> None:
        sealed = seal_payload(self.keyring, document.identity_key, record.payload)
        document.content_hash = record.content_hash
        document.format = record.format
        document.received_at = record.received_at
        document.size_bytes = record.size_bytes
        document.attachment_count = len(record.payload.attachments)
        document.urgent = record.urgent
        document.status = DocumentStatus.PENDING
        document.key_id = sealed.key_id
        document.wrapped_key = sealed.wrapped_key
        document.payload = sealed.payload
