"""``nightshift demo``: the main job on embedded defaults, end to end.

Today: initialise the home, generate labeled synthetic emails, ingest them. Each capability
that lands adds its stage here (simulator, nightly flow, online flow, morning report).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from flows.context import app_context, init_home
from flows.ingest import ingest_paths
from service.cli_support import err_console, out_console, print_json, reported_errors, settings
from service.sample_data import generate_records, write_jsonl


def demo_command(
    count: Annotated[int, typer.Option(min=1, help="Sample emails to generate.")] = 500,
    seed: Annotated[int, typer.Option(help="Seed of the sample data.")] = 1,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the summary as JSON on stdout.")
    ] = False,
) -> None:
    """Run the main job on embedded defaults (SQLite, the provider simulator)."""
    cfg = settings()
    summary: dict[str, Any] = {}
    with reported_errors():
        init = init_home(cfg)
        summary["home"] = init.home
        samples = Path(cfg.home) / "samples" / f"sample-{seed}-{count}.jsonl"
        samples.parent.mkdir(parents=True, exist_ok=True)
        _stage(json_output, f"generating {count} synthetic emails (seed {seed})")
        write_jsonl(generate_records(count, seed), samples)
        _stage(json_output, f"ingesting {samples}")
        with app_context(cfg) as ctx:
            report = ingest_paths(
                ctx.sessions, ctx.keyring, [samples], source="demo", config=cfg.ingest
            )
        summary["ingest"] = {k: v for k, v in report.as_dict().items() if k != "ignored_fields"}
    if json_output:
        print_json(summary)
        return
    ingest = summary["ingest"]
    out_console.print(
        f"ingest: new {ingest['new']}, changed {ingest['changed']}, "
        f"unchanged {ingest['unchanged']}, rejected {len(ingest['rejected'])}",
        highlight=False,
    )


def _stage(quiet: bool, text: str) -> None:
    if not quiet:
        err_console.print(f"[bold]==[/] {text}", highlight=False)
