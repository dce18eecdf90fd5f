"""Every source format becomes the same kind of document, with its fields where they belong."""

from __future__ import annotations

import csv
import json
import mailbox
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from compliance.keys.encryption import KeyRing
from flows.ingest import IngestReport, ingest_paths, open_payload
from storage.models import Document, DocumentFormat, DocumentStatus


def _record(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "external_id": f"REQ-{n}",
        "received_at": "2026-11-25T09:30:00+05:00",
        "from": "Алия Серікқызы <aliya@example.kz>",
        "to": ["support@bank.example.kz"],
        "subject": f"Вопрос {n}",
        "body": f"Здравствуйте!\nПрошу проверить платёж номер {n}.",
        "attachments": [{"filename": "note.txt", "text": "выписка"}],
        "urgent": n % 2 == 0,
        "labels": {"category": "payment_complaint"},
        **extra,
    }


def _write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def _write_csv(path: Path, records: list[dict[str, Any]]) -> Path:
    columns = list(records[0])
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for record in records:
            writer.writerow(
                [
                    json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list | bool) else v
                    for v in record.values()
                ]
            )
    return path


def _email(n: int, *, html: bool = False) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Ерлан Касымов <erlan@example.kz>"
    message["To"] = "support@bank.example.kz, Оператор <ops@bank.example.kz>"
    message["Subject"] = f"Карта заблокирована {n}"
    message["Date"] = "Tue, 25 Nov 2026 10:15:00 +0500"
    message["Message-ID"] = f"<mail-{n}@example.kz>"
    if html:
        message.set_content(f"<html><body><p>Карта {n}</p><p>не работает</p></body></html>", "html")
    else:
        message.set_content(f"Карта {n} не работает.\n")
    message.add_attachment("текст вложения", filename="details.txt")
    message.add_attachment(b"%PDF-1.4 binary", maintype="application", subtype="pdf",
                           filename="scan.pdf")  # fmt: skip
    return message


def _ingest(sessions: sessionmaker[Session], keyring: KeyRing, *paths: Path) -> IngestReport:
    return ingest_paths(sessions, keyring, list(paths), source="test")


def _documents(sessions: sessionmaker[Session]) -> list[Document]:
    with sessions() as session:
        return list(session.scalars(select(Document).order_by(Document.id)))


def test_jsonl_records_are_stored_with_their_fields(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path
) -> None:
    path = _write_jsonl(tmp_path / "in.jsonl", [_record(1), _record(2)])
    report = _ingest(sessions, keyring, path)
    assert (report.new, report.changed, report.unchanged, report.rejected) == (2, 0, 0, [])
    first, second = _documents(sessions)
    assert (first.external_id, first.format, first.source) == ("REQ-1", "jsonl", "test")
    assert first.received_at == datetime(2026, 11, 25, 4, 30, tzinfo=UTC)
    assert (first.urgent, second.urgent) == (False, True)
    assert (first.revision, first.status, first.attachment_count) == (1, "pending", 1)
    assert first.content_hash.startswith("sha256:") and first.identity_key.startswith("sha256:")
    payload = open_payload(keyring, first)
    assert payload.from_name == "Алия Серікқызы"
    assert payload.from_address == "aliya@example.kz"
    assert payload.to == ("support@bank.example.kz",)
    assert payload.body == "Здравствуйте!\nПрошу проверить платёж номер 1."
    assert payload.attachments[0].text == "выписка"
    assert payload.labels == {"category": "payment_complaint"}


def test_csv_rows_decode_json_cells_and_word_booleans(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path
) -> None:
    records = [_record(1, urgent="yes"), _record(2, urgent="0")]
    path = _write_csv(tmp_path / "in.csv", records)
    report = _ingest(sessions, keyring, path)
    assert (report.new, report.rejected) == (2, [])
    first, second = _documents(sessions)
    assert (first.format, first.urgent, second.urgent) == ("csv", True, False)
    payload = open_payload(keyring, first)
    assert payload.attachments[0].filename == "note.txt"
    assert payload.labels == {"category": "payment_complaint"}
    assert payload.to == ("support@bank.example.kz",)


def test_an_eml_file_gives_headers_body_and_text_attachments(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path
) -> None:
    path = tmp_path / "one.eml"
    path.write_bytes(bytes(_email(1)))
    report = _ingest(sessions, keyring, path)
    assert (report.new, report.rejected, report.unreadable_attachments) == (1, [], 1)
    (document,) = _documents(sessions)
    assert (document.external_id, document.format) == ("<mail-1@example.kz>", "eml")
    assert document.received_at == datetime(2026, 11, 25, 5, 15, tzinfo=UTC)
    payload = open_payload(keyring, document)
    assert (payload.from_name, payload.from_address) == ("Ерлан Касымов", "erlan@example.kz")
    assert payload.to == ("support@bank.example.kz", "Оператор <ops@bank.example.kz>")
    assert payload.subject == "Карта заблокирована 1"
    assert payload.body == "Карта 1 не работает."
    texts = [(a.filename, a.text, a.readable) for a in payload.attachments]
    assert texts == [("details.txt", "текст вложения", True), ("scan.pdf", "", False)]


def test_an_html_only_email_is_reduced_to_text(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path
) -> None:
    path = tmp_path / "html.eml"
    path.write_bytes(bytes(_email(7, html=True)))
    _ingest(sessions, keyring, path)
    (document,) = _documents(sessions)
    assert open_payload(keyring, document).body == "Карта 7\n\nне работает"


def test_every_message_of_an_mbox_is_a_document_numbered_from_one(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path
) -> None:
    path = tmp_path / "box.mbox"
    box = mailbox.mbox(path)
    for n in (1, 2, 3):
        box.add(mailbox.mboxMessage(_email(n)))
    box.flush()
    box.close()
    report = _ingest(sessions, keyring, path)
    assert (report.new, report.rejected) == (3, [])
    ids = [d.external_id for d in _documents(sessions)]
    assert ids == ["<mail-1@example.kz>", "<mail-2@example.kz>", "<mail-3@example.kz>"]
    assert {d.format for d in _documents(sessions)} == {DocumentFormat.MBOX}


def test_urgent_emails_are_recognised_by_their_priority_headers(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path
) -> None:
    message = _email(1)
    message["Importance"] = "High"
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "urgent.eml").write_bytes(bytes(message))
    (folder / "calm.eml").write_bytes(bytes(_email(2)))
    _ingest(sessions, keyring, folder)
    calm, urgent = _documents(sessions)
    assert (calm.urgent, urgent.urgent) == (False, True)


def test_a_folder_is_read_recursively_in_sorted_order_skipping_hidden_files(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    for sub in ("b", ".hidden"):
        (folder / sub).mkdir(parents=True)
    _write_jsonl(folder / "b" / "2.jsonl", [_record(2)])
    _write_jsonl(folder / "a.jsonl", [_record(1)])
    _write_jsonl(folder / ".hidden" / "x.jsonl", [_record(9)])
    _write_jsonl(folder / ".skip.jsonl", [_record(8)])
    report = _ingest(sessions, keyring, folder, folder / "a.jsonl")
    assert (report.new, report.files, report.rejected) == (2, 2, [])
    assert [d.external_id for d in _documents(sessions)] == ["REQ-1", "REQ-2"]


def test_a_time_without_offset_is_taken_as_utc_and_unknown_keys_are_counted(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path
) -> None:
    records = [_record(1, received_at="2026-11-25T09:30:00", channel="web", **{"утечка": "x"})]
    report = _ingest(sessions, keyring, _write_jsonl(tmp_path / "in.jsonl", records))
    (document,) = _documents(sessions)
    assert document.received_at == datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
    assert report.ignored_fields == {"channel": 1, "<other>": 1}


def test_new_documents_are_pending_for_the_nightly_run(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path
) -> None:
    _ingest(sessions, keyring, _write_jsonl(tmp_path / "in.jsonl", [_record(1)]))
    assert [d.status for d in _documents(sessions)] == [DocumentStatus.PENDING]
