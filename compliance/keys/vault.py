"""The vault: a document's masked texts and its placeholder → value map, sealed at rest.

One entry per document, content version and masker version: a masker with another version may
number the same values differently (``[PERSON_2]`` may be someone else), so an output is
re-identified only with the map of the version it was masked with (DESIGN 12). An entry is
sealed with AES-256-GCM under the document's own data key, so erasing the document (shredding
its key) erases its vault entries too, and the associated data binds the entry to (document,
content hash, masker version): it cannot be moved to another row or replayed for other content
or another version. Only per-type counts are stored in the clear.

Entries sealed before the masker version was part of the key bound (document, content hash)
only (:func:`legacy_vault_aad`); they still open, and their sealed body names the version they
were made with, which must be the version of their row.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from compliance.errors import EncryptionError
from compliance.keys.encryption import DataKey


@dataclass(frozen=True)
class VaultRecord:
    """What masking produced for one document: masked parts, the map, counts, masker version."""

    parts: dict[str, str]
    mapping: dict[str, str]
    counts: dict[str, int] = field(default_factory=dict)
    version: str = ""

    def __repr__(self) -> str:  # the default would print the values in ``mapping``
        return f"VaultRecord(version={self.version!r}, counts={self.counts!r})"


def vault_aad(document_id: int, content_hash: str, masker_version: str) -> bytes:
    return f"vault.v2:{document_id}:{content_hash}:{masker_version}".encode()


def legacy_vault_aad(document_id: int, content_hash: str) -> bytes:
    """The associated data of entries sealed before migration 0009 (no masker version)."""
    return f"vault:{document_id}:{content_hash}".encode()


def seal_record(key: DataKey, document_id: int, content_hash: str, record: VaultRecord) -> bytes:
    """``record`` sealed for its row (document, content hash, ``record.version``)."""
    body = json.dumps(
        {
            "parts": record.parts,
            "mapping": record.mapping,
            "counts": record.counts,
            "v": record.version,
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    ).encode()
    return key.seal(body, vault_aad(document_id, content_hash, record.version))


def open_record(
    key: DataKey, document_id: int, content_hash: str, masker_version: str, blob: bytes
) -> VaultRecord:
    """The record of the row (document, content hash, masker version); raises
    :class:`EncryptionError` when ``blob`` was sealed for another row, content or version."""
    try:
        plain = key.open(blob, vault_aad(document_id, content_hash, masker_version))
    except EncryptionError:
        plain = key.open(blob, legacy_vault_aad(document_id, content_hash))
    data = json.loads(plain)
    if not isinstance(data, dict):
        raise EncryptionError(f"vault entry of document {document_id} is damaged")
    record = VaultRecord(
        parts=_str_map(data.get("parts")),
        mapping=_str_map(data.get("mapping")),
        counts={str(k): int(v) for k, v in dict(data.get("counts") or {}).items()},
        version=str(data.get("v", "")),
    )
    if record.version != masker_version:
        raise EncryptionError(
            f"vault entry of document {document_id} was made by masker {record.version!r}, "
            f"not {masker_version!r}: the row is damaged or was moved"
        )
    return record


def _str_map(value: object) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): str(v) for k, v in value.items()}
