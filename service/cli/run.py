"""``nightshift run nightly`` and ``nightshift process``: the two paths from the command line."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from flows.batch.rounds import collect_round
from flows.config import STEPS
from flows.ingest import IncomingDocument, read_file, record_from_mapping
from flows.ingest.errors import RecordRejected
from flows.nightly.flow import nightly_flow, progress_hook, reporting_progress, run_nightly
from flows.online.flow import online_flow, process_online, store_record
from flows.results import document_results, reidentified_results
from flows.runtime import Runtime
from flows.settings import Settings
from service.cli.support import (
    err_console,
    fail,
    out_console,
    print_json,
    reported_errors,
    settings,
)
from storage.engine import transaction
from storage.models import Document, DocumentFormat

run_app = typer.Typer(no_args_is_help=True, help="Run a flow now.")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]
SUMMARY_ROWS = (
    "run_id", "status", "documents_total", "documents_done", "documents_review",
    "documents_failed", "documents_deferred", "calls", "retries", "escalations", "rate_limited",
    "flex_calls", "resource_unavailable", "flex_fallbacks", "timeouts", "server_errors",
    "empty_responses", "invalid_outputs", "tokens_in", "tokens_out",
    "cost", "cost_per_1000_documents", "duration_s",
)  # fmt: skip
#: Printed when the run had batch-mode steps (flows.nightly.flow.batch_summary).
BATCH_ROWS = (
    "batches_submitted", "batch_lines", "batch_lines_expired", "batch_lines_failed",
    "batch_resubmitted", "batch_escalations", "batch_cost", "batch_settled",
)  # fmt: skip


@contextmanager
def progress_bar(enabled: bool) -> Iterator[None]:
    if not enabled:
        yield
        return
    progress = Progress(
        TextColumn("[bold]nightly"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    )
    task = progress.add_task("nightly", total=None, detail="planning")
    counts: dict[str, int] = {}

    def hook(what: str, n: int) -> None:
        if what == "planned":
            progress.update(task, total=n, detail="")
            return
        counts[what] = counts.get(what, 0) + n
        detail = " ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        progress.update(task, advance=n, detail=detail)

    with progress, reporting_progress(hook):
        yield


def print_summary(summary: dict[str, Any]) -> None:
    table = Table(title="nightly run", show_header=False, title_justify="left")
    for key in SUMMARY_ROWS:
        table.add_row(key, str(summary.get(key, "")))
    for key in BATCH_ROWS:
        if key in summary:
            table.add_row(key, str(summary[key]))
    table.add_row("tokens_by_step", json.dumps(summary.get("tokens_by_step", {})))
    table.add_row("review_reasons", json.dumps(summary.get("review_reasons", {})))
    out_console.print(table)


@run_app.command("nightly")
def run_nightly_command(
    limit: Annotated[int | None, typer.Option(min=1, help="Process at most N documents.")] = None,
    window_end: Annotated[
        str | None,
        typer.Option(help="HH:MM to stop starting work (default nightly.window_end); 'none'."),
    ] = None,
    prefect: Annotated[
        bool, typer.Option("--prefect/--direct", help="Run as a Prefect flow (default).")
    ] = True,
    wait: Annotated[
        bool,
        typer.Option("--wait", help="Batch-mode steps: collect until every document is settled."),
    ] = False,
    json_output: JsonFlag = False,
) -> None:
    """Run the nightly batch now over every pending document, with a progress bar.

    Batch-mode steps are submitted and the command returns (collect with `run collect`), or
    with --wait it keeps collecting until every document is settled."""
    cfg = settings(check_secrets=True)
    with reported_errors(), progress_bar(not json_output):
        if prefect:
            summary = asyncio.run(nightly_flow(limit=limit, window_end=window_end, wait=wait))
        else:
            summary = asyncio.run(_direct_nightly(cfg, limit, window_end, wait))
    if json_output:
        print_json(summary)
    else:
        print_summary(summary)
    if summary.get("status") != "completed":
        raise typer.Exit(1)


async def _direct_nightly(
    cfg: Settings, limit: int | None, window_end: str | None, wait: bool = False
) -> dict[str, Any]:
    runtime = Runtime.open(cfg)
    try:
        return await run_nightly(
            runtime, limit=limit, window_end=window_end, progress=progress_hook(), wait=wait
        )
    finally:
        await runtime.aclose()


@run_app.command("collect")
def run_collect_command(json_output: JsonFlag = False) -> None:
    """Poll the due provider batches once, store what came back, submit the next round."""
    cfg = settings(check_secrets=True)
    with reported_errors():
        result = asyncio.run(collect_pass(cfg))
    if json_output:
        print_json(result)
        return
    table = Table(title="batch collect", show_header=False, title_justify="left")
    for key in COLLECT_ROWS:
        table.add_row(key, str(result.get(key, "")))
    table.add_row("steps_by_status", json.dumps(result.get("steps_by_status", {})))
    out_console.print(table)


COLLECT_ROWS = (
    "polled", "cancelled", "batches_collected", "lines_done", "lines_failed", "lines_expired",
    "lines_given_up", "escalations", "cost", "batches_submitted", "batch_lines", "resubmitted",
    "batches_open", "settled",
)  # fmt: skip


async def collect_pass(cfg: Settings) -> dict[str, Any]:
    runtime = Runtime.open(cfg)
    try:
        return await collect_round(runtime, None)
    finally:
        await runtime.aclose()


def read_one_record(source: str, max_bytes: int) -> IncomingDocument:
    """The first valid record of a file (any ingest format) or of stdin (one JSON object)."""
    from flows.config import IngestConfig

    if source == "-":
        raw = sys.stdin.buffer.read()
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            fail(f"stdin is not one JSON object in the ingest shape ({type(exc).__name__})")
        if not isinstance(data, dict):
            fail("stdin must hold one JSON object with at least a body")
        try:
            return record_from_mapping(
                data, where="stdin", format=DocumentFormat.API, size_bytes=len(raw)
            )
        except RecordRejected as exc:
            fail(f"stdin: {exc}")
    path = Path(source)
    if not path.is_file():
        fail(f"{source} is not a file; give an .eml, .jsonl, .csv or .mbox file, or - for stdin")
    for item in read_file(path, IngestConfig(max_record_bytes=max_bytes)):
        if isinstance(item, IncomingDocument):
            return item
        fail(f"{item.where}: {item.reason}")
    fail(f"{source} holds no record")


def process_command(
    source: Annotated[
        str, typer.Argument(metavar="FILE|-", help="One document: a file, or - for stdin.")
    ],
    steps: Annotated[str, typer.Option(help="Comma-separated steps to run.")] = ",".join(STEPS),
    prefect: Annotated[
        bool, typer.Option("--prefect/--direct", help="Run as the Prefect online flow (default).")
    ] = True,
    masked: Annotated[
        bool, typer.Option("--masked", help="Show outputs as the model saw them (placeholders).")
    ] = False,
    json_output: JsonFlag = False,
) -> None:
    """Send one document through the online path and print fields, category and draft."""
    wanted = [s.strip() for s in steps.split(",") if s.strip()]
    unknown = sorted(set(wanted) - set(STEPS))
    if unknown or not wanted:
        fail(f"unknown step(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(STEPS)}")
    cfg = settings(check_secrets=True)
    record = read_one_record(source, cfg.ingest.max_record_bytes)
    with reported_errors():
        result = asyncio.run(process_record(cfg, record, wanted, prefect, not masked))
    if json_output:
        print_json(result)
        return
    print_document(result)


async def process_record(
    cfg: Settings, record: IncomingDocument, steps: list[str], prefect: bool, reveal: bool = True
) -> dict[str, Any]:
    """Store and process one record; outputs re-identified for the operator when ``reveal``."""
    runtime = Runtime.open(cfg)
    try:
        document_id = store_record(runtime, record)
        if prefect:
            summary = await online_flow(document_id, steps)
        else:
            summary = (await process_online(runtime, document_id, steps)).as_dict(
                include_outputs=False
            )
        with transaction(runtime.app.sessions) as session:
            document = session.get(Document, document_id)
            assert document is not None
            results = document_results(
                session, runtime.app.keyring, document, runtime.versions(STEPS)
            )
            unknown: list[str] = []
            if reveal:
                results, unknown = reidentified_results(
                    session, runtime.app.keyring, document, results
                )
        summary["unknown_placeholders"] = unknown
        summary["steps"] = {
            name: {**info, **results.get(name, {})} for name, info in summary["steps"].items()
        }
        return summary
    finally:
        await runtime.aclose()


def print_document(result: dict[str, Any]) -> None:
    out_console.print(f"document {result['document_id']}: {result['status']}", highlight=False)
    for name, info in result["steps"].items():
        reason = f" ({info['reason']})" if info.get("reason") else ""
        out_console.print(f"[bold]{name}[/] {info['status']}{reason}", highlight=False)
        output = info.get("output")
        if output:
            out_console.print(
                json.dumps(output, ensure_ascii=False, indent=2), highlight=False, markup=False
            )
    out_console.print(
        f"calls {result['calls']}, tokens {result['tokens_in']}+{result['tokens_out']}, "
        f"cost {result['cost']}",
        highlight=False,
    )
