"""The queries of ``vault_entries``: one sealed map per (document, content hash, masker version).

Callers seal and open entries (``compliance.keys.vault``); this module only stores and finds them.
Like every repository it works inside the caller's session and never commits.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models.vault import VaultEntry

#: Documents per ``IN (...)`` query.
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
        version. One query per :data:`LOOKUP_BATCH` documents, on the primary key's first
        column (both backends use the index for it; a row-value ``IN`` they may not)."""
        found: dict[int, list[VaultEntry]] = {}
        ids = sorted(contents)
        for start in range(0, len(ids), LOOKUP_BATCH):
            statement = (
                select(VaultEntry)
                .where(VaultEntry.document_id.in_(ids[start : start + LOOKUP_BATCH]))
                .order_by(VaultEntry.created_at, VaultEntry.masker_version)
            )
            for entry in self.session.scalars(statement):
                if entry.content_hash == contents[entry.document_id]:
                    found.setdefault(entry.document_id, []).append(entry)
        return found

    def for_content(self, document_id: int, content_hash: str) -> list[VaultEntry]:
        """The entries of one document's content, oldest first (:meth:`for_contents` of one)."""
        return self.for_contents({document_id: content_hash}).get(document_id, [])

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
