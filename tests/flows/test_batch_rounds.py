"""All three steps in batch mode against the simulator: submit, collect, next round, until every
document is done or in review — no key sent twice, an intent and an outcome per line uploaded,
no planted personal value in any file the simulator stored."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from compliance.audit.keys import AuditKeys
from compliance.audit.verify import verify_log
from compliance.gateway.batches import ResultLine
from compliance.gateway.calls import ModelResponse
from flows.batch.collect import collect_once
from flows.batch.rounds import settle, submit_round
from flows.batch.submit import submit_step
from flows.context import app_context
from flows.results import document_results, reidentified_results
from flows.runtime import Runtime
from flows.settings import Settings
from storage.engine import transaction
from storage.models import Document, ProviderBatch, ProviderBatchLine, StepResult
from storage.models.audit import AuditEntry
from storage.types import utcnow
from tests.flows.test_batch_submit import batch_home, planted, stored_batch_files
from tests.flows.test_nightly import FAST_RETRY
from tests.simulated import SimulatorFactory, ingest_samples

__all__ = ["batch_home"]  # the fixture, shared with the submit tests

DOCUMENTS = 24


def stepping_clock(step_s: float = 120.0) -> Callable[[], datetime]:
    """Wall time moving ``step_s`` further at each reading: the collector's backoff passes at
    once, the 24 h window does not."""
    ticks = itertools.count()
    return lambda: utcnow() + timedelta(seconds=step_s * next(ticks))


async def no_wait(seconds: float) -> None:
    """A short real pause (the simulator answers in the background), whatever was asked."""
    await asyncio.sleep(0.1)


async def test_three_steps_in_batch_mode_settle_every_document_paying_each_key_once(
    simulator: SimulatorFactory, batch_home: Callable[[str], Settings], tmp_path: Path
) -> None:
    sim = simulator(seed=12, batch_delay_s=0.02)
    settings = batch_home(sim.url)
    records = ingest_samples(settings, DOCUMENTS, seed=22, tmp_path=tmp_path)
    assert {settings.step_mode(s) for s in ("extract", "categorize", "draft")} == {"batch"}

    runtime = Runtime.open(settings, retry=FAST_RETRY)
    try:
        report = await settle(runtime, None, sleep=no_wait, clock=stepping_clock(), max_rounds=50)
        verified = verify_log(runtime.app.sessions, AuditKeys.load(settings.keys_dir).verifiers)
        versions = runtime.versions(("extract", "categorize", "draft"))
    finally:
        await runtime.aclose()
    assert report.settled, report.as_dict()
    assert verified.ok and verified.unknown_outcomes == 0, verified

    files = stored_batch_files(sim.url)
    sent = [json.loads(raw) for content in files for raw in content.splitlines()]
    per_key = Counter(line["custom_id"] for line in sent)
    drafts = sum(1 for key in per_key if "-draft-" in key)
    assert len(per_key) == 2 * DOCUMENTS + drafts  # extract, categorize, and the drafts asked
    assert set(per_key.values()) == {1}  # the simulator answers every line: none resent
    everything = b"\n".join(files)
    assert sorted(v for v in planted(records) if v.encode() in everything) == []

    with app_context(settings) as ctx, transaction(ctx.sessions) as session:
        lines = session.scalars(select(ProviderBatchLine)).all()
        entries = [json.loads(e.entry) for e in session.scalars(select(AuditEntry))]
        results = session.execute(
            select(StepResult.step, StepResult.status, func.count()).group_by(
                StepResult.step, StepResult.status
            )
        ).all()
        documents = session.execute(
            select(Document.status, func.count()).group_by(Document.status)
        ).all()
    batch_attempts = {line.attempt_id for line in lines}
    intents = [e for e in entries if e["kind"] == "intent" and e["attempt_id"] in batch_attempts]
    outcomes = [e for e in entries if e["kind"] == "outcome" and e["attempt_id"] in batch_attempts]
    assert len(intents) == len(outcomes) == len(sent) == len(lines)
    assert {line.status for line in lines} == {"done"}
    assert all(e["outcome"] == "ok" and e["response_sha256"] for e in outcomes)
    by_step = Counter({(step, status): n for step, status, n in results})
    assert sum(n for (step, _), n in by_step.items() if step == "extract") == DOCUMENTS
    assert sum(n for (step, _), n in by_step.items() if step == "categorize") == DOCUMENTS
    assert sum(n for (step, _), n in by_step.items() if step == "draft") == DOCUMENTS
    assert 0 < drafts <= DOCUMENTS  # a no_reply_needed e-mail's draft is done without a call
    assert {status for status, _ in documents} <= {"done", "review"}
    assert sum(n for _, n in documents) == DOCUMENTS
    assert report.as_dict()["batch_lines"] == len(sent)

    # Results that came back hours later re-identify with the vault map of their masker version.
    restored_values = 0
    with app_context(settings) as ctx, transaction(ctx.sessions) as session:
        for document in session.scalars(select(Document)).all():
            found = document_results(session, ctx.keyring, document, versions)
            restored, unknown = reidentified_results(session, ctx.keyring, document, found)
            assert unknown == []
            masked_text = json.dumps([r["output"] for r in found.values()], ensure_ascii=False)
            clear_text = json.dumps([r["output"] for r in restored.values()], ensure_ascii=False)
            restored_values += sum(
                1 for v in planted(records) if v in clear_text and v not in masked_text
            )
    assert restored_values > 0


def _lines_sent(url: str) -> Counter[str]:
    files = stored_batch_files(url)
    return Counter(
        json.loads(raw)["custom_id"] for content in files for raw in content.splitlines()
    )


def _audited_lines(
    settings: Settings,
) -> tuple[list[ProviderBatchLine], Counter[str], Counter[str]]:
    """The batch lines, and per attempt id how many intent and outcome entries the log has."""
    with app_context(settings) as ctx, transaction(ctx.sessions) as session:
        lines = list(session.scalars(select(ProviderBatchLine)).all())
        entries = [json.loads(e.entry) for e in session.scalars(select(AuditEntry))]
    ids = {line.attempt_id for line in lines}
    intents = Counter(
        e["attempt_id"] for e in entries if e["kind"] == "intent" and e["attempt_id"] in ids
    )
    outcomes = Counter(
        e["attempt_id"] for e in entries if e["kind"] == "outcome" and e["attempt_id"] in ids
    )
    return lines, intents, outcomes


async def test_missing_lines_are_resubmitted_once_and_a_key_that_fails_twice_is_never_sent_again(
    simulator: SimulatorFactory,
    batch_home: Callable[[str], Settings],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim = simulator(seed=13, batch_delay_s=0.02)
    settings = batch_home(sim.url)
    ingest_samples(settings, 12, seed=23, tmp_path=tmp_path)
    runtime = Runtime.open(settings, retry=FAST_RETRY)
    seen: Counter[str] = Counter()
    original = runtime.gateway.batch_results

    def doc_step(key: str) -> tuple[int, str]:
        document, step, _ = key.split("-")
        return int(document), step

    once = {(d, "extract") for d in (2, 5, 8)}
    always = {(3, "categorize")}

    async def lossy(route: str, file_id: str) -> list[ResultLine]:
        kept = []
        for result in await original(route, file_id):
            seen[result.custom_id] += 1
            key = doc_step(result.custom_id)
            if key in always or (key in once and seen[result.custom_id] == 1):
                continue  # the provider's file lacks it: expired
            kept.append(result)
        return kept

    monkeypatch.setattr(runtime.gateway, "batch_results", lossy)
    try:
        report = await settle(runtime, None, sleep=no_wait, clock=stepping_clock(), max_rounds=50)
    finally:
        await runtime.aclose()
    assert report.settled, report.as_dict()
    summary = report.as_dict()
    assert summary["resubmitted"] == len(once) + len(always)
    assert summary["lines_expired"] == len(once) + 2 * len(always)

    per_key = _lines_sent(sim.url)
    twice = {doc_step(k) for k, n in per_key.items() if n == 2}
    assert twice == once | always and max(per_key.values()) == 2  # never a third time
    lines, intents, outcomes = _audited_lines(settings)
    assert len(lines) == sum(per_key.values())
    assert set(intents.values()) == set(outcomes.values()) == {1}
    assert len(intents) == len(outcomes) == len(lines)

    with app_context(settings) as ctx, transaction(ctx.sessions) as session:
        failed = session.execute(
            select(StepResult.document_id, StepResult.step, StepResult.reason).where(
                StepResult.status == "failed"
            )
        ).all()
        documents = dict(session.execute(select(Document.id, Document.status)).all())
    assert [tuple(row) for row in failed] == [(3, "categorize", "batch:timeout")]
    assert documents[3] == "failed"
    assert {s for d, s in documents.items() if d != 3} <= {"done", "review"}


async def test_a_collector_killed_after_auditing_a_line_resumes_without_a_second_entry(
    simulator: SimulatorFactory,
    batch_home: Callable[[str], Settings],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim = simulator(seed=14, batch_delay_s=0.02)
    settings = batch_home(sim.url)
    ingest_samples(settings, 10, seed=24, tmp_path=tmp_path)
    runtime = Runtime.open(settings, retry=FAST_RETRY)
    original = runtime.gateway.answer_line
    answered = 0

    async def dies_on_the_fifth(*args: Any, **kwargs: Any) -> ModelResponse:
        nonlocal answered
        response = await original(*args, **kwargs)  # the outcome entry is committed ...
        answered += 1
        if answered == 5:
            raise KilledCollector  # ... and the process dies before the result is stored
        return response

    clock = stepping_clock()
    try:
        await submit_round(runtime, None, clock=clock)
        monkeypatch.setattr(runtime.gateway, "answer_line", dies_on_the_fifth)
        for _ in range(100):
            try:
                first = await collect_once(runtime, None, clock=clock)
            except KilledCollector:
                break
            assert not first.collected or answered < 5
            await no_wait(0)
        assert answered == 5
        monkeypatch.setattr(runtime.gateway, "answer_line", original)
        report = await settle(runtime, None, sleep=no_wait, clock=clock, max_rounds=50)
    finally:
        await runtime.aclose()
    assert report.settled and report.as_dict()["resubmitted"] == 0

    per_key = _lines_sent(sim.url)
    assert set(per_key.values()) == {1}  # nothing that had finished was sent again
    lines, intents, outcomes = _audited_lines(settings)
    assert set(intents.values()) == set(outcomes.values()) == {1}
    assert len(outcomes) == len(lines) == sum(per_key.values())
    with app_context(settings) as ctx, transaction(ctx.sessions) as session:
        results = session.scalar(select(func.count()).select_from(StepResult))
        statuses = set(session.scalars(select(Document.status)).all())
    assert results == 3 * 10
    assert statuses <= {"done", "review"}


class KilledCollector(Exception):
    """Stands for SIGKILL in the middle of a collect."""


async def test_a_batch_past_its_window_is_cancelled_and_its_finished_lines_are_kept(
    simulator: SimulatorFactory, batch_home: Callable[[str], Settings], tmp_path: Path
) -> None:
    # The simulator answers every line, then finalizes for 2 s: cancelled then, the batch
    # returns all the answers it has (OpenAI: an expired or cancelled batch returns what it did).
    sim = simulator(seed=15, batch_delay_s=2.0)
    settings = batch_home(sim.url)
    ingest_samples(settings, 6, seed=25, tmp_path=tmp_path)
    runtime = Runtime.open(settings, retry=FAST_RETRY)
    start = utcnow()
    try:
        sent = await submit_step(runtime, "extract", None, clock=lambda: start)
        (batch_id,) = sent.batches
        with app_context(settings) as ctx, transaction(ctx.sessions) as session:
            row = session.get(ProviderBatch, batch_id)
            assert row is not None and row.provider_batch_id is not None
            provider_id = row.provider_batch_id
        for _ in range(200):  # until the simulator has every answer and is finalizing
            info = await runtime.gateway.retrieve_batch("fast", provider_id)
            if info.status == "finalizing":
                break
            await asyncio.sleep(0.05)
        assert info.status == "finalizing"

        late = start + timedelta(hours=25)
        first = await collect_once(runtime, None, clock=lambda: late)
        second = await collect_once(runtime, None, clock=lambda: late + timedelta(hours=1))
    finally:
        await runtime.aclose()

    assert first.cancelled == 1
    assert batch_id in first.collected + second.collected
    assert first.lines_done + second.lines_done == 6  # the finished lines are kept
    with app_context(settings) as ctx, transaction(ctx.sessions) as session:
        batch = session.get(ProviderBatch, batch_id)
        assert batch is not None and batch.status == "collected"
        stored = session.scalar(
            select(func.count()).select_from(StepResult).where(StepResult.step == "extract")
        )
    assert stored == 6
