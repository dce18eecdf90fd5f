"""Shared pieces of the CLI: loading settings, printing results, turning errors into exits."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer
from rich.console import Console

from flows.settings import Settings, load_settings
from storage.errors import NightshiftError

#: Human output and progress bars go to stderr, so ``--json`` output on stdout stays clean.
err_console = Console(stderr=True)
out_console = Console()

EXIT_USAGE = 2


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    raise typer.Exit(code)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Show nightshift's own errors as one clear line instead of a traceback."""
    try:
        yield
    except NightshiftError as exc:
        fail(str(exc))


def settings(*, check_secrets: bool = False) -> Settings:
    with reported_errors():
        return load_settings(check_secrets=check_secrets)


def print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()
