"""A document's payload: everything a person wrote, sealed under the document's own data key.

The payload is the canonical JSON (sorted keys, compact, UTF-8) of :class:`DocumentPayload`,
sealed with AES-256-GCM under a fresh data key per document (see :mod:`compliance.keys.encryption`).
The associated data is ``b"document:" + identity_key``, so a payload copied onto another row does
not open. Ingest seals (:func:`seal_payload`); every later step reads text through
:func:`open_payload`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from compliance.errors import DocumentErased
from compliance.keys.encryption import KeyRing, WrappedKey, document_aad
from storage.models import Document

__all__ = [
    "Attachment",
    "DocumentPayload",
    "SealedPayload",
    "canonical_json",
    "document_aad",
    "open_payload",
    "seal_payload",
]


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8: the same value always gives the same bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class Attachment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    filename: str
    text: str = ""
    #: False for attachments nightshift cannot read without OCR (PDF, images …): filename only.
    readable: bool = True


class DocumentPayload(BaseModel):
    """The decrypted content of a document; never stored or logged in the clear."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    v: Literal[1] = 1
    subject: str = ""
    body: str = ""
    from_name: str | None = None
    from_address: str | None = None
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    #: Ground truth for evaluation; never sent to a model.
    labels: dict[str, Any] | None = None

    def to_bytes(self) -> bytes:
        return canonical_json(self.model_dump(mode="json"))


@dataclass(frozen=True)
class SealedPayload:
    key_id: str
    wrapped_key: bytes
    payload: bytes


def seal_payload(keyring: KeyRing, identity_key: str, payload: DocumentPayload) -> SealedPayload:
    """Seal ``payload`` under a new data key, wrapped by the key ring's active key."""
    aad = document_aad(identity_key)
    data_key, wrapped = keyring.new_data_key(aad)
    return SealedPayload(wrapped.key_id, wrapped.wrapped, data_key.seal(payload.to_bytes(), aad))


def open_payload(keyring: KeyRing, document: Document) -> DocumentPayload:
    """Decrypt a document's payload.

    Raises :class:`DocumentErased` when the document was erased (its data key shredded), and
    :class:`EncryptionError` when its key-encryption key is missing, or the row was altered or its
    ciphertext moved from another row.
    """
    if document.wrapped_key is None:
        raise DocumentErased(document.id)
    aad = document_aad(document.identity_key)
    data_key = keyring.unwrap(WrappedKey(document.key_id, document.wrapped_key), aad)
    return DocumentPayload.model_validate_json(data_key.open(document.payload, aad))
