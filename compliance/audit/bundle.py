"""Audit bundles: what ``nightshift audit export`` writes, and their offline verification.

A bundle is a directory an auditor can check on a machine that has nothing else:

- ``entries.jsonl`` — the selected entries in seq order, each line exactly the bytes that were
  hashed into the tree, then ``\\n``;
- ``proofs.jsonl`` — line for line, ``{"proof":[<base64 hash>...],"seq":N}``: the RFC 9162
  inclusion proof of that entry in the tree of ``checkpoint.txt``;
- ``checkpoint.txt`` — the signed checkpoint (C2SP signed note) the proofs lead to;
- ``consistency.jsonl`` — ``{"proof":[...],"size":M}`` for every earlier checkpoint size M: the
  RFC 9162 consistency proof from M to the bundle's tree, so an auditor who kept a checkpoint
  from an earlier bundle can check the log only grew since (``--previous``);
- ``verifier-key.txt`` — the log's verifier keys, one per line (compare them with the keys you
  received from the operator through another channel, or pass your own);
- ``README.txt`` — these instructions.

:func:`verify_bundle` needs only this module's imports: no database, no settings, no keys dir.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from compliance.audit.entries import canonical_json, decode_entry
from compliance.audit.errors import BundleError, EntryError, NoteError
from compliance.audit.merkle import leaf_hash, verify_consistency, verify_inclusion
from compliance.audit.note import Checkpoint, Verifier, open_checkpoint

ENTRIES = "entries.jsonl"
PROOFS = "proofs.jsonl"
CONSISTENCY = "consistency.jsonl"
CHECKPOINT = "checkpoint.txt"
VERIFIER_KEYS = "verifier-key.txt"
README = "README.txt"

README_TEXT = """\
nightshift audit bundle
=======================

Verify it offline:  nightshift audit verify-bundle <this directory>
                        [--key-file <verifier keys you trust>] [--previous <older checkpoint.txt>]

By hand (RFC 6962 / RFC 9162, c2sp.org/signed-note, c2sp.org/tlog-checkpoint):
1. checkpoint.txt is a signed note; check its Ed25519 signature with a verifier key you trust
   (key id = SHA-256(name || 0x0A || 0x01 || public key)[:4]). Its text is the origin, the tree
   size N, the base64 root hash, and the time it was signed.
2. Each line of entries.jsonl is one entry's exact bytes (canonical JSON). Its leaf hash is
   SHA-256(0x00 || line without the newline).
3. The same line of proofs.jsonl holds the entry's seq and its inclusion proof; RFC 9162
   section 2.1.3.2 with (seq, N, leaf hash, proof) must give the root of checkpoint.txt.
4. Holding a checkpoint (size M, root R) from an earlier bundle: the line of consistency.jsonl
   with "size": M, run through RFC 9162 section 2.1.4.2 with (M, N, R, root), proves the log
   only grew since.
"""


@dataclass(frozen=True)
class BundleReport:
    ok: bool
    tree_size: int
    entries: int
    first_bad_seq: int | None = None
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _b64_list(hashes: Sequence[bytes]) -> list[str]:
    return [base64.b64encode(h).decode() for h in hashes]


def proof_line(seq: int, proof: Sequence[bytes]) -> bytes:
    return canonical_json({"proof": _b64_list(proof), "seq": seq})


def consistency_line(size: int, proof: Sequence[bytes]) -> bytes:
    return canonical_json({"proof": _b64_list(proof), "size": size})


def write_static_files(out: Path, note: str, verifiers: Sequence[Verifier]) -> None:
    (out / CHECKPOINT).write_text(note, encoding="utf-8")
    (out / VERIFIER_KEYS).write_text("".join(v.text() + "\n" for v in verifiers))
    (out / README).write_text(README_TEXT)


def read_verifier_keys(path: Path) -> list[Verifier]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise BundleError(f"cannot read verifier keys from {path}: {exc.strerror}") from None
    return [Verifier.parse(line) for line in lines if line.strip()]


def _lines(path: Path) -> Iterator[bytes]:
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise BundleError(f"the bundle has no readable {path.name}: {exc.strerror}") from None
    with handle:
        for line in handle:
            if not line.endswith(b"\n"):
                raise BundleError(f"{path.name} does not end with a newline: it was cut short")
            yield line[:-1]


def _parse_proof(line: bytes, key: str = "seq") -> tuple[int, list[bytes]]:
    try:
        value = json.loads(line)
        return int(value[key]), [base64.b64decode(h, validate=True) for h in value["proof"]]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise BundleError(f"a line of the bundle's proofs ({key}) is malformed") from None


class _Check:
    """Entries against the checkpoint, one at a time."""

    def __init__(self, checkpoint: Checkpoint) -> None:
        self.checkpoint = checkpoint
        self.count = 0
        self.last_seq = -1

    def entry(self, data: bytes, proof_data: bytes) -> tuple[int, str] | None:
        """None when the entry is proven, else (first bad seq, why)."""
        try:
            seq = decode_entry(data)["seq"]
        except EntryError as exc:
            return self.last_seq + 1, f"the entry after seq {self.last_seq} is {exc}"
        proof_seq, proof = _parse_proof(proof_data)
        size, root = self.checkpoint.tree_size, self.checkpoint.root
        if seq <= self.last_seq or seq >= size:
            return seq, f"entry seq {seq} is out of order or beyond the checkpoint ({size})"
        if seq != proof_seq:
            where = min(seq, proof_seq)
            return where, f"entry seq {seq} is paired with the proof of seq {proof_seq}: lines lost"
        if not verify_inclusion(seq, size, leaf_hash(data), proof, root):
            return seq, f"entry seq {seq} is not included in the checkpoint: it was altered"
        self.last_seq, self.count = seq, self.count + 1
        return None


def verify_bundle(
    directory: Path, trusted: Sequence[Verifier] | None = None, previous: Sequence[str] = ()
) -> BundleReport:
    """Check a bundle offline; ``trusted`` verifier keys override ``verifier-key.txt``;
    ``previous`` signed checkpoints (from earlier bundles) must be prefixes of this one."""
    try:
        keys = list(trusted) if trusted else read_verifier_keys(directory / VERIFIER_KEYS)
        note = (directory / CHECKPOINT).read_text(encoding="utf-8")
        checkpoint, _ = open_checkpoint(note, keys)
    except (OSError, UnicodeDecodeError, NoteError, BundleError) as exc:
        return BundleReport(False, 0, 0, None, f"the checkpoint cannot be trusted: {exc}")
    check = _Check(checkpoint)
    try:
        report = _verify_entries(directory, check)
        for old in previous if report.ok else ():
            bad = _check_previous(directory, keys, checkpoint, old)
            if bad is not None:
                return BundleReport(False, checkpoint.tree_size, check.count, *bad)
        return report
    except BundleError as exc:
        return BundleReport(False, checkpoint.tree_size, check.count, check.last_seq + 1, str(exc))


def _verify_entries(directory: Path, check: _Check) -> BundleReport:
    size = check.checkpoint.tree_size
    proofs = _lines(directory / PROOFS)
    for data in _lines(directory / ENTRIES):
        bad = check.entry(data, next(proofs, b"{}"))
        if bad is not None:
            return BundleReport(False, size, check.count, *bad)
    if next(proofs, None) is not None:
        raise BundleError("proofs.jsonl has more lines than entries.jsonl")
    return BundleReport(True, size, check.count)


def _check_previous(
    directory: Path, keys: Sequence[Verifier], current: Checkpoint, note: str
) -> tuple[int | None, str] | None:
    """None when the earlier checkpoint ``note`` is a prefix of ``current``, else why not."""
    try:
        old, _ = open_checkpoint(note, keys)
    except NoteError as exc:
        return None, f"the earlier checkpoint cannot be trusted: {exc}"
    size = current.tree_size
    if old.tree_size > size:
        return size, f"the log shrank from {old.tree_size} to {size} entries: its tail was cut"
    path = directory / CONSISTENCY
    proofs = dict(_parse_proof(line, "size") for line in _lines(path)) if path.exists() else {}
    proof = [] if old.tree_size in (0, size) else proofs.get(old.tree_size)
    if proof is None:
        return None, f"the bundle has no consistency proof from tree size {old.tree_size}"
    if not verify_consistency(old.tree_size, size, old.root, current.root, proof):
        return None, f"the tree of {size} entries does not extend the earlier one of " + (
            f"{old.tree_size}: entries before seq {old.tree_size} were rewritten"
        )
    return None
