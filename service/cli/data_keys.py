"""``nightshift keys rotate-data-key | rewrap-data-keys | retire-data-keys`` (docs/deploy.md).

``rotate-data-key`` makes a new key-encryption key active and re-wraps every document's data key
under it; ``rewrap-data-keys`` finishes an interrupted rotation without a new key (and changes
nothing when every document is current); ``retire-data-keys`` deletes old key files no document
needs, and refuses while one does. The library is :mod:`compliance.keys.data_keys`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from compliance.keys.data_keys import BATCH_SIZE, RewrapReport, retire, rewrap, rotate
from flows.context import app_context
from service.cli.support import err_console, out_console, print_json, reported_errors, settings

JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]
BatchSize = Annotated[
    int, typer.Option("--batch-size", min=1, help="Documents re-wrapped per transaction.")
]


def _progress(report: RewrapReport) -> None:
    err_console.print(f"re-wrapped {report.rewrapped} so far", highlight=False)


def _print_report(report: RewrapReport, json_output: bool) -> None:
    if json_output:
        print_json(report.as_dict())
    else:
        was = f" (new; was {report.rotated_from})" if report.rotated_from else ""
        needed = ", ".join(f"{k}: {n} documents" for k, n in report.still_referenced.items())
        lines = [
            f"active key        {report.active_id}{was}",
            f"re-wrapped        {report.rewrapped}",
            f"already current   {report.current}",
            f"erased            {report.erased} (left alone)",
            f"skipped           {report.skipped} (erased or changed during the run)",
            f"unreadable        {report.unreadable}",
            f"old keys needed   {needed or '-'}",
            f"old keys unused   {', '.join(report.unreferenced) or '-'}",
        ]
        for line in lines:
            out_console.print(line, highlight=False)
    _advise(report)


def _advise(report: RewrapReport) -> None:
    """What to do next, on stderr; exit 1 when documents could not be re-wrapped."""
    if report.missing:
        err_console.print(
            f"[bold red]error:[/] documents need keys that are not in the key directory: "
            f"{', '.join(report.missing)}; restore them from the key backup, then run "
            "`nightshift keys rewrap-data-keys`",
            highlight=False,
        )
    if report.unreadable:
        ids = ", ".join(str(i) for i in report.unreadable_ids)
        err_console.print(
            f"[bold red]error:[/] {report.unreadable} documents could not be unwrapped "
            f"(ids {ids}{' …' if report.unreadable > len(report.unreadable_ids) else ''}); "
            "they keep their old key",
            highlight=False,
        )
        raise typer.Exit(1)
    if not report.finished:
        err_console.print("stopped early: run `nightshift keys rewrap-data-keys` to finish")
    elif report.unreferenced and not report.still_referenced:
        err_console.print(
            "every document is under the active key; once ingests started before the rotation "
            "have finished, delete the old key files with `nightshift keys retire-data-keys`",
            highlight=False,
        )


def rotate_data_key_command(
    batch_size: BatchSize = BATCH_SIZE, json_output: JsonFlag = False
) -> None:
    """New data key (key-encryption key), made active; every document's data key re-wrapped."""
    cfg = settings()
    with reported_errors(), app_context(cfg) as ctx:
        report = rotate(ctx.sessions, cfg.keys_dir, batch_size=batch_size, on_batch=_progress)
    _print_report(report, json_output)


def rewrap_data_keys_command(
    batch_size: BatchSize = BATCH_SIZE, json_output: JsonFlag = False
) -> None:
    """Re-wrap the documents still under an older data key (finishes an interrupted rotation)."""
    cfg = settings()
    with reported_errors(), app_context(cfg) as ctx:
        report = rewrap(ctx.sessions, ctx.keyring, batch_size=batch_size, on_batch=_progress)
    _print_report(report, json_output)


def retire_data_keys_command(json_output: JsonFlag = False) -> None:
    """Delete old data key files no document needs; refuse while a document still does."""
    cfg = settings()
    with reported_errors(), app_context(cfg) as ctx:
        report = retire(ctx.sessions, cfg.keys_dir)
    if json_output:
        print_json({"active_id": report.active_id, "retired": report.retired})
        return
    out_console.print(f"active key  {report.active_id}", highlight=False)
    out_console.print(f"retired     {', '.join(report.retired) or '-'}", highlight=False)
