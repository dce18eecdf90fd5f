"""Envelope encryption for everything a person wrote (documents, step outputs, later the vault).

* The **key-encryption key** (KEK) is 32 random bytes in ``NIGHTSHIFT_HOME/keys/data-<id>.key``
  (mode 0600, directory 0700). Its id is ``kek-`` + the first 16 hex digits of SHA-256(key); the
  file ``keys/data.active`` names the key used for new documents. Old keys stay to decrypt old rows
  until ``nightshift keys rewrap-data-keys`` has moved every row to the active key
  (:mod:`compliance.keys.data_keys`).
* Each document gets its own **data key** (DEK), wrapped by the KEK. Dropping the wrapped DEK
  crypto-shreds the document and everything sealed under it, while hashes elsewhere stay valid.
* A running process follows a rotation: before it wraps a new data key it looks whether
  ``data.active`` changed (one ``stat``), and it loads a key it does not know when a row needs it.
* Every ciphertext is ``nonce (12 bytes) || AES-256-GCM(key, plaintext, aad)``. The associated data
  binds a ciphertext to the row it belongs to, so a ciphertext copied onto another row fails.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from compliance.errors import EncryptionError

KEY_BYTES = 32
NONCE_BYTES = 12
ACTIVE_FILE = "data.active"
_KEY_PREFIX = "data-"
_KEY_SUFFIX = ".key"


def _seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def _open(key: bytes, blob: bytes, aad: bytes, what: str) -> bytes:
    if len(blob) < NONCE_BYTES + 16:
        raise EncryptionError(f"{what} is too short to be a ciphertext; the row is damaged")
    try:
        return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
    except InvalidTag:
        raise EncryptionError(
            f"{what} does not authenticate: wrong key, or the row was altered or moved"
        ) from None


def key_id_of(key: bytes) -> str:
    return "kek-" + hashlib.sha256(key).hexdigest()[:16]


def document_aad(identity_key: str) -> bytes:
    """Associated data binding a document's ciphertexts and data key to its row."""
    return b"document:" + identity_key.encode()


@dataclass(frozen=True)
class DataKey:
    """A document's data key, unwrapped; use it to seal and open that document's blobs."""

    key: bytes

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        return _seal(self.key, plaintext, aad)

    def open(self, blob: bytes, aad: bytes) -> bytes:
        return _open(self.key, blob, aad, "an encrypted document field")


@dataclass(frozen=True)
class WrappedKey:
    key_id: str
    wrapped: bytes


class KeyRing:
    """The key-encryption keys of one nightshift home; the active one wraps new data keys.

    A ring loaded from a directory follows it: a key made active by another process (a
    rotation) wraps the next new data key, and a key added since is loaded when a row needs it.
    Keys once loaded stay in memory, so rows read before a rotation still open after it.
    """

    def __init__(
        self, keys: Mapping[str, bytes], active_id: str, keys_dir: Path | None = None
    ) -> None:
        if active_id not in keys:
            raise EncryptionError(f"the active key {active_id} is not among the loaded keys")
        self._keys = dict(keys)
        self.active_id = active_id
        self._keys_dir = keys_dir
        self._active_stamp = _stamp(keys_dir)

    @property
    def key_ids(self) -> list[str]:
        return sorted(self._keys)

    @property
    def keys_dir(self) -> Path | None:
        """The directory the ring was loaded from (and follows); None for a ring built in code."""
        return self._keys_dir

    def new_data_key(self, aad: bytes) -> tuple[DataKey, WrappedKey]:
        """A fresh data key and its wrapped form under the active KEK."""
        if self._keys_dir is not None and _stamp(self._keys_dir) != self._active_stamp:
            self.reload()
        dek = DataKey(os.urandom(KEY_BYTES))
        return dek, self._wrap(dek, self.active_id, aad)

    def unwrap(self, wrapped: WrappedKey, aad: bytes) -> DataKey:
        if wrapped.key_id not in self._keys and self._keys_dir is not None:
            self.reload()
        kek = self._keys.get(wrapped.key_id)
        if kek is None:
            raise EncryptionError(
                f"key {wrapped.key_id} is not in the key directory; restore it from the key "
                "backup (see docs/deploy.md) — without it these rows cannot be read"
            )
        blob = _open(kek, wrapped.wrapped, self._wrap_aad(wrapped.key_id, aad), "a wrapped key")
        return DataKey(blob)

    def rewrap(self, wrapped: WrappedKey, aad: bytes, key_id: str) -> WrappedKey:
        """The same data key, wrapped by ``key_id`` instead (the data it seals is untouched)."""
        if key_id not in self._keys:
            raise EncryptionError(f"key {key_id} is not in the key directory; it cannot wrap")
        return self._wrap(self.unwrap(wrapped, aad), key_id, aad)

    def reload(self) -> None:
        """Read the key directory again: new keys are added, the active key follows the file."""
        if self._keys_dir is None:
            return
        fresh = KeyRing.load(self._keys_dir)
        # Keys first, then the active id: a reader between the two still finds its key.
        self._keys = {**self._keys, **fresh._keys}
        self.active_id = fresh.active_id
        self._active_stamp = fresh._active_stamp

    def _wrap(self, dek: DataKey, key_id: str, aad: bytes) -> WrappedKey:
        return WrappedKey(key_id, _seal(self._keys[key_id], dek.key, self._wrap_aad(key_id, aad)))

    @staticmethod
    def _wrap_aad(key_id: str, aad: bytes) -> bytes:
        return b"nightshift/dek/v1|" + key_id.encode() + b"|" + aad

    @classmethod
    def load(cls, keys_dir: Path) -> KeyRing:
        """Load every key in ``keys_dir``; refuse keys that others can read."""
        if not keys_dir.is_dir():
            raise EncryptionError(
                f"no key directory at {keys_dir}; run `nightshift init` to create the data key"
            )
        stamp = _stamp(keys_dir)
        keys = {key_id: key for key_id, (_, key) in _read_keys(keys_dir).items()}
        if not keys:
            raise EncryptionError(f"no data key in {keys_dir}; run `nightshift init` to create one")
        ring = cls(keys, active_key_id(keys_dir) or max(keys), keys_dir)
        # The stamp read before the files: a rotation in between is seen on the next call.
        ring._active_stamp = stamp
        return ring

    @classmethod
    def ensure(cls, keys_dir: Path) -> tuple[KeyRing, bool]:
        """Load the key ring, creating the first key if there is none. Returns (ring, created)."""
        if keys_dir.is_dir() and any(keys_dir.glob(f"{_KEY_PREFIX}*{_KEY_SUFFIX}")):
            return cls.load(keys_dir), False
        create_key(keys_dir)
        return cls.load(keys_dir), True


def _stamp(keys_dir: Path | None) -> tuple[int, int] | None:
    """Identity of ``data.active`` (inode, mtime): a rotation replaces the file, so it changes."""
    if keys_dir is None:
        return None
    try:
        info = (keys_dir / ACTIVE_FILE).stat()
    except FileNotFoundError:
        return None
    return info.st_ino, info.st_mtime_ns


def active_key_id(keys_dir: Path) -> str | None:
    """The id ``data.active`` names, or None when there is no such file."""
    active_file = keys_dir / ACTIVE_FILE
    return active_file.read_text().strip() if active_file.exists() else None


def key_files(keys_dir: Path) -> dict[str, Path]:
    """{key id: file} of every key-encryption key in ``keys_dir`` (the id is read from the key)."""
    return {key_id: path for key_id, (path, _) in _read_keys(keys_dir).items()}


def _read_keys(keys_dir: Path) -> dict[str, tuple[Path, bytes]]:
    keys = {}
    for path in sorted(keys_dir.glob(f"{_KEY_PREFIX}*{_KEY_SUFFIX}")):
        key = _read_key_file(path)
        keys[key_id_of(key)] = (path, key)
    return keys


def _read_key_file(path: Path) -> bytes:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise EncryptionError(
            f"key file {path} is readable by other users (mode {mode:o}); run `chmod 600 {path}`"
        )
    key = path.read_bytes()
    if len(key) != KEY_BYTES:
        raise EncryptionError(f"key file {path} is not a {KEY_BYTES}-byte key; it is damaged")
    return key


def create_key(keys_dir: Path) -> str:
    """Create a new key-encryption key (0600) and make it the active one. Returns its id."""
    keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(keys_dir, 0o700)
    key = os.urandom(KEY_BYTES)
    key_id = key_id_of(key)
    path = keys_dir / f"{_KEY_PREFIX}{key_id}{_KEY_SUFFIX}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    active = keys_dir / ACTIVE_FILE
    tmp = active.with_suffix(".tmp")
    tmp.write_text(key_id + "\n")
    os.chmod(tmp, 0o600)
    tmp.replace(active)
    return key_id


def remove_key(keys_dir: Path, key_id: str) -> Path:
    """Delete the file of key ``key_id``; never the active key. Returns the deleted path.

    Whether rows still need the key is the caller's check
    (:func:`compliance.keys.data_keys.retire`).
    """
    if key_id == active_key_id(keys_dir):
        raise EncryptionError(f"key {key_id} is the active data key; it cannot be retired")
    path = key_files(keys_dir).get(key_id)
    if path is None:
        raise EncryptionError(f"key {key_id} is not in the key directory {keys_dir}")
    path.unlink()
    return path
