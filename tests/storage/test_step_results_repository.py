"""StepResultRepository.upsert_many: one prepared statement for a group of results."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Document, DocumentStatus, StepResult
from storage.repositories import DocumentRepository
from storage.repositories.step_results import StepResultRepository
from tests.storage.test_documents_repository import _document


def _row(document_id: int, step: str, status: str, *, tokens: int = 10) -> dict[str, Any]:
    return {
        "document_id": document_id,
        "step": step,
        "prompt_version": "p1",
        "schema_version": "s1",
        "input_hash": "sha256:x",
        "run_id": None,
        "status": status,
        "route": "default",
        "model": "m",
        "attempts": 1,
        "tokens_in": tokens,
        "tokens_out": 1,
        "cost": Decimal("0.01"),
        "output": None,
        "reason": None,
    }


def _documents(sessions: sessionmaker[Session], count: int) -> list[int]:
    with sessions.begin() as session:
        documents = [_document(n) for n in range(count)]
        DocumentRepository(session).add_all(documents)
        session.flush()
        return [d.id for d in documents]


def _results(sessions: sessionmaker[Session]) -> dict[tuple[int, str], tuple[str, int]]:
    with sessions() as session:
        rows = session.scalars(select(StepResult))
        return {(r.document_id, r.step): (r.status, r.tokens_in) for r in rows}


def test_a_group_inserts_new_keys_and_overwrites_existing_ones(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    first, second = _documents(sessions, 2)
    with sessions.begin() as session:
        StepResultRepository(session).upsert_many([_row(first, "extract", "failed")])
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with sessions.begin() as session:
        StepResultRepository(session).upsert_many(
            [
                _row(first, "extract", "done", tokens=20),
                _row(second, "extract", "done", tokens=30),
                _row(second, "categorize", "review", tokens=40),
            ]
        )
    assert _results(sessions) == {
        (first, "extract"): ("done", 20),
        (second, "extract"): ("done", 30),
        (second, "categorize"): ("review", 40),
    }
    assert len([s for s in statements if s.lstrip().upper().startswith("INSERT")]) == 1


def test_the_last_row_of_a_key_wins_within_one_group(sessions: sessionmaker[Session]) -> None:
    """A running checkpoint and the final answer of the same step can commit together; on
    PostgreSQL one statement may not update a row twice, so only the last row is written."""
    (document,) = _documents(sessions, 1)
    with sessions.begin() as session:
        StepResultRepository(session).upsert_many(
            [
                _row(document, "categorize", "running", tokens=5),
                _row(document, "categorize", "done", tokens=9),
            ]
        )
    assert _results(sessions) == {(document, "categorize"): ("done", 9)}


def test_statuses_are_set_per_document_in_one_statement(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    first, second, third = _documents(sessions, 3)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with sessions.begin() as session:
        DocumentRepository(session).set_statuses(
            {first: DocumentStatus.DONE, second: DocumentStatus.REVIEW}
        )
    with sessions() as session:
        found = {d.id: d.status for d in session.scalars(select(Document))}
    assert found == {
        first: DocumentStatus.DONE,
        second: DocumentStatus.REVIEW,
        third: DocumentStatus.PENDING,
    }
    assert len([s for s in statements if s.lstrip().upper().startswith("UPDATE")]) == 1
