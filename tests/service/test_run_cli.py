"""`nightshift run nightly` and `nightshift process` from the command line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from flows.settings import Settings
from sampledata import generate_records, write_eml_dir
from service.cli import app
from tests.flows.nightly_support import add_running_run
from tests.simulated import SimulatorFactory, ingest_samples

runner = CliRunner()

SUMMARY_KEYS = {
    "run_id", "documents_total", "documents_done", "documents_review", "documents_failed",
    "documents_deferred", "calls", "retries", "rate_limited", "timeouts", "empty_responses",
    "invalid_outputs", "tokens_in", "tokens_out", "tokens_by_step", "cost",
    "cost_per_1000_documents", "duration_s",
}  # fmt: skip


def test_run_nightly_json_prints_the_whole_summary(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    sim = simulator(seed=9)
    settings = wired_home(sim.url)
    ingest_samples(settings, 12, seed=17, tmp_path=tmp_path)

    result = runner.invoke(app, ["run", "nightly", "--direct", "--json", "--window-end", "none"])

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary.keys() >= SUMMARY_KEYS
    assert summary["documents_total"] == 12
    assert summary["calls"] == sim.total()
    assert set(summary["tokens_by_step"]) == {"extract", "categorize", "draft"}


def test_run_nightly_while_another_run_holds_the_lease_exits_with_one_clear_error(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    sim = simulator(seed=12)
    settings = wired_home(sim.url)
    ingest_samples(settings, 3, seed=19, tmp_path=tmp_path)
    add_running_run(
        settings, host="worker-elsewhere", pid=4242, heartbeat_age_s=0, run_id="0f1e2d3c-live"
    )

    result = runner.invoke(app, ["run", "nightly", "--direct", "--json", "--window-end", "none"])

    assert result.exit_code == 2
    assert result.stdout == ""
    message = " ".join(result.stderr.split())
    assert message.startswith("error: nightly run 0f1e2d3c is in progress (started ")
    assert "on host worker-elsewhere, pid 4242" in message
    assert "Traceback" not in result.output
    assert sim.total() == 0


def test_process_prints_fields_category_and_draft_of_one_email(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    sim = simulator(seed=10)
    wired_home(sim.url)
    records = [r for r in generate_records(30, 18) if r["labels"]["category"] != "no_reply_needed"]
    write_eml_dir(records[:1], tmp_path / "mail")
    email = next((tmp_path / "mail").glob("*.eml"))

    result = runner.invoke(app, ["process", str(email), "--direct", "--json"])

    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert set(answer["steps"]) == {"extract", "categorize", "draft"}
    assert "request_number" in answer["steps"]["extract"]["output"]
    assert "category" in answer["steps"]["categorize"]["output"]
    assert answer["calls"] == sim.total() >= 3


def test_process_reads_one_json_record_from_stdin(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings]
) -> None:
    sim = simulator(seed=11)
    wired_home(sim.url)
    record = {"subject": "Карта заблокирована", "body": "Здравствуйте, моя карта заблокирована."}

    result = runner.invoke(
        app,
        ["process", "-", "--steps", "categorize", "--direct", "--json"],
        input=json.dumps(record),
    )

    assert result.exit_code == 0, result.output
    assert list(json.loads(result.stdout)["steps"]) == ["categorize"]


def test_process_refuses_stdin_that_is_not_json_without_echoing_it(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings]
) -> None:
    wired_home(simulator().url)
    result = runner.invoke(app, ["process", "-", "--direct"], input="ИИН 900101300123 not json")
    assert result.exit_code == 2
    assert "900101300123" not in result.output
