"""``nightshift audit verify``: recompute everything, trust nothing but the verifier keys.

1. Every checkpoint's signature, by a verifier key of this log (an unknown key, an edited note
   or a size that disagrees with its row is a finding).
2. Every entry, in seq order: seq numbers contiguous from 0; the bytes a canonical entry whose
   own ``seq`` is its position; SHA-256(0x00 ‖ bytes) equal to the leaf hash recorded at append;
   the query columns equal to the hashed fields.
3. The root recomputed over the first N entries equals the root of every checkpoint of size N,
   and the stored tree proves each checkpoint consistent with the one before (RFC 9162 §2.1.4).
4. The log is not shorter than its latest checkpoint (nor than its state row), nor longer than
   its state row.

It also counts the attempts whose outcome is unknown (an intent entry no outcome entry answers:
the process ended between the two, or the attempt is in flight) — a fact to report, not a fault.

Each finding is named by its **first bad seq**: the missing seq of a deleted row; the smaller of
position and claimed seq when rows were inserted, deleted-and-renumbered or swapped; the seq of
a changed entry; the first seq after the log's end for a truncated tail; and for a checkpoint
that is badly signed, or whose root no longer matches the entries (entries *and* their
recorded hashes rewritten), the first seq that checkpoint attests beyond the last good one.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import asdict, dataclass, field
from datetime import datetime
from itertools import pairwise
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from compliance.audit.entries import decode_entry, parse_time
from compliance.audit.errors import AuditError, EntryError, NoteError
from compliance.audit.merkle import CompactRange, leaf_hash, verify_consistency
from compliance.audit.note import Verifier, open_checkpoint
from compliance.audit.tree import StoredTree
from storage.models.audit import AuditCheckpoint
from storage.repositories.audit import AnyRow, AuditRepository

_COLUMNS = (
    "path", "run_id", "caller_key_id", "route", "outcome", "document_id", "attempt_id", "kind"
)  # fmt: skip


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    tree_size: int
    checkpoints: int
    first_bad_seq: int | None = None
    reason: str | None = None
    #: Attempts whose intent has no outcome entry: the request may have reached the provider
    #: and the process ended (or the attempt is still in flight). The log is still valid.
    unknown_outcomes: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Finding:
    first_bad_seq: int
    reason: str


@dataclass
class _Signed:
    """The checkpoints whose signatures verify, by tree size, and what each attests."""

    roots: dict[int, list[tuple[int, bytes]]] = field(default_factory=dict)
    window_start: dict[int, int] = field(default_factory=dict)

    def sizes(self) -> list[int]:
        return sorted(self.roots)


def check_checkpoints(
    rows: Sequence[AuditCheckpoint], verifiers: Sequence[Verifier]
) -> tuple[_Signed, Finding | None]:
    signed, first = _Signed(), None
    good: list[int] = []  # sizes of good checkpoints, ascending (rows come by tree size)
    for row in rows:
        below = bisect_left(good, row.tree_size)
        start = good[below - 1] if below else 0
        try:
            checkpoint, _ = open_checkpoint(row.note, verifiers)
        except NoteError as exc:
            first = first or Finding(
                start, f"checkpoint {row.id} (tree size {row.tree_size}): {exc}"
            )
            continue
        if checkpoint.tree_size != row.tree_size:
            first = first or Finding(
                start,
                f"checkpoint {row.id}: its row says {row.tree_size} entries, its signed "
                f"note {checkpoint.tree_size}",
            )
            continue
        signed.roots.setdefault(row.tree_size, []).append((row.id, checkpoint.root))
        good.append(row.tree_size)
        signed.window_start[row.tree_size] = start
    return signed, first


def _check_row(row: AnyRow, position: int) -> tuple[bytes, Finding | None]:
    seq, data, recorded = int(row[0]), bytes(row[1]), bytes(row[2])
    if seq != position:
        return b"", Finding(position, f"entry seq {position} is missing: a row was deleted")
    try:
        entry = decode_entry(data, canonical=False)
    except EntryError as exc:
        return b"", Finding(seq, f"entry at seq {seq} is {exc}: it was altered")
    if entry["seq"] != seq:
        return b"", Finding(
            min(seq, entry["seq"]),
            f"the row at seq {seq} holds the entry of seq {entry['seq']}: "
            "rows were inserted, deleted or swapped",
        )
    leaf = leaf_hash(data)
    if leaf != recorded:
        return b"", Finding(
            seq,
            f"entry at seq {seq} does not match the hash recorded when it was appended: "
            "a field was changed",
        )
    for name, value in zip(_COLUMNS, row[4:], strict=True):
        if entry.get(name) != value:  # a v1 entry has no attempt_id or kind: NULL columns
            return b"", Finding(seq, f"column {name} of seq {seq} disagrees with the entry")
    if _time_of(entry) != row[3]:
        return b"", Finding(seq, f"column recorded_at of seq {seq} disagrees with the entry")
    return leaf, None


def _time_of(entry: dict[str, Any]) -> datetime | None:
    try:
        return parse_time(entry["time"])
    except (TypeError, ValueError, AttributeError):
        return None


def scan_entries(rows: Iterable[AnyRow], signed: _Signed) -> tuple[int, Finding | None]:
    """Check every entry and the checkpoint roots; returns (entries read, first finding)."""
    tree = CompactRange()
    for row in rows:
        leaf, finding = _check_row(row, tree.size)
        if finding is not None:
            return tree.size, finding
        tree.append(leaf)
        for checkpoint_id, root in signed.roots.get(tree.size, ()):
            if root != tree.root():
                start = signed.window_start[tree.size]
                return tree.size, Finding(
                    start,
                    f"the root of checkpoint {checkpoint_id} (tree size {tree.size}) does "
                    f"not match entries {start}..{tree.size - 1}: they were rewritten",
                )
    if 0 in signed.roots and any(root != CompactRange().root() for _, root in signed.roots[0]):
        return tree.size, Finding(0, "the root of a checkpoint of the empty log was edited")
    return tree.size, None


def check_consistency(tree: StoredTree, signed: _Signed) -> Finding | None:
    """Each checkpoint is an append-only extension of the one before, proven by the store."""
    sizes = [s for s in signed.sizes() if s > 0]
    for old, new in pairwise(sizes):
        try:
            proof = tree.consistency_proof(old, new)
        except AuditError as exc:
            return Finding(old, str(exc))
        old_root, new_root = signed.roots[old][0][1], signed.roots[new][0][1]
        if not verify_consistency(old, new, old_root, new_root, proof):
            return Finding(
                old,
                f"the stored tree does not prove tree size {new} consistent with "
                f"{old}: the node store was altered",
            )
    return None


def _end_findings(size: int, signed: _Signed, before: int, after: int) -> list[Finding]:
    found = []
    latest = max(signed.roots, default=0)
    if latest > size:
        found.append(
            Finding(
                size,
                f"the log ends at {size} entries, but a checkpoint covers "
                f"{latest}: the tail was truncated",
            )
        )
    if before > size:
        found.append(
            Finding(
                size,
                f"the log state records {before} entries, {size} are "
                "stored: the tail was truncated",
            )
        )
    if after < size:
        found.append(
            Finding(
                after,
                f"{size - after} entries lie beyond the recorded tree size "
                f"{after}: rows were inserted",
            )
        )
    return found


def verify_log(sessions: sessionmaker[Session], verifiers: Sequence[Verifier]) -> VerifyReport:
    """Verify the whole log in this database against ``verifiers`` (the trusted public keys)."""
    with sessions() as session:
        repo = AuditRepository(session)
        before = repo.state()
        rows = repo.checkpoints()
        signed, bad_checkpoint = check_checkpoints(rows, verifiers)
        with closing(repo.stream()) as entries:
            size, finding = scan_entries(entries, signed)
        after = repo.state()
        findings = [f for f in (bad_checkpoint, finding) if f is not None]
        if finding is None:
            findings += _end_findings(
                size, signed, before.tree_size if before else 0, after.tree_size if after else 0
            )
        if not findings:
            findings += [f for f in (check_consistency(StoredTree(repo), signed),) if f]
        unknown = repo.unknown_outcomes()
    if not findings:
        return VerifyReport(True, size, len(rows), unknown_outcomes=unknown)
    first = min(findings, key=lambda f: f.first_bad_seq)
    return VerifyReport(False, size, len(rows), first.first_bad_seq, first.reason, unknown)
