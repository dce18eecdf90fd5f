"""``verify`` finds every kind of tampering and names it by its first bad seq.

The attacker has full database access: each test switches the append-only triggers off (as such
an attacker can) and edits the tables directly. The log has 40 entries and checkpoints at tree
sizes 10, 20, 30 and 40.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from compliance.audit.entries import canonical_json, encode_entry
from compliance.audit.log import AuditLog
from compliance.audit.merkle import leaf_hash
from compliance.audit.note import Signer
from compliance.audit.verify import VerifyReport, verify_log
from tests.compliance.test_audit_helpers import draft, fill, make_log, stored, tamper, verifiers

ENTRIES = 40


@pytest.fixture
def log(sessions: sessionmaker[Session], tmp_path: Path) -> AuditLog:
    log = make_log(sessions, tmp_path / "keys", every_entries=10)
    fill(log, ENTRIES, batch=10)
    return log


def verify(sessions: sessionmaker[Session], tmp_path: Path) -> VerifyReport:
    return verify_log(sessions, verifiers(tmp_path / "keys"))


def checkpoint_note(engine: Engine, size: int) -> tuple[int, str]:
    from sqlalchemy import text

    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT id, note FROM audit_checkpoints WHERE tree_size = :s"), {"s": size}
        ).one()
    return int(row[0]), str(row[1])


def rewrite(engine: Engine, seq: int, data: bytes, leaf: bytes | None = None) -> None:
    sets = "entry = :data" + (", leaf_hash = :leaf" if leaf is not None else "")
    tamper(engine, (f"UPDATE audit_entries SET {sets} WHERE seq = :seq",
                    {"data": data, "leaf": leaf, "seq": seq}))  # fmt: skip


def test_an_untouched_log_verifies(
    log: AuditLog, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    report = verify(sessions, tmp_path)
    assert report == VerifyReport(True, ENTRIES, 4)


def test_a_changed_field_is_named_by_its_seq(
    log: AuditLog, sessions: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    entry = json.loads(stored(engine, 17)["entry"])
    rewrite(engine, 17, canonical_json(entry | {"cost": "0.000001"}))

    report = verify(sessions, tmp_path)

    assert (report.ok, report.first_bad_seq) == (False, 17)
    assert "a field was changed" in (report.reason or "")


def test_a_changed_query_column_is_named_by_its_seq(
    log: AuditLog, sessions: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    tamper(engine, ("UPDATE audit_entries SET outcome = 'refused' WHERE seq = 23", {}))

    report = verify(sessions, tmp_path)

    assert (report.first_bad_seq, report.reason) == (
        23, "column outcome of seq 23 disagrees with the entry"
    )  # fmt: skip


def test_a_deleted_row_is_named_by_its_seq(
    log: AuditLog, sessions: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    tamper(engine, ("DELETE FROM audit_entries WHERE seq = 17", {}))

    report = verify(sessions, tmp_path)

    assert (report.first_bad_seq, report.reason) == (
        17,
        "entry seq 17 is missing: a row was deleted",
    )


def _shift_up_from(seq: int) -> list[tuple[str, dict[str, int]]]:
    """Renumber seq >= ``seq`` one up (via negative numbers: the key is checked per row)."""
    return [
        ("UPDATE audit_entries SET seq = -seq - 1 WHERE seq >= :s", {"s": seq}),
        ("UPDATE audit_entries SET seq = -seq WHERE seq < 0", {}),
    ]


def _forged_row(seq: int) -> dict[str, object]:
    data = encode_entry(draft(999), seq)
    return {"seq": seq, "data": data, "leaf": leaf_hash(data), "doc": 999}


INSERT = (
    "INSERT INTO audit_entries (seq, recorded_at, path, run_id, caller_key_id, route, outcome, "
    "document_id, kind, entry, leaf_hash) VALUES (:seq, '2026-11-27 01:00:00', 'nightly', "
    "'run-1', 'key-ops', 'fast', 'ok', :doc, 'outcome', :data, :leaf)"
)


def test_a_row_inserted_in_the_middle_is_named_by_its_seq(
    log: AuditLog, sessions: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    tamper(engine, *_shift_up_from(17), (INSERT, _forged_row(17)))

    report = verify(sessions, tmp_path)

    assert (report.ok, report.first_bad_seq) == (False, 17)
    assert "inserted, deleted or swapped" in (report.reason or "")


def test_a_row_appended_behind_the_logs_back_is_named_by_its_seq(
    log: AuditLog, sessions: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    tamper(engine, (INSERT, _forged_row(ENTRIES)))

    report = verify(sessions, tmp_path)

    assert (report.ok, report.first_bad_seq) == (False, ENTRIES)
    assert "rows were inserted" in (report.reason or "")


def test_two_swapped_rows_are_named_by_the_first_of_them(
    log: AuditLog, sessions: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    tamper(
        engine,
        ("UPDATE audit_entries SET seq = -1 WHERE seq = 17", {}),
        ("UPDATE audit_entries SET seq = 17 WHERE seq = 18", {}),
        ("UPDATE audit_entries SET seq = 18 WHERE seq = -1", {}),
    )

    report = verify(sessions, tmp_path)

    assert (report.ok, report.first_bad_seq) == (False, 17)
    assert "holds the entry of seq 18" in (report.reason or "")


@pytest.mark.parametrize("rewind_state", [False, True])
def test_a_tail_truncated_below_the_latest_checkpoint_is_named_by_its_first_missing_seq(
    log: AuditLog,
    sessions: sessionmaker[Session],
    engine: Engine,
    tmp_path: Path,
    rewind_state: bool,
) -> None:
    rewind: tuple[str, dict[str, object]] = ("UPDATE audit_log_state SET tree_size = 33", {})
    tamper(engine, ("DELETE FROM audit_entries WHERE seq >= 33", {}), *([rewind] * rewind_state))

    report = verify(sessions, tmp_path)

    assert (report.ok, report.tree_size, report.first_bad_seq) == (False, 33, 33)
    assert "truncated" in (report.reason or "")


def test_a_checkpoint_signed_by_another_key_is_named_by_the_first_seq_it_attests(
    log: AuditLog, sessions: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    row_id, note = checkpoint_note(engine, 30)
    forger = Signer.generate(log.signer.name)  # same name, another key
    forged = forger.sign(note[: note.rfind("\n\n") + 1])
    tamper(
        engine, ("UPDATE audit_checkpoints SET note = :n WHERE id = :i", {"n": forged, "i": row_id})
    )

    report = verify(sessions, tmp_path)

    assert (report.ok, report.first_bad_seq) == (False, 20)
    assert f"unknown key {forger.name}+{forger.verifier.hex_id}" in (report.reason or "")


def test_a_checkpoint_whose_root_was_edited_is_named_by_the_first_seq_it_attests(
    log: AuditLog, sessions: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    row_id, note = checkpoint_note(engine, 30)
    lines = note.split("\n")
    lines[2] = ("B" if lines[2][0] == "A" else "A") + lines[2][1:]
    tamper(engine, ("UPDATE audit_checkpoints SET note = :n WHERE id = :i",
                    {"n": "\n".join(lines), "i": row_id}))  # fmt: skip

    report = verify(sessions, tmp_path)

    assert (report.ok, report.first_bad_seq) == (False, 20)
    assert "does not verify" in (report.reason or "")


def test_entries_rewritten_with_their_hashes_fail_the_checkpoint_that_covers_them(
    log: AuditLog, sessions: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    data = canonical_json(json.loads(stored(engine, 17)["entry"]) | {"tokens_out": 1})
    rewrite(engine, 17, data, leaf_hash(data))

    report = verify(sessions, tmp_path)

    assert (report.ok, report.first_bad_seq) == (False, 10)
    assert "does not match entries 10..19" in (report.reason or "")


def test_an_altered_node_store_is_found_by_the_consistency_check(
    log: AuditLog, sessions: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    tamper(engine, ("UPDATE audit_nodes SET hash = :h WHERE level = 1 AND idx = 14",
                    {"h": b"\x00" * 32}))  # fmt: skip

    report = verify(sessions, tmp_path)

    assert report.ok is False
    assert "node store" in (report.reason or "")


def test_an_entry_rewritten_with_a_malformed_time_is_named_not_crashed_on(
    log: AuditLog, sessions: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    data = canonical_json(json.loads(stored(engine, 17)["entry"]) | {"time": "yesterday"})
    rewrite(engine, 17, data, leaf_hash(data))

    report = verify(sessions, tmp_path)

    assert (report.ok, report.first_bad_seq) == (False, 17)
    assert "recorded_at" in (report.reason or "")
