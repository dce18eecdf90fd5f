"""`nightshift keys ...`: the secret is printed once and works; listings never show a secret or
its hash; revocation holds; mistakes get one clear line and exit code 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from compliance.keys.callers import CallerKeys, Role
from service.cli import app

runner = CliRunner()
LIST_FIELDS = {
    "key_id", "name", "role", "limits", "document_scope", "created_at", "revoked_at",
    "last_used_at", "currency",
}  # fmt: skip


@pytest.fixture
def initialised(home: Path) -> Path:
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    return home


def keys_json(*args: str) -> Any:
    result = runner.invoke(app, ["keys", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def caller_keys(home: Path, sessions: sessionmaker[Session]) -> CallerKeys:
    return CallerKeys.open(sessions, home / "keys")


def test_create_json_prints_the_secret_once_and_it_authenticates(
    initialised: Path, sessions: sessionmaker[Session]
) -> None:
    created = keys_json(
        "create", "--name", "mail-robot", "--role", "client", "--rpm", "60", "--tpm", "20000",
        "--daily-tokens", "500000", "--monthly-budget", "1500.50",
    )  # fmt: skip

    assert created["limits"] == {
        "rpm": 60, "tpm": 20000, "daily_tokens": 500000, "monthly_budget": "1500.5"
    }  # fmt: skip
    assert "cannot be shown again" in created["note"] and created["currency"] == "KZT"
    caller = caller_keys(initialised, sessions).authenticate(created["secret"])
    assert caller is not None
    assert (caller.key_id, caller.name, caller.role) == (
        created["key_id"],
        "mail-robot",
        Role.CLIENT,
    )


def test_create_prints_the_key_and_says_the_secret_cannot_be_shown_again(
    initialised: Path, sessions: sessionmaker[Session]
) -> None:
    result = runner.invoke(app, ["keys", "create", "--name", "auditor-1", "--role", "auditor"])

    assert result.exit_code == 0, result.output
    secret_line = next(line for line in result.stdout.splitlines() if line.startswith("secret"))
    secret = secret_line.split()[-1]
    assert "cannot be shown again" in result.stderr
    assert "rpm=- tpm=- day=- month=-" in result.stdout
    caller = caller_keys(initialised, sessions).authenticate(secret)
    assert caller is not None and caller.role is Role.AUDITOR


def test_list_shows_every_key_without_a_secret_or_its_hash(
    initialised: Path, engine: Engine
) -> None:
    first = keys_json("create", "--name", "ops", "--role", "admin")
    keys_json("create", "--name", "mail-robot", "--role", "client", "--rpm", "5")

    listed = keys_json("list")
    human = runner.invoke(app, ["keys", "list"]).stdout

    assert [k["name"] for k in listed] == ["ops", "mail-robot"]
    assert all(set(k) == LIST_FIELDS for k in listed)
    assert listed[0]["role"] == "admin" and listed[1]["limits"]["rpm"] == 5
    with engine.connect() as conn:
        hashes = [
            bytes(h).hex() for (h,) in conn.execute(text("SELECT secret_hash FROM caller_keys"))
        ]
    random_part = first["secret"].split("_", 2)[2]
    for shown in (json.dumps(listed), human):
        assert random_part not in shown and first["secret"] not in shown
        assert not any(h in shown or h[:16] in shown for h in hashes)
    assert first["key_id"] in human


def test_a_key_sees_its_own_documents_unless_created_with_document_scope_all(
    initialised: Path, sessions: sessionmaker[Session]
) -> None:
    desk = keys_json(
        "create", "--name", "review-desk", "--role", "client", "--document-scope", "all"
    )
    robot = keys_json("create", "--name", "mail-robot", "--role", "client")

    listed = {k["name"]: k["document_scope"] for k in keys_json("list")}
    human = runner.invoke(app, ["keys", "list"]).stdout
    printed = runner.invoke(
        app, ["keys", "create", "--name", "desk-2", "--role", "client", "--document-scope", "all"]
    ).stdout

    assert (desk["document_scope"], robot["document_scope"]) == ("all", "own")
    assert listed == {"review-desk": "all", "mail-robot": "own"}
    scopes = {  # the first line of each row: its cells, split at the table's borders
        cells[1].strip(): cells[5].strip()
        for cells in (line.split("│") for line in human.splitlines())
        if len(cells) > 5 and cells[1].strip() in (desk["key_id"], robot["key_id"])
    }
    assert scopes == {desk["key_id"]: "all", robot["key_id"]: "own"}
    assert "scope    all" in printed
    keys = caller_keys(initialised, sessions)
    caller = keys.authenticate(desk["secret"])
    assert caller is not None and caller.sees_every_document


def test_an_unknown_document_scope_is_refused_by_the_command_line(initialised: Path) -> None:
    result = runner.invoke(
        app, ["keys", "create", "--name", "x", "--role", "client", "--document-scope", "some"]
    )

    assert result.exit_code == 2
    assert "own" in result.output and "all" in result.output


def test_revoke_by_name_or_id_stops_the_key_at_once(
    initialised: Path, sessions: sessionmaker[Session]
) -> None:
    ops = keys_json("create", "--name", "ops", "--role", "admin")
    robot = keys_json("create", "--name", "mail-robot", "--role", "client")

    revoked = keys_json("revoke", "ops")
    human = runner.invoke(app, ["keys", "revoke", robot["key_id"]])

    assert revoked["key_id"] == ops["key_id"] and revoked["revoked_at"] is not None
    assert human.exit_code == 0 and f"revoked {robot['key_id']} (mail-robot)" in human.stdout
    keys = caller_keys(initialised, sessions)
    assert keys.authenticate(ops["secret"]) is None
    assert keys.authenticate(robot["secret"]) is None
    assert all(k["revoked_at"] for k in keys_json("list"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["revoke", "ghost"], "no caller key has the id or name 'ghost'"),
        (["create", "--name", "ops", "--role", "client"], "'ops' already exists"),
        (["create", "--name", "x", "--role", "client", "--monthly-budget", "lots"], "1500.50"),
        (["create", "--name", "x", "--role", "client", "--rpm", "-5"], "rpm must be a whole"),
        (["create", "--name", "bad name", "--role", "client"], "is not valid"),
    ],
)
def test_mistakes_get_one_clear_line_and_exit_code_2(
    initialised: Path, args: list[str], message: str
) -> None:
    keys_json("create", "--name", "ops", "--role", "admin")

    result = runner.invoke(app, ["keys", *args])

    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.output


def test_an_unknown_role_is_refused_by_the_command_line(initialised: Path) -> None:
    result = runner.invoke(app, ["keys", "create", "--name", "x", "--role", "root"])

    assert result.exit_code == 2
    assert "client" in result.output and "auditor" in result.output


def test_scope_changes_what_a_client_key_sees_and_keeps_its_secret(
    initialised: Path, sessions: sessionmaker[Session]
) -> None:
    created = keys_json("create", "--name", "desk", "--role", "client")
    widened = keys_json("scope", "desk", "--document-scope", "all")
    human = runner.invoke(app, ["keys", "scope", created["key_id"], "--document-scope", "own"])
    unknown = runner.invoke(app, ["keys", "scope", "nobody", "--document-scope", "all"])

    assert created["document_scope"] == "own"
    assert widened["document_scope"] == "all" and widened["key_id"] == created["key_id"]
    assert human.exit_code == 0, human.output
    assert f"scope of {created['key_id']} (desk) is now own" in human.stdout
    assert unknown.exit_code == 2 and "nobody" in unknown.output
    caller = caller_keys(initialised, sessions).authenticate(created["secret"])
    assert caller is not None and caller.document_scope.value == "own"
