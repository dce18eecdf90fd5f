"""File-level posture for ``nightshift doctor``: paths, modes, owners, and the key directory.

A private path (the home, the key, reports directories, the SQLite file, a private key file)
must not be accessible to group or other users and must belong to the user running nightshift.
A verifier key (``audit-*.pub``) is public by design: only group/other *write* access is flagged.
Nothing here creates or changes a file; key material is loaded only to see that it loads.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from compliance.audit.errors import AuditKeyError
from compliance.audit.keys import AuditKeys
from compliance.errors import EncryptionError
from compliance.keys.encryption import KeyRing

PRIVATE_BITS = 0o077  # group/other may read, write or enter
SHARED_WRITE_BITS = 0o022  # group/other may write
INIT_FIX = "run `nightshift init` (it creates the home, the keys and the database; idempotent)"


@dataclass(frozen=True)
class Problem:
    what: str
    fix: str


@dataclass(frozen=True)
class PathState:
    path: str
    exists: bool
    mode: str | None = None  # octal permission bits, e.g. "0600"
    owned_by_you: bool | None = None

    @classmethod
    def of(cls, path: Path) -> PathState:
        try:
            info = path.stat()
        except FileNotFoundError:
            return cls(str(path), False)
        mode = f"{stat.S_IMODE(info.st_mode):04o}"
        return cls(str(path), True, mode, info.st_uid == os.getuid())


@dataclass(frozen=True)
class KeyFile:
    kind: str
    file: PathState


@dataclass
class KeysState:
    directory: PathState
    files: list[KeyFile] = field(default_factory=list)
    data_keys_load: bool = False
    data_key_active: str | None = None
    data_key_ids: list[str] = field(default_factory=list)
    audit_signing_key: str | None = None
    audit_verifier_keys: int = 0


def check_private(
    state: PathState,
    what: str,
    problems: list[Problem],
    *,
    directory: bool = False,
    public: bool = False,
    missing_fix: str | None = None,
) -> None:
    """Add a problem when ``state`` is missing (and should exist), shared, or not yours."""
    if not state.exists or state.mode is None:
        if missing_fix:
            problems.append(Problem(f"{what} {state.path} does not exist", missing_fix))
        return
    bits = int(state.mode, 8) & (SHARED_WRITE_BITS if public else PRIVATE_BITS)
    if bits:
        who = "written" if public else "read or entered" if directory else "read"
        wanted = "644" if public else "700" if directory else "600"
        problems.append(
            Problem(
                f"{what} {state.path} can be {who} by group/other users (mode {state.mode})",
                f"run `chmod {wanted} {state.path}`",
            )
        )
    if state.owned_by_you is False:
        problems.append(
            Problem(
                f"{what} {state.path} is not owned by the user running nightshift "
                f"(uid {os.getuid()})",
                f"run `chown {os.getuid()} {state.path}` as root, or run nightshift as its owner",
            )
        )


def key_file_kind(name: str) -> str:
    if name.startswith("data-") and name.endswith(".key"):
        return "data key (KEK)"
    if name.startswith("audit-") and name.endswith(".key"):
        return "audit signing key"
    if name.startswith("audit-") and name.endswith(".pub"):
        return "audit verifier key (public)"
    if name in ("data.active", "audit.active"):
        return "active key id"
    return "other"


def keys_posture(
    keys_dir: Path, problems: list[Problem], missing_fix: str | None
) -> tuple[KeysState, KeyRing | None]:
    state = KeysState(PathState.of(keys_dir))
    check_private(
        state.directory, "the key directory", problems, directory=True, missing_fix=missing_fix
    )
    if not state.directory.exists:
        return state, None
    for path in sorted(p for p in keys_dir.iterdir() if p.is_file()):
        kind = key_file_kind(path.name)
        key_file = KeyFile(kind, PathState.of(path))
        state.files.append(key_file)
        check_private(key_file.file, kind, problems, public=kind.endswith("(public)"))
    keyring = _data_keys(keys_dir, state, problems)
    _audit_keys(keys_dir, state, problems)
    return state, keyring


def _data_keys(keys_dir: Path, state: KeysState, problems: list[Problem]) -> KeyRing | None:
    try:
        keyring = KeyRing.load(keys_dir)
    except EncryptionError as exc:
        problems.append(
            Problem(
                f"the data keys do not load, so nightshift cannot run: {exc}",
                "fix the key files as the message says, or restore them from the key backup",
            )
        )
        return None
    state.data_keys_load = True
    state.data_key_active = keyring.active_id
    state.data_key_ids = keyring.key_ids
    return keyring


def _audit_keys(keys_dir: Path, state: KeysState, problems: list[Problem]) -> None:
    try:
        audit = AuditKeys.load(keys_dir)
    except (AuditKeyError, ValueError) as exc:
        problems.append(
            Problem(
                f"the audit keys do not load, so no checkpoint can be signed: {exc}",
                "fix the key files as the message says, or restore them from the key backup",
            )
        )
        return
    state.audit_verifier_keys = len(audit.verifiers)
    if audit.signer is None:
        problems.append(
            Problem(
                f"no audit signing key in {keys_dir}: checkpoints cannot be signed",
                "run `nightshift audit rotate-key` to create one",
            )
        )
        return
    state.audit_signing_key = audit.signer.verifier.hex_id
