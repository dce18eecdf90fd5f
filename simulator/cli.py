"""``nightshift simulator``: serve the OpenAI-compatible provider simulator.

Registered by ``service/cli/main.py`` as ``app.command("simulator")(simulator_command)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from simulator.app import create_app
from simulator.config import SimulatorConfig

BANNER = "nightshift provider SIMULATOR — not a real model"

_RATE_RANGE = {"min": 0.0, "max": 1.0}


def simulator_command(
    port: Annotated[int, typer.Option("--port", help="TCP port to listen on.")] = 8300,
    host: Annotated[str, typer.Option("--host", help="Address to bind.")] = "127.0.0.1",
    rpm: Annotated[
        int, typer.Option("--rpm", min=0, help="Requests per minute per API key (0: no limit).")
    ] = 0,
    tpm: Annotated[
        int, typer.Option("--tpm", min=0, help="Tokens per minute per API key (0: no limit).")
    ] = 0,
    latency_ms: Annotated[
        int, typer.Option("--latency-ms", min=0, help="Delay added to every answer, in ms.")
    ] = 0,
    fail_rate: Annotated[
        float,
        typer.Option("--fail-rate", **_RATE_RANGE, help="Share of requests answered 500/503."),
    ] = 0.0,
    hang_rate: Annotated[
        float, typer.Option("--hang-rate", **_RATE_RANGE, help="Share of requests never answered.")
    ] = 0.0,
    malformed_rate: Annotated[
        float,
        typer.Option(
            "--malformed-rate", **_RATE_RANGE, help="Share of answers with broken content."
        ),
    ] = 0.0,
    empty_rate: Annotated[
        float,
        typer.Option("--empty-rate", **_RATE_RANGE, help="Share of answers with empty content."),
    ] = 0.0,
    flex_unavailable_rate: Annotated[
        float,
        typer.Option(
            "--flex-unavailable-rate",
            **_RATE_RANGE,
            help='Share of service_tier "flex" requests answered 429 resource unavailable.',
        ),
    ] = 0.0,
    flex_latency_ms: Annotated[
        float,
        typer.Option("--flex-latency-ms", min=0.0, help="Extra delay of a flex answer."),
    ] = 0.0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of faults, ids and content.")] = 0,
    log_file: Annotated[
        Path | None, typer.Option("--log-file", help="Append every request to this JSONL file.")
    ] = None,
    latency_per_output_token_ms: Annotated[
        float,
        typer.Option(
            "--latency-per-output-token-ms", min=0.0, help="Extra delay per output token."
        ),
    ] = 0.0,
    hang_seconds: Annotated[
        float, typer.Option("--hang-seconds", min=0.0, help="How long a hanging request hangs.")
    ] = 300.0,
    batch_delay_s: Annotated[
        float,
        typer.Option(
            "--batch-delay-s", min=0.0, help="Seconds a batch spends validating/finalizing."
        ),
    ] = 1.0,
    batch_time_scale: Annotated[
        float,
        typer.Option(
            "--batch-time-scale",
            min=0.0,
            help="Real seconds per simulated batch second (0.001: a 2 min batch takes 0.12 s).",
        ),
    ] = 1.0,
    batch_turnaround_median_s: Annotated[
        float,
        typer.Option(
            "--batch-turnaround-median-s", min=0.0, help="Median time a batch is in progress."
        ),
    ] = 0.0,
    batch_turnaround_sigma: Annotated[
        float,
        typer.Option(
            "--batch-turnaround-sigma", min=0.0, help="Lognormal shape of the turnaround (tail)."
        ),
    ] = 0.0,
    batch_slow_rate: Annotated[
        float,
        typer.Option(
            "--batch-slow-rate", **_RATE_RANGE, help="Share of batches taking 0.5-1 window."
        ),
    ] = 0.0,
    batch_expire_rate: Annotated[
        float,
        typer.Option(
            "--batch-expire-rate", **_RATE_RANGE, help="Share of batches overrunning the window."
        ),
    ] = 0.0,
    batch_expired_line_rate: Annotated[
        float,
        typer.Option(
            "--batch-expired-line-rate",
            **_RATE_RANGE,
            help="Share of lines never finished (their batch expires).",
        ),
    ] = 0.0,
    batch_line_fail_rate: Annotated[
        float,
        typer.Option(
            "--batch-line-fail-rate", **_RATE_RANGE, help="Share of lines failed with 500/503."
        ),
    ] = 0.0,
    batch_line_error_rate: Annotated[
        float,
        typer.Option(
            "--batch-line-error-rate",
            **_RATE_RANGE,
            help="Share of lines only in the error file, with an error object.",
        ),
    ] = 0.0,
    batch_no_output_rate: Annotated[
        float,
        typer.Option(
            "--batch-no-output-rate",
            **_RATE_RANGE,
            help="Share of batches whose every line fails (no output file).",
        ),
    ] = 0.0,
    batch_max_requests: Annotated[
        int, typer.Option("--batch-max-requests", min=1, help="Lines allowed per batch file.")
    ] = 50_000,
    batch_max_bytes: Annotated[
        int, typer.Option("--batch-max-bytes", min=1, help="Bytes allowed per batch file.")
    ] = 200 * 1024 * 1024,
) -> None:
    """Serve an OpenAI-compatible provider SIMULATOR (limits, latency, faults, Batch API)."""
    try:
        config = SimulatorConfig(
            rpm=rpm,
            tpm=tpm,
            latency_ms=latency_ms,
            fail_rate=fail_rate,
            hang_rate=hang_rate,
            malformed_rate=malformed_rate,
            empty_rate=empty_rate,
            flex_unavailable_rate=flex_unavailable_rate,
            flex_latency_ms=flex_latency_ms,
            seed=seed,
            log_file=log_file,
            latency_per_output_token_ms=latency_per_output_token_ms,
            hang_seconds=hang_seconds,
            batch_delay_s=batch_delay_s,
            batch_time_scale=batch_time_scale,
            batch_turnaround_median_s=batch_turnaround_median_s,
            batch_turnaround_sigma=batch_turnaround_sigma,
            batch_slow_rate=batch_slow_rate,
            batch_expire_rate=batch_expire_rate,
            batch_expired_line_rate=batch_expired_line_rate,
            batch_line_fail_rate=batch_line_fail_rate,
            batch_line_error_rate=batch_line_error_rate,
            batch_no_output_rate=batch_no_output_rate,
            batch_max_requests=batch_max_requests,
            batch_max_bytes=batch_max_bytes,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    print_banner(config, f"http://{host}:{port}", Console(stderr=True))
    uvicorn.run(create_app(config), host=host, port=port, log_level="info", ws="none")


def print_banner(config: SimulatorConfig, url: str, console: Console) -> None:
    """The start-up banner: what this is, where it listens, how it is set."""
    table = Table.grid(padding=(0, 2))
    table.add_row("OpenAI base URL", f"{url}/v1")
    table.add_row("request log", f"{url}/simulator/requests")
    for name, value in config.public_settings().items():
        table.add_row(name, str(value))
    console.print(Panel(table, title=BANNER, border_style="yellow"))
