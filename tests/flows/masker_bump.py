"""Support for the masker-version tests: the real masker under another version whose
placeholders are numbered the other way round, two-person documents, and what the store holds."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import delete, select, update

from compliance.masking import Masker, MaskResult
from flows.documents import open_payload
from flows.ingest import record_from_mapping
from flows.online.flow import store_record
from flows.privacy import ToMask, mask_documents, vault_entry
from flows.results import data_key_of, document_results, reidentified_results
from flows.runtime import Runtime
from storage.engine import transaction
from storage.models import Document, DocumentFormat, StepResult, VaultEntry
from storage.repositories.vault import VaultRepository

BUMPED = "mask.v3"
_PLACEHOLDER = re.compile(r"\[([A-Z][A-Z_]*)_(\d+)\]")


def renumbered(result: MaskResult, version: str) -> MaskResult:
    """``result`` with the placeholders of each type numbered in reverse ([PERSON_1] of two
    people becomes [PERSON_2] and the other way round), as made by masker ``version``."""
    per_type: dict[str, int] = {}
    for placeholder in result.mapping:
        match = _PLACEHOLDER.fullmatch(placeholder)
        assert match is not None
        per_type[match.group(1)] = max(per_type.get(match.group(1), 0), int(match.group(2)))

    def new(placeholder: str) -> str:
        match = _PLACEHOLDER.fullmatch(placeholder)
        if match is None or placeholder not in result.mapping:
            return placeholder
        kind, number = match.group(1), int(match.group(2))
        return f"[{kind}_{per_type[kind] + 1 - number}]"

    return replace(
        result,
        parts={k: _PLACEHOLDER.sub(lambda m: new(m.group()), v) for k, v in result.parts.items()},
        mapping={new(k): v for k, v in result.mapping.items()},
        entities=tuple(replace(e, placeholder=new(e.placeholder)) for e in result.entities),
        version=version,
    )


class BumpedMasker:
    """The real masker, released as another version that numbers placeholders differently."""

    version = BUMPED

    def __init__(self, inner: Masker) -> None:
        self.inner = inner

    def mask(self, parts: Mapping[str, str], *, sender_name: str | None = None) -> MaskResult:
        return renumbered(self.inner.mask(parts, sender_name=sender_name), self.version)

    def mask_many(
        self, items: Sequence[tuple[Mapping[str, str], str | None]], workers: int = 1
    ) -> list[MaskResult]:
        return [renumbered(r, self.version) for r in self.inner.mask_many(items, workers=1)]

    def close(self) -> None:
        pass


def two_people(external_id: str, customer: str, email: str, other: str) -> dict[str, Any]:
    """A request from ``customer`` that names ``other`` too (later in the body)."""
    return {
        "external_id": external_id,
        "subject": "Двойное списание",
        "from": f"{customer} <{email}>",
        "body": (
            f"Здравствуйте! Меня зовут {customer}. С карты дважды списали 5000 тенге. "
            f"Оператор {other} обещал вернуть деньги, но ничего не вернули. "
            "Прошу разобраться."
        ),
    }


def store(runtime: Runtime, data: dict[str, Any]) -> int:
    raw = json.dumps(data, ensure_ascii=False)
    record = record_from_mapping(
        data, where="test", format=DocumentFormat.JSONL, size_bytes=len(raw.encode())
    )
    return store_record(runtime, record, "test")


def revealed(runtime: Runtime, document_id: int) -> dict[str, Any]:
    """The outputs of a document as an operator is shown them (``nightshift process``, the
    API's GET): re-identified, with the unknown placeholders under ``"unknown"``."""
    with transaction(runtime.app.sessions) as session:
        document = session.get(Document, document_id)
        assert document is not None
        results = document_results(
            session, runtime.app.keyring, document, runtime.versions(("extract", "draft"))
        )
        restored, unknown = reidentified_results(session, runtime.app.keyring, document, results)
    return {**{step: info["output"] for step, info in restored.items()}, "unknown": unknown}


def stored_versions(runtime: Runtime) -> tuple[set[tuple[int, str]], set[tuple[int, str, str]]]:
    """(document, masker version) of every vault entry; (document, step, version) of results."""
    with transaction(runtime.app.sessions) as session:
        vault = {(e.document_id, e.masker_version) for e in session.scalars(select(VaultEntry))}
        rows = {
            (r.document_id, r.step, str(r.masker_version))
            for r in session.scalars(select(StepResult))
        }
    return vault, rows


def forget_masker_versions(runtime: Runtime) -> None:
    """Make the step results look as written before migration 0009 (no masker version)."""
    with transaction(runtime.app.sessions) as session:
        session.execute(update(StepResult).values(masker_version=None))


def add_entry(runtime: Runtime, document_id: int, masker: BumpedMasker) -> None:
    """Mask the stored document by ``masker`` and keep that entry too (a later version's)."""
    keyring = runtime.app.keyring
    with transaction(runtime.app.sessions) as session:
        document = session.get(Document, document_id)
        assert document is not None
        item = ToMask(document, open_payload(keyring, document), data_key_of(keyring, document))
        records, failures = mask_documents(masker, [item])  # type: ignore[arg-type]
        assert failures == {}
        VaultRepository(session).put(vault_entry(item, records[document_id]))


def drop_vault(runtime: Runtime) -> None:
    """Lose every vault entry (a damaged or restored-from-elsewhere store)."""
    with transaction(runtime.app.sessions) as session:
        session.execute(delete(VaultEntry))
