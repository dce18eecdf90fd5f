"""`nightshift doctor`: the compliance posture of a home, its problems, and exit code 1 for them."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from compliance.keys.encryption import KeyRing
from flows.settings import Settings
from service.cli import app
from storage.engine import make_engine
from storage.migrate import head_revision
from tests.flows.test_privacy import found_in, planted
from tests.simulated import ingest_samples

runner = CliRunner()


def doctor(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["doctor", *args])
    return result.exit_code, result.stdout


def doctor_json() -> tuple[int, dict[str, Any]]:
    code, out = doctor("--json")
    report: dict[str, Any] = json.loads(out)
    return code, report


def problems(report: dict[str, Any]) -> list[str]:
    return [p["what"] for p in report["problems"]]


@pytest.fixture
def initialised(home: Path) -> Path:
    assert runner.invoke(app, ["init"]).exit_code == 0
    return home


def test_a_clean_home_has_no_problems_and_exits_0(initialised: Path) -> None:
    code, report = doctor_json()

    assert (code, report["ok"], report["problems"]) == (0, True, [])
    assert report["home"] == {
        "path": str(initialised), "exists": True, "mode": "0700", "owned_by_you": True
    }  # fmt: skip
    assert report["database"]["revision"] == report["database"]["head"] == head_revision()
    assert report["keys"]["data_keys_load"] and report["keys"]["audit_signing_key"]
    kinds = sorted(f["kind"] for f in report["keys"]["files"])
    assert kinds == [
        "active key id", "active key id", "audit signing key", "audit verifier key (public)",
        "data key (KEK)",
    ]  # fmt: skip
    assert report["reports"]["path"] == str(initialised / "reports")
    assert [(r["name"], r["region"], r["residency"]) for r in report["routes"]] == [
        ("default", "KZ", "in_country")
    ]
    assert report["at_rest"]["documents"] == 0


def test_the_human_output_ends_saying_no_problems(initialised: Path) -> None:
    code, out = doctor()
    assert code == 0
    assert "database" in out and "encryption at rest" in out
    assert out.rstrip().endswith("no problems found")


def test_the_help_gives_the_exit_codes() -> None:
    result = runner.invoke(app, ["doctor", "--help"])
    assert "Exit code: 0 no problem found, 1 problems found" in " ".join(result.stdout.split())


def test_a_key_file_others_can_read_is_a_problem_and_exits_1(initialised: Path) -> None:
    (key,) = (initialised / "keys").glob("data-*.key")
    key.chmod(0o644)

    code, report = doctor_json()
    _, out = doctor()

    assert code == 1 and report["ok"] is False
    assert f"data key (KEK) {key} can be read by group/other users (mode 0644)" in problems(report)
    assert report["keys"]["data_keys_load"] is False
    assert f"fix: run `chmod 600 {key}`" in out
    assert "problems found: 2" in out  # the file, and the key ring that refuses to load


def test_a_shared_home_directory_is_a_problem(initialised: Path) -> None:
    initialised.chmod(0o755)
    code, report = doctor_json()
    assert code == 1
    assert problems(report) == [
        f"NIGHTSHIFT_HOME {initialised} can be read or entered by group/other users (mode 0755)"
    ]


def test_a_public_verifier_key_is_fine_but_not_when_others_may_write_it(initialised: Path) -> None:
    (pub,) = (initialised / "keys").glob("audit-*.pub")
    assert doctor_json()[0] == 0  # 0644 by design
    pub.chmod(0o666)
    code, report = doctor_json()
    assert code == 1
    assert problems(report) == [
        f"audit verifier key (public) {pub} can be written by group/other users (mode 0666)"
    ]


def test_a_missing_home_is_reported_and_nothing_is_created(home: Path) -> None:
    code, report = doctor_json()
    assert code == 1
    assert problems(report)[0] == f"NIGHTSHIFT_HOME {home} does not exist"
    assert report["problems"][0]["fix"].startswith("run `nightshift init`")
    assert not home.exists()


def write_routes(path: Path, *, region: str, allow_masked_export: bool) -> None:
    path.write_text(
        f"""
[residency]
country = "KZ"
allow_masked_export = {str(allow_masked_export).lower()}
[routes.home]
base_url = "http://llm.bank.kz:8000/v1"
api_key = "sk-inline-secret-1"
model = "small-model"
region = "KZ"
[routes.abroad]
base_url = "https://api.example.de/v1"
api_key_env = "ABROAD_KEY"
model = "big-model"
region = "{region}"
[steps]
extract = {{ route = "home" }}
categorize = {{ route = "home" }}
draft = {{ route = "abroad" }}
"""
    )


def test_an_out_of_country_route_is_reported_with_the_steps_it_would_fail(
    initialised: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "abroad.toml"
    write_routes(config, region="DE", allow_masked_export=False)
    monkeypatch.setenv("NIGHTSHIFT_CONFIG", str(config))
    monkeypatch.setenv("ABROAD_KEY", "sk-env-secret-2")

    code, report = doctor_json()
    _, out = doctor()

    routes = {r["name"]: r for r in report["routes"]}
    assert code == 1
    abroad = routes["abroad"]
    assert (abroad["residency"], abroad["host"], abroad["steps"]) == (
        "refused",
        "api.example.de",
        ["draft"],
    )
    assert routes["home"]["host"] == "llm.bank.kz:8000"
    assert problems(report) == [
        "route 'abroad' is in region DE but data must stay in KZ: every call to it is refused "
        "and audited (used by draft)"
    ]
    assert "allow_masked_export = true" in report["problems"][0]["fix"]
    for secret in ("sk-inline-secret-1", "sk-env-secret-2"):
        assert secret not in out and secret not in json.dumps(report)
    assert abroad["api_key"] == "environment variable ABROAD_KEY (set)"


def test_with_masked_export_the_route_abroad_is_masked_only_and_not_a_problem(
    initialised: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "abroad.toml"
    write_routes(config, region="DE", allow_masked_export=True)
    monkeypatch.setenv("NIGHTSHIFT_CONFIG", str(config))
    monkeypatch.delenv("ABROAD_KEY", raising=False)

    code, report = doctor_json()

    routes = {r["name"]: r["residency"] for r in report["routes"]}
    assert routes == {"abroad": "masked_export_only", "home": "in_country"}
    assert code == 1  # only because the key variable is not set
    assert problems(report) == [
        "route 'abroad' has no API key: environment variable ABROAD_KEY (NOT SET)"
    ]


def test_an_unreachable_database_is_a_problem_and_its_password_is_never_shown(
    initialised: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NIGHTSHIFT_DATABASE_URL", "postgresql://ops:pw-s3cret@127.0.0.1:1/night")

    code, report = doctor_json()
    _, out = doctor()

    database = report["database"]
    assert code == 1
    assert [database[k] for k in ("backend", "host", "port")] == ["postgresql", "127.0.0.1", 1]
    assert database["reachable"] is False and report["at_rest"] is None
    assert database["url"] == "postgresql+psycopg://ops:***@127.0.0.1:1/night"
    assert problems(report)[0].startswith(f"cannot use the database {database['url']}: ")
    assert "pw-s3cret" not in out and "pw-s3cret" not in json.dumps(report)


def test_a_database_behind_the_head_migration_is_a_problem(
    initialised: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    empty.chmod(0o600)
    monkeypatch.setenv("NIGHTSHIFT_DATABASE_URL", f"sqlite:///{empty}")

    code, report = doctor_json()

    assert code == 1
    assert problems(report) == [
        f"the database is at migration none (empty), this nightshift expects {head_revision()}"
    ]


def test_rows_at_rest_are_ciphertext_that_opens_with_the_home_keys_and_no_text_is_printed(
    wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = wired_home("http://127.0.0.1:9")
    records = ingest_samples(settings, 4, seed=61, tmp_path=tmp_path)

    code, report = doctor_json()
    _, out = doctor()

    at_rest = report["at_rest"]
    assert code == 0, report["problems"]
    assert (at_rest["documents"], at_rest["sample_ok"]) == (4, True)
    assert at_rest["sample"].startswith("document 4: payload")
    assert found_in((out + json.dumps(report, ensure_ascii=False)).encode(), planted(records)) == []


def test_a_row_that_does_not_open_with_the_home_keys_is_a_problem(
    wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = wired_home("http://127.0.0.1:9")
    ingest_samples(settings, 2, seed=62, tmp_path=tmp_path)
    engine = make_engine(settings.database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE documents SET payload = :p WHERE id = 2"), {"p": b"\x00" * 64})
    engine.dispose()

    code, report = doctor_json()

    assert code == 1 and report["at_rest"]["sample_ok"] is False
    assert problems(report)[0].startswith("document 2 does not decrypt with this home's keys")


def test_the_documents_of_each_data_key_and_a_missing_key_file_are_reported(
    wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = wired_home("http://127.0.0.1:9")
    ingest_samples(settings, 3, seed=63, tmp_path=tmp_path)
    old = KeyRing.load(settings.keys_dir).active_id
    rotated = runner.invoke(app, ["keys", "rotate-data-key", "--json"])
    assert rotated.exit_code == 0, rotated.output
    new = KeyRing.load(settings.keys_dir).active_id

    code, report = doctor_json()
    _, out = doctor()

    assert code == 0, report["problems"]
    assert report["at_rest"]["documents_by_data_key"] == {new: 3}
    assert report["at_rest"]["data_keys_retirable"] == [old]
    assert f"{old} (`nightshift keys retire-data-keys`)" in out

    engine = make_engine(settings.database_url)  # a row still under a key that is gone
    with engine.begin() as conn:
        conn.execute(text("UPDATE documents SET key_id = :k WHERE id = 1"), {"k": "kek-0000"})
    engine.dispose()
    code, report = doctor_json()

    assert code == 1
    assert report["at_rest"]["documents_by_data_key"] == {new: 2, "kek-0000": 1}
    missing = "1 document(s) have their data key wrapped by kek-0000"
    assert any(problem.startswith(missing) for problem in problems(report))
