"""`nightshift run nightly` with every step in batch mode: it submits and returns; `run collect`
polls once and submits the next round; `run nightly --wait` collects until settled."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from flows.batch import collect, submit
from flows.context import app_context
from flows.settings import Settings
from service.cli import app
from storage.engine import transaction
from storage.models import Document, ProviderBatchLine
from tests.flows.test_batch_submit import batch_home, stored_batch_files
from tests.simulated import SimulatorFactory, ingest_samples

__all__ = ["batch_home"]  # the fixture

runner = CliRunner()
DOCUMENTS = 20
NIGHTLY = ["run", "nightly", "--direct", "--json", "--window-end", "none"]


@pytest.fixture
def fast_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """The collector's first look after 0.05 s instead of 30 s, its backoff capped at 0.4 s."""
    monkeypatch.setattr(submit, "FIRST_POLL_S", 0.05)
    monkeypatch.setattr(collect, "FIRST_POLL_S", 0.05)
    monkeypatch.setattr(collect, "MAX_POLL_S", 0.4)


def document_statuses(settings: Settings) -> Counter[str]:
    with app_context(settings) as ctx, transaction(ctx.sessions) as session:
        rows = session.execute(select(Document.status, func.count()).group_by(Document.status))
        return Counter({status: n for status, n in rows})


def lines_by_status(settings: Settings) -> Counter[str]:
    with app_context(settings) as ctx, transaction(ctx.sessions) as session:
        return Counter(session.scalars(select(ProviderBatchLine.status)).all())


def each_key_sent_once(url: str) -> int:
    sent = [json.loads(raw) for content in stored_batch_files(url) for raw in content.splitlines()]
    per_key = Counter(line["custom_id"] for line in sent)
    assert set(per_key.values()) == {1}
    return len(sent)


@pytest.mark.usefixtures("fast_polls")
def test_run_nightly_submits_the_batch_steps_and_run_collect_settles_every_document(
    simulator: SimulatorFactory, batch_home: Callable[[str], Settings], tmp_path: Path
) -> None:
    sim = simulator(seed=13, batch_delay_s=0.02)
    settings = batch_home(sim.url)
    ingest_samples(settings, DOCUMENTS, seed=23, tmp_path=tmp_path)

    result = runner.invoke(app, NIGHTLY)

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["status"] == "completed"
    assert summary["calls"] == 0  # no step ran online
    # extract and categorize: 20 lines each, files of at most 8 lines; draft waits for categorize
    assert summary["batch_lines"] == 2 * DOCUMENTS
    assert summary["batches_submitted"] == 6
    assert summary["batch_settled"] is False
    assert document_statuses(settings) == Counter({"pending": DOCUMENTS})
    assert lines_by_status(settings) == Counter({"submitted": 2 * DOCUMENTS})

    passes, collected, submitted = 0, 0, summary["batch_lines"]
    settled = False
    while not settled and passes < 100:
        passes += 1
        time.sleep(0.1)  # the simulator finishes its batches in the background
        result = runner.invoke(app, ["run", "collect", "--json"])
        assert result.exit_code == 0, result.output
        done = json.loads(result.stdout)
        collected += done["lines_done"] + done["lines_failed"] + done["lines_expired"]
        submitted += done["batch_lines"]
        settled = done["settled"]

    assert settled
    assert passes > 1  # draft went out in a later round than extract and categorize
    statuses = document_statuses(settings)
    assert set(statuses) <= {"done", "review"} and sum(statuses.values()) == DOCUMENTS
    assert collected == submitted == each_key_sent_once(sim.url)
    assert lines_by_status(settings) == Counter({"done": submitted})

    table = runner.invoke(app, ["run", "collect"])  # nothing left: still exits 0, a table
    assert table.exit_code == 0, table.output
    assert "batches_open" in table.stdout and "settled" in table.stdout


@pytest.mark.usefixtures("fast_polls")
def test_run_nightly_wait_collects_until_every_document_is_settled(
    simulator: SimulatorFactory, batch_home: Callable[[str], Settings], tmp_path: Path
) -> None:
    sim = simulator(seed=14, batch_delay_s=0.02)
    settings = batch_home(sim.url)
    ingest_samples(settings, DOCUMENTS, seed=24, tmp_path=tmp_path)

    result = runner.invoke(app, [*NIGHTLY, "--wait"])

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["batch_settled"] is True
    statuses = document_statuses(settings)
    assert set(statuses) <= {"done", "review"} and sum(statuses.values()) == DOCUMENTS
    sent = each_key_sent_once(sim.url)
    assert summary["batch_lines"] == sent > 2 * DOCUMENTS  # the drafts went in a later round
    assert summary["batch_resubmitted"] == summary["batch_lines_expired"] == 0
    assert sum(summary["batch_steps_by_status"].values()) == sent
    assert float(summary["batch_cost"]) > 0
    assert lines_by_status(settings) == Counter({"done": sent})

    table = runner.invoke(app, ["run", "nightly", "--direct", "--window-end", "none"])
    assert table.exit_code == 0, table.output
    assert "batch_lines" in table.stdout  # the table shows the batch counters apart
