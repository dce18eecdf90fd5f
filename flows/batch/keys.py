"""The idempotency key of a step result, sent as a batch line's ``custom_id``."""

from __future__ import annotations

import hashlib


def result_key(
    document_id: int, step: str, prompt_version: str, schema_version: str, input_hash: str
) -> str:
    """``<document>-<step>-<24 hex>``: one key per step result (the unique key of
    ``step_results``), short enough for any provider's ``custom_id``, no text of the document
    (the hash covers the versions and the content hash)."""
    digest = hashlib.sha256(
        f"{document_id}\x00{step}\x00{prompt_version}\x00{schema_version}\x00{input_hash}".encode()
    ).hexdigest()[:24]
    return f"{document_id}-{step}-{digest}"
