"""The queries of ``vault_entries``: one sealed map per (document, content hash, masker version).

Callers seal and open entries (``compliance.vault``); this module only stores and finds them.
Like every repository it works inside the caller's session and never commits.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from storage.models.vault import VaultEntry

#: (document id, content hash) pairs per ``IN (...)`` query.
LOOKUP_BATCH = 500


class VaultRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def put(self, entry: VaultEntry) -> None:
        """Store ``entry``, or replace the entry of its (document, content, masker version).

        A copy is stored: ``entry`` itself stays unattached (the online path keeps it)."""
        self.session.merge(entry)

    def for_contents(self, contents: Mapping[int, str]) -> dict[int, list[VaultEntry]]:
        """{document id: its entries for the given content hash, oldest first}: every masker
        version. One query per :data:`LOOKUP_BATCH` documents."""
        found: dict[int, list[VaultEntry]] = {}
        pairs = sorted(contents.items())
        for start in range(0, len(pairs), LOOKUP_BATCH):
            batch = pairs[start : start + LOOKUP_BATCH]
            statement = (
                select(VaultEntry)
                .where(tuple_(VaultEntry.document_id, VaultEntry.content_hash).in_(batch))
                .order_by(VaultEntry.created_at, VaultEntry.masker_version)
            )
            for entry in self.session.scalars(statement):
                found.setdefault(entry.document_id, []).append(entry)
        return found

    def oldest(self, document_id: int, content_hash: str) -> VaultEntry | None:
        """The first entry made for this content: the one rows without a masker version use."""
        return self.session.scalars(
            select(VaultEntry)
            .where(VaultEntry.document_id == document_id, VaultEntry.content_hash == content_hash)
            .order_by(VaultEntry.created_at, VaultEntry.masker_version)
            .limit(1)
        ).first()

    def count(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(VaultEntry)) or 0)
