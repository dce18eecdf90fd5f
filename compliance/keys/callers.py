"""Caller keys: who may call nightshift, in which role, within which limits.

A key is created once (``nightshift keys create`` or the admin API) and its secret is shown once:
``ns_<key id>_<random>``. The key id (12 hex digits) is public — it appears in ``keys list``,
in audit entries and in the secret's prefix, so a leaked secret can be traced to its key. The
database keeps only HMAC-SHA256(server hash secret, secret): the hash secret is a 32-byte file in
``NIGHTSHIFT_HOME/keys`` (0600), so a copy of the database alone cannot even test guesses.
Losing that file invalidates every key (they must be created again); that is the only rotation.

Roles: ``client`` (process documents, chat completions), ``auditor`` (the audit log, never
document text), ``admin`` (key management). Limits are enforced by :mod:`compliance.keys.limits`.

Document scope: a document sent through the HTTP API is owned by the key that sent it. A
``client`` key with the scope ``own`` (the default) sees only the documents it owns; with ``all``
(a review desk) it sees every document. Admin and auditor keys read every document as their role
allows (an auditor never sees text), whatever their scope.

Errors::

    ComplianceError
    └── CallerKeyError            a caller key cannot be created, found or used as asked
        ├── DuplicateKeyName      a key with that name exists (revoked keys keep their name)
        ├── UnknownKey            no key has that id or name
        └── InvalidKeyRequest     a name or a limit is not acceptable
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import stat
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from compliance.errors import ComplianceError
from storage.models.callers import CallerKey
from storage.repositories.callers import CallerKeyRepository
from storage.types import utcnow

#: The file in the key directory holding the HMAC key for secrets (64 hex digits).
HASH_SECRET_FILE = "caller-keys.secret"  # noqa: S105 (a file name, not a secret)
SECRET_PREFIX = "ns"  # noqa: S105 (the public prefix of every secret)
KEY_ID_HEX = 12
#: ``last_used_at`` is written at most this often per key (one write a minute, not per request).
TOUCH_EVERY = timedelta(minutes=1)
#: Requests/min keep one row per request in the limiter's ring; this bounds a key's rows.
MAX_RPM = 10_000
#: The largest tokens/min a key may have (the column is a 32-bit integer on PostgreSQL).
MAX_TPM = 2**31 - 1
MAX_BUDGET = Decimal("1e12")

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_KEY_ID = re.compile(rf"[0-9a-f]{{{KEY_ID_HEX}}}")
#: Compared against when the key id is unknown, so a miss costs the same as a wrong secret.
_NO_HASH = bytes(32)


class CallerKeyError(ComplianceError):
    """A caller key cannot be created, found or used as asked."""


class DuplicateKeyName(CallerKeyError):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(
            f"a caller key named {name!r} already exists (revoked keys keep their name); "
            "choose another name, or see `nightshift keys list`"
        )


class UnknownKey(CallerKeyError):
    def __init__(self, key_id_or_name: str) -> None:
        self.key = key_id_or_name
        super().__init__(
            f"no caller key has the id or name {key_id_or_name!r}; see `nightshift keys list`"
        )


class InvalidKeyRequest(CallerKeyError):
    """A name or a limit is not acceptable (the message says which and what is allowed)."""


class Role(StrEnum):
    CLIENT = "client"
    AUDITOR = "auditor"
    ADMIN = "admin"


class DocumentScope(StrEnum):
    """Which documents a client key sees: those it sent (``own``) or every one (``all``)."""

    OWN = "own"
    ALL = "all"


@dataclass(frozen=True)
class KeyLimits:
    """A key's limits; 0 means none. ``monthly_budget`` is in the billing currency."""

    rpm: int = 0
    tpm: int = 0
    daily_tokens: int = 0
    monthly_budget: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        for name in ("rpm", "tpm", "daily_tokens"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidKeyRequest(f"{name} must be a whole number >= 0 (0 = no limit)")
        if self.rpm > MAX_RPM:
            raise InvalidKeyRequest(f"rpm must be at most {MAX_RPM} (0 = no limit)")
        if self.tpm > MAX_TPM:
            raise InvalidKeyRequest(f"tpm must be at most {MAX_TPM} (0 = no limit)")
        budget = self.monthly_budget
        if not isinstance(budget, Decimal) or not budget.is_finite() or budget < 0:
            raise InvalidKeyRequest("monthly_budget must be an amount >= 0 (0 = no limit)")
        if budget >= MAX_BUDGET or budget != budget.quantize(Decimal("0.000001")):
            raise InvalidKeyRequest(
                "monthly_budget must be below 1e12 with at most 6 decimal places"
            )

    @property
    def any(self) -> bool:
        return bool(self.rpm or self.tpm or self.daily_tokens or self.monthly_budget)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rpm": self.rpm,
            "tpm": self.tpm,
            "daily_tokens": self.daily_tokens,
            "monthly_budget": format(self.monthly_budget.normalize(), "f"),
        }


def parse_budget(text: str) -> Decimal:
    """An amount typed by a person (``1500``, ``1500.50``) as a Decimal; clear error otherwise."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise InvalidKeyRequest(
            f"monthly budget {text!r} is not an amount; write it like 1500 or 1500.50"
        ) from None
    KeyLimits(monthly_budget=value)  # validates
    return value


@dataclass(frozen=True)
class Caller:
    """An authenticated caller: what the API needs to authorise and limit a request."""

    key_id: str
    name: str
    role: Role
    limits: KeyLimits
    document_scope: DocumentScope = DocumentScope.OWN

    @property
    def sees_every_document(self) -> bool:
        """False for a client key of scope ``own``: it sees only the documents it owns."""
        return self.role is not Role.CLIENT or self.document_scope is DocumentScope.ALL

    def may_see(self, owner_key_id: str | None) -> bool:
        """Whether this caller may see a document owned by ``owner_key_id`` (None: no owner)."""
        return self.sees_every_document or owner_key_id == self.key_id


@dataclass(frozen=True)
class CallerInfo:
    """A key as listed: never its secret or the hash of it."""

    key_id: str
    name: str
    role: Role
    limits: KeyLimits
    document_scope: DocumentScope
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def caller(self) -> Caller:
        return Caller(self.key_id, self.name, self.role, self.limits, self.document_scope)

    def as_dict(self) -> dict[str, Any]:
        def when(moment: datetime | None) -> str | None:
            return moment.isoformat() if moment is not None else None

        return {
            "key_id": self.key_id,
            "name": self.name,
            "role": self.role.value,
            "limits": self.limits.as_dict(),
            "document_scope": self.document_scope.value,
            "created_at": when(self.created_at),
            "revoked_at": when(self.revoked_at),
            "last_used_at": when(self.last_used_at),
        }


def _info(row: CallerKey) -> CallerInfo:
    limits = KeyLimits(row.rpm, row.tpm, row.daily_tokens, Decimal(row.monthly_budget))
    return CallerInfo(
        row.id,
        row.name,
        Role(row.role),
        limits,
        DocumentScope(row.document_scope),
        row.created_at,
        row.revoked_at,
        row.last_used_at,
    )


def _key_id_of(secret: str) -> str | None:
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != SECRET_PREFIX or not parts[2]:
        return None
    return parts[1] if _KEY_ID.fullmatch(parts[1]) else None


def _scope(value: DocumentScope | str) -> DocumentScope:
    try:
        return DocumentScope(value)
    except ValueError:
        scopes = ", ".join(s.value for s in DocumentScope)
        raise InvalidKeyRequest(f"document scope {value!r} is not one of {scopes}") from None


def _find(session: Session, key_id_or_name: str) -> CallerKey | None:
    repo = CallerKeyRepository(session)
    row = repo.get(key_id_or_name) if _KEY_ID.fullmatch(key_id_or_name) else None
    return row or repo.by_name(key_id_or_name)


def find_key(sessions: sessionmaker[Session], key_id_or_name: str) -> CallerInfo | None:
    """A key by id or name (no hash secret needed: the service key is resolved this way)."""
    with sessions() as session:
        row = _find(session, key_id_or_name)
        return _info(row) if row is not None else None


def load_hash_secret(keys_dir: Path) -> bytes:
    """The HMAC key for secrets, created (0600) on first use; refused when others can read it."""
    path = keys_dir / HASH_SECRET_FILE
    if not path.exists():
        keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first: use theirs
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32) + "\n")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise CallerKeyError(
            f"caller-key hash secret {path} is readable by other users (mode {mode:o}); "
            f"run `chmod 600 {path}`"
        )
    try:
        secret = bytes.fromhex(path.read_text().strip())
    except ValueError:
        secret = b""
    if len(secret) != 32:
        raise CallerKeyError(
            f"{path} does not hold 64 hex digits; restore it from the key backup "
            "(without it no existing caller key can be checked)"
        )
    return secret


class CallerKeys:
    """Create, authenticate, list and revoke caller keys."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        hash_secret: bytes,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        if len(hash_secret) < 32:
            raise CallerKeyError("the caller-key hash secret must be at least 32 bytes")
        self._sessions = sessions
        self._hash_secret = hash_secret
        self._clock = clock

    @classmethod
    def open(cls, sessions: sessionmaker[Session], keys_dir: Path) -> CallerKeys:
        return cls(sessions, load_hash_secret(keys_dir))

    def _digest(self, secret: str) -> bytes:
        return hmac.new(self._hash_secret, secret.encode("utf-8"), hashlib.sha256).digest()

    def create(
        self,
        name: str,
        role: Role,
        limits: KeyLimits,
        document_scope: DocumentScope = DocumentScope.OWN,
    ) -> tuple[Caller, str]:
        """A new key and its secret; the secret is not kept anywhere and cannot be shown again."""
        if not _NAME.fullmatch(name) or _KEY_ID.fullmatch(name):
            raise InvalidKeyRequest(
                f"key name {name!r} is not valid: use 1-64 letters, digits, '.', '_' or '-', "
                f"starting with a letter or digit, and not {KEY_ID_HEX} hex digits (key ids "
                "look like that)"
            )
        try:
            role = Role(role)
        except ValueError:
            roles = ", ".join(r.value for r in Role)
            raise InvalidKeyRequest(f"role {role!r} is not one of {roles}") from None
        document_scope = _scope(document_scope)
        key_id = secrets.token_hex(KEY_ID_HEX // 2)
        secret = f"{SECRET_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
        row = CallerKey(
            id=key_id,
            name=name,
            role=role.value,
            secret_hash=self._digest(secret),
            rpm=limits.rpm,
            tpm=limits.tpm,
            daily_tokens=limits.daily_tokens,
            monthly_budget=limits.monthly_budget,
            document_scope=document_scope.value,
            created_at=self._clock(),
        )
        try:
            with self._sessions() as session, session.begin():
                if CallerKeyRepository(session).by_name(name) is not None:
                    raise DuplicateKeyName(name)
                CallerKeyRepository(session).add(row)
        except IntegrityError:  # the same name created by another process at the same time
            raise DuplicateKeyName(name) from None
        return Caller(key_id, name, role, limits, document_scope), secret

    def authenticate(self, secret: str) -> Caller | None:
        """The caller a secret belongs to; None for a wrong, malformed or revoked one."""
        key_id = _key_id_of(secret) if len(secret) <= 256 else None
        digest = self._digest(secret)
        with self._sessions() as session:
            row = CallerKeyRepository(session).get(key_id) if key_id else None
            info = _info(row) if row is not None else None
            stored = row.secret_hash if row is not None else _NO_HASH
        if not hmac.compare_digest(stored, digest) or info is None or info.revoked:
            return None
        now = self._clock()
        if info.last_used_at is None or info.last_used_at <= now - TOUCH_EVERY:
            with self._sessions() as session, session.begin():
                CallerKeyRepository(session).touch(info.key_id, now, TOUCH_EVERY)
        return info.caller

    def list(self) -> list[CallerInfo]:
        with self._sessions() as session:
            return [_info(row) for row in CallerKeyRepository(session).all()]

    def find(self, key_id_or_name: str) -> CallerInfo | None:
        return find_key(self._sessions, key_id_or_name)

    def set_scope(self, key_id_or_name: str, document_scope: DocumentScope) -> Caller:
        """Change which documents a client key sees (own or all), from its next request on,
        in every process. The key keeps its id, secret, role and limits."""
        scope = _scope(document_scope)
        with self._sessions() as session, session.begin():
            row = _find(session, key_id_or_name)
            if row is None:
                raise UnknownKey(key_id_or_name)
            CallerKeyRepository(session).set_scope(row.id, scope.value)
            return replace(_info(row).caller, document_scope=scope)

    def revoke(self, key_id_or_name: str) -> Caller:
        """Revoke a key by id or name (at once, for every process); revoking twice is harmless."""
        with self._sessions() as session, session.begin():
            row = _find(session, key_id_or_name)
            if row is None:
                raise UnknownKey(key_id_or_name)
            CallerKeyRepository(session).revoke(row.id, self._clock())
            return _info(row).caller
