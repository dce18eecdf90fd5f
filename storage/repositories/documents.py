"""The queries of the ``documents`` table.

A repository works inside the caller's session and never commits: the flow or request boundary
owns the unit of work (:func:`storage.engine.transaction`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

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
