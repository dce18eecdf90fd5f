"""The audit log's signing keys in ``NIGHTSHIFT_HOME/keys``.

- ``audit-<key id>.key`` — the Ed25519 signer key (``PRIVATE+KEY+...``), mode 0600, in the key
  directory (0700) next to the data keys. Files others can read are refused.
- ``audit-<key id>.pub`` — its verifier key ``<name>+<key id>+<base64>``; give it to auditors.
- ``audit.active`` — the id of the key that signs new checkpoints.

**Rotation** (``nightshift audit rotate-key``) creates a new key, makes it active and deletes the
old signer key, keeping its ``.pub``: checkpoints signed before the rotation stay verifiable,
and nothing can sign with the retired key again. Every verifier key ever used is listed by
``nightshift audit keys`` and goes into each exported bundle.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from compliance.audit.errors import AuditKeyError
from compliance.audit.note import Signer, Verifier, check_key_name

DEFAULT_KEY_NAME = "nightshift/audit"
ACTIVE_FILE = "audit.active"
_PREFIX = "audit-"


@dataclass(frozen=True)
class AuditKeys:
    """The active signer (None where only public keys are present) and every verifier key."""

    signer: Signer | None
    verifiers: tuple[Verifier, ...]

    @property
    def active(self) -> Signer:
        if self.signer is None:
            raise AuditKeyError(
                "no audit signing key in the key directory; run `nightshift audit rotate-key` "
                "to create one (checkpoints cannot be signed without it)"
            )
        return self.signer

    @classmethod
    def load(cls, keys_dir: Path) -> AuditKeys:
        verifiers = tuple(
            Verifier.parse(path.read_text()) for path in sorted(keys_dir.glob(f"{_PREFIX}*.pub"))
        )
        active_file = keys_dir / ACTIVE_FILE
        if not active_file.exists():
            return cls(None, verifiers)
        active_id = active_file.read_text().strip()
        path = keys_dir / f"{_PREFIX}{active_id}.key"
        if not path.exists():
            raise AuditKeyError(
                f"{active_file} names key {active_id}, but {path} is missing; restore it from "
                "the key backup or run `nightshift audit rotate-key`"
            )
        signer = Signer.parse(_read_private(path))
        if signer.verifier not in verifiers:
            verifiers += (signer.verifier,)
        return cls(signer, verifiers)

    @classmethod
    def ensure(cls, keys_dir: Path, name: str = DEFAULT_KEY_NAME) -> AuditKeys:
        """Load the keys, creating the first signing key when there is none."""
        keys = cls.load(keys_dir) if keys_dir.is_dir() else cls(None, ())
        if keys.signer is None:
            create_key(keys_dir, name)
            keys = cls.load(keys_dir)
        return keys


def _read_private(path: Path) -> str:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise AuditKeyError(
            f"audit key file {path} is readable by other users (mode {mode:o}); "
            f"run `chmod 600 {path}`"
        )
    return path.read_text()


def _write(path: Path, text: str, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def create_key(keys_dir: Path, name: str = DEFAULT_KEY_NAME) -> Signer:
    """A new signing key (0600) and its verifier key, made the active one."""
    check_key_name(name)
    keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(keys_dir, 0o700)
    signer = Signer.generate(name)
    key_id = signer.verifier.hex_id
    _write(keys_dir / f"{_PREFIX}{key_id}.key", signer.private_text() + "\n", 0o600)
    _write(keys_dir / f"{_PREFIX}{key_id}.pub", signer.verifier.text() + "\n", 0o644)
    active = keys_dir / ACTIVE_FILE
    tmp = active.with_suffix(".tmp")
    tmp.write_text(key_id + "\n")
    os.chmod(tmp, 0o600)
    tmp.replace(active)
    return signer


def rotate_key(keys_dir: Path, name: str | None = None) -> tuple[Signer, Verifier | None]:
    """Replace the active key by a new one; returns (new signer, retired verifier key)."""
    old = AuditKeys.load(keys_dir) if keys_dir.is_dir() else AuditKeys(None, ())
    retired = old.signer.verifier if old.signer is not None else None
    new_name = name or (retired.name if retired is not None else DEFAULT_KEY_NAME)
    signer = create_key(keys_dir, new_name)
    if retired is not None:
        (keys_dir / f"{_PREFIX}{retired.hex_id}.key").unlink()
    return signer, retired
