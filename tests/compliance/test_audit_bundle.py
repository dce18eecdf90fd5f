"""An exported bundle holds exactly the hashed bytes and verifies with nothing but itself."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from compliance.audit.bundle import CHECKPOINT, CONSISTENCY, ENTRIES, PROOFS, verify_bundle
from compliance.audit.errors import BundleError
from compliance.audit.export import export_bundle
from compliance.audit.keys import AuditKeys
from compliance.audit.log import AuditLog
from compliance.audit.note import Checkpoint, Signer
from storage.repositories.audit import EntryFilter
from tests.compliance.test_audit_helpers import all_entries, fill, make_log

REPO = Path(__file__).resolve().parents[2]
OFFLINE = """
import json, sys
sys.modules["sqlalchemy"] = None  # no database code can load on the auditor's machine
from compliance.audit.bundle import verify_bundle
from pathlib import Path
print(json.dumps(verify_bundle(Path(sys.argv[1])).as_dict()))
"""


def export(
    sessions: sessionmaker[Session], log: AuditLog, keys_dir: Path, out: Path, **where: Any
) -> Path:
    export_bundle(sessions, log, AuditKeys.load(keys_dir), out, EntryFilter(**where))
    return out


@pytest.fixture
def log(sessions: sessionmaker[Session], tmp_path: Path) -> AuditLog:
    log = make_log(sessions, tmp_path / "keys", every_entries=10)
    fill(log, 37, batch=6)
    return log


def test_the_bundle_holds_the_stored_bytes_line_for_line(
    log: AuditLog, sessions: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    out = export(sessions, log, tmp_path / "keys", tmp_path / "bundle")
    assert (out / ENTRIES).read_bytes() == b"".join(data + b"\n" for data in all_entries(engine))


def test_a_bundle_verifies_in_a_process_that_cannot_load_database_code(
    log: AuditLog, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    exported = export(sessions, log, tmp_path / "keys", tmp_path / "bundle")
    elsewhere = shutil.copytree(exported, tmp_path / "auditor" / "bundle")
    shutil.rmtree(exported)

    result = subprocess.run(
        [sys.executable, "-c", OFFLINE, str(elsewhere)],
        cwd=REPO, capture_output=True, text=True, check=True, env={"PYTHONPATH": str(REPO)},
    )  # fmt: skip

    assert json.loads(result.stdout) == {
        "ok": True, "tree_size": 37, "entries": 37, "first_bad_seq": None, "reason": None
    }  # fmt: skip


def test_a_bundle_of_a_range_proves_its_entries_in_the_whole_tree(
    log: AuditLog, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    out = export(sessions, log, tmp_path / "keys", tmp_path / "b", seq_from=11, seq_to=19)
    report = verify_bundle(out)
    assert (report.ok, report.entries, report.tree_size) == (True, 9, 37)


def test_a_changed_line_in_a_bundle_is_named_by_its_seq(
    log: AuditLog, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    out = export(sessions, log, tmp_path / "keys", tmp_path / "bundle")
    lines = (out / ENTRIES).read_bytes().split(b"\n")
    lines[12] = lines[12].replace(b'"tokens_out":30', b'"tokens_out":31')
    (out / ENTRIES).write_bytes(b"\n".join(lines))

    report = verify_bundle(out)

    assert (report.ok, report.first_bad_seq) == (False, 12)
    assert "not included" in (report.reason or "")


def test_a_dropped_line_in_a_bundle_is_found(
    log: AuditLog, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    out = export(sessions, log, tmp_path / "keys", tmp_path / "bundle")
    lines = (out / ENTRIES).read_bytes().split(b"\n")
    (out / ENTRIES).write_bytes(b"\n".join(lines[:5] + lines[6:]))

    report = verify_bundle(out)

    assert (report.ok, report.first_bad_seq) == (False, 5)
    assert "lines lost" in (report.reason or "")


def test_a_bundle_checked_against_a_key_the_auditor_did_not_receive_fails(
    log: AuditLog, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    out = export(sessions, log, tmp_path / "keys", tmp_path / "bundle")
    report = verify_bundle(out, [Signer.generate(log.signer.name).verifier])
    assert report.ok is False
    assert "unknown key" in (report.reason or "")


def test_proofs_and_entries_must_pair_up(
    log: AuditLog, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    out = export(sessions, log, tmp_path / "keys", tmp_path / "bundle")
    (out / PROOFS).write_bytes((out / PROOFS).read_bytes() + (out / PROOFS).read_bytes())
    assert "more lines" in (verify_bundle(out).reason or "")


def test_an_export_never_writes_into_a_directory_that_holds_files(
    log: AuditLog, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    with pytest.raises(BundleError, match="not an empty directory"):
        export(sessions, log, tmp_path / "keys", tmp_path / "busy")


def test_a_checkpoint_kept_from_an_earlier_bundle_is_proven_a_prefix_of_the_new_one(
    log: AuditLog, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    first = export(sessions, log, tmp_path / "keys", tmp_path / "first")
    fill(log, 13)
    second = export(sessions, log, tmp_path / "keys", tmp_path / "second", seq_from=37)

    report = verify_bundle(second, previous=[(first / CHECKPOINT).read_text()])

    assert (report.ok, report.tree_size, report.entries) == (True, 50, 13)


def test_a_log_that_shrank_since_an_earlier_bundle_is_caught(
    log: AuditLog, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    bigger = log.signer.sign(Checkpoint(log.signer.name, 90, b"\x01" * 32).text())
    out = export(sessions, log, tmp_path / "keys", tmp_path / "bundle")

    report = verify_bundle(out, previous=[bigger])

    assert (report.ok, report.first_bad_seq) == (False, 37)
    assert "shrank from 90 to 37" in (report.reason or "")


def test_a_rewritten_history_does_not_extend_an_earlier_checkpoint(
    log: AuditLog, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    out = export(sessions, log, tmp_path / "keys", tmp_path / "bundle")
    sizes = [json.loads(line)["size"] for line in (out / CONSISTENCY).read_text().splitlines()]
    forked = log.signer.sign(Checkpoint(log.signer.name, sizes[-1], b"\x02" * 32).text())

    report = verify_bundle(out, previous=[forked])

    assert report.ok is False
    assert "were rewritten" in (report.reason or "")
