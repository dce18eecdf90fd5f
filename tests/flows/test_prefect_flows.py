"""The flows under a real Prefect server: they complete, and Prefect never sees document text."""

from __future__ import annotations

import gc
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flows.nightly.flow import nightly_flow
from flows.online.flow import online_flow
from flows.settings import Settings
from tests.flows.nightly_support import add_running_run
from tests.simulated import SimulatorFactory, ingest_samples


def planted_values(records: list[dict[str, Any]]) -> set[str]:
    """Every planted personal value, and the digits of the numeric ones without separators."""
    values: set[str] = set()
    for record in records:
        for span in record["labels"]["pii"]:
            value = span["value"]
            values.add(value)
            digits = re.sub(r"\D", "", value)
            if len(digits) >= 7:
                values.add(digits)
        values.add(record["body"][:40])
    return {v for v in values if len(v) >= 5}


def leaked(data: bytes, values: set[str]) -> list[str]:
    return sorted(v for v in values if v.encode() in data)


def database_bytes(path: Path) -> bytes:
    parts = [path, path.with_name(path.name + "-wal")]
    return b"".join(p.read_bytes() for p in parts if p.exists())


# Prefect's client leaves sockets to its own temporary server for the garbage collector.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
async def test_the_nightly_and_online_flows_run_under_prefect_which_sees_no_document_text(
    prefect_harness: Path,
    simulator: SimulatorFactory,
    wired_home: Callable[..., Settings],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    sim = simulator(seed=8)
    settings = wired_home(sim.url)
    records = ingest_samples(settings, 20, seed=13, tmp_path=tmp_path)

    summary = await nightly_flow(limit=None, window_end="none")
    online = await online_flow(document_id=1, steps=["categorize"])
    gc.collect()  # collect the Prefect client's leaked sockets here, under this test's filter

    assert summary["status"] == "completed"
    assert summary["documents_done"] + summary["documents_review"] == 20
    assert online["document_id"] == 1
    assert "output" not in online["steps"]["categorize"]
    values = planted_values(records)
    raw = {v for v in values if not v.isdigit()}
    texts = [r["subject"] + r["body"] + r["from"] + str(r["attachments"]) for r in records]
    assert leaked("\n".join(texts).encode(), raw) == sorted(raw)  # the search finds text
    assert leaked(database_bytes(prefect_harness), values) == []
    out, err = capfd.readouterr()
    assert leaked((out + err).encode(), values) == []
    assert leaked(caplog.text.encode(), values) == []


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
async def test_a_nightly_flow_run_refused_by_a_live_run_fails_with_the_reason_in_its_logs(
    prefect_harness: Path,
    simulator: SimulatorFactory,
    wired_home: Callable[..., Settings],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    sim = simulator(seed=9)
    settings = wired_home(sim.url)
    records = ingest_samples(settings, 5, seed=14, tmp_path=tmp_path)
    add_running_run(
        settings, host="worker-elsewhere", pid=4242, heartbeat_age_s=0, run_id="9a8b7c6d-live"
    )

    state = await nightly_flow(limit=None, window_end="none", return_state=True)
    gc.collect()

    assert state.is_failed()
    assert "RunInProgress: nightly run 9a8b7c6d is in progress" in str(state.message)
    flow_logs = "\n".join(
        r.getMessage() for r in caplog.records if r.name.startswith("prefect.flow_runs")
    )
    assert "nightly run 9a8b7c6d is in progress" in flow_logs
    assert leaked(caplog.text.encode(), planted_values(records)) == []
    assert sim.total() == 0
