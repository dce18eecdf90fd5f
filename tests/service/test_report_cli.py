"""`nightshift report` from the command line: formats, where files go, which run, clear errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from flows.runtime import Runtime
from flows.settings import Settings
from sampledata import generate_records
from service.cli import app
from tests.flows.test_report import FAST_RETRY, found_in, ingest, move_run, night, planted
from tests.simulated import SimulatorFactory

runner = CliRunner()


async def two_nights(settings: Settings, tmp_path: Path) -> tuple[list[str], list[dict[str, Any]]]:
    """Two nightly runs: the first moved to yesterday 01:00; returns run ids and records."""
    records = list(generate_records(16, seed=41))
    runtime = Runtime.open(settings, retry=FAST_RETRY)
    try:
        ingest(settings, records[:8], tmp_path / "a.jsonl")
        first = (await night(runtime))["run_id"]
        ingest(settings, records[8:], tmp_path / "b.jsonl")
        second = (await night(runtime))["run_id"]
    finally:
        await runtime.aclose()
    move_run(settings, first, 1)
    return [first, second], records


async def test_report_writes_the_asked_format_where_asked_for_the_run_asked(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    sim = simulator(seed=40)
    settings = wired_home(sim.url)
    (first, second), records = await two_nights(settings, tmp_path)

    default = runner.invoke(app, ["report", "--json"])
    folder = runner.invoke(app, ["report", "--format", "md", "--out", f"{tmp_path}/out/", "--json"])
    by_run = runner.invoke(app, ["report", "--run", first[:8], "--format", "json", "--json"])
    named = runner.invoke(app, ["report", "--format", "json", "--out", str(tmp_path / "r.json")])

    assert default.exit_code == folder.exit_code == by_run.exit_code == named.exit_code == 0
    latest = json.loads(default.stdout)
    assert latest["run_id"] == second and latest["documents"]["in"] == 8
    assert set(latest["files"]) == {"html"}
    assert Path(latest["files"]["html"]).parent == settings.reports_dir
    assert Path(latest["files"]["html"]).read_text().startswith("<!doctype html>")
    md = json.loads(folder.stdout)["files"]
    assert Path(md["md"]) == tmp_path / "out" / f"{latest['night']}-{second[:8]}.md"
    assert Path(md["png"]).read_bytes().startswith(b"\x89PNG")
    yesterday = json.loads(by_run.stdout)
    assert yesterday["run_id"] == first
    stored = json.loads(Path(yesterday["files"]["json"]).read_text())
    assert stored["run_id"] == first and stored["night"] == yesterday["night"]
    assert (tmp_path / "r.json").is_file() and second in named.stdout

    by_date = runner.invoke(app, ["report", "--date", yesterday["night"], "--json"])
    assert json.loads(by_date.stdout)["run_id"] == first
    values = planted(records)
    for output in (default, folder, by_run, named, by_date):
        assert found_in(output.stdout, values) == []


def test_report_refuses_unclear_requests_with_a_reason(home: Path) -> None:
    both = runner.invoke(app, ["report", "--run", "12345678", "--date", "2026-01-01"])
    fmt = runner.invoke(app, ["report", "--format", "pdf"])
    date = runner.invoke(app, ["report", "--date", "01.01.2026"])
    none = runner.invoke(app, ["init"])
    missing = runner.invoke(app, ["report"])

    assert both.exit_code == fmt.exit_code == date.exit_code == missing.exit_code == 2
    assert none.exit_code == 0
    assert "--run or --date, not both" in both.output
    assert "html, md, json" in fmt.output
    assert "YYYY-MM-DD" in date.output
    assert "no finished nightly run" in missing.output
