"""``nightshift demo``: the main job on embedded defaults, end to end.

1. initialise the home (database migrated, data key created);
2. start the provider simulator when every configured route is the simulator (none is a real
   model) — or use one already listening there;
3. generate labeled synthetic emails and ingest them;
4. run the nightly flow (Prefect) with its progress bar and summary;
5. send one new email through the online flow and show fields, category and draft.
6. write the morning report of the nightly run (``NIGHTSHIFT_HOME/reports``) and say where.

Run it again and the nightly run has nothing to do: finished work is never paid for twice.
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer

from flows.context import app_context, init_home
from flows.ingest import ingest_paths, read_file
from flows.ingest.records import IncomingDocument
from flows.nightly.flow import nightly_flow
from flows.report.flow import make_report
from flows.settings import Settings
from sampledata import generate_records, write_jsonl
from service.cli.run import print_document, print_summary, process_record, progress_bar
from service.cli.support import (
    err_console,
    fail,
    out_console,
    print_json,
    reported_errors,
    settings,
)
from simulator import SimulatorConfig, run_simulator_in_thread

#: The simulator the demo starts: a little latency so the progress bar has something to show.
DEMO_SIMULATOR = SimulatorConfig(seed=1, latency_ms=20)


def _simulator_answers(base_url: str) -> bool:
    root = base_url.removesuffix("/v1")
    try:
        with urllib.request.urlopen(f"{root}/simulator/config", timeout=2) as response:  # noqa: S310
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def simulator_for(cfg: Settings, quiet: bool) -> Iterator[str | None]:
    """Start the simulator the routes point at, unless one already answers; None if not needed."""
    routes = list(cfg.routes.values())
    if not all(route.simulator for route in routes):
        yield None
        return
    base_urls = {route.base_url for route in routes}
    if len(base_urls) != 1:
        fail("the simulator routes point at different addresses; start the simulator yourself")
    base_url = base_urls.pop()
    if _simulator_answers(base_url):
        _stage(quiet, f"using the provider simulator already running at {base_url}")
        yield base_url
        return
    address = urlsplit(base_url)
    try:
        context = run_simulator_in_thread(
            DEMO_SIMULATOR, address.hostname or "127.0.0.1", address.port or 80
        )
        with context as url:
            _stage(quiet, f"started the provider SIMULATOR (not a real model) at {url}")
            yield base_url
    except OSError as exc:
        fail(
            f"cannot start the simulator at {base_url} ({exc.strerror}); "
            "free the port, or start `nightshift simulator` there yourself"
        )


def _ingest_samples(cfg: Settings, count: int, seed: int, quiet: bool) -> dict[str, Any]:
    samples = Path(cfg.home) / "samples" / f"sample-{seed}-{count}.jsonl"
    samples.parent.mkdir(parents=True, exist_ok=True)
    _stage(quiet, f"generating {count} synthetic emails (seed {seed})")
    write_jsonl(generate_records(count, seed), samples)
    _stage(quiet, f"ingesting {samples}")
    with app_context(cfg) as ctx:
        report = ingest_paths(
            ctx.sessions, ctx.keyring, [samples], source="demo", config=cfg.ingest
        )
    return {k: v for k, v in report.as_dict().items() if k != "ignored_fields"}


def _online_sample(cfg: Settings, seed: int) -> IncomingDocument:
    """One email that is not in the batch: what an operator would paste during a call."""
    path = Path(cfg.home) / "samples" / f"online-{seed}.jsonl"
    write_jsonl(generate_records(1, seed + 1000), path)
    record = next(iter(read_file(path, cfg.ingest)))
    assert isinstance(record, IncomingDocument)
    return record


def demo_command(
    count: Annotated[int, typer.Option(min=1, help="Sample emails to generate.")] = 500,
    seed: Annotated[int, typer.Option(help="Seed of the sample data.")] = 1,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the summary as JSON on stdout.")
    ] = False,
) -> None:
    """Run the main job on embedded defaults (SQLite, the provider simulator)."""
    cfg = settings(check_secrets=True)
    summary: dict[str, Any] = {}
    with reported_errors(), ExitStack() as stack:
        summary["home"] = init_home(cfg).home
        stack.enter_context(simulator_for(cfg, json_output))
        summary["ingest"] = _ingest_samples(cfg, count, seed, json_output)
        _stage(json_output, "nightly flow (Prefect)")
        with progress_bar(not json_output):
            summary["nightly"] = asyncio.run(nightly_flow(limit=None, window_end="none"))
        if not json_output:
            print_summary(summary["nightly"])
        _stage(json_output, "online flow: one new email")
        record = _online_sample(cfg, seed)
        summary["online"] = asyncio.run(
            process_record(cfg, record, ["extract", "categorize", "draft"], True)
        )
        _stage(json_output, "morning report")
        files = make_report(cfg, run_id=summary["nightly"]["run_id"])[1]
        summary["report"] = {fmt: str(path) for fmt, path in files.items()}
    if json_output:
        print_json(summary)
        return
    print_document(summary["online"])
    ingest = summary["ingest"]
    out_console.print(
        f"ingest: new {ingest['new']}, changed {ingest['changed']}, "
        f"unchanged {ingest['unchanged']}, rejected {len(ingest['rejected'])}",
        highlight=False,
    )
    out_console.print(f"morning report: {summary['report']['html']}", highlight=False)
    out_console.print(json.dumps({"home": summary["home"]}), highlight=False)


def _stage(quiet: bool, text: str) -> None:
    if not quiet:
        err_console.print(f"[bold]==[/] {text}", highlight=False)
