"""``nightshift keys ...``: caller keys for the HTTP API and the nightly service key (docs/keys.md),
and the rotation of the data key (:mod:`service.cli.data_keys`, docs/deploy.md).

``create`` prints the secret once — it is stored only as a keyed hash and cannot be shown again;
``list`` never shows a secret or its hash; ``revoke`` takes effect at once for every process.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.table import Table

from compliance.keys.callers import (
    CallerInfo,
    CallerKeys,
    DocumentScope,
    KeyLimits,
    Role,
    parse_budget,
)
from flows.context import app_context
from service.cli.data_keys import (
    retire_data_keys_command,
    rewrap_data_keys_command,
    rotate_data_key_command,
)
from service.cli.support import err_console, out_console, print_json, reported_errors, settings

keys_app = typer.Typer(
    no_args_is_help=True,
    help="Caller keys: create, list, scope, revoke. The data key: rotate, re-wrap, retire.",
)
keys_app.command("rotate-data-key")(rotate_data_key_command)
keys_app.command("rewrap-data-keys")(rewrap_data_keys_command)
keys_app.command("retire-data-keys")(retire_data_keys_command)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]
SHOWN_ONCE = "store this secret now: it is kept only as a keyed hash and cannot be shown again"


@contextmanager
def _keys() -> Iterator[tuple[CallerKeys, str]]:
    """The home's caller keys and its billing currency."""
    cfg = settings()
    with reported_errors(), app_context(cfg) as ctx:
        yield CallerKeys.open(ctx.sessions, cfg.keys_dir), cfg.billing.currency


def _limits_text(limits: KeyLimits, currency: str) -> str:
    """``rpm=60 tpm=- day=100000 month=1500 KZT`` (``-`` = no limit)."""
    budget = f"{limits.as_dict()['monthly_budget']} {currency}" if limits.monthly_budget else "-"
    parts = [
        f"rpm={limits.rpm or '-'}",
        f"tpm={limits.tpm or '-'}",
        f"day={limits.daily_tokens or '-'}",
        f"month={budget}",
    ]
    return " ".join(parts)


@keys_app.command("create")
def create_command(
    name: Annotated[str, typer.Option("--name", help="A unique name: letters, digits, . _ -")],
    role: Annotated[Role, typer.Option("--role", help="client, auditor or admin.")],
    rpm: Annotated[int, typer.Option("--rpm", help="Requests per minute; 0 = no limit.")] = 0,
    tpm: Annotated[int, typer.Option("--tpm", help="Tokens per minute; 0 = no limit.")] = 0,
    daily_tokens: Annotated[
        int, typer.Option("--daily-tokens", help="Tokens per calendar day; 0 = no limit.")
    ] = 0,
    monthly_budget: Annotated[
        str,
        typer.Option(
            "--monthly-budget", help="Money per calendar month (billing currency); 0 = no limit."
        ),
    ] = "0",
    document_scope: Annotated[
        DocumentScope,
        typer.Option(
            "--document-scope",
            help="Documents a client key sees: own (those it sent) or all (a review desk).",
        ),
    ] = DocumentScope.OWN,
    json_output: JsonFlag = False,
) -> None:
    """Create a key and print its secret, once."""
    with _keys() as (keys, currency):
        limits = KeyLimits(rpm, tpm, daily_tokens, parse_budget(monthly_budget))
        caller, secret = keys.create(name, role, limits, document_scope)
    if json_output:
        print_json(
            {
                "key_id": caller.key_id,
                "name": caller.name,
                "role": caller.role.value,
                "limits": caller.limits.as_dict(),
                "document_scope": caller.document_scope.value,
                "currency": currency,
                "secret": secret,
                "note": SHOWN_ONCE,
            }
        )
        return
    out_console.print(f"key id   {caller.key_id}", highlight=False)
    out_console.print(f"name     {caller.name}", highlight=False)
    out_console.print(f"role     {caller.role.value}", highlight=False)
    out_console.print(f"limits   {_limits_text(caller.limits, currency)}", highlight=False)
    out_console.print(f"scope    {caller.document_scope.value}", highlight=False)
    out_console.print(f"secret   {secret}", highlight=False, soft_wrap=True)
    err_console.print(f"[bold yellow]{SHOWN_ONCE}[/]")


def _when(info: CallerInfo, field: str) -> str:
    moment = getattr(info, field)
    return moment.strftime("%Y-%m-%d %H:%M") if moment is not None else "-"


@keys_app.command("list")
def list_command(json_output: JsonFlag = False) -> None:
    """Every key with its role, limits, document scope and dates (never a secret)."""
    with _keys() as (keys, currency):
        infos = keys.list()
    if json_output:
        print_json([info.as_dict() | {"currency": currency} for info in infos])
        return
    table = Table()
    table.add_column("key id", no_wrap=True)
    for column in ("name", "role", "limits", "scope", "created", "revoked", "last used"):
        table.add_column(column, overflow="fold")
    for info in infos:
        table.add_row(
            info.key_id,
            info.name,
            info.role.value,
            _limits_text(info.limits, currency),
            info.document_scope.value,
            _when(info, "created_at"),
            _when(info, "revoked_at"),
            _when(info, "last_used_at"),
        )
    out_console.print(table)


@keys_app.command("revoke")
def revoke_command(
    key: Annotated[str, typer.Argument(help="The key id or name.", metavar="ID|NAME")],
    json_output: JsonFlag = False,
) -> None:
    """Revoke a key: every process refuses it from now on (revoking twice is harmless)."""
    with _keys() as (keys, _):
        caller = keys.revoke(key)
        info = keys.find(caller.key_id)
    assert info is not None
    if json_output:
        print_json(info.as_dict())
        return
    out_console.print(
        f"revoked {caller.key_id} ({caller.name}) at {_when(info, 'revoked_at')}", highlight=False
    )


@keys_app.command("scope")
def scope_command(
    key: Annotated[str, typer.Argument(help="The key id or name.", metavar="ID|NAME")],
    document_scope: Annotated[
        DocumentScope,
        typer.Option(
            "--document-scope",
            help="Documents a client key sees: own (those it sent) or all (a review desk).",
        ),
    ],
    json_output: JsonFlag = False,
) -> None:
    """Change which documents a client key sees, from its next request on (same secret)."""
    with _keys() as (keys, _):
        caller = keys.set_scope(key, document_scope)
        info = keys.find(caller.key_id)
    assert info is not None
    if json_output:
        print_json(info.as_dict())
        return
    note = "" if caller.role is Role.CLIENT else f" (a {caller.role.value} key sees by its role)"
    out_console.print(
        f"scope of {caller.key_id} ({caller.name}) is now {caller.document_scope.value}{note}",
        highlight=False,
    )
