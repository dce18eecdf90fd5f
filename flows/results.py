"""Saving step outcomes as checkpoints, and reading finished outputs back.

A step result's output is sealed under its document's data key, with associated data that binds
it to (document, step, prompt version), so it cannot be moved to another row or step.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from compliance.encryption import DataKey, KeyRing, WrappedKey
from compliance.vault import open_record
from flows.documents import canonical_json, document_aad
from flows.privacy import reidentify_output
from flows.steps.base import StepOutcome
from storage.models import Document, DocumentStatus, StepResult, StepStatus, VaultEntry
from storage.repositories.step_results import StepResultRepository


def data_key_of(keyring: KeyRing, document: Document) -> DataKey:
    if document.wrapped_key is None:
        raise ValueError(f"document {document.id} was erased")
    aad = document_aad(document.identity_key)
    return keyring.unwrap(WrappedKey(document.key_id, document.wrapped_key), aad)


def _output_aad(document_id: int, step: str, prompt_version: str) -> bytes:
    return f"step_result:{document_id}:{step}:{prompt_version}".encode()


def save_outcome(
    session: Session,
    document: Document,
    data_key: DataKey,
    outcome: StepOutcome,
    run_id: str | None,
) -> None:
    """Write one step's checkpoint (insert, or overwrite a failed one for the same key)."""
    sealed = None
    if outcome.output is not None:
        aad = _output_aad(document.id, outcome.step, outcome.prompt_version)
        sealed = data_key.seal(canonical_json(outcome.output), aad)
    StepResultRepository(session).upsert(
        {
            "document_id": document.id,
            "step": outcome.step,
            "prompt_version": outcome.prompt_version,
            "schema_version": outcome.schema_version,
            "input_hash": document.content_hash,
            "run_id": run_id,
            "status": outcome.status.value,
            "route": outcome.route,
            "model": outcome.model,
            "attempts": outcome.attempts,
            "tokens_in": outcome.tokens_in,
            "tokens_out": outcome.tokens_out,
            "cost": outcome.cost,
            "output": sealed,
            "reason": outcome.reason,
        }
    )


def open_output(data_key: DataKey, result: StepResult) -> dict[str, Any] | None:
    if result.output is None:
        return None
    aad = _output_aad(result.document_id, result.step, result.prompt_version)
    value = json.loads(data_key.open(result.output, aad))
    assert isinstance(value, dict)
    return value


def finished_outputs(
    session: Session,
    keyring: KeyRing,
    documents: Mapping[int, Document],
    versions: Mapping[str, tuple[str, str]],
) -> dict[int, dict[str, tuple[StepStatus, dict[str, Any] | None]]]:
    """{document id: {step: (status, output)}} of finished steps at the active versions."""
    found: dict[int, dict[str, tuple[StepStatus, dict[str, Any] | None]]] = {}
    rows = StepResultRepository(session).latest_finished(list(documents), versions)
    keys: dict[int, DataKey] = {}
    for row in rows:
        document = documents[row.document_id]
        key = keys.get(document.id) or data_key_of(keyring, document)
        keys[document.id] = key
        found.setdefault(row.document_id, {})[row.step] = (
            StepStatus(row.status),
            open_output(key, row),
        )
    return found


def document_status(statuses: Collection[StepStatus], steps_total: int) -> DocumentStatus:
    """A document is failed if any step failed, in review if any is, done when all are done."""
    if StepStatus.FAILED in statuses:
        return DocumentStatus.FAILED
    if StepStatus.REVIEW in statuses:
        return DocumentStatus.REVIEW
    if len(statuses) >= steps_total and all(s is StepStatus.DONE for s in statuses):
        return DocumentStatus.DONE
    return DocumentStatus.PENDING


def document_results(
    session: Session,
    keyring: KeyRing,
    document: Document,
    versions: Mapping[str, tuple[str, str]],
) -> dict[str, dict[str, Any]]:
    """The latest result of each step at the active versions: status, reason, output."""
    rows = [
        row
        for row in StepResultRepository(session).for_documents([document.id])
        if row.input_hash == document.content_hash
        and (row.prompt_version, row.schema_version) == versions.get(row.step)
    ]
    if not rows:
        return {}
    key = data_key_of(keyring, document)
    return {
        row.step: {
            "status": row.status,
            "prompt_version": row.prompt_version,
            "reason": row.reason,
            "output": open_output(key, row),
        }
        for row in rows
    }


def reidentified_results(
    session: Session,
    keyring: KeyRing,
    document: Document,
    results: dict[str, dict[str, Any]],
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Outputs with the document's real values restored — only for a role allowed to see them.

    Placeholders the model invented or mangled stay visible and are returned, never guessed.
    """
    entry = session.scalars(
        select(VaultEntry)
        .where(VaultEntry.document_id == document.id)
        .where(VaultEntry.content_hash == document.content_hash)
        .order_by(VaultEntry.created_at.desc())
    ).first()
    if entry is None:
        return results, []
    key = data_key_of(keyring, document)
    mapping = open_record(key, document.id, document.content_hash, entry.sealed).mapping
    unknown: set[str] = set()
    restored = {
        step: {**info, "output": reidentify_output(info.get("output"), mapping, unknown)}
        for step, info in results.items()
    }
    return restored, sorted(unknown)
