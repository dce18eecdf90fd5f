"""``nightshift keys rotate-data-key | rewrap-data-keys | retire-data-keys``: counts in JSON and
words, a resume that makes no new key, a refused retire that deletes nothing, documents that
still open through the commands' own home once the old key is gone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from compliance.keys.encryption import KeyRing, create_key, key_files
from flows.context import app_context
from flows.documents import open_payload
from flows.settings import load_settings
from sampledata import generate_records, write_jsonl
from service.cli import app
from storage.engine import transaction
from storage.models import Document

runner = CliRunner()
COUNT = 6


@pytest.fixture
def ingested(home: Path, tmp_path: Path, sessions: sessionmaker[Session]) -> Path:
    """An initialised home with six synthetic e-mails, the last one erased."""
    assert runner.invoke(app, ["init"]).exit_code == 0
    path = tmp_path / "samples.jsonl"
    write_jsonl(generate_records(COUNT, 5), path)
    result = runner.invoke(app, ["ingest", str(path), "--json"])
    assert result.exit_code == 0, result.output
    with transaction(sessions) as session:
        last = session.scalar(select(Document.id).order_by(Document.id.desc()))
        session.execute(update(Document).where(Document.id == last).values(wrapped_key=None))
    return home / "keys"


def keys_json(*args: str) -> Any:
    result = runner.invoke(app, ["keys", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def subjects() -> list[str]:
    """Every live document's subject, read the way the flows read it."""
    with app_context(load_settings()) as ctx, ctx.sessions() as session:
        live = select(Document).where(Document.wrapped_key.is_not(None)).order_by(Document.id)
        rows = session.scalars(live)
        return [open_payload(ctx.keyring, d).subject for d in rows]


def test_rotate_then_retire_leaves_one_key_and_every_document_readable(ingested: Path) -> None:
    old = KeyRing.load(ingested).active_id
    before = subjects()

    rotated = keys_json("rotate-data-key")
    retired = keys_json("retire-data-keys")

    assert rotated["rotated_from"] == old and rotated["active_id"] != old
    counts = {k: rotated[k] for k in ("rewrapped", "current", "erased", "skipped", "unreadable")}
    assert counts == {"rewrapped": COUNT - 1, "current": 0, "erased": 1, "skipped": 0,
                      "unreadable": 0}  # fmt: skip
    assert rotated["unreferenced"] == [old] and rotated["complete"] is True
    assert retired == {"active_id": rotated["active_id"], "retired": [old]}
    assert list(key_files(ingested)) == [rotated["active_id"]]
    assert subjects() == before and len(before) == COUNT - 1


def test_retire_is_refused_while_documents_need_the_old_key_and_rewrap_finishes_the_job(
    ingested: Path,
) -> None:
    old = KeyRing.load(ingested).active_id
    new = create_key(ingested)  # a rotation stopped before it re-wrapped anything

    refused = runner.invoke(app, ["keys", "retire-data-keys"])

    assert refused.exit_code == 2
    assert f"{old} wraps {COUNT - 1}" in refused.stderr
    assert "rewrap-data-keys" in refused.stderr and "Nothing was deleted" in refused.stderr
    assert sorted(key_files(ingested)) == sorted([old, new])
    result = runner.invoke(app, ["keys", "rewrap-data-keys", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert f"active key        {new}\n" in result.stdout
    assert f"re-wrapped        {COUNT - 1}\n" in result.stdout
    assert f"old keys unused   {old}\n" in result.stdout
    assert "nightshift keys retire-data-keys" in result.stderr
    assert sorted(key_files(ingested)) == sorted([old, new])  # no new key on a resume
    assert keys_json("retire-data-keys")["retired"] == [old]
    assert len(subjects()) == COUNT - 1


def test_rewrap_when_every_document_is_current_changes_nothing(ingested: Path) -> None:
    first = keys_json("rewrap-data-keys")
    assert (first["rewrapped"], first["current"], first["erased"]) == (0, COUNT - 1, 1)
    assert first["unreferenced"] == [] and first["rotated_from"] is None
    assert keys_json("retire-data-keys")["retired"] == []


def test_documents_that_cannot_be_unwrapped_make_the_command_exit_1(
    ingested: Path, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        first = session.scalar(select(Document.id).order_by(Document.id))
        session.execute(update(Document).where(Document.id == first).values(wrapped_key=b"\0" * 60))

    result = runner.invoke(app, ["keys", "rotate-data-key"])

    assert result.exit_code == 1
    assert f"1 documents could not be unwrapped (ids {first})" in result.stderr
    assert f"re-wrapped        {COUNT - 2}\n" in result.stdout
