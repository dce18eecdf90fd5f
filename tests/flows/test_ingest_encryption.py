"""Everything a person wrote is encrypted at rest: only ids, hashes, sizes, flags and times are
stored in the clear, and a payload opens only on its own row."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from compliance.errors import EncryptionError
from compliance.keys.encryption import KeyRing
from flows.documents import DocumentPayload
from flows.ingest import ingest_paths, open_payload
from storage.engine import make_engine, session_factory
from storage.migrate import upgrade
from storage.models import Document

PLANTED = {
    "name": "Бекзат Оралханұлы Жұмабеков",
    "iin": "910708350214",
    "phone": "+7 747 205 63 18",
    "email": "bekzat.zhumabekov@post.example.kz",
    "sentence": "Верните 48 750 тенге за двойное списание по карте",
    "attachment": "Справка о доходах за октябрь",
    "label": "ярлык-оценки-ошибочный-платёж",
}


def _records() -> list[dict[str, Any]]:
    p = PLANTED
    return [
        {
            "external_id": "REQ-100",
            "received_at": "2026-11-25T08:00:00+05:00",
            "from": f"{p['name']} <{p['email']}>",
            "to": [f"{p['name']} <{p['email']}>"],
            "subject": f"Возврат для {p['name']}",
            "body": f"{p['sentence']}. ИИН {p['iin']}, телефон {p['phone']}.",
            "attachments": [{"filename": f"{p['iin']}.txt", "text": p["attachment"]}],
            "urgent": True,
            "labels": {"category": p["label"], "pii": [p["iin"]]},
        },
        {"body": f"{p['name']} без номера {p['phone']}"},  # identity from the content hash
    ]


def _write(folder: Path, records: list[dict[str, Any]]) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / "in.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    return path


def _ingest_with_an_edit(sessions: sessionmaker[Session], keyring: KeyRing, folder: Path) -> None:
    records = _records()
    path = _write(folder, records)
    assert ingest_paths(sessions, keyring, [path]).new == 2
    records[0]["body"] += f" Повторно: {PLANTED['sentence']}"
    _write(folder, records)
    assert ingest_paths(sessions, keyring, [path]).changed == 1


def _leaks(blob: bytes) -> list[str]:
    return [key for key, value in PLANTED.items() if value.encode() in blob]


def test_a_payload_round_trips_through_open_payload(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path
) -> None:
    ingest_paths(sessions, keyring, [_write(tmp_path / "in", _records())])
    with sessions() as session:
        document = session.scalars(select(Document).order_by(Document.id)).first()
    assert document is not None
    payload = open_payload(keyring, document)
    assert payload == DocumentPayload(
        subject=f"Возврат для {PLANTED['name']}",
        body=f"{PLANTED['sentence']}. ИИН {PLANTED['iin']}, телефон {PLANTED['phone']}.",
        from_name=PLANTED["name"],
        from_address=PLANTED["email"],
        to=(f"{PLANTED['name']} <{PLANTED['email']}>",),
        attachments=({"filename": f"{PLANTED['iin']}.txt", "text": PLANTED["attachment"]},),
        labels={"category": PLANTED["label"], "pii": [PLANTED["iin"]]},
    )


def test_a_ciphertext_moved_to_another_row_does_not_open(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path
) -> None:
    ingest_paths(sessions, keyring, [_write(tmp_path / "in", _records())])
    with sessions.begin() as session:
        first, second = session.scalars(select(Document).order_by(Document.id)).all()
        second.key_id, second.wrapped_key = first.key_id, first.wrapped_key
        second.payload = first.payload
    with pytest.raises(EncryptionError, match="does not authenticate"):
        open_payload(keyring, second)
    assert open_payload(keyring, first).subject.startswith("Возврат")


def test_an_erased_document_cannot_be_opened(
    sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path
) -> None:
    ingest_paths(sessions, keyring, [_write(tmp_path / "in", _records())])
    with sessions.begin() as session:
        session.execute(update(Document).values(wrapped_key=None))
        document = session.scalars(select(Document)).first()
    assert document is not None
    with pytest.raises(EncryptionError, match="was erased"):
        open_payload(keyring, document)


def test_no_planted_value_appears_in_any_column_of_any_table(
    engine: Engine, sessions: sessionmaker[Session], keyring: KeyRing, tmp_path: Path
) -> None:
    _ingest_with_an_edit(sessions, keyring, tmp_path / "in")
    tables = MetaData()
    tables.reflect(engine)
    dumped = bytearray()
    with engine.connect() as conn:
        for table in tables.sorted_tables:
            for row in conn.execute(select(table)):
                for value in row:
                    dumped += value if isinstance(value, bytes) else str(value).encode()
    assert len(dumped) > 1000
    assert _leaks(bytes(dumped)) == []


def test_no_planted_value_appears_anywhere_in_the_sqlite_file(
    keyring: KeyRing, tmp_path: Path
) -> None:
    db = tmp_path / "own" / "nightshift.db"
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    _ingest_with_an_edit(session_factory(engine), keyring, tmp_path / "in")
    with engine.connect() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()
    files = sorted(db.parent.glob("nightshift.db*"))
    blob = b"".join(path.read_bytes() for path in files)
    assert b"REQ-100" in blob  # the clear columns are there: the check can see text
    assert _leaks(blob) == []
