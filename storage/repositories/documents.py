"""The queries of the ``documents`` table.

A repository works inside the caller's session and never commits: the flow or request boundary
owns the unit of work (:func:`storage.engine.transaction`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from storage.models.documents import Document, DocumentStatus

#: Keys per ``IN (...)`` query; well below SQLite's and PostgreSQL's bound-parameter limits.
LOOKUP_BATCH = 500
#: One prepared UPDATE for :meth:`DocumentRepository.set_statuses`, executed for many rows.
_DOCUMENTS = Document.metadata.tables["documents"]
_SET_STATUS = (
    update(_DOCUMENTS)
    .where(_DOCUMENTS.c.id == bindparam("document_id"))
    .values(status=bindparam("new_status"))
)
#: Compare-and-set of a wrapped data key: the row must still hold the key that was read.
_REPLACE_WRAPPED_KEY = (
    update(_DOCUMENTS)
    .where(
        _DOCUMENTS.c.id == bindparam("document_id"),
        _DOCUMENTS.c.key_id == bindparam("old_key_id"),
        _DOCUMENTS.c.wrapped_key == bindparam("old_wrapped_key"),
    )
    .values(key_id=bindparam("new_key_id"), wrapped_key=bindparam("new_wrapped_key"))
)


@dataclass(frozen=True)
class WrappedKeyRow:
    """What re-wrapping a document's data key needs from its row (no text)."""

    id: int
    identity_key: str
    key_id: str
    wrapped_key: bytes


@dataclass(frozen=True)
class WrappedKeyChange:
    """One document's data key, wrapped by ``new_key_id`` instead of ``old_key_id``."""

    id: int
    old_key_id: str
    old_wrapped_key: bytes
    new_key_id: str
    new_wrapped_key: bytes


class DocumentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, document_id: int) -> Document | None:
        return self.session.get(Document, document_id)

    def add(self, document: Document) -> Document:
        self.session.add(document)
        return document

    def add_all(self, documents: Iterable[Document]) -> None:
        self.session.add_all(documents)

    def by_identity_keys(self, keys: Collection[str]) -> dict[str, Document]:
        """The documents with these identity keys (absent keys are simply missing).

        One query per :data:`LOOKUP_BATCH` keys, never one per key.
        """
        unique = sorted(set(keys))
        found: dict[str, Document] = {}
        for start in range(0, len(unique), LOOKUP_BATCH):
            chunk = unique[start : start + LOOKUP_BATCH]
            rows = self.session.scalars(select(Document).where(Document.identity_key.in_(chunk)))
            found.update((row.identity_key, row) for row in rows)
        return found

    def by_identity_key(self, key: str) -> Document | None:
        return self.session.scalars(select(Document).where(Document.identity_key == key)).first()

    def count(self, *, source: str | None = None) -> int:
        query = select(func.count()).select_from(Document)
        if source is not None:
            query = query.where(Document.source == source)
        return int(self.session.scalar(query) or 0)

    def count_by_status(self) -> dict[str, int]:
        rows = self.session.execute(
            select(Document.status, func.count()).group_by(Document.status)
        ).all()
        return {str(status): int(count) for status, count in rows}

    def set_statuses(self, statuses: Mapping[int, DocumentStatus]) -> None:
        """Move each document to its own status, in one prepared statement for all of them."""
        if statuses:
            rows = [{"document_id": i, "new_status": s.value} for i, s in statuses.items()]
            self.session.execute(_SET_STATUS, rows)

    def wrapped_keys_not_under(
        self, key_id: str, *, after_id: int, limit: int
    ) -> list[WrappedKeyRow]:
        """Up to ``limit`` documents past ``after_id`` (by id) whose data key is wrapped by
        another key than ``key_id``. Erased documents (no wrapped key) are not among them."""
        rows = self.session.execute(
            select(Document.id, Document.identity_key, Document.key_id, Document.wrapped_key)
            .where(
                Document.id > after_id,
                Document.wrapped_key.is_not(None),
                Document.key_id != key_id,
            )
            .order_by(Document.id)
            .limit(limit)
        ).all()
        return [
            WrappedKeyRow(i, identity, held_by, bytes(blob or b""))
            for i, identity, held_by, blob in rows
        ]

    def replace_wrapped_keys(self, changes: Sequence[WrappedKeyChange]) -> int:
        """Store each new wrapped key where the row still holds the old one; returns how many
        rows changed. A row erased or re-wrapped meanwhile is left as it is."""
        changed = 0
        for change in changes:
            result = self.session.execute(
                _REPLACE_WRAPPED_KEY,
                {
                    "document_id": change.id,
                    "old_key_id": change.old_key_id,
                    "old_wrapped_key": change.old_wrapped_key,
                    "new_key_id": change.new_key_id,
                    "new_wrapped_key": change.new_wrapped_key,
                },
            )
            changed += int(getattr(result, "rowcount", 0) or 0)
        return changed

    def live_count_by_key(self) -> dict[str, int]:
        """{key id: documents whose data key it wraps}; erased documents are not counted."""
        rows = self.session.execute(
            select(Document.key_id, func.count())
            .where(Document.wrapped_key.is_not(None))
            .group_by(Document.key_id)
        ).all()
        return {str(key_id): int(count) for key_id, count in rows}

    def count_erased(self) -> int:
        """Documents whose data key was shredded."""
        query = select(func.count()).select_from(Document).where(Document.wrapped_key.is_(None))
        return int(self.session.scalar(query) or 0)
