"""C2SP signed notes with Ed25519 keys, and the checkpoint text they carry.

A signed note (c2sp.org/signed-note) is a text ending in a newline, a blank line, and signature
lines ``— <key name> <base64(4-byte key id ‖ signature)>``. The key id is the first four bytes
of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key); 0x01 names Ed25519. Keys are written the way
``golang.org/x/mod/sumdb/note`` writes them, so Go tooling reads ours and we read theirs:

- verifier key ``<name>+<hex key id>+<base64(0x01 ‖ public key)>`` (public, give it to auditors);
- signer key ``PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 ‖ 32-byte seed)>`` (secret).

A checkpoint (c2sp.org/tlog-checkpoint) is the note text ``<origin>\\n<tree size>\\n<base64
root>\\n`` followed by one extension line ``time <RFC 3339 UTC>``: DESIGN 4 signs the time too.
The key name equals the origin, as the checkpoint spec recommends.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from compliance.audit.entries import format_time, parse_time
from compliance.audit.errors import NoteError

ED25519 = 0x01
_DASH = "\u2014 "
_MAX_SIGNATURES = 100
_PRIVATE_PREFIX = "PRIVATE+KEY+"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise NoteError(f"{what} is not valid base64") from None


def check_key_name(name: str) -> str:
    if not name or "+" in name or any(ch.isspace() or ord(ch) < 0x20 for ch in name):
        raise NoteError(f"key name {name!r} is empty or contains '+', a space or a control char")
    return name


def key_id(name: str, public_key: bytes) -> bytes:
    """SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public_key).digest()[:4]


@dataclass(frozen=True)
class Verifier:
    """A public Ed25519 note key: checks signatures, never makes them."""

    name: str
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.public_key)

    @property
    def hex_id(self) -> str:
        return self.key_id.hex()

    def text(self) -> str:
        return f"{self.name}+{self.hex_id}+{_b64(bytes([ED25519]) + self.public_key)}"

    @classmethod
    def parse(cls, text: str) -> Verifier:
        parts = text.strip().split("+", 2)
        if len(parts) != 3:
            raise NoteError("a verifier key reads <name>+<hex key id>+<base64 key>")
        name, hex_id, encoded = parts
        key = _unb64(encoded, "the verifier key")
        if len(key) != 33 or key[0] != ED25519:
            raise NoteError("the verifier key is not an Ed25519 key (0x01 ‖ 32 bytes)")
        verifier = cls(check_key_name(name), key[1:])
        if verifier.hex_id != hex_id.lower() or len(hex_id) != 8:
            raise NoteError(f"the key id {hex_id} does not match key {name!r}")
        return verifier

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


class Signer:
    """A private Ed25519 note key."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        self.name = check_key_name(name)
        self._key = private_key
        raw = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.verifier = Verifier(name, raw)

    @classmethod
    def generate(cls, name: str) -> Signer:
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def parse(cls, text: str) -> Signer:
        if not text.startswith(_PRIVATE_PREFIX):
            raise NoteError("a signer key starts with PRIVATE+KEY+")
        parts = text.strip().removeprefix(_PRIVATE_PREFIX).split("+", 2)
        if len(parts) != 3:
            raise NoteError("a signer key reads PRIVATE+KEY+<name>+<hex key id>+<base64 key>")
        name, hex_id, encoded = parts
        key = _unb64(encoded, "the signer key")
        if len(key) != 33 or key[0] != ED25519:
            raise NoteError("the signer key is not an Ed25519 key (0x01 ‖ 32-byte seed)")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(key[1:]))
        if signer.verifier.hex_id != hex_id.lower():
            raise NoteError(f"the key id {hex_id} does not match signer key {name!r}")
        return signer

    def private_text(self) -> str:
        encoded = _b64(bytes([ED25519]) + self._key.private_bytes_raw())
        return f"{_PRIVATE_PREFIX}{self.name}+{self.verifier.hex_id}+{encoded}"

    def sign(self, text: str) -> str:
        """The signed note: ``text``, a blank line, this key's signature line."""
        _check_text(text)
        signature = self._key.sign(text.encode("utf-8"))
        return f"{text}\n{_DASH}{self.name} {_b64(self.verifier.key_id + signature)}\n"


@dataclass(frozen=True)
class NoteSignature:
    name: str
    key_id: bytes
    signature: bytes


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("a note text must end with a newline")
    if any(ord(ch) < 0x20 and ch != "\n" for ch in text):
        raise NoteError("a note must not contain control characters other than newline")


def parse_note(note: str) -> tuple[str, list[NoteSignature]]:
    """Split a signed note into its text and signatures (nothing is verified here)."""
    cut = note.rfind("\n\n")
    if cut < 0 or not note.endswith("\n"):
        raise NoteError("malformed note: no blank line before the signatures")
    text, block = note[: cut + 1], note[cut + 2 :]
    _check_text(text)
    signatures = []
    for line in block.splitlines():
        name, _, encoded = line.removeprefix(_DASH).partition(" ")
        if not line.startswith(_DASH) or not encoded:
            raise NoteError("malformed note: a signature line reads '— <name> <base64>'")
        blob = _unb64(encoded, "a note signature")
        if len(blob) < 5:
            raise NoteError("malformed note: a signature is too short")
        signatures.append(NoteSignature(check_key_name(name), blob[:4], blob[4:]))
    if not signatures or len(signatures) > _MAX_SIGNATURES:
        raise NoteError("malformed note: no signature, or too many")
    return text, signatures


def open_note(note: str, verifiers: Iterable[Verifier]) -> tuple[str, Verifier]:
    """The text of ``note`` and the known key that signed it, or a NoteError saying why not.

    Signatures by unknown keys are ignored (C2SP); one by a known key that fails rejects the
    note; a note with no signature by a known key is rejected.
    """
    text, signatures = parse_note(note)
    known = {(v.name, v.key_id): v for v in verifiers}
    signer = None
    for sig in signatures:
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None:
            continue
        if not verifier.verify(text.encode("utf-8"), sig.signature):
            raise NoteError(f"the signature by {verifier.text()} does not verify: note altered")
        signer = signer or verifier
    if signer is None:
        unknown = ", ".join(f"{s.name}+{s.key_id.hex()}" for s in signatures)
        raise NoteError(f"signed by unknown key {unknown}, not by a verifier key of this log")
    return text, signer


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: the log's origin, its size, its root hash and when it was signed."""

    origin: str
    tree_size: int
    root: bytes
    time: datetime | None = None

    def text(self) -> str:
        body = f"{self.origin}\n{self.tree_size}\n{_b64(self.root)}\n"
        return body + (f"time {format_time(self.time)}\n" if self.time is not None else "")

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "" or not all(lines[:-1]):
            raise NoteError("a checkpoint is at least three non-empty lines")
        origin, size, root = lines[0], lines[1], _unb64(lines[2], "the checkpoint root")
        if not size.isdigit() or (size != "0" and size.startswith("0")) or len(root) != 32:
            raise NoteError("the checkpoint's tree size or root hash is malformed")
        moment = None
        for extension in lines[3:-1]:
            if extension.startswith("time "):
                try:
                    moment = parse_time(extension.removeprefix("time "))
                except ValueError:
                    raise NoteError("the checkpoint's time line is malformed") from None
        return cls(origin, int(size), root, moment)


def open_checkpoint(note: str, verifiers: Iterable[Verifier]) -> tuple[Checkpoint, Verifier]:
    """Verify a signed checkpoint and parse its text."""
    text, signer = open_note(note, verifiers)
    checkpoint = Checkpoint.parse(text)
    if checkpoint.origin != signer.name:
        raise NoteError(f"checkpoint origin {checkpoint.origin!r} is not its key's name")
    return checkpoint, signer
