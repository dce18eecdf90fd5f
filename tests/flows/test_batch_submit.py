"""Submit: a step's pending documents as guarded, masked batch lines in files at the route's
limits, one audit intent per line before the upload, and never a key sent again."""

from __future__ import annotations

import json
import math
import re
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from flows.batch.submit import submit_step
from flows.context import app_context, init_home
from flows.runtime import Runtime
from flows.settings import Settings, load_settings
from storage.engine import transaction
from storage.models import ProviderBatch, ProviderBatchLine
from storage.models.audit import AuditEntry
from tests.flows.test_nightly import FAST_RETRY
from tests.simulated import SimulatorFactory, ingest_samples, write_config

DOCUMENTS = 20
MAX_REQUESTS = 8


@pytest.fixture
def batch_home(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[str], Settings]:
    def wire(base_url: str) -> Settings:
        path = write_config(tmp_path / "nightshift.toml", base_url)
        batch = f'mode = "batch"\nbatch_max_requests = {MAX_REQUESTS}\n'
        text = (
            path.read_text()
            .replace('model = "small-model"\n', f'model = "small-model"\n{batch}')
            .replace('model = "strong-model"\n', f'model = "strong-model"\n{batch}')
        )
        path.write_text(text)
        monkeypatch.setenv("NIGHTSHIFT_CONFIG", str(path))
        settings = load_settings()
        init_home(settings)
        return settings

    return wire


def planted(records: list[dict[str, Any]]) -> set[str]:
    """Every planted personal value, and the digits of the long numeric ones."""
    values: set[str] = set()
    for record in records:
        for span in record["labels"]["pii"]:
            values.add(span["value"])
            digits = re.sub(r"\D", "", span["value"])
            if len(digits) >= 7:
                values.add(digits)
    return {v for v in values if len(v) >= 5}


def stored_batch_files(url: str) -> list[bytes]:
    """Every batch input file the simulator holds, as it stored it."""
    with urllib.request.urlopen(f"{url}/v1/files?purpose=batch") as response:
        listing = json.load(response)
    contents = []
    for item in listing["data"]:
        with urllib.request.urlopen(f"{url}/v1/files/{item['id']}/content") as response:
            contents.append(response.read())
    return contents


async def test_submit_sends_each_pending_document_once_masked_and_audited(
    simulator: SimulatorFactory, batch_home: Callable[[str], Settings], tmp_path: Path
) -> None:
    sim = simulator(seed=11, batch_delay_s=0.05)
    settings = batch_home(sim.url)
    records = ingest_samples(settings, DOCUMENTS, seed=21, tmp_path=tmp_path)
    assert settings.step_mode("extract") == "batch"

    runtime = Runtime.open(settings, retry=FAST_RETRY)
    try:
        first = await submit_step(runtime, "extract", None)
        again = await submit_step(runtime, "extract", None)
        drafts = await submit_step(runtime, "draft", None)
    finally:
        await runtime.aclose()

    assert first.lines == DOCUMENTS and first.refused == first.settled == 0
    assert len(first.batches) == math.ceil(DOCUMENTS / MAX_REQUESTS)
    assert (again.lines, again.skipped, again.batches) == (0, DOCUMENTS, [])
    assert (drafts.lines, drafts.waiting) == (0, DOCUMENTS)  # draft waits for categorize

    files = stored_batch_files(sim.url)
    sent = [json.loads(raw) for content in files for raw in content.splitlines()]
    assert len(files) == len(first.batches)
    assert all(len(content.splitlines()) <= MAX_REQUESTS for content in files)
    custom_ids = [line["custom_id"] for line in sent]
    assert len(custom_ids) == len(set(custom_ids)) == DOCUMENTS  # no key sent twice
    everything = b"\n".join(files)
    values = planted(records)
    assert len(values) > DOCUMENTS  # the grep below has something to find
    assert sorted(v for v in values if v.encode() in everything) == []
    text = json.dumps(sent, ensure_ascii=False)  # JSON escapes undone, as the provider reads it
    assert sorted(v for v in values if v in text) == []
    assert "[PERSON_1]" in text  # the masked view went out, placeholders and all

    with app_context(settings) as ctx, transaction(ctx.sessions) as session:
        batches = session.scalars(select(ProviderBatch)).all()
        lines = session.scalars(select(ProviderBatchLine)).all()
        intents = [
            json.loads(e.entry)
            for e in session.scalars(select(AuditEntry).where(AuditEntry.kind == "intent"))
        ]
    assert {b.id for b in batches} == set(first.batches)
    assert all(b.provider_batch_id and b.input_file_id and b.window_deadline for b in batches)
    assert sorted(line.custom_id for line in lines) == sorted(custom_ids)
    # One intent per line uploaded, naming our batch and the line's body hash.
    by_attempt = {i["attempt_id"]: i for i in intents}
    assert len(intents) == len(sent)
    for line in lines:
        intent = by_attempt[line.attempt_id]
        assert intent["detail"] == f"batch:{line.batch_id}"
        assert intent["request_sha256"] == line.request_sha256
        assert (intent["document_id"], intent["step"]) == (line.document_id, "extract")


class KilledSubmitter(Exception):
    """Stands for SIGKILL in the middle of a submit."""


async def test_a_submitter_killed_after_the_upload_creates_the_batch_from_that_file_next_time(
    simulator: SimulatorFactory,
    batch_home: Callable[[str], Settings],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim = simulator(seed=16, batch_delay_s=0.05)
    settings = batch_home(sim.url)
    ingest_samples(settings, 5, seed=26, tmp_path=tmp_path)
    runtime = Runtime.open(settings, retry=FAST_RETRY)

    async def killed(*args: object, **kwargs: object) -> None:
        raise KilledSubmitter

    try:
        with monkeypatch.context() as patch:
            patch.setattr(runtime.gateway, "create_batch", killed)
            with pytest.raises(KilledSubmitter):
                await submit_step(runtime, "extract", None)
        again = await submit_step(runtime, "extract", None)
    finally:
        await runtime.aclose()

    assert again.lines == 0 and len(again.batches) == 1  # resumed, nothing new
    assert len(stored_batch_files(sim.url)) == 1  # the file uploaded once
    with app_context(settings) as ctx, transaction(ctx.sessions) as session:
        (batch,) = session.scalars(select(ProviderBatch)).all()
        lines = session.scalars(select(ProviderBatchLine)).all()
    assert batch.provider_batch_id and batch.status not in ("created", "uploaded")
    assert {(line.attempt, line.status) for line in lines} == {(1, "submitted")}


async def test_a_submitter_killed_before_the_upload_sends_those_keys_once_more(
    simulator: SimulatorFactory,
    batch_home: Callable[[str], Settings],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim = simulator(seed=17, batch_delay_s=0.05)
    settings = batch_home(sim.url)
    ingest_samples(settings, 5, seed=27, tmp_path=tmp_path)
    runtime = Runtime.open(settings, retry=FAST_RETRY)

    async def killed(*args: object, **kwargs: object) -> None:
        raise KilledSubmitter

    try:
        with monkeypatch.context() as patch:
            patch.setattr(runtime.gateway, "upload_batch_file", killed)
            with pytest.raises(KilledSubmitter):
                await submit_step(runtime, "extract", None)
        again = await submit_step(runtime, "extract", None)
    finally:
        await runtime.aclose()

    assert (again.lines, again.resubmitted) == (5, 5)
    assert len(stored_batch_files(sim.url)) == 1  # the first file never left
    with app_context(settings) as ctx, transaction(ctx.sessions) as session:
        batches = {b.id: b.status for b in session.scalars(select(ProviderBatch))}
        lines = session.scalars(select(ProviderBatchLine)).all()
    assert list(batches.values()).count("collected") == 1 and len(batches) == 2  # one abandoned
    assert (
        sorted((line.attempt, line.status) for line in lines)
        == [(1, "expired")] * 5 + [(2, "submitted")] * 5
    )
