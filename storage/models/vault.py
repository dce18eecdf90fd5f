"""The vault: per document, content version and masker version, the masked texts and the
placeholder map, sealed.

``sealed`` is AES-256-GCM under the document's own data key (``compliance.keys.vault``); only the
per-type counts of what was masked are in the clear. A changed document gets a new entry, and so
does a document masked again by a masker of another version (its placeholders may be numbered
differently): an output is re-identified with the map of the version it was masked with.
Queries live in :class:`storage.repositories.vault.VaultRepository`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, TimestampMixin


class VaultEntry(TimestampMixin, Base):
    __tablename__ = "vault_entries"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    content_hash: Mapped[str] = mapped_column(String(80), primary_key=True)
    masker_version: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: Entity type -> number of distinct values masked; never values.
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
