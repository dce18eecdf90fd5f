"""Saving step outcomes as checkpoints, and reading finished outputs back.

A step result's output is sealed under its document's data key, with associated data that binds
it to (document, step, prompt version), so it cannot be moved to another row or step.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from compliance.calls import Outcome
from compliance.encryption import DataKey, KeyRing, WrappedKey
from compliance.errors import DocumentErased
from compliance.vault import open_record
from flows.documents import canonical_json, document_aad
from flows.privacy import reidentify_output
from flows.steps.base import ESCALATING, GATE, Checkpoint, StepOutcome, Usage
from storage.models import Document, DocumentStatus, StepResult, StepStatus, VaultEntry
from storage.repositories.step_results import StepResultRepository


def data_key_of(keyring: KeyRing, document: Document) -> DataKey:
    """The document's data key; :class:`DocumentErased` once it was shredded."""
    if document.wrapped_key is None:
        raise DocumentErased(document.id)
    aad = document_aad(document.identity_key)
    return keyring.unwrap(WrappedKey(document.key_id, document.wrapped_key), aad)


def _output_aad(document_id: int, step: str, prompt_version: str) -> bytes:
    return f"step_result:{document_id}:{step}:{prompt_version}".encode()


def outcome_row(
    document: Document, data_key: DataKey, outcome: StepOutcome, run_id: str | None
) -> dict[str, Any]:
    """The ``step_results`` row of one step's outcome, its output sealed under the data key."""
    sealed = None
    if outcome.output is not None:
        aad = _output_aad(document.id, outcome.step, outcome.prompt_version)
        sealed = data_key.seal(canonical_json(outcome.output), aad)
    total = outcome.total
    return {
        "document_id": document.id,
        "step": outcome.step,
        "prompt_version": outcome.prompt_version,
        "schema_version": outcome.schema_version,
        "input_hash": document.content_hash,
        "run_id": run_id,
        "status": outcome.status.value,
        "route": outcome.route,
        "model": outcome.model,
        "attempts": total.attempts,
        "tokens_in": total.tokens_in,
        "tokens_out": total.tokens_out,
        "cost": total.cost,
        "output": sealed,
        "reason": outcome.reason,
    }


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


def escalation_checkpoints(
    session: Session,
    keyring: KeyRing,
    documents: Mapping[int, Document],
    versions: Mapping[str, tuple[str, str]],
) -> dict[int, dict[str, Checkpoint]]:
    """{document id: {step: checkpoint}}: first answers saved before an escalation whose result
    was never saved (the run stopped), at the active versions and current content.

    A running row that is not such a checkpoint (no ``escalating:`` reason, or a ``gate`` one
    without an output) is left out: the step then runs from its first call.
    """
    found: dict[int, dict[str, Checkpoint]] = {}
    keys: dict[int, DataKey] = {}
    for row in StepResultRepository(session).latest_running(list(documents), versions):
        why = _resumable(row.reason, has_output=row.output is not None)
        if why is None:
            continue
        document = documents[row.document_id]
        key = keys.get(document.id) or data_key_of(keyring, document)
        keys[document.id] = key
        usage = Usage(row.attempts, row.tokens_in, row.tokens_out, Decimal(row.cost))
        found.setdefault(row.document_id, {})[row.step] = Checkpoint(
            why, open_output(key, row), row.route, row.model, usage
        )
    return found


def _resumable(reason: str | None, *, has_output: bool) -> str | None:
    """The ``why`` of a checkpoint's reason, or None when a re-run cannot resume from it."""
    if reason is None or not reason.startswith(ESCALATING):
        return None
    why = reason.removeprefix(ESCALATING)
    if why == GATE:
        return why if has_output else None
    content_failures = {o.value for o in Outcome if o.is_content_failure}
    return why if why in content_failures else None


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
    return reidentify_results(results, mapping)


def reidentify_results(
    results: dict[str, dict[str, Any]], mapping: Mapping[str, str]
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """``results``' outputs with ``mapping``'s real values restored; and unknown placeholders."""
    unknown: set[str] = set()
    restored = {
        step: {**info, "output": reidentify_output(info.get("output"), mapping, unknown)}
        for step, info in results.items()
    }
    return restored, sorted(unknown)
