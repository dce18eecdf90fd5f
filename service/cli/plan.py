"""``nightshift plan``: will the night fit its window — how long, how many tokens, what cost."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from compliance.masking import Masker
from flows.context import app_context
from flows.planning.window import NightPlan, parse_window, plan_night
from flows.prompts import PromptRegistry
from flows.settings import Settings
from service.cli.support import err_console, out_console, print_json, reported_errors, settings


class LazyMasker:
    """Loads the masker (seconds: analyzer and NER models) only if a sampled document needs it."""

    def __init__(self, cfg: Settings) -> None:
        self._cfg = cfg
        self._masker: Masker | None = None

    def __call__(self) -> Masker:
        if self._masker is None:
            err_console.print("loading the masker for documents not masked yet ...")
            self._masker = Masker.load(public_numbers=self._cfg.privacy.public_numbers)
        return self._masker

    def close(self) -> None:
        if self._masker is not None:
            self._masker.close()


def make_plan(
    cfg: Settings, documents: int | None, window: str | None, sample: int, seed: int = 0
) -> NightPlan:
    chosen = parse_window(window, cfg.nightly.timezone) if window else None
    masker = LazyMasker(cfg)
    try:
        with app_context(cfg) as app:
            registry = PromptRegistry.load(cfg.prompts.directory, cfg.prompts.pinned)
            return plan_night(
                app,
                registry,
                masker,
                documents=documents,
                window=chosen,
                sample_size=sample,
                seed=seed,
            )
    finally:
        masker.close()


def plan_command(
    documents: Annotated[
        int | None,
        typer.Option(min=0, help="Plan N documents like the stored ones (default: the pending)."),
    ] = None,
    window: Annotated[
        str | None,
        typer.Option(
            help="HH:MM-HH:MM in nightly.timezone (default: the schedule's time to window_end)."
        ),
    ] = None,
    sample: Annotated[int, typer.Option(min=1, help="Documents measured.")] = 300,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the plan as JSON on stdout.")
    ] = False,
) -> None:
    """Measure tokens per document and say how long the night takes, its cost, and if it fits."""
    cfg = settings()
    with reported_errors():
        plan = make_plan(cfg, documents, window, sample)
    data = plan.as_dict()
    if json_output:
        print_json(data)
        return
    print_plan(data)


def _hours(seconds: float | None) -> str:
    if seconds is None:
        return "unknown"
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min"


def print_plan(data: dict[str, Any]) -> None:
    window = data["window"]
    table = Table(title="night plan", show_header=False, title_justify="left")
    verdict = {True: "yes", False: "NO", None: "unknown"}[data["fits"]]
    rows = [
        ("documents", f"{data['documents']:,} ({data['source']})"),
        ("sample", f"{data['sample']['documents']} measured of {data['sample']['population']:,}"),
        ("calls", f"{data['calls']:,}"),
        ("tokens", f"{data['tokens']:,} (in {data['tokens_in']:,}, out {data['tokens_out']:,})"),
        ("cost", f"{data['cost']} {data['currency']} ({data['cost_per_1000_documents']} / 1,000)"),
        ("time", f"{_hours(data['duration_s'])}, limited by {data['limited_by']}"),
        ("window", f"{window['start'] or '?'}-{window['end']} ({_hours(window['seconds'])})"),
        ("fits", verdict),
        ("documents that fit", f"{data['documents_that_fit']}"),
        ("retry share", f"{data['history']['retry_share']} ({data['history']['runs']} runs)"),
    ]
    for route in data["routes"]:
        limits = (
            f"{_hours(route['seconds'])} at rpm {route['rpm'] or '-'}, tpm {route['tpm'] or '-'}"
            if route["seconds"] is not None
            else "no rate limit"
        )
        tokens = route["tokens_in"] + route["tokens_out"]
        rows.append(
            (
                f"route {route['route']}",
                f"{route['calls']:,.0f} calls, {tokens:,.0f} tokens, {limits}",
            )
        )
    for label, tokens in data["tokens_per_document"]["typical"].items():
        top = data["tokens_per_document"]["top_5pct"][label]
        rows.append(
            (f"{label} tokens/doc", f"typical {tokens['in']}+{tokens['out']}, "
             f"top 5 % by size {top['in']}+{top['out']}")
        )  # fmt: skip
    for key, value in rows:
        table.add_row(key, value)
    out_console.print(table)
    for note in data["notes"]:
        out_console.print(f"note: {note}", highlight=False)
