"""Identity and change: re-ingesting is idempotent, an edit makes exactly one new revision."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from compliance.keys.encryption import KeyRing
from flows.ingest import IngestReport, ingest_paths, open_payload
from storage.models import Document, DocumentStatus


def _record(n: int, body: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"external_id": f"E-{n}", "subject": f"Тема {n}", "body": body or f"Текст {n}", **extra}


def _write(path: Path, records: list[dict[str, Any]], newline: str = "\n") -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + newline for r in records), "utf-8")
    return path


def _ingest(
    sessions: sessionmaker[Session], keyring: KeyRing, path: Path, **kwargs: Any
) -> IngestReport:
    return ingest_paths(sessions, keyring, [path], source="test", **kwargs)


def _counts(report: IngestReport) -> tuple[int, int, int, int]:
    return report.new, report.changed, report.unchanged, len(report.rejected)


def _documents(sessions: sessionmaker[Session]) -> list[Document]:
    with sessions() as session:
        return list(session.scalars(select(Document).order_by(Document.id)))


def test_new_then_unchanged_then_one_edited_body_is_exactly_one_change(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path
) -> None:
    records = [_record(n) for n in range(1, 6)]
    path = _write(tmp_path / "in.jsonl", records)
    assert _counts(_ingest(sessions, keyring, path)) == (5, 0, 0, 0)
    before = {d.external_id: d for d in _documents(sessions)}
    with sessions.begin() as session:
        session.execute(update(Document).values(status=DocumentStatus.DONE))

    assert _counts(_ingest(sessions, keyring, path)) == (0, 0, 5, 0)
    records[2] = _record(3, body="Текст 3, исправленный")
    _write(path, records)
    assert _counts(_ingest(sessions, keyring, path)) == (0, 1, 4, 0)

    after = {d.external_id: d for d in _documents(sessions)}
    edited = after["E-3"]
    assert (edited.revision, edited.status) == (2, DocumentStatus.PENDING)
    assert edited.content_hash != before["E-3"].content_hash
    assert edited.wrapped_key != before["E-3"].wrapped_key
    assert open_payload(keyring, edited).body == "Текст 3, исправленный"
    untouched = [after[f"E-{n}"] for n in (1, 2, 4, 5)]
    assert {(d.revision, d.status) for d in untouched} == {(1, DocumentStatus.DONE)}
    assert [d.payload for d in untouched] == [before[d.external_id].payload for d in untouched]


def test_line_endings_trailing_spaces_and_unicode_forms_do_not_count_as_a_change(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path
) -> None:
    path = _write(tmp_path / "in.jsonl", [_record(1, body="Ёлка\nвторая строка")])
    _ingest(sessions, keyring, path)
    decomposed = "Е\u0308лка  \r\n\r\nвторая строка\t\r\n\n"
    _write(path, [_record(1, body="\n" + decomposed.replace("\r\n\r\n", "\r\n"))], "\r\n")
    assert _counts(_ingest(sessions, keyring, path)) == (0, 0, 1, 0)


def test_the_same_external_id_twice_in_one_ingest_keeps_the_later_record(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path
) -> None:
    records = [_record(1, body="первый"), _record(1, body="второй"), _record(1, body="второй")]
    report = _ingest(sessions, keyring, _write(tmp_path / "in.jsonl", records))
    assert _counts(report) == (1, 1, 1, 0)
    (document,) = _documents(sessions)
    assert document.revision == 2
    assert open_payload(keyring, document).body == "второй"


def test_a_repeat_across_batches_is_found_by_the_batched_lookup(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path
) -> None:
    records = [_record(n) for n in range(1, 8)] + [_record(2, body="изменён")]
    report = _ingest(sessions, keyring, _write(tmp_path / "in.jsonl", records), batch_size=3)
    assert _counts(report) == (7, 1, 0, 0)
    assert [d.revision for d in _documents(sessions)] == [1, 2, 1, 1, 1, 1, 1]


def test_without_an_external_id_the_content_is_the_identity(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path
) -> None:
    records = [{"body": "один"}, {"body": "два"}, {"body": "один"}]
    report = _ingest(sessions, keyring, _write(tmp_path / "in.jsonl", records))
    assert _counts(report) == (2, 0, 1, 0)
    assert {d.external_id for d in _documents(sessions)} == {None}


def test_the_same_external_id_from_another_source_is_another_document(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path
) -> None:
    path = _write(tmp_path / "in.jsonl", [_record(1)])
    ingest_paths(sessions, keyring, [path], source="branch-a")
    report = ingest_paths(sessions, keyring, [path], source="branch-b")
    assert _counts(report) == (1, 0, 0, 0)
    assert [d.source for d in _documents(sessions)] == ["branch-a", "branch-b"]


def test_a_label_change_alone_leaves_the_document_untouched(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path
) -> None:
    path = _write(tmp_path / "in.jsonl", [_record(1, labels={"category": "a"})])
    _ingest(sessions, keyring, path)
    _write(path, [_record(1, labels={"category": "b"})])
    assert _counts(_ingest(sessions, keyring, path)) == (0, 0, 1, 0)
    (document,) = _documents(sessions)
    assert open_payload(keyring, document).labels == {"category": "a"}
