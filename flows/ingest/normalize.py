"""Normalization of document text, the content hash and the identity key.

Normalizing text (:func:`normalize_text`): Unicode NFC, CRLF and CR become LF, trailing
whitespace is stripped from every line, and blank lines at the start and end are dropped.
Single-line fields (names, addresses, filenames) are NFC and stripped.

- **content hash** = ``"sha256:" + hex(SHA-256(canonical JSON of {"subject", "body",
  "attachments": [texts]}))`` over the *normalized* payload, so re-saving a file with other line
  endings or trailing spaces does not make a document "changed".
- **identity key** = ``"sha256:" + hex(SHA-256(canonical JSON of {"source", "external_id"}))``,
  or of ``{"source", "content_hash"}`` when the record has no external id.
"""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Any

from flows.documents import Attachment, DocumentPayload, canonical_json

HASH_PREFIX = "sha256:"


def normalize_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    start, end = 0, len(lines)
    while start < end and not lines[start]:
        start += 1
    while end > start and not lines[end - 1]:
        end -= 1
    return "\n".join(lines[start:end])


def normalize_line(text: str | None) -> str | None:
    """A single-line field: NFC, inner line breaks become spaces, stripped; empty → None."""
    if text is None:
        return None
    text = unicodedata.normalize("NFC", text).replace("\r", " ").replace("\n", " ").strip()
    return text or None


def normalize_payload(payload: DocumentPayload) -> DocumentPayload:
    return payload.model_copy(
        update={
            "subject": normalize_line(payload.subject) or "",
            "body": normalize_text(payload.body),
            "from_name": normalize_line(payload.from_name),
            "from_address": normalize_line(payload.from_address),
            "to": _addresses(payload.to),
            "cc": _addresses(payload.cc),
            "attachments": tuple(
                Attachment(
                    filename=normalize_line(item.filename) or "attachment",
                    text=normalize_text(item.text),
                    readable=item.readable,
                )
                for item in payload.attachments
            ),
        }
    )


def _addresses(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(value for value in (normalize_line(v) for v in values) if value)


def _sha256(value: Any) -> str:
    return HASH_PREFIX + hashlib.sha256(canonical_json(value)).hexdigest()


def content_hash(payload: DocumentPayload) -> str:
    """The hash of the (already normalized) subject, body and attachment texts."""
    return _sha256(
        {
            "subject": payload.subject,
            "body": payload.body,
            "attachments": [item.text for item in payload.attachments],
        }
    )


def identity_key(source: str, external_id: str | None, content: str) -> str:
    """Who a record is: its source and external id, or its source and content hash."""
    if external_id is not None:
        return _sha256({"source": source, "external_id": external_id})
    return _sha256({"source": source, "content_hash": content})
