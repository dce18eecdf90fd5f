"""Caller keys: the secret is shown once and stored nowhere, only its keyed hash authenticates,
revocation holds at once, and every bad input is refused with the rule it broke."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from compliance.errors import ComplianceError
from compliance.keys.callers import (
    HASH_SECRET_FILE,
    MAX_TPM,
    CallerKeyError,
    CallerKeys,
    DocumentScope,
    DuplicateKeyName,
    InvalidKeyRequest,
    KeyLimits,
    Role,
    UnknownKey,
    find_key,
    load_hash_secret,
    parse_budget,
)
from storage.engine import normalize_url, sqlite_path
from storage.models import Base, CallerKey, CallerKeySlot

START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
LIMITS = KeyLimits(rpm=60, tpm=20_000, daily_tokens=500_000, monthly_budget=Decimal("1500.50"))


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def keys(sessions: sessionmaker[Session], tmp_path: Path, clock: Clock) -> CallerKeys:
    return CallerKeys(sessions, load_hash_secret(tmp_path / "keys"), clock=clock)


def all_values(engine: Engine) -> list[Any]:
    """Every value of every column of every table."""
    values: list[Any] = []
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(table.select()):
                values.extend(row)
    return values


def test_a_created_key_authenticates_with_its_secret_and_carries_its_role_and_limits(
    keys: CallerKeys,
) -> None:
    caller, secret = keys.create("ops-robot", Role.CLIENT, LIMITS)

    assert secret.startswith(f"ns_{caller.key_id}_") and len(caller.key_id) == 12
    assert keys.authenticate(secret) == caller
    assert (caller.name, caller.role, caller.limits) == ("ops-robot", Role.CLIENT, LIMITS)


def test_the_secret_is_in_no_column_and_nowhere_in_the_database_file(
    keys: CallerKeys, engine: Engine, database_url: str
) -> None:
    _, secret = keys.create("ops-robot", Role.ADMIN, LIMITS)
    random_part = secret.split("_", 2)[2]

    for value in all_values(engine):
        if isinstance(value, bytes):
            assert secret.encode() not in value and random_part.encode() not in value
        else:
            assert random_part not in str(value)
    path = sqlite_path(normalize_url(database_url))
    if path is not None:  # the SQLite file and its write-ahead log, byte for byte
        for file in (path, path.with_name(path.name + "-wal")):
            if file.exists():
                assert random_part.encode() not in file.read_bytes()


def test_the_stored_hash_is_keyed_with_the_server_secret_not_a_plain_digest(
    keys: CallerKeys, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    caller, secret = keys.create("ops-robot", Role.CLIENT, KeyLimits())
    with sessions() as session:
        stored = session.get(CallerKey, caller.key_id)
        assert stored is not None
    server_secret = (tmp_path / "keys" / HASH_SECRET_FILE).read_text().strip()

    expected = hmac.new(bytes.fromhex(server_secret), secret.encode(), hashlib.sha256).digest()
    assert stored.secret_hash == expected != hashlib.sha256(secret.encode()).digest()
    other_server = CallerKeys(sessions, os.urandom(32))
    assert other_server.authenticate(secret) is None


@pytest.mark.parametrize(
    "mangle",
    [
        lambda s: s[:-1] + ("A" if s[-1] != "A" else "B"),  # one character of the random part
        lambda s: "ns_000000000000_" + s.split("_", 2)[2],  # another (unknown) key id
        lambda s: s.replace("ns_", "sk_", 1),
        lambda s: s.split("_", 2)[0] + "_" + s.split("_", 2)[1] + "_",
        lambda s: "",
        lambda s: "Bearer " + s,
        lambda s: s + "x" * 300,
    ],
)
def test_wrong_malformed_or_unknown_secrets_do_not_authenticate(
    keys: CallerKeys, mangle: Any
) -> None:
    _, secret = keys.create("ops-robot", Role.CLIENT, KeyLimits())

    assert keys.authenticate(mangle(secret)) is None


def test_a_revoked_key_stops_authenticating_and_can_be_revoked_by_id_or_name(
    keys: CallerKeys,
) -> None:
    first, first_secret = keys.create("first", Role.CLIENT, KeyLimits())
    second, second_secret = keys.create("second", Role.AUDITOR, KeyLimits())

    assert keys.revoke(first.key_id) == first
    assert keys.revoke("second") == second

    assert keys.authenticate(first_secret) is None
    assert keys.authenticate(second_secret) is None
    assert all(info.revoked for info in keys.list())


def test_revoking_twice_keeps_the_first_revocation_time(keys: CallerKeys, clock: Clock) -> None:
    caller, _ = keys.create("ops-robot", Role.CLIENT, KeyLimits())
    keys.revoke("ops-robot")
    clock.now += timedelta(hours=1)
    keys.revoke(caller.key_id)

    info = keys.find("ops-robot")
    assert info is not None and info.revoked_at == START


def test_a_duplicate_name_is_a_clear_error_even_when_the_first_key_is_revoked(
    keys: CallerKeys,
) -> None:
    keys.create("ops-robot", Role.CLIENT, KeyLimits())
    keys.revoke("ops-robot")

    with pytest.raises(DuplicateKeyName, match="'ops-robot' already exists") as raised:
        keys.create("ops-robot", Role.ADMIN, KeyLimits())
    assert isinstance(raised.value, ComplianceError)
    assert len(keys.list()) == 1


def test_revoking_an_unknown_key_says_so(keys: CallerKeys) -> None:
    with pytest.raises(UnknownKey, match="no caller key has the id or name 'ghost'"):
        keys.revoke("ghost")


def test_last_used_is_written_at_most_once_a_minute(keys: CallerKeys, clock: Clock) -> None:
    _, secret = keys.create("ops-robot", Role.CLIENT, KeyLimits())
    seen = []
    for seconds in (0, 10, 59, 60, 61, 200):
        clock.now = START + timedelta(seconds=seconds)
        assert keys.authenticate(secret) is not None
        info = keys.find("ops-robot")
        assert info is not None
        seen.append(info.last_used_at)

    at = [START + timedelta(seconds=s) for s in (0, 0, 0, 60, 60, 200)]
    assert seen == at


def test_a_listing_holds_no_secret_and_no_hash(keys: CallerKeys) -> None:
    _, secret = keys.create("ops-robot", Role.CLIENT, LIMITS)

    (info,) = keys.list()
    listed = info.as_dict()
    assert set(listed) == {
        "key_id", "name", "role", "limits", "document_scope", "created_at", "revoked_at",
        "last_used_at",
    }  # fmt: skip
    assert listed["limits"] == {
        "rpm": 60, "tpm": 20_000, "daily_tokens": 500_000, "monthly_budget": "1500.5"
    }  # fmt: skip
    assert secret.split("_", 2)[2] not in repr(info)


def test_a_key_keeps_its_document_scope_and_only_a_client_of_scope_own_is_limited_by_it(
    keys: CallerKeys,
) -> None:
    own, own_secret = keys.create("mail-robot", Role.CLIENT, KeyLimits())
    desk, desk_secret = keys.create("review-desk", Role.CLIENT, KeyLimits(), DocumentScope.ALL)
    admin, _ = keys.create("ops", Role.ADMIN, KeyLimits())

    assert keys.authenticate(own_secret) == own and own.document_scope is DocumentScope.OWN
    assert keys.authenticate(desk_secret) == desk and desk.document_scope is DocumentScope.ALL
    assert {info.name: info.document_scope.value for info in keys.list()} == {
        "mail-robot": "own",
        "review-desk": "all",
        "ops": "own",
    }
    assert [own.may_see(owner) for owner in (own.key_id, desk.key_id, None)] == [
        True,
        False,
        False,
    ]
    assert all(c.may_see(o) for c in (desk, admin) for o in (own.key_id, None))


def test_an_unknown_document_scope_is_refused(keys: CallerKeys) -> None:
    with pytest.raises(InvalidKeyRequest, match="document scope 'some' is not one of own, all"):
        keys.create("x", Role.CLIENT, KeyLimits(), "some")  # type: ignore[arg-type]


def test_a_key_with_rpm_has_one_request_slot_per_request_per_minute(
    keys: CallerKeys, sessions: sessionmaker[Session]
) -> None:
    caller, _ = keys.create("ops-robot", Role.CLIENT, KeyLimits(rpm=60))
    unlimited, _ = keys.create("batch", Role.CLIENT, KeyLimits())

    with sessions() as session:
        slots = session.scalars(select(CallerKeySlot.key_id)).all()
    assert slots.count(caller.key_id) == 60 and unlimited.key_id not in slots


def test_the_hash_secret_file_is_created_once_with_mode_0600(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    keys_dir = tmp_path / "keys"
    first = load_hash_secret(keys_dir)
    second = load_hash_secret(keys_dir)
    path = keys_dir / HASH_SECRET_FILE

    assert first == second and len(first) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    caller, secret = CallerKeys.open(sessions, keys_dir).create("a", Role.CLIENT, KeyLimits())
    assert CallerKeys.open(sessions, keys_dir).authenticate(secret) == caller


def test_a_hash_secret_file_others_can_read_is_refused(tmp_path: Path) -> None:
    load_hash_secret(tmp_path / "keys")
    path = tmp_path / "keys" / HASH_SECRET_FILE
    path.chmod(0o644)

    with pytest.raises(CallerKeyError, match="chmod 600"):
        load_hash_secret(tmp_path / "keys")


def test_a_damaged_hash_secret_file_is_refused(tmp_path: Path) -> None:
    load_hash_secret(tmp_path / "keys")
    (tmp_path / "keys" / HASH_SECRET_FILE).write_text("not hex\n")

    with pytest.raises(CallerKeyError, match="64 hex digits"):
        load_hash_secret(tmp_path / "keys")


@pytest.mark.parametrize(
    ("name", "role", "message"),
    [
        ("", Role.CLIENT, "is not valid"),
        ("has space", Role.CLIENT, "is not valid"),
        ("-starts-with-dash", Role.CLIENT, "is not valid"),
        ("x" * 65, Role.CLIENT, "is not valid"),
        ("0123456789ab", Role.CLIENT, "key ids look like that"),
        ("fine", "superuser", "role 'superuser' is not one of client, auditor, admin"),
    ],
)
def test_bad_names_and_roles_are_refused_with_the_rule(
    keys: CallerKeys, name: str, role: Any, message: str
) -> None:
    with pytest.raises(InvalidKeyRequest, match=message):
        keys.create(name, role, KeyLimits())
    assert keys.list() == []


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        ({"rpm": -1}, "rpm must be a whole number >= 0"),
        ({"rpm": 10_001}, "rpm must be at most 10000"),
        ({"tpm": 1.5}, "tpm must be a whole number"),
        ({"daily_tokens": True}, "daily_tokens must be a whole number"),
        ({"monthly_budget": Decimal(-1)}, "monthly_budget must be an amount >= 0"),
        ({"monthly_budget": Decimal("0.0000001")}, "at most 6 decimal places"),
        ({"monthly_budget": Decimal("NaN")}, "monthly_budget must be an amount"),
    ],
)
def test_bad_limits_are_refused_with_the_rule(limits: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidKeyRequest, match=message):
        KeyLimits(**limits)


def test_a_typed_budget_is_parsed_exactly_or_refused_clearly() -> None:
    assert parse_budget(" 1500.50 ") == Decimal("1500.50")
    with pytest.raises(InvalidKeyRequest, match=r"write it like 1500 or 1500\.50"):
        parse_budget("1,500")


def test_find_key_resolves_an_id_or_a_name_without_the_hash_secret(
    keys: CallerKeys, sessions: sessionmaker[Session], engine: Engine
) -> None:
    caller, _ = keys.create("nightly", Role.CLIENT, LIMITS)

    by_name, by_id = find_key(sessions, "nightly"), find_key(sessions, caller.key_id)
    assert by_name == by_id and by_name is not None and by_name.caller == caller
    assert find_key(sessions, "missing") is None
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM caller_key_state")).scalar() == 1


def test_the_largest_tpm_is_stored_and_a_larger_one_is_refused_before_the_database(
    keys: CallerKeys,
) -> None:
    # tpm is a 32-bit column on PostgreSQL: schemathesis found 10**12 answering 500 there
    caller, _ = keys.create("wide", Role.CLIENT, KeyLimits(tpm=MAX_TPM))
    assert caller.limits.tpm == MAX_TPM
    with pytest.raises(InvalidKeyRequest, match="tpm must be at most"):
        KeyLimits(tpm=MAX_TPM + 1)
