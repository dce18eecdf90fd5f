"""The morning report: its counts are the database's, its history is per night, it leaks nothing."""

from __future__ import annotations

import base64
import gc
import html
import json
import re
import socket
import struct
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from compliance.gateway.retry import RetryPolicy
from flows.context import app_context, init_home
from flows.ingest import ingest_paths
from flows.nightly.flow import run_nightly
from flows.report.build import GROWTH_FACTOR, GROWTH_MIN_DOCUMENTS, ReportError, build_report
from flows.report.flow import make_report, report_flow
from flows.results import document_results
from flows.runtime import Runtime
from flows.settings import Settings, load_settings
from sampledata import generate_records, write_jsonl
from storage.engine import transaction
from storage.models import Document, Run, StepResult
from tests.simulated import SimulatorFactory

FAST_RETRY = RetryPolicy(max_attempts=4, content_retries=1, base_delay_s=0.01, max_delay_s=0.05)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NUMBER_RUN = re.compile(r"\+?\d(?:[\d\s\-().]{0,3}\d)*")


# -- helpers (also used by the CLI and planner tests) ------------------------------------------


def ingest(settings: Settings, records: Sequence[dict[str, Any]], path: Path) -> None:
    write_jsonl(records, path)
    with app_context(settings) as ctx:
        report = ingest_paths(ctx.sessions, ctx.keyring, [path], source="test")
    assert report.new == len(records), report.as_dict()


async def night(runtime: Runtime) -> dict[str, Any]:
    return await run_nightly(runtime, window_end="none")


def move_run(settings: Settings, run_id: str, days_ago: int) -> datetime:
    """Make a run look as if it started at 01:00 local time ``days_ago`` nights ago."""
    zone = ZoneInfo(settings.nightly.timezone)
    today = datetime.now(zone).date()
    started = datetime.combine(today - timedelta(days=days_ago), time(1), tzinfo=zone)
    with app_context(settings) as ctx, transaction(ctx.sessions) as session:
        session.execute(
            update(Run)
            .where(Run.id == run_id)
            .values(started_at=started, finished_at=started + timedelta(minutes=5))
        )
    return started


def planted(records: Iterable[dict[str, Any]]) -> set[str]:
    """Every planted personal value, and the digits of the numeric ones."""
    values: set[str] = set()
    for record in records:
        for span in record["labels"]["pii"]:
            values.add(span["value"])
            digits = re.sub(r"\D", "", span["value"])
            if len(digits) >= 7:
                values.add(digits)
    return {v for v in values if len(v) >= 4}


def found_in(text: str, values: set[str]) -> list[str]:
    """Values written as whole words, and digit values inside any number with separators."""
    runs = [re.sub(r"\D", "", m.group()) for m in NUMBER_RUN.finditer(text)]

    def written(value: str) -> bool:
        return re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text) is not None

    return sorted(
        v for v in values if written(v) or (v.isdigit() and any(v in run for run in runs))
    )


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE)
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def truth(settings: Settings, run_id: str) -> dict[str, Any]:
    """What the database says about a run: statuses, reasons, categories, drafts."""
    with app_context(settings) as ctx, transaction(ctx.sessions) as session:
        documents = session.scalars(select(Document)).all()
        results = session.scalars(select(StepResult).where(StepResult.run_id == run_id)).all()
        versions = {r.step: (r.prompt_version, r.schema_version) for r in results}
        outputs = {
            d.id: document_results(session, ctx.keyring, d, versions)
            for d in documents
            if any(r.document_id == d.id for r in results)
        }
    categories: Counter[str] = Counter()
    drafts_ready = 0
    for document in documents:
        steps = outputs.get(document.id, {})
        category = (steps.get("categorize", {}).get("output") or {}).get("category")
        if category:
            categories[category] += 1
        draft = steps.get("draft", {})
        if (
            document.status == "done"
            and draft.get("status") == "done"
            and draft["output"].get("skipped") is None
        ):
            drafts_ready += 1
    return {
        "statuses": Counter(d.status for d in documents),
        "review_reasons": Counter(
            (r.reason or "").split(":")[0] for r in results if r.status == "review"
        ),
        "failed_reasons": Counter(
            (r.reason or "").split(":")[0] for r in results if r.status == "failed"
        ),
        "categories": categories,
        "drafts_ready": drafts_ready,
    }


def with_subject_pii(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Turn one record into an urgent email whose subject names its sender and phone."""
    for record in records:
        kinds = {s["type"]: s["value"] for s in record["labels"]["pii"]}
        if "PERSON" in kinds and "PHONE_NUMBER" in kinds:
            record["subject"] = f"СРОЧНО: {kinds['PERSON']}, тел. {kinds['PHONE_NUMBER']}"
            return record
    raise AssertionError("no sample record with a person and a phone")


# -- tests ---------------------------------------------------------------------------------


async def test_every_format_has_the_counts_of_the_database_and_no_planted_value(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    sim = simulator(seed=21, malformed_rate=0.06, empty_rate=0.04)
    settings = wired_home(sim.url)
    records = list(generate_records(40, seed=23))
    marked = with_subject_pii(records)
    ingest(settings, records, tmp_path / "batch.jsonl")
    runtime = Runtime.open(settings, retry=FAST_RETRY)
    try:
        summary = await night(runtime)
    finally:
        await runtime.aclose()

    report, files = make_report(settings)
    expected = truth(settings, summary["run_id"])

    statuses = expected["statuses"]
    assert report.run_id == summary["run_id"]
    assert report.documents == {
        "in": 40,
        "done": statuses["done"],
        "review": statuses["review"],
        "failed": statuses["failed"],
        "deferred": 0,
    }
    assert statuses["review"] > 0 and report.review.total == statuses["review"]
    assert report.failed.total == statuses["failed"]
    assert report.review_reasons == dict(expected["review_reasons"])
    assert report.failed_reasons == dict(expected["failed_reasons"])
    assert {r.category: r.tonight for r in report.categories} == dict(expected["categories"])
    assert report.drafts_ready.total == expected["drafts_ready"] > 0
    assert report.counters["empty_responses"] == summary["empty_responses"] > 0
    assert report.counters["retries"] == summary["retries"]
    assert report.tokens_in == summary["tokens_in"] and report.cost == summary["cost"]
    assert report.currency == settings.billing.currency
    assert report.prompt_versions == summary["prompt_versions"]
    assert report.window.finished_in_window is not None

    assert set(files) == {"html", "md", "json", "png"}
    assert files["html"].parent == settings.reports_dir
    assert files["json"].name == f"{report.night}-{report.run_id[:8]}.json"
    stored = json.loads(files["json"].read_text())
    assert stored["documents"] == report.documents
    assert stored["review"]["total"] == report.review.total
    page, markdown = files["html"].read_text(), files["md"].read_text()
    png = files["png"].read_bytes()
    assert png_size(png) == (800, 400)
    assert base64.b64encode(png).decode() in page
    assert f"]({files['png'].name})" in markdown
    for item in report.review.items + report.urgent.items:
        assert f"| {item.document_id} |" in markdown
        assert f"<td>{item.document_id}</td><td>{html.escape(item.subject)}</td>" in page

    (item,) = [i for i in report.urgent.items if i.subject.startswith("СРОЧНО")]
    assert "[PERSON_" in item.subject and "[PHONE_NUMBER_" in item.subject
    values = planted(records)
    assert {s["value"] for s in marked["labels"]["pii"]} & values
    for path in files.values():
        if path.suffix != ".png":
            assert found_in(path.read_text(), values) == [], path.name


async def test_categories_are_compared_with_the_previous_nights_and_growth_is_flagged(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    sim = simulator(seed=25)
    settings = wired_home(sim.url, escalate=False)
    pool = list(generate_records(240, seed=27))
    fraud = [r for r in pool if r["labels"]["category"] == "card_blocked_or_fraud"]
    others = [r for r in pool if r["labels"]["category"] != "card_blocked_or_fraud"]
    runtime = Runtime.open(settings, retry=FAST_RETRY)
    run_ids = []
    try:
        for index, days_ago in enumerate((3, 2, 1)):
            ingest(settings, others[index * 8 : index * 8 + 8], tmp_path / f"n{days_ago}.jsonl")
            run_ids.append((await night(runtime))["run_id"])
            move_run(settings, run_ids[-1], days_ago)
        ingest(settings, fraud[:14] + others[24:28], tmp_path / "tonight.jsonl")
        tonight = (await night(runtime))["run_id"]
        report = build_report(runtime)
        earlier = build_report(
            runtime, date=datetime.fromisoformat(report.night).date() - timedelta(2)
        )
        by_prefix = build_report(runtime.app, run_id=run_ids[0][:8])
    finally:
        await runtime.aclose()

    per_run = [truth(settings, r)["categories"] for r in (*run_ids, tonight)]
    zone = ZoneInfo(settings.nightly.timezone)
    today = datetime.now(zone).date()
    assert report.run_id == tonight
    assert report.nights_averaged == 3
    assert [n.date for n in report.history] == [
        (today - timedelta(days=d)).isoformat() for d in (3, 2, 1, 0)
    ]
    assert [n.categories for n in report.history] == [dict(c) for c in per_run]
    for row in report.categories:
        average = sum(c[row.category] for c in per_run[:3]) / 3
        assert row.tonight == per_run[3][row.category]
        assert row.average == pytest.approx(average, abs=0.01)
        grows = row.tonight >= GROWTH_FACTOR * average and row.tonight - average >= 5
        assert row.growth == grows, row
    fraud_row = next(r for r in report.categories if r.category == "card_blocked_or_fraud")
    assert fraud_row.growth and fraud_row.tonight >= GROWTH_MIN_DOCUMENTS
    assert "1.5 x the average" in report.growth_rule
    assert earlier.run_id == run_ids[1] and earlier.nights_averaged == 1
    assert by_prefix.run_id == run_ids[0] and by_prefix.nights_averaged == 0


def test_a_missing_run_says_what_exists_and_what_to_do(home: Path) -> None:
    settings = load_settings()
    init_home(settings)
    with app_context(settings) as app:
        with pytest.raises(ReportError, match="no finished nightly run; run one"):
            build_report(app)
        with pytest.raises(ReportError, match="at least its first 8 characters"):
            build_report(app, run_id="abc")
        with pytest.raises(ReportError, match="no finished nightly run with id"):
            build_report(app, run_id="00000000-dead")
    with pytest.raises(ReportError, match="YYYY-MM-DD"):
        make_report(settings, date="tomorrow")
    with pytest.raises(ReportError, match="unknown report format"):
        make_report(settings, formats=["pdf"])


# Prefect's client leaves sockets to its own temporary server for the garbage collector.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
async def test_the_report_flow_writes_every_format_and_returns_paths_and_counts_only(
    prefect_harness: Path,
    simulator: SimulatorFactory,
    wired_home: Callable[..., Settings],
    tmp_path: Path,
) -> None:
    sim = simulator(seed=29)
    settings = wired_home(sim.url)
    records = list(generate_records(12, seed=29))
    ingest(settings, records, tmp_path / "batch.jsonl")
    runtime = Runtime.open(settings, retry=FAST_RETRY)
    try:
        summary = await night(runtime)
    finally:
        await runtime.aclose()

    result = report_flow()
    gc.collect()

    assert result["run_id"] == summary["run_id"]
    assert set(result["files"]) == {"html", "md", "json", "png"}
    assert all(Path(p).is_file() and Path(p).parent == settings.reports_dir
               for p in result["files"].values())  # fmt: skip
    assert result["documents"]["in"] == 12
    assert found_in(json.dumps(result, ensure_ascii=False), planted(records)) == []
    stored = b"".join(
        p.read_bytes() for p in prefect_harness.parent.glob(prefect_harness.name + "*")
    )
    assert [v for v in planted(records) if v.encode() in stored] == []


async def test_failed_documents_are_listed_with_their_reasons(
    simulator: SimulatorFactory,
    wired_home: Callable[..., Settings],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim = simulator(seed=31)
    wired_home(sim.url)
    with socket.socket() as probe:  # a port nobody listens on: every draft call is refused
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    config = tmp_path / "dead-draft.toml"
    config.write_text(
        (tmp_path / "nightshift.toml")
        .read_text()
        .replace('draft = { route = "strong" }', 'draft = { route = "dead" }')
        + f'\n[routes.dead]\nbase_url = "http://127.0.0.1:{dead}/v1"\napi_key = "x"\n'
        'model = "m"\nregion = "KZ"\ntimeout_s = 2\n'
    )
    monkeypatch.setenv("NIGHTSHIFT_CONFIG", str(config))
    settings = load_settings()
    ingest(settings, list(generate_records(8, seed=33)), tmp_path / "batch.jsonl")
    runtime = Runtime.open(settings, retry=FAST_RETRY)
    try:
        summary = await night(runtime)
    finally:
        await runtime.aclose()

    with app_context(settings) as app:
        report = build_report(app)
    expected = truth(settings, summary["run_id"])

    assert report.failed.total == expected["statuses"]["failed"] == summary["documents_failed"] > 0
    assert (
        report.failed_reasons
        == dict(expected["failed_reasons"])
        == {"transport": report.failed.total}
    )
    assert all("draft:transport:connection_error" in i.reasons for i in report.failed.items)
    assert report.drafts_ready.total == 0
