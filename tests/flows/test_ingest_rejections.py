"""Bad input: each record or file gets a clear reason, the rest goes on, and no reason ever
quotes document text or personal data."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from compliance.keys.encryption import KeyRing
from flows.config import IngestConfig
from flows.ingest import IngestReport, Rejection, ingest_paths, read_file
from storage.models import Document

NAME = "Гульнара Ермековна Сатпаева"
IIN = "880521450319"
PHONE = "+7 701 482 19 66"
PLANTED = (NAME, IIN, PHONE, "gulnara.satpayeva@mail.example.kz")
SMALL = IngestConfig(max_record_bytes=1024)


def _good(n: int) -> dict[str, Any]:
    return {"external_id": f"G-{n}", "body": f"Клиент {NAME}, ИИН {IIN}, тел. {PHONE}."}


def _line(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) + "\n"


def _ingest(
    sessions: sessionmaker[Session], keyring: KeyRing, *paths: Path, **kwargs: Any
) -> IngestReport:
    return ingest_paths(sessions, keyring, list(paths), source="test", **kwargs)


def _stored(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Document)) or 0)


def _reasons(report: IngestReport) -> dict[str, str]:
    return {item.where: item.reason for item in report.rejected}


def _eml(headers: str, body: str) -> bytes:
    return (headers.strip() + "\n\n" + body).encode()


def test_a_folder_with_a_binary_file_a_truncated_line_and_an_empty_email_keeps_the_rest(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "scan.jsonl").write_bytes(bytes(range(256)) * 8)
    truncated = _line(_good(2))[:40]
    (folder / "batch.jsonl").write_text(_line(_good(1)) + truncated + "\n" + _line(_good(3)))
    (folder / "empty.eml").write_bytes(b"")
    (folder / "ok.eml").write_bytes(_eml("From: a@example.kz\nSubject: s", "Текст письма"))
    report = _ingest(sessions, keyring, folder)
    assert _reasons(report) == {
        f"{folder}/batch.jsonl:2": "invalid JSON: Unterminated string starting at column 32",
        f"{folder}/empty.eml": "unparseable email: the message is empty",
        f"{folder}/scan.jsonl": "binary file",
    }
    assert (report.new, _stored(sessions)) == (3, 3)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("[1, 2]", "the line is a JSON array, not an object"),
        ('"just text"', "the line is a JSON string, not an object"),
        ('{"body": ""}', "empty body and no attachment text"),
        ('{"body": "  \\n "}', "empty body and no attachment text"),
        ('{"subject": "x"}', "invalid record: field body is missing"),
        ('{"body": "a\\u0000b"}', "binary content (NUL bytes or mostly control characters)"),
        ('{"body": "\\u0001\\u0002\\u0003x"}', "binary content (NUL bytes or mostly control "
                                               "characters)"),
        ('{"body": "x", "subject": 5}', "invalid record: field subject: Input should be a valid "
                                        "string"),
        ('{"body": "x", "urgent": "maybe"}', "invalid record: field urgent: must be true or false "
                                             "(also accepted: 1/0, yes/no)"),
        ('{"body": "x", "received_at": "yesterday"}', "invalid record: field received_at: is not "
                                                      "an ISO 8601 date-time"),
        ('{"body": "x", "attachments": [{"text": 5}]}', "invalid record: field attachments.0.text"
                                                        ": Input should be a valid string"),
        ('{"body": "x", "labels": [1]}', "invalid record: field labels: Input should be a valid "
                                         "dictionary"),
    ],
)  # fmt: skip
def test_a_bad_jsonl_line_is_rejected_with_its_reason(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path, line: str, reason: str
) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(_line(_good(1)) + line + "\n" + _line(_good(2)))
    report = _ingest(sessions, keyring, path)
    assert report.rejected == [Rejection(f"{path}:2", reason)]
    assert report.new == 2


def test_invalid_utf8_is_reported_with_its_byte_offset(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path
) -> None:
    path = tmp_path / "in.jsonl"
    first = _line(_good(1)).encode()
    path.write_bytes(first + b'{"body": "ab\xff"}\n')
    report = _ingest(sessions, keyring, path)
    offset = len(first) + 12
    assert _reasons(report) == {
        f"{path}:2": f"invalid UTF-8 at byte 12 of the line (byte {offset} of the file)"
    }


def test_a_record_over_the_size_limit_names_its_size_the_limit_and_the_setting(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path
) -> None:
    path = tmp_path / "in.jsonl"
    big = _line({"body": "я" * 5000})
    path.write_text(_line(_good(1)) + big + _line(_good(2)))
    report = _ingest(sessions, keyring, path, config=SMALL)
    size = len(big.encode()) - 1
    assert _reasons(report) == {
        f"{path}:2": f"record is {size:,} bytes, over the limit of 1,024 bytes; "
        "split it or raise the setting ingest.max_record_bytes"
    }
    assert report.new == 2


def test_bad_csv_rows_are_rejected_by_row_number(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path
) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(
        "external_id,body,attachments,urgent\n"
        f"C-1,{NAME},,\n"
        "C-2,,,\n"
        f'C-3,"{IIN}","[{{""filename"": ""a.txt"",",\n'
        f"C-4,{PHONE},,perhaps\n"
        "C-5,text,,,extra\n".encode()
        + b"C-6,caf\xe9,,\n"
        + f"C-7,{NAME},,true\n".encode()
    )
    report = _ingest(sessions, keyring, path)
    offset = path.read_bytes().index(b"\xe9")
    assert _reasons(report) == {
        f"{path}:row 2": "empty body and no attachment text",
        f"{path}:row 3": "column attachments is not valid JSON: Expecting property name "
        "enclosed in double quotes at character 23",
        f"{path}:row 4": "invalid record: field urgent: must be true or false "
        "(also accepted: 1/0, yes/no)",
        f"{path}:row 5": "the row has 5 cells but the header has 4",
        f"{path}:row 6": f"invalid UTF-8 at byte {offset} of the file",
    }
    assert report.new == 2


def test_a_csv_without_a_body_column_is_rejected_as_a_whole(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path
) -> None:
    path = tmp_path / "in.csv"
    path.write_text("id,text\n1,hello\n")
    report = _ingest(sessions, keyring, path)
    assert _reasons(report) == {str(path): "the CSV header has no body column"}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "unparseable email: the message is empty"),
        (b"just some words without any header line\n", "unparseable email: no headers"),
        (b"Subject: nothing\n\n", "empty body and no attachment text"),
        (
            b"Subject: x\nContent-Type: multipart/mixed\n\nno boundary here\n",
            "unparseable email: NoBoundaryInMultipartDefect",
        ),
    ],
)
def test_an_unreadable_email_is_rejected_with_its_reason(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "bad.eml"
    path.write_bytes(content)
    report = _ingest(sessions, keyring, path)
    assert report.rejected == [Rejection(str(path), reason)]


def test_a_bad_message_in_an_mbox_is_rejected_by_its_number(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path
) -> None:
    path = tmp_path / "box.mbox"
    path.write_bytes(
        b"From a@b Tue Nov 25 10:00:00 2026\nSubject: one\n\nfirst\n\n"
        b"From a@b Tue Nov 25 10:01:00 2026\nSubject: two\n\n\n"
        b"From a@b Tue Nov 25 10:02:00 2026\nSubject: three\n\nthird\n"
    )
    report = _ingest(sessions, keyring, path)
    assert report.rejected == [Rejection(f"{path}#2", "empty body and no attachment text")]
    assert report.new == 2


def test_a_file_that_is_not_an_mbox_is_rejected(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path
) -> None:
    path = tmp_path / "box.mbox"
    path.write_text("Subject: not an mbox\n\nbody\n")
    report = _ingest(sessions, keyring, path)
    assert _reasons(report) == {
        str(path): "no messages in the mbox (it must start with a 'From ' line)"
    }


def test_unsupported_missing_and_utf16_files_are_rejected(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "excel.csv").write_bytes("body\nпривет\n".encode("utf-16"))
    paths = [tmp_path / "notes.txt", tmp_path / "missing.jsonl", tmp_path / "excel.csv"]
    report = _ingest(sessions, keyring, *paths)
    assert _reasons(report) == {
        str(paths[0]): "unsupported file type .txt; nightshift reads .jsonl, .csv, .eml, "
        ".mbox files",
        str(paths[1]): "no such file or directory",
        str(paths[2]): "binary file (UTF-16 text; save it as UTF-8)",
    }
    assert report.documents == 0


def test_an_unreadable_file_is_rejected_as_permission_denied(tmp_path: Path) -> None:
    path = tmp_path / "secret.jsonl"
    path.write_text(_line(_good(1)))
    path.chmod(0o000)
    nobody = 65534
    if os.geteuid() == 0:  # root reads anything: drop to nobody for the read
        os.seteuid(nobody)
    try:
        items = list(read_file(path, IngestConfig()))
    finally:
        if os.getuid() == 0:
            os.seteuid(0)
    assert items == [Rejection(str(path), "unreadable file: permission denied")]


def test_no_rejection_reason_quotes_document_text_or_personal_data(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path
) -> None:
    lines = [
        '{"body": "' + NAME,  # truncated JSON
        _line([NAME, IIN]).strip(),
        _line({"body": NAME, "subject": [IIN]}).strip(),
        _line({"body": NAME, "received_at": IIN}).strip(),
        _line({"body": NAME, "urgent": PHONE}).strip(),
        _line({"body": NAME, "external_id": IIN * 50}).strip(),
        _line({"body": NAME, "labels": PHONE}).strip(),
        _line({"body": NAME + "\u0000" + IIN}).strip(),
        _line({"body": PHONE * 200}).strip(),
    ]
    path = tmp_path / "in.jsonl"
    path.write_bytes("\n".join(lines).encode() + b"\n" + IIN.encode() + b"\xfe" + b"\n")
    csv_path = tmp_path / "in.csv"
    csv_path.write_text(f'body,attachments\n{NAME},"[{IIN}"\n')
    eml = tmp_path / "in.eml"
    eml.write_text(f"{NAME} {IIN} {PHONE}\n")
    report = _ingest(sessions, keyring, path, csv_path, eml, config=SMALL)
    assert len(report.rejected) == len(lines) + 3
    text = json.dumps(report.as_dict(), ensure_ascii=False)
    for value in PLANTED:
        assert value not in text
    assert "88052" not in text and "Гульнара" not in text


def test_an_email_over_the_size_limit_is_rejected_before_it_is_parsed(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path
) -> None:
    path = tmp_path / "big.eml"
    path.write_bytes(_eml("From: a@example.kz\nSubject: big", "x" * 2000))
    report = _ingest(sessions, keyring, path, config=SMALL)
    size = path.stat().st_size
    assert _reasons(report) == {
        str(path): f"record is {size:,} bytes, over the limit of 1,024 bytes; "
        "split it or raise the setting ingest.max_record_bytes"
    }
