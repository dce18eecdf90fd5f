"""``nightshift sample-data``: write synthetic, labelled customer e-mails and summarise them.

Registered in ``service/cli/main.py`` as ``app.command("sample-data")(sample_data_command)``.
Progress goes to stderr; ``--json`` prints only the summary, as JSON, on stdout.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from sampledata.generator import generate_records
from sampledata.writers import write_csv, write_eml_dir, write_jsonl, write_mbox

PROGRESS_FROM = 2_000  # records; smaller runs finish before a bar is worth drawing


class SampleFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    eml = "eml"
    mbox = "mbox"


Writer = Callable[[Iterable[dict[str, Any]], Path], int]
WRITERS: dict[SampleFormat, Writer] = {
    SampleFormat.jsonl: write_jsonl,
    SampleFormat.csv: write_csv,
    SampleFormat.eml: write_eml_dir,
    SampleFormat.mbox: write_mbox,
}
DEFAULT_OUT = {
    SampleFormat.jsonl: Path("sample-emails.jsonl"),
    SampleFormat.csv: Path("sample-emails.csv"),
    SampleFormat.eml: Path("sample-emails"),
    SampleFormat.mbox: Path("sample-emails.mbox"),
}


class SampleSummary:
    """Counts over the records as they stream past on their way to the writer."""

    def __init__(self) -> None:
        self.count = 0
        self.urgent = 0
        self.two_topic = 0
        self.languages: Counter[str] = Counter()
        self.categories: Counter[str] = Counter()
        self.hard_cases: Counter[str] = Counter()
        self.pii: Counter[str] = Counter()
        self.lookalikes: Counter[str] = Counter()

    def track(self, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for record in records:
            self.add(record["labels"])
            yield record

    def add(self, labels: dict[str, Any]) -> None:
        self.count += 1
        self.urgent += bool(labels["urgent"])
        self.two_topic += labels["second_category"] is not None
        self.languages[labels["language"]] += 1
        self.categories[labels["category"]] += 1
        self.hard_cases.update(labels["hard_cases"])
        self.pii.update(span["type"] for span in labels["pii"])
        self.lookalikes.update(span["type"] for span in labels["lookalikes"])

    def as_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "by_language": dict(self.languages.most_common()),
            "by_category": dict(self.categories.most_common()),
            "urgent": self.urgent,
            "two_topic": self.two_topic,
            "hard_cases": dict(self.hard_cases.most_common()),
            "pii_spans_by_type": dict(self.pii.most_common()),
            "lookalike_spans_by_type": dict(self.lookalikes.most_common()),
        }


@contextmanager
def _progress(
    records: Iterator[dict[str, Any]], total: int, enabled: bool
) -> Iterator[Iterator[dict[str, Any]]]:
    if not enabled:
        yield records
        return
    columns = (*Progress.get_default_columns()[:1], BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=Console(stderr=True)) as progress:
        task = progress.add_task("generating", total=total)

        def advancing() -> Iterator[dict[str, Any]]:
            for record in records:
                yield record
                progress.advance(task)

        yield advancing()


def _print_summary(summary: dict[str, Any], target: Path, fmt: SampleFormat) -> None:
    console = Console()
    console.print(
        f"Wrote [bold]{summary['count']}[/] synthetic e-mails ({fmt.value}) to {target}: "
        f"{summary['urgent']} urgent, {summary['two_topic']} two-topic."
    )
    for title in ("by_language", "by_category", "hard_cases", "pii_spans_by_type",
                  "lookalike_spans_by_type"):  # fmt: skip
        table = Table(title=title.replace("_", " "), title_justify="left")
        table.add_column("value")
        table.add_column("count", justify="right")
        for key, value in summary[title].items():
            table.add_row(key, str(value))
        console.print(table)


def sample_data_command(
    count: Annotated[int, typer.Option(min=0, help="How many e-mails to generate.")] = 500,
    seed: Annotated[int, typer.Option(help="Same count and seed give identical output.")] = 1,
    out: Annotated[
        Path | None,
        typer.Option(help="Output file (a directory for eml). Default: sample-emails.<format>."),
    ] = None,
    format: Annotated[
        SampleFormat, typer.Option("--format", help="jsonl and csv keep the labels.")
    ] = SampleFormat.jsonl,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the summary as JSON on stdout.")
    ] = False,
) -> None:
    """Generate synthetic, labelled customer e-mails (made-up people and numbers only)."""
    target = out if out is not None else DEFAULT_OUT[format]
    if format is not SampleFormat.eml:
        target.parent.mkdir(parents=True, exist_ok=True)
    summary = SampleSummary()
    records = summary.track(generate_records(count, seed))
    show_progress = not json_output and count >= PROGRESS_FROM
    with _progress(records, count, show_progress) as stream:
        WRITERS[format](stream, target)
    if json_output:
        typer.echo(json.dumps({**summary.as_dict(), "format": format.value, "out": str(target)}))
    else:
        _print_summary(summary.as_dict(), target, format)
