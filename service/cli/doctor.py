"""``nightshift doctor``: the compliance posture of this home, and the problems found.

Gathered by :func:`flows.posture.checks.gather` (read-only, no secrets); this module only prints it
— as sections for a person, or as one JSON object with ``--json`` — and turns "problems found"
into exit code 1, so a deployment check or CI step can run it as is.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.markup import escape

from flows.posture.checks import Posture, gather
from flows.posture.files import PathState
from service.cli.support import out_console, print_json, reported_errors, settings

JsonFlag = Annotated[bool, typer.Option("--json", help="Print the posture as one JSON object.")]


def doctor_command(json_output: JsonFlag = False) -> None:
    """Print the compliance posture and the problems found, each with what to do.

    Exit code: 0 no problem found, 1 problems found, 2 the configuration does not load.

    Covers database, keys, vault, reports, routes, residency, permissions, encryption at rest.

    Creates nothing; never prints an API key, a password or document text.
    """
    cfg = settings()
    with reported_errors():
        posture = gather(cfg, os.environ)
    if json_output:
        print_json(posture.as_dict())
    else:
        _print(posture)
    if not posture.ok:
        raise typer.Exit(1)


def _line(label: str, value: str) -> None:
    out_console.print(f"  {label:<14} {escape(value)}", highlight=False, soft_wrap=True)


def _path(state: PathState) -> str:
    if not state.exists:
        return f"{state.path} (missing)"
    owner = "" if state.owned_by_you else ", NOT owned by you"
    return f"{state.path} (mode {state.mode}{owner})"


def _print(posture: Posture) -> None:
    out_console.print("[bold]where things are[/]")
    _line("home", _path(posture.home))
    _line("config", posture.config or "none (built-in defaults)")
    _print_database(posture)
    _line("vault", f"{posture.vault['where']}; {posture.vault['sealed']}")
    _line("reports", _path(posture.reports))
    _print_keys(posture)
    _print_residency(posture)
    _print_at_rest(posture)
    _print_problems(posture)


def _print_database(posture: Posture) -> None:
    db = posture.database
    where = (
        f"SQLite file {_path(db.file)}"
        if db.file is not None
        else f"{db.backend} on {db.host or 'local socket'}:{db.port or 'default port'}, "
        f"database {db.name}"
    )
    _line("database", f"{db.url} — {where}")
    revision = (db.revision or "none") if db.reachable else "unknown (not reachable)"
    state = "up to date" if db.up_to_date else "NOT at head"
    _line("migration", f"{revision}, head {db.head} ({state})")


def _print_keys(posture: Posture) -> None:
    keys = posture.keys
    out_console.print("[bold]keys[/]")
    _line("directory", _path(keys.directory))
    for key_file in keys.files:
        _line("file", f"{_path(key_file.file)} — {key_file.kind}")
    loads = f"load, active {keys.data_key_active}" if keys.data_keys_load else "DO NOT load"
    _line("data keys", f"{len(keys.data_key_ids)} key(s) {loads}")
    signing = keys.audit_signing_key or "none"
    _line("audit keys", f"signing key {signing}, {keys.audit_verifier_keys} verifier key(s)")


def _print_residency(posture: Posture) -> None:
    residency = posture.residency
    export = "masked export allowed" if residency["allow_masked_export"] else "no export"
    out_console.print("[bold]residency[/]")
    _line("country", f"{residency['country']} ({export})")
    declared = "declared" if residency["store_region_declared"] else "default: the country"
    _line("store", f"{residency['store_region']} ({declared})")
    for route in posture.routes:
        steps = ", ".join(route.steps) or "no step"
        _line(
            f"route {route.name}",
            f"region {route.region} → {route.residency}; host {route.host}; model "
            f"{route.model}; key {route.api_key}; used by {steps}"
            + ("; provider SIMULATOR" if route.simulator else ""),
        )


def _print_at_rest(posture: Posture) -> None:
    out_console.print("[bold]encryption at rest[/]")
    at_rest = posture.at_rest
    if at_rest is None:
        _line("rows", "not checked: the database is not usable (see problems)")
        return
    _line(
        "rows",
        f"{at_rest.documents} documents ({at_rest.erased_documents} erased), "
        f"{at_rest.step_outputs} step outputs, {at_rest.vault_entries} vault entries — sealed",
    )
    by_key = ", ".join(f"{k} {n}" for k, n in sorted(at_rest.documents_by_data_key.items()))
    _line("by data key", by_key or "-")
    if at_rest.data_keys_retirable:
        retirable = ", ".join(at_rest.data_keys_retirable)
        _line("retirable keys", f"{retirable} (`nightshift keys retire-data-keys`)")
    _line("sample", at_rest.sample)
    _line("audit log", f"{at_rest.audit_entries} entries, {at_rest.refused_calls} refused calls")


def _print_problems(posture: Posture) -> None:
    if posture.ok:
        out_console.print("[bold green]no problems found[/]")
        return
    out_console.print(f"[bold red]problems found: {len(posture.problems)}[/]")
    for number, problem in enumerate(posture.problems, 1):
        out_console.print(f"  {number}. {escape(problem.what)}", highlight=False, soft_wrap=True)
        out_console.print(f"     fix: {escape(problem.fix)}", highlight=False, soft_wrap=True)
