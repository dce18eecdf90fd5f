"""Documents: one row per ingested email, form request or contract.

Everything a person wrote (subject, body, sender, attachments, ground-truth labels) lives in
``payload``, encrypted with a per-document data key (AES-256-GCM) that is itself wrapped by the
store's key-encryption key ``key_id``. Erasing a document's ``wrapped_key`` crypto-shreds it.
The clear columns hold only ids, hashes, sizes, flags and times — and ``owner_key_id``, the
caller key that sent the document through the HTTP API (none for the CLI and nightly ingest):
a client key whose scope is ``own`` sees only its own documents.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId, TimestampMixin
from storage.types import UTCDateTime


class DocumentStatus(StrEnum):
    PENDING = "pending"  # new or changed: steps still to run
    DONE = "done"  # every step finished
    REVIEW = "review"  # a person must look at it
    FAILED = "failed"  # could not be processed; the step results say why


class DocumentFormat(StrEnum):
    JSONL = "jsonl"
    CSV = "csv"
    EML = "eml"
    MBOX = "mbox"
    API = "api"


class Document(TimestampMixin, Base):
    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_status_urgent", "status", "urgent"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(100))
    external_id: Mapped[str | None] = mapped_column(String(500))
    #: "sha256:<hex>" of (source, external_id) — or of the content when there is no external id.
    identity_key: Mapped[str] = mapped_column(String(80), unique=True)
    #: "sha256:<hex>" of the normalized subject, body and attachment texts.
    content_hash: Mapped[str] = mapped_column(String(80))
    format: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    size_bytes: Mapped[int] = mapped_column(Integer)
    attachment_count: Mapped[int] = mapped_column(Integer, default=0)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    #: 1 when first seen; +1 each time the content changes.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default=DocumentStatus.PENDING)
    #: Id of the key-encryption key that wrapped ``wrapped_key``.
    key_id: Mapped[str] = mapped_column(String(64))
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: nonce || AES-256-GCM ciphertext of the canonical JSON payload.
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    #: The caller key that sent the document through the HTTP API; None for the CLI and nightly
    #: ingest. Keys are revoked, never deleted, so the reference always holds.
    owner_key_id: Mapped[str | None] = mapped_column(
        String(16), ForeignKey("caller_keys.id"), index=True
    )
