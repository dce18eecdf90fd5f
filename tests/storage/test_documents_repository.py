"""DocumentRepository owns the queries of the documents table and never commits."""

from __future__ import annotations

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Document, DocumentStatus
from storage.repositories import DocumentRepository
from storage.repositories.documents import LOOKUP_BATCH


def _document(n: int, *, urgent: bool = False, source: str = "test") -> Document:
    return Document(
        source=source,
        external_id=f"X-{n}",
        identity_key=f"sha256:{n:064x}",
        content_hash=f"sha256:{n + 1:064x}",
        format="jsonl",
        size_bytes=10,
        attachment_count=0,
        urgent=urgent,
        revision=1,
        status=DocumentStatus.PENDING,
        key_id="kek-test",
        wrapped_key=b"w",
        payload=b"p",
    )


def _save(sessions: sessionmaker[Session], documents: list[Document]) -> None:
    with sessions.begin() as session:
        DocumentRepository(session).add_all(documents)


def test_identity_keys_are_looked_up_in_batches_not_one_query_per_key(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    count = LOOKUP_BATCH + 20
    _save(sessions, [_document(n) for n in range(count)])
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with sessions() as session:
        keys = [f"sha256:{n:064x}" for n in range(count)] + ["sha256:missing"]
        found = DocumentRepository(session).by_identity_keys(keys)
    assert len(found) == count
    assert found[f"sha256:{7:064x}"].external_id == "X-7"
    assert len([s for s in statements if "FROM documents" in s]) == 2


def test_a_repository_never_commits(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        DocumentRepository(session).add(_document(1))
        session.flush()
        session.rollback()
    with sessions() as session:
        assert DocumentRepository(session).count() == 0


def test_statuses_are_set_by_id_and_counted_by_status(
    sessions: sessionmaker[Session],
) -> None:
    _save(sessions, [_document(1), _document(2, urgent=True), _document(3), _document(4)])
    with sessions.begin() as session:
        repository = DocumentRepository(session)
        ids = {d.external_id: d.id for d in map(repository.by_identity_key, _keys(1, 2, 3, 4)) if d}
        repository.set_statuses({ids["X-3"]: DocumentStatus.DONE})
    with sessions() as session:
        assert DocumentRepository(session).count_by_status() == {"pending": 3, "done": 1}


def test_counts_can_be_narrowed_to_one_source(sessions: sessionmaker[Session]) -> None:
    _save(sessions, [_document(1), _document(2, source="other"), _document(3, source="other")])
    with sessions() as session:
        repository = DocumentRepository(session)
        assert (repository.count(), repository.count(source="other")) == (3, 2)
        assert repository.get(10_000) is None


def _keys(*numbers: int) -> list[str]:
    return [f"sha256:{n:064x}" for n in numbers]
