"""Saving step outcomes as checkpoints, and reading finished outputs back.

A step result's output is sealed under its document's data key, with associated data that binds
it to (document, step, prompt version), so it cannot be moved to another row or step. Each row
names the masker version of the text its step saw; its output is re-identified with the map of
that version (:func:`reidentified_results`, ``flows.masker_versions``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from compliance.errors import DocumentErased
from compliance.gateway.calls import Outcome
from compliance.keys.encryption import DataKey, KeyRing, WrappedKey
from flows.documents import canonical_json, document_aad
from flows.masker_versions import VaultMaps
from flows.privacy import reidentify_output
from flows.steps.base import ESCALATING, GATE, Checkpoint, StepOutcome, Usage
from storage.models import Document, DocumentStatus, StepResult, StepStatus
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
    document: Document,
    data_key: DataKey,
    outcome: StepOutcome,
    run_id: str | None,
    masker_version: str | None,
) -> dict[str, Any]:
    """The ``step_results`` row of one step's outcome, its output sealed under the data key;
    ``masker_version``: of the masked text the step saw (the map its placeholders belong to)."""
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
        "masker_version": masker_version,
    }


def open_output(data_key: DataKey, result: StepResult) -> dict[str, Any] | None:
    if result.output is None:
        return None
    aad = _output_aad(result.document_id, result.step, result.prompt_version)
    value = json.loads(data_key.open(result.output, aad))
    assert isinstance(value, dict)
    return value


@dataclass(frozen=True)
class FinishedStep:
    """A finished (done or review) step of a document's current content."""

    status: StepStatus
    output: dict[str, Any] | None
    #: As stored: None on rows written before migration 0009 (see ``flows.masker_versions``).
    masker_version: str | None
    result_id: int


#: {step: its finished result} of one document.
Finished = dict[str, FinishedStep]


def finished_outputs(
    session: Session,
    keyring: KeyRing,
    documents: Mapping[int, Document],
    versions: Mapping[str, tuple[str, str]],
) -> dict[int, Finished]:
    """{document id: {step: finished result}} of finished steps at the active versions."""
    found: dict[int, Finished] = {}
    rows = StepResultRepository(session).latest_finished(list(documents), versions)
    keys: dict[int, DataKey] = {}
    for row in rows:
        document = documents[row.document_id]
        key = keys.get(document.id) or data_key_of(keyring, document)
        keys[document.id] = key
        found.setdefault(row.document_id, {})[row.step] = FinishedStep(
            StepStatus(row.status), open_output(key, row), row.masker_version, row.id
        )
    return found


def escalation_checkpoints(
    session: Session,
    keyring: KeyRing,
    documents: Mapping[int, Document],
    versions: Mapping[str, tuple[str, str]],
    keep: Callable[[int, str | None], bool] | None = None,
) -> dict[int, dict[str, Checkpoint]]:
    """{document id: {step: checkpoint}}: first answers saved before an escalation whose result
    was never saved (the run stopped), at the active versions and current content.

    A running row that is not such a checkpoint (no ``escalating:`` reason, or a ``gate`` one
    without an output) is left out: the step then runs from its first call. So is a row for
    which ``keep(document id, its masker version)`` is false (its placeholders are of another
    masker version than the text the step will see now).
    """
    found: dict[int, dict[str, Checkpoint]] = {}
    keys: dict[int, DataKey] = {}
    for row in StepResultRepository(session).latest_running(list(documents), versions):
        why = _resumable(row.reason, has_output=row.output is not None)
        if why is None or (keep is not None and not keep(row.document_id, row.masker_version)):
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
    """The latest result of each step at the active versions: status, reason, output and the
    masker version its placeholders belong to (None: made before migration 0009)."""
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
            "masker_version": row.masker_version,
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

    Each step's output is restored with the map of its ``masker_version`` (as
    :func:`document_results` gives it). An output whose map is missing is returned as it is,
    its placeholders listed as unknown. Placeholders the model invented or mangled stay
    visible and are returned, never guessed.
    """
    maps = VaultMaps.load(session, document, lambda: data_key_of(keyring, document))
    unknown: set[str] = set()
    restored = {}
    for step, info in results.items():
        mapping = maps.mapping(info.get("masker_version"))
        output = reidentify_output(info.get("output"), mapping or {}, unknown)
        restored[step] = {**info, "output": output if mapping is not None else info.get("output")}
    return restored, sorted(unknown)


def reidentify_results(
    results: dict[str, dict[str, Any]], mapping: Mapping[str, str]
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """``results``' outputs with ``mapping``'s real values restored; and unknown placeholders.

    Only for outputs all made with the masker version of ``mapping``."""
    unknown: set[str] = set()
    restored = {
        step: {**info, "output": reidentify_output(info.get("output"), mapping, unknown)}
        for step, info in results.items()
    }
    return restored, sorted(unknown)
