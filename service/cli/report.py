"""``nightshift report``: the morning report of a nightly run, as HTML, Markdown or JSON."""

from __future__ import annotations

from typing import Annotated

import typer

from flows.report.flow import make_report, report_result
from service.cli.support import fail, out_console, print_json, reported_errors, settings

#: What ``--format`` accepts (the PNG chart is inside the HTML, and next to the Markdown).
CLI_FORMATS = ("html", "md", "json")


def report_command(
    run: Annotated[
        str | None, typer.Option("--run", help="Run id (or its first 8 or more characters).")
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(
            "--date", help="YYYY-MM-DD: the nightly run that started that day (nightly.timezone)."
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="html, md or json.")] = "html",
    out: Annotated[
        str | None,
        typer.Option(
            help="A file (with its suffix), or a folder (default: NIGHTSHIFT_HOME/reports)."
        ),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print ids, counts and file paths as JSON.")
    ] = False,
) -> None:
    """Write the morning report of a nightly run (default: the latest finished one)."""
    if run is not None and date is not None:
        fail("give --run or --date, not both")
    if fmt not in CLI_FORMATS:
        fail(f"--format must be one of {', '.join(CLI_FORMATS)}, got {fmt!r}")
    cfg = settings()
    with reported_errors():
        report, files = make_report(cfg, run_id=run, date=date, formats=[fmt], out=out)
    result = report_result(report, files)
    if json_output:
        print_json(result)
        return
    docs = report.documents
    out_console.print(
        f"morning report, night of {report.night}, run {report.run_id} ({report.status}): "
        f"{docs['in']} in, {docs['done']} done, {docs['review']} in review, "
        f"{docs['failed']} failed, {docs['deferred']} deferred",
        highlight=False,
    )
    for name, path in files.items():
        out_console.print(f"{name:<5} {path}", highlight=False)
