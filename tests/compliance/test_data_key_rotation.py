"""Rotating the data key: every document's data key is re-wrapped under the new key-encryption
key, what was sealed under the data key still opens, erased documents stay erased, an interrupted
rotation is finished by a re-wrap, and an old key is deleted only when no document needs it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from compliance.errors import DataKeyInUse, DocumentErased, EncryptionError
from compliance.keys.data_keys import retire, rewrap, rotate
from compliance.keys.encryption import KeyRing, create_key, key_files, remove_key
from compliance.keys.vault import VaultRecord, open_record, seal_record
from flows.documents import DocumentPayload, open_payload
from flows.ingest import ingest_paths
from flows.results import data_key_of
from sampledata import generate_records, write_jsonl
from storage.engine import transaction
from storage.models import Document, VaultEntry

COUNT = 7


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    KeyRing.ensure(tmp_path / "keys")
    return tmp_path / "keys"


def ingest(sessions: sessionmaker[Session], keys: Path, tmp_path: Path, seed: int) -> None:
    path = tmp_path / f"samples-{seed}.jsonl"
    write_jsonl(generate_records(COUNT, seed), path)
    assert ingest_paths(sessions, KeyRing.load(keys), [path], source="test").new == COUNT


def documents(sessions: sessionmaker[Session]) -> list[Document]:
    with sessions() as session:
        return list(session.scalars(select(Document).order_by(Document.id)))


def payloads(sessions: sessionmaker[Session], keys: Path) -> dict[int, DocumentPayload]:
    ring = KeyRing.load(keys)
    return {d.id: open_payload(ring, d) for d in documents(sessions) if d.wrapped_key is not None}


def erase(sessions: sessionmaker[Session], document_id: int) -> None:
    with transaction(sessions) as session:
        session.execute(update(Document).where(Document.id == document_id).values(wrapped_key=None))


@pytest.fixture
def stored(
    sessions: sessionmaker[Session], keys: Path, tmp_path: Path
) -> dict[int, DocumentPayload]:
    """Seven synthetic e-mails under the first key, the second one erased; their payloads."""
    ingest(sessions, keys, tmp_path, seed=11)
    erase(sessions, documents(sessions)[1].id)
    return payloads(sessions, keys)


def test_a_rotation_rewraps_every_live_document_under_the_new_key_and_they_still_open(
    sessions: sessionmaker[Session], keys: Path, stored: dict[int, DocumentPayload]
) -> None:
    old = KeyRing.load(keys).active_id

    report = rotate(sessions, keys)

    new = KeyRing.load(keys).active_id
    assert new != old and report.active_id == new and report.rotated_from == old
    live = [d for d in documents(sessions) if d.wrapped_key is not None]
    assert {d.key_id for d in live} == {new}
    assert payloads(sessions, keys) == stored
    assert (report.rewrapped, report.current, report.erased, report.skipped) == (COUNT - 1, 0, 1, 0)
    assert report.still_referenced == {} and report.unreferenced == [old] and report.complete


def test_what_was_sealed_under_a_document_key_still_opens_after_the_rotation(
    sessions: sessionmaker[Session], keys: Path, stored: dict[int, DocumentPayload]
) -> None:
    document = documents(sessions)[0]
    record = VaultRecord(
        parts={"body": "[PERSON_1]"}, mapping={"[PERSON_1]": "Асель"}, version="mask.v1"
    )
    sealed = seal_record(data_key_of(KeyRing.load(keys), document), document.id, "h", record)
    with transaction(sessions) as session:
        session.add(VaultEntry(document_id=document.id, content_hash="h", masker_version="mask.v1",
                               sealed=sealed))  # fmt: skip

    rotate(sessions, keys)

    rotated = documents(sessions)[0]
    assert rotated.wrapped_key != document.wrapped_key
    key = data_key_of(KeyRing.load(keys), rotated)
    assert open_record(key, rotated.id, "h", "mask.v1", sealed) == record


def test_an_erased_document_stays_erased_under_its_old_key_id(
    sessions: sessionmaker[Session], keys: Path, stored: dict[int, DocumentPayload]
) -> None:
    old = KeyRing.load(keys).active_id

    rotate(sessions, keys)

    erased = documents(sessions)[1]
    assert (erased.key_id, erased.wrapped_key) == (old, None)
    with pytest.raises(DocumentErased):
        open_payload(KeyRing.load(keys), erased)


def test_an_interrupted_rotation_is_finished_by_a_rewrap_without_another_key(
    sessions: sessionmaker[Session], keys: Path, stored: dict[int, DocumentPayload]
) -> None:
    old = KeyRing.load(keys).active_id

    first = rotate(sessions, keys, batch_size=2, max_batches=1)

    new = first.active_id
    assert (first.rewrapped, first.finished, first.complete) == (2, False, False)
    assert first.still_referenced == {old: COUNT - 3} and first.unreferenced == []
    assert payloads(sessions, keys) == stored  # half done: both keys still open their rows
    resumed = rewrap(sessions, KeyRing.load(keys), batch_size=2)
    assert sorted(key_files(keys)) == sorted([old, new])
    assert (resumed.active_id, resumed.rewrapped, resumed.current) == (new, COUNT - 3, 2)
    assert resumed.complete and resumed.unreferenced == [old]
    assert {d.key_id for d in documents(sessions) if d.wrapped_key is not None} == {new}
    again = rewrap(sessions, KeyRing.load(keys))
    assert (again.rewrapped, again.current, again.complete) == (0, COUNT - 1, True)
    assert payloads(sessions, keys) == stored


def test_retiring_deletes_the_old_key_and_every_document_still_opens(
    sessions: sessionmaker[Session], keys: Path, stored: dict[int, DocumentPayload]
) -> None:
    old = KeyRing.load(keys).active_id
    rotate(sessions, keys)

    report = retire(sessions, keys)

    assert report.retired == [old]
    assert list(key_files(keys)) == [report.active_id]
    assert payloads(sessions, keys) == stored
    assert retire(sessions, keys).retired == []


def test_retiring_is_refused_while_a_document_still_needs_the_old_key(
    sessions: sessionmaker[Session], keys: Path, stored: dict[int, DocumentPayload]
) -> None:
    old = KeyRing.load(keys).active_id
    rotate(sessions, keys, batch_size=2, max_batches=1)
    before = sorted(key_files(keys))

    with pytest.raises(DataKeyInUse, match=f"{old} wraps {COUNT - 3}") as refused:
        retire(sessions, keys)

    assert "nightshift keys rewrap-data-keys" in str(refused.value)
    assert sorted(key_files(keys)) == before
    assert payloads(sessions, keys) == stored


def test_the_active_key_is_never_retired(keys: Path) -> None:
    active = KeyRing.load(keys).active_id
    with pytest.raises(EncryptionError, match="active data key"):
        remove_key(keys, active)
    assert list(key_files(keys)) == [active]


def test_documents_under_a_missing_key_are_reported_and_the_rest_are_rewrapped(
    sessions: sessionmaker[Session], keys: Path, tmp_path: Path
) -> None:
    lost = KeyRing.load(keys).active_id
    ingest(sessions, keys, tmp_path, seed=1)
    create_key(keys)
    ingest(sessions, keys, tmp_path, seed=2)
    key_files(keys)[lost].unlink()

    report = rotate(sessions, keys)

    assert (report.rewrapped, report.unreadable) == (COUNT, COUNT)
    assert report.unreadable_ids == [d.id for d in documents(sessions)][:COUNT]
    assert report.missing == [lost] and report.still_referenced == {lost: COUNT}
    assert not report.complete
    assert retire(sessions, keys).retired == [report.rotated_from]  # the readable old key
