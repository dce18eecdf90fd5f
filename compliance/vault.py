"""The vault: a document's masked texts and its placeholder → value map, sealed at rest.

One entry per document and content version. It is sealed with AES-256-GCM under the document's
own data key, so erasing the document (shredding its key) erases its vault entry too, and the
associated data binds the entry to (document, content hash): it cannot be moved to another row
or replayed for other content. Only per-type counts are stored in the clear.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from compliance.encryption import DataKey
from compliance.errors import EncryptionError


@dataclass(frozen=True)
class VaultRecord:
    """What masking produced for one document: masked parts, the map, counts, masker version."""

    parts: dict[str, str]
    mapping: dict[str, str]
    counts: dict[str, int] = field(default_factory=dict)
    version: str = ""


def vault_aad(document_id: int, content_hash: str) -> bytes:
    return f"vault:{document_id}:{content_hash}".encode()


def seal_record(key: DataKey, document_id: int, content_hash: str, record: VaultRecord) -> bytes:
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
    return key.seal(body, vault_aad(document_id, content_hash))


def open_record(key: DataKey, document_id: int, content_hash: str, blob: bytes) -> VaultRecord:
    data = json.loads(key.open(blob, vault_aad(document_id, content_hash)))
    if not isinstance(data, dict):
        raise EncryptionError(f"vault entry of document {document_id} is damaged")
    return VaultRecord(
        parts=_str_map(data.get("parts")),
        mapping=_str_map(data.get("mapping")),
        counts={str(k): int(v) for k, v in dict(data.get("counts") or {}).items()},
        version=str(data.get("v", "")),
    )


def _str_map(value: object) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): str(v) for k, v in value.items()}
