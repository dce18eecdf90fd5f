"""``nightshift ingest``: JSON shape, human summary and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.context import init_home
from flows.settings import load_settings
from service.cli import app

runner = CliRunner()


@pytest.fixture
def ready_home(home: Path) -> Path:
    init_home(load_settings(check_secrets=False))
    return home


def _inputs(folder: Path) -> Path:
    folder.mkdir()
    (folder / "a.jsonl").write_text(
        '{"external_id": "A-1", "body": "Добрый день"}\n{"body": "Salem", "x": 1}\nnot json\n'
    )
    return folder


def test_json_output_has_the_counts_and_every_rejection(ready_home: Path, tmp_path: Path) -> None:
    folder = _inputs(tmp_path / "in")
    result = runner.invoke(app, ["ingest", str(folder), "--json", "--source", "web"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {k: report[k] for k in ("new", "changed", "unchanged")} == {
        "new": 2,
        "changed": 0,
        "unchanged": 0,
    }
    assert report["rejected"] == [
        {"where": f"{folder}/a.jsonl:3", "reason": "invalid JSON: Expecting value at column 1"}
    ]
    assert (report["documents"], report["files"], report["ignored_fields"]) == (2, 1, {"x": 1})
    again = json.loads(
        runner.invoke(app, ["ingest", str(folder), "--json", "--source", "web"]).stdout
    )
    assert (again["new"], again["unchanged"]) == (0, 2)


def test_the_human_summary_names_counts_and_rejections(ready_home: Path, tmp_path: Path) -> None:
    folder = _inputs(tmp_path / "in")
    result = runner.invoke(app, ["ingest", str(folder)])
    assert result.exit_code == 0, result.output
    assert "new 2, changed 0, unchanged 0, rejected 1 (1 files read)" in result.stdout
    assert f"rejected  {folder}/a.jsonl:3: invalid JSON" in result.stdout


def test_the_exit_code_is_1_when_nothing_could_be_read(ready_home: Path, tmp_path: Path) -> None:
    (tmp_path / "bad.jsonl").write_text("[1]\n")
    paths = [str(tmp_path / "bad.jsonl"), str(tmp_path / "missing.csv")]
    result = runner.invoke(app, ["ingest", *paths, "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert (report["new"], len(report["rejected"])) == (0, 2)
    human = runner.invoke(app, ["ingest", *paths])
    assert human.exit_code == 1
    assert "nothing could be read" in human.stderr


def test_an_invalid_source_name_is_refused_with_a_hint(ready_home: Path, tmp_path: Path) -> None:
    folder = _inputs(tmp_path / "in")
    result = runner.invoke(app, ["ingest", str(folder), "--source", " "])
    assert result.exit_code == 2
    assert "--source" in result.stderr


def test_ingest_before_init_says_to_run_init(home: Path, tmp_path: Path) -> None:
    folder = _inputs(tmp_path / "in")
    result = runner.invoke(app, ["ingest", str(folder)])
    assert result.exit_code == 2
    assert "nightshift init" in result.stderr
