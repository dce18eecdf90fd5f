"""Writing the morning report's files, and the Prefect flow that does it after the nightly run.

Files go to ``NIGHTSHIFT_HOME/reports/<night>-<run id, 8 chars>.{html,md,json,png}`` (the
folder is 0700, the files 0600: they hold masked subjects) unless an ``out`` path is given.
``report_flow`` is what the deployment runs after the nightly flow: its parameters are a run id,
a date and format names, and it returns ids, counts and file paths — never text (DESIGN 2).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from prefect import flow

from flows.context import app_context
from flows.report.build import Report, ReportError, build_report
from flows.report.render import FORMATS, chart_png, render
from flows.settings import Settings, load_settings

DEFAULT_FORMATS = FORMATS


def parse_date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ReportError(f"--date must be a date as YYYY-MM-DD, got {text!r}") from None


def check_formats(formats: Sequence[str] | None) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(formats or DEFAULT_FORMATS))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise ReportError(
            f"unknown report format(s) {', '.join(unknown) or '(none)'}; "
            f"choose from {', '.join(FORMATS)}"
        )
    return chosen


def file_stem(report: Report) -> str:
    return f"{report.night}-{report.run_id[:8]}"


def target_paths(
    report: Report, formats: Sequence[str], out: str | Path | None, reports_dir: Path
) -> dict[str, Path]:
    """Where each format goes. ``out`` is a folder when it exists as one, ends in ``/`` or has
    no suffix (``<night>-<run8>.<format>`` inside it); otherwise a file (its suffix replaced
    per format when there are several). Default: the reports folder."""
    path = None if out is None else Path(out)
    if path is None or path.is_dir() or str(out).endswith(os.sep) or not path.suffix:
        folder = reports_dir if path is None else path
        return {fmt: folder / f"{file_stem(report)}.{fmt}" for fmt in formats}
    if len(formats) == 1:
        return {formats[0]: path}
    return {fmt: path.with_suffix(f".{fmt}") for fmt in formats}


def _write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if isinstance(data, str):
        data = data.encode("utf-8")
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    os.chmod(path, 0o600)


def write_report(
    report: Report, formats: Sequence[str], out: str | Path | None, reports_dir: Path
) -> dict[str, Path]:
    """Render and write ``formats``; Markdown brings its chart (linked) along as a PNG file."""
    paths = target_paths(report, formats, out, reports_dir)
    if "md" in paths:
        paths.setdefault("png", paths["md"].with_suffix(".png"))
    png = chart_png(report) if {"html", "png"} & set(paths) else None
    png_name = paths["png"].name if "png" in paths else None
    for fmt, path in paths.items():
        _write(path, render(report, fmt, png=png, png_name=png_name))
    return paths


def make_report(
    settings: Settings,
    *,
    run_id: str | None = None,
    date: str | dt.date | None = None,
    formats: Sequence[str] | None = None,
    out: str | Path | None = None,
) -> tuple[Report, dict[str, Path]]:
    """Build the report of one run and write its files (the CLI and the flow share this)."""
    chosen = check_formats(formats)
    night = date if isinstance(date, dt.date) or date is None else parse_date(date)
    with app_context(settings) as app:
        report = build_report(app, run_id, night)
    return report, write_report(report, chosen, out, settings.reports_dir)


def report_result(report: Report, files: dict[str, Path]) -> dict[str, Any]:
    """What the flow returns and ``--json`` prints: ids, counts and paths only."""
    return {
        "run_id": report.run_id,
        "night": report.night,
        "status": report.status,
        "documents": report.documents,
        "queues": {
            "urgent": report.urgent.total,
            "review": report.review.total,
            "failed": report.failed.total,
            "drafts_ready": report.drafts_ready.total,
        },
        "growth": [row.category for row in report.categories if row.growth],
        "files": {fmt: str(path) for fmt, path in files.items()},
    }


@flow(name="morning-report", persist_result=False, log_prints=False)
def report_flow(
    run_id: str | None = None, date: str | None = None, formats: list[str] | None = None
) -> dict[str, Any]:
    """The morning report of a nightly run (default: the latest finished one), written to
    ``NIGHTSHIFT_HOME/reports``; returns ids, counts and file paths."""
    report, files = make_report(load_settings(), run_id=run_id, date=date, formats=formats)
    return report_result(report, files)
