"""``nightshift audit ...``: the auditor's tools over the signed audit log (docs/audit.md).

``query``, ``verify``, ``checkpoint``, ``proof``, ``export`` and ``keys`` work on this home's
database and keys; ``verify-bundle`` needs nothing but the bundle directory.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from compliance.audit.bundle import read_verifier_keys, verify_bundle
from compliance.audit.errors import NoteError
from compliance.audit.export import export_bundle
from compliance.audit.keys import AuditKeys, rotate_key
from compliance.audit.log import AuditLog
from compliance.audit.verify import verify_log
from flows.context import AppContext, app_context
from service.api.audit_queries import entry_filter, find_attempts, inclusion_proof
from service.cli.support import fail, out_console, print_json, reported_errors, settings
from storage.repositories.audit import EntryFilter

audit_app = typer.Typer(no_args_is_help=True, help="The signed audit log: query, verify, prove.")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]
From = Annotated[
    str | None, typer.Option("--from", help="First seq (a number) or UTC date/time (ISO 8601).")
]
To = Annotated[str | None, typer.Option("--to", help="Last seq or UTC date/time, inclusive.")]
Document = Annotated[int | None, typer.Option("--document", help="Document id.")]
Key = Annotated[str | None, typer.Option("--key", help="Caller key id.")]
RouteOpt = Annotated[str | None, typer.Option("--route", help="Route name.")]
OutcomeOpt = Annotated[
    str | None,
    typer.Option("--outcome", help="ok, refused, timeout, ...; unknown: no outcome recorded."),
]
RunOpt = Annotated[str | None, typer.Option("--run", help="Run id.")]
KeyFile = Annotated[
    Path | None,
    typer.Option("--key-file", help="Verifier keys to trust (one per line) instead of the home's."),
]


@contextmanager
def _opened() -> Iterator[AppContext]:
    cfg = settings()
    with reported_errors(), app_context(cfg) as ctx:
        yield ctx


def _keys(ctx: AppContext) -> AuditKeys:
    return AuditKeys.load(ctx.settings.keys_dir)


def _filter(
    start: str | None,
    end: str | None,
    document: int | None,
    key: str | None,
    route: str | None,
    outcome: str | None,
    run: str | None,
) -> EntryFilter:
    """The filter of ``query`` and ``export`` (the API's ``/v1/audit/entries`` uses it too)."""
    try:
        return entry_filter(
            start, end, document=document, key=key, route=route, outcome=outcome, run=run
        )
    except ValueError as exc:
        fail(f"--{exc}")


TABLE_COLUMNS = ("seq", "time", "path", "route", "step", "document_id", "attempt", "outcome")


def _attempts_table(attempts: list[dict[str, Any]]) -> Table:
    table = Table(*TABLE_COLUMNS, "tokens", "cost", "entries")
    for a in attempts:
        cells = [str(a[name]) for name in TABLE_COLUMNS]
        seqs = ",".join(str(seq) for seq in a["entries"])
        table.add_row(*cells, f"{a['tokens_in']}+{a['tokens_out']}", a["cost"], seqs)
    return table


@audit_app.command("query")
def query_command(
    start: From = None,
    end: To = None,
    document: Document = None,
    key: Key = None,
    route: RouteOpt = None,
    outcome: OutcomeOpt = None,
    run: RunOpt = None,
    limit: Annotated[int, typer.Option(help="At most this many attempts; 0 = all.")] = 1000,
    json_output: JsonFlag = False,
) -> None:
    """Attempts matching every filter, each once (its intent and outcome entries merged; outcome
    unknown when the intent has none), in seq order of their first entry."""
    where = _filter(start, end, document, key, route, outcome, run)
    with _opened() as ctx:
        attempts = find_attempts(ctx.sessions, where, limit or None)
    if json_output:
        print_json(attempts)
        return
    out_console.print(_attempts_table(attempts))


@audit_app.command("verify")
def verify_command(key_file: KeyFile = None, json_output: JsonFlag = False) -> None:
    """Recompute every leaf, root, signature and consistency proof; exit 1 when not ok."""
    with _opened() as ctx:
        verifiers = read_verifier_keys(key_file) if key_file else _keys(ctx).verifiers
        report = verify_log(ctx.sessions, verifiers)
    if json_output:
        print_json(report.as_dict())
    elif report.ok:
        out_console.print(f"ok: {report.tree_size} entries, {report.checkpoints} checkpoints")
    else:
        out_console.print(f"NOT OK at seq {report.first_bad_seq}: {report.reason}")
    if not json_output and report.unknown_outcomes:
        out_console.print(
            f"{report.unknown_outcomes} attempt(s) with outcome unknown: sent (or about to be) "
            "when the process ended, or still in flight; list them with "
            "`nightshift audit query --outcome unknown`"
        )
    if not report.ok:
        raise typer.Exit(1)


def _log(ctx: AppContext) -> AuditLog:
    return AuditLog.open(ctx.sessions, ctx.settings.keys_dir)


@audit_app.command("checkpoint")
def checkpoint_command(json_output: JsonFlag = False) -> None:
    """Sign a checkpoint of the log now (returns the latest if nothing was added since)."""
    with _opened() as ctx:
        signed = _log(ctx).checkpoint_now()
    if json_output:
        print_json({"id": signed.id, "tree_size": signed.checkpoint.tree_size, "note": signed.note})
        return
    out_console.print(signed.note, end="", markup=False, highlight=False)


def _proof(ctx: AppContext, seq: int) -> dict[str, Any]:
    try:
        return inclusion_proof(ctx.sessions, _log(ctx), _keys(ctx).verifiers, seq)
    except LookupError as exc:
        fail(str(exc))
    except NoteError as exc:
        fail(f"the checkpoint covering seq {seq} does not verify: {exc}", code=1)


@audit_app.command("proof")
def proof_command(seq: int, json_output: JsonFlag = False) -> None:
    """The inclusion proof of entry SEQ in the smallest checkpoint that covers it."""
    with _opened() as ctx:
        result = _proof(ctx, seq)
    if json_output:
        print_json(result)
    else:
        out_console.print(f"entry {seq} in tree size {result['tree_size']}:", highlight=False)
        for line in result["proof"]:
            out_console.print(f"  {line}", highlight=False)
        out_console.print(result["checkpoint"], end="", markup=False, highlight=False)
    if not result["verified"]:
        raise typer.Exit(1)


@audit_app.command("export")
def export_command(
    out: Annotated[Path, typer.Option("--out", help="New (or empty) directory to write.")],
    start: From = None,
    end: To = None,
    document: Document = None,
    key: Key = None,
    route: RouteOpt = None,
    outcome: OutcomeOpt = None,
    run: RunOpt = None,
    json_output: JsonFlag = False,
) -> None:
    """Write a bundle an auditor can verify offline: entries, proofs, checkpoint, keys."""
    where = _filter(start, end, document, key, route, outcome, run)
    with _opened() as ctx:
        report = export_bundle(ctx.sessions, _log(ctx), _keys(ctx), out, where)
    if json_output:
        print_json(report.__dict__)
        return
    out_console.print(
        f"wrote {report.entries} entries (tree size {report.tree_size}) to {report.directory}",
        highlight=False,
    )


@audit_app.command("verify-bundle")
def verify_bundle_command(
    directory: Path,
    key_file: KeyFile = None,
    previous: Annotated[
        list[Path] | None,
        typer.Option(help="A checkpoint.txt kept from an earlier bundle; the log must extend it."),
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """Verify an exported bundle offline (no database, no settings); exit 1 when not ok."""
    with reported_errors():
        trusted = read_verifier_keys(key_file) if key_file else None
        earlier = [path.read_text(encoding="utf-8") for path in previous or ()]
        report = verify_bundle(directory, trusted, earlier)
    if json_output:
        print_json(report.as_dict())
    elif report.ok:
        out_console.print(f"ok: {report.entries} entries proven in tree size {report.tree_size}")
    else:
        out_console.print(f"NOT OK at seq {report.first_bad_seq}: {report.reason}")
    if not report.ok:
        raise typer.Exit(1)


@audit_app.command("keys")
def keys_command(json_output: JsonFlag = False) -> None:
    """The verifier keys of this log (give them to auditors), the active one first."""
    cfg = settings()
    with reported_errors():
        keys = AuditKeys.load(cfg.keys_dir) if cfg.keys_dir.is_dir() else AuditKeys(None, ())
    active = keys.signer.verifier if keys.signer else None
    ordered = sorted(keys.verifiers, key=lambda v: v != active)
    if json_output:
        print_json([{"key": v.text(), "active": v == active} for v in ordered])
        return
    for v in ordered:
        out_console.print(v.text() + ("  (active)" if v == active else ""), highlight=False)


@audit_app.command("rotate-key")
def rotate_key_command(
    name: Annotated[str | None, typer.Option(help="Key name (and origin) of the new key.")] = None,
    json_output: JsonFlag = False,
) -> None:
    """Make a new signing key; the old one is retired, its checkpoints stay verifiable."""
    cfg = settings()
    with reported_errors():
        signer, retired = rotate_key(cfg.keys_dir, name)
    result = {"active": signer.verifier.text(), "retired": retired.text() if retired else None}
    if json_output:
        print_json(result)
        return
    out_console.print(f"active   {result['active']}", highlight=False)
    out_console.print(f"retired  {result['retired'] or '-'}", highlight=False)


__all__ = ["audit_app"]
