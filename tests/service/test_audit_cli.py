"""`nightshift audit ...`: the auditor's commands on a home with a signed log of 30 entries."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from compliance.audit.log import AuditLog
from compliance.audit.merkle import leaf_hash, verify_inclusion
from compliance.audit.note import Signer
from service.cli import app
from service.cli.audit import audit_app
from tests.compliance.test_audit_helpers import draft, intent_draft, make_log, tamper

runner = CliRunner()
VERIFY_KEYS = {"ok", "tree_size", "checkpoints", "first_bad_seq", "reason", "unknown_outcomes"}


@pytest.fixture
def log(home: Path, sessions: sessionmaker[Session]) -> AuditLog:
    """An initialised home whose log has 30 entries about documents 0..29."""
    assert runner.invoke(app, ["init"]).exit_code == 0
    log = make_log(sessions, home / "keys", every_entries=10)
    for start in range(0, 30, 10):
        drafts = [draft(n) for n in range(start, start + 10)]
        drafts[3] = drafts[3] | {"outcome": "refused", "route": "abroad"}
        log.append_batch(drafts)
    return log


def invoke_json(*args: str) -> tuple[int, Any]:
    result = runner.invoke(app, ["audit", *args, "--json"])
    return result.exit_code, json.loads(result.stdout) if result.stdout else result.output


def test_verify_reports_ok_with_exactly_the_promised_fields(log: AuditLog) -> None:
    code, report = invoke_json("verify")
    assert code == 0
    assert report == {
        "ok": True, "tree_size": 30, "checkpoints": 3, "first_bad_seq": None, "reason": None,
        "unknown_outcomes": 0,
    }  # fmt: skip


def test_an_intent_with_no_outcome_is_an_unknown_attempt_for_query_and_verify(
    log: AuditLog,
) -> None:
    log.append_batch([intent_draft(30, "a" * 32), intent_draft(31, "b" * 32)])
    log.append_batch([draft(31, attempt_id="b" * 32)])  # the second one ended
    code, report = invoke_json("verify")
    _, unknown = invoke_json("query", "--outcome", "unknown")
    _, everything = invoke_json("query", "--limit", "0")
    in_words = runner.invoke(app, ["audit", "verify"])

    assert code == 0 and report["ok"] and report["unknown_outcomes"] == 1
    assert [(a["seq"], a["outcome"], a["entries"]) for a in unknown] == [(30, "unknown", [30])]
    assert len(everything) == 32 and everything[-1]["entries"] == [31, 32]
    assert "1 attempt(s) with outcome unknown" in in_words.output
    assert "nightshift audit query --outcome unknown" in in_words.output


def test_an_export_of_the_unknown_outcomes_holds_their_intents_and_verifies(
    log: AuditLog, tmp_path: Path
) -> None:
    log.append_batch([intent_draft(30, "a" * 32), intent_draft(31, "b" * 32)])
    log.append_batch([draft(31, attempt_id="b" * 32)])
    out = tmp_path / "unknown"
    code, report = invoke_json("export", "--out", str(out), "--outcome", "unknown")
    _, checked = invoke_json("verify-bundle", str(out))

    assert code == 0 and (report["entries"], report["first_seq"]) == (1, 30)
    lines = (out / "entries.jsonl").read_bytes().splitlines()
    assert [(e["kind"], e["attempt_id"]) for e in map(json.loads, lines)] == [("intent", "a" * 32)]
    assert checked["ok"] and checked["entries"] == 1


def test_verify_exits_1_and_names_the_first_bad_seq(log: AuditLog, engine: Engine) -> None:
    tamper(engine, ("DELETE FROM audit_entries WHERE seq = 12", {}))

    code, report = invoke_json("verify")

    assert code == 1
    assert isinstance(report, dict) and report.keys() == VERIFY_KEYS
    assert (report["ok"], report["first_bad_seq"]) == (False, 12)


def test_verify_in_words_says_where_it_broke(log: AuditLog, engine: Engine) -> None:
    tamper(engine, ("DELETE FROM audit_entries WHERE seq = 12", {}))
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "NOT OK at seq 12: entry seq 12 is missing" in result.stdout


def test_query_filters_combine(log: AuditLog) -> None:
    code, entries = invoke_json("query", "--outcome", "refused", "--route", "abroad")
    assert code == 0
    assert [e["seq"] for e in entries] == [3, 13, 23]

    code, entries = invoke_json("query", "--document", "17", "--key", "key-ops", "--run", "run-1")
    assert [e["seq"] for e in entries] == [17]


def test_query_by_seq_range_and_by_date(log: AuditLog) -> None:
    _, by_seq = invoke_json("query", "--from", "5", "--to", "7")
    _, by_day = invoke_json("query", "--from", "2026-11-27", "--to", "2026-11-27")
    _, before = invoke_json("query", "--to", "2026-11-26")
    assert [e["seq"] for e in by_seq] == [5, 6, 7]
    assert len(by_day) == 30
    assert before == []


def test_query_in_words_is_a_table_of_the_entries(log: AuditLog) -> None:
    result = runner.invoke(app, ["audit", "query", "--document", "17"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    row = next(line for line in result.stdout.splitlines() if "extract" in line)
    cells = [cell.strip() for cell in row.split("│")[1:5]]
    assert cells == ["17", "2026-11-27T01:00:00.000000Z", "nightly", "fast"]


def test_query_refuses_a_bound_that_is_neither_seq_nor_date(log: AuditLog) -> None:
    result = runner.invoke(app, ["audit", "query", "--from", "yesterday"])
    assert result.exit_code == 2
    assert "ISO 8601" in result.stderr


def test_proof_gives_an_inclusion_proof_that_verifies_against_its_checkpoint(
    log: AuditLog,
) -> None:
    code, proof = invoke_json("proof", "13")

    assert code == 0 and isinstance(proof, dict)
    note_lines = proof["checkpoint"].split("\n")
    root, size = base64.b64decode(note_lines[2]), int(note_lines[1])
    leaf = leaf_hash(json.dumps(proof["entry"], sort_keys=True, separators=(",", ":")).encode())
    hashes = [base64.b64decode(h) for h in proof["proof"]]
    assert (proof["verified"], size) == (True, 20)
    assert verify_inclusion(13, size, leaf, hashes, root)


def test_proof_refuses_a_checkpoint_signed_by_another_key(log: AuditLog, engine: Engine) -> None:
    forged = Signer.generate(log.signer.name).sign(f"{log.signer.name}\n20\n{'A' * 43}=\n")
    tamper(engine, ("UPDATE audit_checkpoints SET note = :n WHERE tree_size = 20", {"n": forged}))

    result = runner.invoke(app, ["audit", "proof", "13"])

    assert result.exit_code == 1
    assert "does not verify: signed by unknown key" in result.stderr


def test_proof_of_an_entry_no_checkpoint_covers_signs_one(home: Path, log: AuditLog) -> None:
    log.append_batch([draft(30)])
    code, proof = invoke_json("proof", "30")
    assert code == 0 and isinstance(proof, dict)
    assert proof["tree_size"] == 31 and proof["verified"] is True


def test_checkpoint_prints_the_signed_note(log: AuditLog) -> None:
    log.append_batch([draft(30)])
    result = runner.invoke(app, ["audit", "checkpoint"])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{log.signer.name}\n31\n")
    assert f"\n\n— {log.signer.name} " in result.stdout


def test_an_exported_bundle_verifies_with_no_home_and_no_database(
    log: AuditLog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "bundle"
    assert runner.invoke(app, ["audit", "export", "--out", str(out)]).exit_code == 0
    monkeypatch.setenv("NIGHTSHIFT_HOME", str(tmp_path / "nowhere"))
    monkeypatch.setenv("NIGHTSHIFT_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")

    code, report = invoke_json("verify-bundle", str(out))

    assert code == 0
    assert report == {
        "ok": True, "tree_size": 30, "entries": 30, "first_bad_seq": None, "reason": None
    }  # fmt: skip
    assert sorted(p.name for p in out.iterdir()) == [
        "README.txt", "checkpoint.txt", "consistency.jsonl", "entries.jsonl", "proofs.jsonl",
        "verifier-key.txt",
    ]  # fmt: skip


def test_verify_bundle_exits_1_on_a_tampered_bundle(log: AuditLog, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    runner.invoke(app, ["audit", "export", "--out", str(out), "--from", "10", "--to", "19"])
    entries = out / "entries.jsonl"
    entries.write_bytes(entries.read_bytes().replace(b'"document_id":15', b'"document_id":16'))

    code, report = invoke_json("verify-bundle", str(out))

    assert code == 1 and isinstance(report, dict)
    assert (report["entries"], report["first_bad_seq"]) == (5, 15)


def test_verify_bundle_checks_the_log_only_grew_since_an_earlier_bundle(
    log: AuditLog, tmp_path: Path
) -> None:
    runner.invoke(app, ["audit", "export", "--out", str(tmp_path / "october")])
    log.append_batch([draft(n) for n in range(30, 45)])
    runner.invoke(app, ["audit", "export", "--out", str(tmp_path / "november"), "--from", "30"])

    code, report = invoke_json(
        "verify-bundle", str(tmp_path / "november"),
        "--previous", str(tmp_path / "october" / "checkpoint.txt"),
    )  # fmt: skip

    assert code == 0 and isinstance(report, dict)
    assert (report["tree_size"], report["entries"]) == (45, 15)


def test_rotating_the_key_keeps_the_log_verifiable_and_lists_both_keys(log: AuditLog) -> None:
    old = log.signer.verifier.text()
    code, rotated = invoke_json("rotate-key")
    assert code == 0 and isinstance(rotated, dict)
    assert rotated["retired"] == old

    runner.invoke(app, ["audit", "checkpoint"])
    _, keys = invoke_json("keys")
    code, report = invoke_json("verify")

    assert keys == [{"key": rotated["active"], "active": True}, {"key": old, "active": False}]
    assert code == 0 and isinstance(report, dict) and report["ok"] is True


def test_verify_with_a_key_file_the_auditor_brought(log: AuditLog, tmp_path: Path) -> None:
    trusted = tmp_path / "trusted.txt"
    trusted.write_text(log.signer.verifier.text() + "\n")
    assert invoke_json("verify", "--key-file", str(trusted))[0] == 0

    trusted.write_text("someone+00000000+" + base64.b64encode(b"\x01" + b"\x00" * 32).decode())
    assert runner.invoke(app, ["audit", "verify", "--key-file", str(trusted)]).exit_code == 2


def test_every_audit_command_is_in_the_reference() -> None:
    reference = (Path(__file__).resolve().parents[2] / "docs" / "audit.md").read_text()
    names = [command.name for command in audit_app.registered_commands]
    assert len(names) == 8
    assert [name for name in names if f"`nightshift audit {name}" not in reference] == []
