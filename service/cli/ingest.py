"""``nightshift ingest PATH...``: read sources into the documents table.

Progress goes to stderr (not with ``--json``); the summary to stdout. The exit code is 1 only when
nothing could be read at all (no record stored or found unchanged); rejected records alone do
not fail the command — they are listed with where and why.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from flows.context import app_context
from flows.ingest import DEFAULT_SOURCE, IngestReport, ingest_paths
from service.cli.support import err_console, out_console, print_json, reported_errors, settings

EXIT_NOTHING_READ = 1
#: Rejections listed in the human summary; ``--json`` lists them all.
SHOWN_REJECTIONS = 20


class _ProgressBar:
    """Adapts :class:`rich.progress.Progress` to :class:`flows.ingest.IngestProgress`."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task = progress.add_task("ingest", total=None)

    def begin(self, total_bytes: int) -> None:
        self._progress.update(self._task, total=total_bytes)

    def advance(self, read_bytes: int) -> None:
        self._progress.advance(self._task, read_bytes)


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]ingest"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    )


def ingest_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH",
            help="Files (.jsonl .csv .eml .mbox) and folders of them.",
            show_default=False,
        ),
    ],
    source: Annotated[
        str,
        typer.Option("--source", help="Name of the source; part of each document's identity."),
    ] = DEFAULT_SOURCE,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the result as JSON on stdout.")
    ] = False,
) -> None:
    """Read documents into nightshift: new, changed or unchanged; bad records listed with why."""
    report = _ingest(paths, source, show_progress=not json_output)
    if json_output:
        print_json(report.as_dict())
    else:
        _print_summary(report)
    if report.documents == 0:
        raise typer.Exit(EXIT_NOTHING_READ)


def _ingest(paths: list[Path], source: str, *, show_progress: bool) -> IngestReport:
    cfg = settings()
    with reported_errors(), app_context(cfg) as ctx:
        if not show_progress:
            return ingest_paths(ctx.sessions, ctx.keyring, paths, source=source, config=cfg.ingest)
        with _progress() as progress:
            return ingest_paths(
                ctx.sessions,
                ctx.keyring,
                paths,
                source=source,
                config=cfg.ingest,
                progress=_ProgressBar(progress),
            )


def _print_summary(report: IngestReport) -> None:
    out_console.print(
        f"new {report.new}, changed {report.changed}, unchanged {report.unchanged}, "
        f"rejected {len(report.rejected)} ({report.files} files read)",
        highlight=False,
        soft_wrap=True,
    )
    if report.unreadable_attachments:
        out_console.print(
            f"{report.unreadable_attachments} attachments are not text (PDF, images …): "
            "kept by filename only, their content is not read",
            highlight=False,
            soft_wrap=True,
        )
    if report.ignored_fields:
        names = ", ".join(f"{name} ({n})" for name, n in sorted(report.ignored_fields.items()))
        out_console.print(f"ignored fields: {names}", highlight=False, markup=False, soft_wrap=True)
    for item in report.rejected[:SHOWN_REJECTIONS]:
        out_console.print(
            f"rejected  {item.where}: {item.reason}", highlight=False, markup=False, soft_wrap=True
        )
    hidden = len(report.rejected) - SHOWN_REJECTIONS
    if hidden > 0:
        out_console.print(f"… and {hidden} more rejections; use --json to list them all")
    if report.documents == 0:
        err_console.print("[bold red]error:[/] nothing could be read from the given paths")
