"""VaultRepository owns the queries of vault_entries: one entry per (document, content hash,
masker version), found per content oldest first; it never commits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from storage.models import VaultEntry
from storage.repositories import VaultRepository
from tests.storage.test_documents_repository import _document, _save

START = datetime(2026, 12, 7, 21, 0, tzinfo=UTC)


def _entry(document_id: int, content: str, version: str, minutes: int) -> VaultEntry:
    at = START + timedelta(minutes=minutes)
    return VaultEntry(
        document_id=document_id,
        content_hash=content,
        masker_version=version,
        counts={"PERSON": 1},
        sealed=version.encode(),
        created_at=at,
        updated_at=at,
    )


def test_each_masker_version_of_a_content_is_an_entry_and_lookups_give_them_oldest_first(
    sessions: sessionmaker[Session],
) -> None:
    _save(sessions, [_document(1), _document(2)])
    with sessions.begin() as session:
        vault = VaultRepository(session)
        vault.put(_entry(1, "sha256:new", "mask.v2", 30))
        vault.put(_entry(1, "sha256:new", "mask.v1", 10))
        vault.put(_entry(1, "sha256:old", "mask.v0", 0))  # an earlier content of document 1
        vault.put(_entry(2, "sha256:two", "mask.v1", 5))
        vault.put(_entry(2, "sha256:two", "mask.v1", 6))  # the same key: replaced, not added

    with sessions() as session:
        vault = VaultRepository(session)
        found = vault.for_contents({1: "sha256:new", 2: "sha256:two"})
        oldest = vault.oldest(1, "sha256:new")
        count = vault.count()
        assert not session.new and not session.dirty

    assert {d: [(e.masker_version, e.sealed) for e in es] for d, es in found.items()} == {
        1: [("mask.v1", b"mask.v1"), ("mask.v2", b"mask.v2")],
        2: [("mask.v1", b"mask.v1")],
    }
    assert oldest is not None and oldest.masker_version == "mask.v1"
    assert count == 4


def test_the_entries_of_one_content_are_those_of_that_document_and_content_oldest_first(
    sessions: sessionmaker[Session],
) -> None:
    _save(sessions, [_document(1), _document(2)])
    with sessions.begin() as session:
        vault = VaultRepository(session)
        vault.put(_entry(1, "sha256:new", "mask.v2", 30))
        vault.put(_entry(1, "sha256:new", "mask.v1", 10))
        vault.put(_entry(1, "sha256:old", "mask.v0", 0))
        vault.put(_entry(2, "sha256:new", "mask.v1", 5))  # the same content hash, another document

    with sessions() as session:
        vault = VaultRepository(session)
        found = [(e.document_id, e.masker_version) for e in vault.for_content(1, "sha256:new")]
        old = [e.masker_version for e in vault.for_content(1, "sha256:old")]
        none = vault.for_content(2, "sha256:old")

    assert found == [(1, "mask.v1"), (1, "mask.v2")]
    assert (old, none) == (["mask.v0"], [])


def test_the_repository_leaves_the_commit_to_its_caller(sessions: sessionmaker[Session]) -> None:
    _save(sessions, [_document(1)])
    with sessions() as session:
        VaultRepository(session).put(_entry(1, "sha256:c", "mask.v1", 0))
        session.rollback()
    with sessions() as session:
        assert VaultRepository(session).count() == 0
