"""Masking once per document, before any model call (DESIGN 3), and re-identification on display.

:func:`masked_records` gives, for each document, its vault record for the current content and
the masker version its steps run under (``flows.masker_versions``) — masking (and sealing into
the vault) the documents that have none yet. Steps only ever see the
masked parts (:func:`masked_view`); the gateway refuses requests not marked as masked and any
request that still carries a high-confidence identifier (``compliance.masking.policy``).
A document that cannot be masked is never sent: it goes to review with ``masking_failed``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from compliance.keys.encryption import DataKey
from compliance.keys.vault import VaultRecord, seal_record
from compliance.masking import Masker, MaskingError, reidentify
from flows.documents import DocumentPayload
from flows.masker_versions import entry_of, open_entry
from flows.steps.base import DocumentView
from storage.engine import transaction
from storage.models import Document, VaultEntry
from storage.repositories.vault import VaultRepository

logger = logging.getLogger("nightshift.privacy")


def payload_parts(payload: DocumentPayload) -> dict[str, str]:
    """The texts of a document that may reach a model, keyed by where they come from."""
    parts: dict[str, str] = {"subject": payload.subject, "body": payload.body}
    if payload.from_name:
        parts["sender"] = payload.from_name
    if payload.from_address:
        parts["sender_address"] = payload.from_address
    for index, attachment in enumerate(payload.attachments):
        if attachment.readable and attachment.text:
            parts[f"attachment:{index}"] = attachment.text
            parts[f"filename:{index}"] = attachment.filename
    return parts


def masked_view(document: Document, payload: DocumentPayload, record: VaultRecord) -> DocumentView:
    """What a step may show a model: the masked parts only, plus ids and counts."""
    parts = record.parts
    attachments = tuple(
        (parts.get(f"filename:{i}", "attachment"), parts[f"attachment:{i}"])
        for i in range(len(payload.attachments))
        if f"attachment:{i}" in parts
    )
    return DocumentView(
        document_id=document.id,
        content_hash=document.content_hash,
        subject=parts.get("subject", ""),
        body=parts.get("body", ""),
        attachments=attachments,
        sender_name=parts.get("sender"),
        urgent_hint=document.urgent,
        unreadable_attachments=sum(1 for a in payload.attachments if not a.readable),
        masked=True,
        masked_counts=dict(record.counts),
    )


@dataclass(frozen=True)
class ToMask:
    document: Document
    payload: DocumentPayload
    data_key: DataKey


def stored_records(
    session: Session, items: Sequence[ToMask], masker_version: str
) -> dict[int, VaultRecord]:
    """Vault records already made for these documents' current content by this masker."""
    contents = {item.document.id: item.document.content_hash for item in items}
    entries = VaultRepository(session).for_contents(contents)
    return opened_records(items, entries, {doc: masker_version for doc in contents})


def opened_records(
    items: Sequence[ToMask],
    entries: Mapping[int, Sequence[VaultEntry]],
    versions: Mapping[int, str],
) -> dict[int, VaultRecord]:
    """The record of each document at its masker version in ``versions``, when the vault has it
    (``entries``: the vault entries of each document's current content)."""
    found = {}
    for item in items:
        document_id = item.document.id
        entry = entry_of(entries.get(document_id, ()), versions.get(document_id))
        if entry is not None:
            found[document_id] = open_entry(item.data_key, entry)
    return found


def mask_documents(
    masker: Masker, items: Sequence[ToMask], workers: int = 1
) -> tuple[dict[int, VaultRecord], dict[int, str]]:
    """Mask each document once; returns (records, failures as reason codes by document id)."""
    inputs = [(payload_parts(item.payload), item.payload.from_name) for item in items]
    try:
        results = masker.mask_many(inputs, workers=workers) if items else []
    except MaskingError:
        return _mask_one_by_one(masker, items, inputs)
    records = {
        item.document.id: VaultRecord(r.parts, r.mapping, dict(r.counts), r.version)
        for item, r in zip(items, results, strict=True)
    }
    return records, {}


def _mask_one_by_one(
    masker: Masker, items: Sequence[ToMask], inputs: Sequence[tuple[Mapping[str, str], str | None]]
) -> tuple[dict[int, VaultRecord], dict[int, str]]:
    records, failures = {}, {}
    for item, (parts, sender) in zip(items, inputs, strict=True):
        try:
            r = masker.mask(parts, sender_name=sender)
        except MaskingError as exc:
            logger.warning("document %s could not be masked: %s", item.document.id, exc)
            failures[item.document.id] = "masking_failed"
            continue
        records[item.document.id] = VaultRecord(r.parts, r.mapping, dict(r.counts), r.version)
    return records, failures


def vault_entry(item: ToMask, record: VaultRecord) -> VaultEntry:
    """The vault row of a document's record, sealed under its data key (not added anywhere)."""
    document_id, content_hash = item.document.id, item.document.content_hash
    return VaultEntry(
        document_id=document_id,
        content_hash=content_hash,
        masker_version=record.version,
        counts=dict(record.counts),
        sealed=seal_record(item.data_key, document_id, content_hash, record),
    )


def save_records(
    sessions: sessionmaker[Session], items: Sequence[ToMask], records: Mapping[int, VaultRecord]
) -> None:
    if not records:
        return
    by_id = {item.document.id: item for item in items}
    with transaction(sessions) as session:
        vault = VaultRepository(session)
        for document_id, record in records.items():
            vault.put(vault_entry(by_id[document_id], record))


#: Why a document is not sent: its steps run under a masker version (that of its finished
#: results) whose vault entry is gone, and this masker cannot remake it.
VERSION_MISSING = "masker_version_missing"


def masked_records(
    sessions: sessionmaker[Session],
    masker: Masker,
    items: Sequence[ToMask],
    versions: Mapping[int, str],
    entries: Mapping[int, Sequence[VaultEntry]],
    workers: int = 1,
) -> tuple[dict[int, VaultRecord], dict[int, str]]:
    """The vault record of each document at its masker version in ``versions`` (its steps'
    version, ``flows.masker_versions.run_version``); and the failures.

    ``entries``: the vault entries of each document's current content. A document whose
    version is the masker's and has no entry yet is masked now, once, and sealed into the
    vault; one of another version without its entry is a failure (:data:`VERSION_MISSING`).
    """
    records = opened_records(items, entries, versions)
    missing = [item for item in items if item.document.id not in records]
    to_mask = [item for item in missing if versions[item.document.id] == masker.version]
    failures = {
        item.document.id: VERSION_MISSING
        for item in missing
        if versions[item.document.id] != masker.version
    }
    for document_id in failures:
        logger.warning("document %s: no vault entry of its masker version", document_id)
    made, failed = mask_documents(masker, to_mask, workers)
    save_records(sessions, to_mask, made)
    records.update(made)
    return records, {**failures, **failed}


def reidentify_output(value: Any, mapping: Mapping[str, str], unknown: set[str]) -> Any:
    """Restore known placeholders in every string of a step output; collect unknown ones."""
    if isinstance(value, str):
        restored = reidentify(value, mapping)
        unknown.update(restored.unknown)
        return restored.text
    if isinstance(value, list):
        return [reidentify_output(v, mapping, unknown) for v in value]
    if isinstance(value, dict):
        return {k: reidentify_output(v, mapping, unknown) for k, v in value.items()}
    return value
