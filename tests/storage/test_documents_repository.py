"""DocumentRepository owns the queries of the documents table and never commits."""

from __future__ import annotations

from sqlalchemy import Engine, event, select, update
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Document, DocumentStatus
from storage.repositories import DocumentRepository
from storage.repositories.documents import LOOKUP_BATCH, WrappedKeyChange


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


def test_a_wrapped_key_is_replaced_only_where_the_row_still_holds_the_one_read(
    sessions: sessionmaker[Session],
) -> None:
    _save(sessions, [_document(n) for n in range(4)])
    with sessions() as session:
        rows = DocumentRepository(session).wrapped_keys_not_under("kek-new", after_id=0, limit=10)
    changes = [WrappedKeyChange(r.id, r.key_id, r.wrapped_key, "kek-new", b"n") for r in rows]
    erased, changed, rewrapped = (r.id for r in rows[:3])
    with sessions.begin() as session:  # meanwhile: erased, re-ingested, re-wrapped by another
        session.execute(update(Document).where(Document.id == erased).values(wrapped_key=None))
        session.execute(update(Document).where(Document.id == changed).values(wrapped_key=b"c"))
        session.execute(update(Document).where(Document.id == rewrapped).values(key_id="kek-other"))

    with sessions.begin() as session:
        written = DocumentRepository(session).replace_wrapped_keys(changes)

    with sessions() as session:
        held = {d.id: (d.key_id, d.wrapped_key) for d in session.scalars(select(Document))}
    assert written == 1
    assert held == {
        erased: ("kek-test", None),
        changed: ("kek-test", b"c"),
        rewrapped: ("kek-other", b"w"),
        rows[3].id: ("kek-new", b"n"),
    }


def test_rows_to_rewrap_skip_erased_rows_and_rows_under_the_target_key(
    sessions: sessionmaker[Session],
) -> None:
    documents = [_document(n) for n in range(5)]
    documents[1].wrapped_key = None
    documents[2].key_id = "kek-new"
    _save(sessions, documents)
    with sessions() as session:
        repository = DocumentRepository(session)
        first = repository.wrapped_keys_not_under("kek-new", after_id=0, limit=2)
        rest = repository.wrapped_keys_not_under("kek-new", after_id=first[-1].id, limit=2)
        by_key = repository.live_count_by_key()
        erased = repository.count_erased()
    assert [r.id for r in first + rest] == [documents[i].id for i in (0, 3, 4)]
    assert (by_key, erased) == ({"kek-test": 3, "kek-new": 1}, 1)
