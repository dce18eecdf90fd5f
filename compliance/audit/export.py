"""``nightshift audit export``: write a bundle (:mod:`compliance.audit.bundle`) from the database.

The export first asks for a checkpoint covering every entry so far (a new one only if the log
grew since the latest), then writes the selected entries — their stored bytes, unchanged — with
one inclusion proof each against that checkpoint, computed from the stored tree in chunks, and
a consistency proof from every earlier checkpoint to it.
"""

from __future__ import annotations

import dataclasses
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlalchemy.orm import Session, sessionmaker

from compliance.audit.bundle import (
    CONSISTENCY,
    ENTRIES,
    PROOFS,
    consistency_line,
    proof_line,
    write_static_files,
)
from compliance.audit.errors import BundleError
from compliance.audit.keys import AuditKeys
from compliance.audit.log import AuditLog
from compliance.audit.note import Verifier
from compliance.audit.tree import StoredTree
from storage.repositories.audit import AuditRepository, EntryFilter

#: Entries whose proofs are computed with one read of the tree nodes.
PROOF_CHUNK = 2000


@dataclass(frozen=True)
class ExportReport:
    directory: str
    entries: int
    tree_size: int
    first_seq: int | None
    last_seq: int | None


def _prepare(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BundleError(f"{out} exists and is not an empty directory; choose a new --out")
    out.mkdir(parents=True, exist_ok=True)


def export_bundle(
    sessions: sessionmaker[Session], log: AuditLog, keys: AuditKeys, out: Path, where: EntryFilter
) -> ExportReport:
    """Write the entries ``where`` selects, with proofs against a fresh checkpoint, to ``out``."""
    _prepare(out)
    signed = log.checkpoint_now()
    size = signed.checkpoint.tree_size
    last = size - 1 if where.seq_to is None else min(where.seq_to, size - 1)
    selection = dataclasses.replace(where, seq_to=last)
    first_seq = last_seq = None
    count = 0
    with (
        sessions() as reading,
        sessions() as proving,
        closing(AuditRepository(reading).stream(selection)) as rows,
        (out / ENTRIES).open("wb") as entries,
        (out / PROOFS).open("wb") as proofs,
    ):
        tree = StoredTree(AuditRepository(proving))
        chunk: list[tuple[int, bytes]] = []
        for row in rows:
            chunk.append((int(row[0]), bytes(row[1])))
            if len(chunk) == PROOF_CHUNK:
                _write_chunk(chunk, tree, size, entries, proofs)
                chunk = []
            first_seq = int(row[0]) if first_seq is None else first_seq
            last_seq, count = int(row[0]), count + 1
        _write_chunk(chunk, tree, size, entries, proofs)
    _write_consistency(sessions, out / CONSISTENCY, size)
    write_static_files(out, signed.note, _ordered(keys, signed.key_id))
    return ExportReport(str(out), count, size, first_seq, last_seq)


def _write_chunk(
    chunk: list[tuple[int, bytes]],
    tree: StoredTree,
    size: int,
    entries: IO[bytes],
    proofs: IO[bytes],
) -> None:
    if not chunk:
        return
    all_proofs = tree.inclusion_proofs([seq for seq, _ in chunk], size)
    for (seq, data), proof in zip(chunk, all_proofs, strict=True):
        entries.write(data + b"\n")
        proofs.write(proof_line(seq, proof) + b"\n")


def _write_consistency(sessions: sessionmaker[Session], path: Path, size: int) -> None:
    """A consistency proof to ``size`` from every smaller checkpoint the log has signed."""
    with sessions() as session, path.open("wb") as out:
        repo = AuditRepository(session)
        tree = StoredTree(repo)
        for old in sorted({c.tree_size for c in repo.checkpoints() if 0 < c.tree_size < size}):
            out.write(consistency_line(old, tree.consistency_proof(old, size)) + b"\n")


def _ordered(keys: AuditKeys, signer_id: str) -> list[Verifier]:
    """Every verifier key, the one that signed the bundle's checkpoint first."""
    return sorted(keys.verifiers, key=lambda v: v.hex_id != signer_id)
