"""The stored Merkle tree: roots and proofs from O(log n) stored perfect-subtree hashes.

Appends store every perfect subtree they complete (``audit_nodes``; the leaves are the
entries' ``leaf_hash``). Any subtree a proof needs is tiled by at most ``log2(n) + 1`` perfect
subtrees (:func:`compliance.audit.merkle.perfect_cover`), so a root, an inclusion proof or a
consistency proof costs one indexed read of O(log n) rows — the tree is never rebuilt.
"""

from __future__ import annotations

from collections.abc import Sequence

from compliance.audit.errors import AuditError
from compliance.audit.merkle import (
    EMPTY_ROOT,
    NodeKey,
    consistency_ranges,
    hashes_for,
    inclusion_ranges,
    needed_nodes,
)
from storage.repositories.audit import AuditRepository


class StoredTree:
    def __init__(self, repo: AuditRepository) -> None:
        self._repo = repo

    def _hashes(self, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
        found = self._fetch(needed_nodes(ranges))
        return hashes_for(ranges, lambda level, index: found[(level, index)])

    def _fetch(self, keys: set[NodeKey]) -> dict[NodeKey, bytes]:
        found = self._repo.nodes(keys)
        missing = keys - found.keys()
        if missing:
            level, index = min(missing)
            raise AuditError(
                f"the audit tree has no stored hash for level {level}, index {index}: the node "
                "store is damaged; run `nightshift audit verify`"
            )
        return found

    def root(self, size: int) -> bytes:
        """The root of the tree over the first ``size`` entries."""
        return self._hashes([(0, size)])[0] if size else EMPTY_ROOT

    def inclusion_proof(self, seq: int, size: int) -> list[bytes]:
        return self._hashes(inclusion_ranges(seq, size))

    def inclusion_proofs(self, seqs: Sequence[int], size: int) -> list[list[bytes]]:
        """Proofs of many entries with one read of the nodes they share."""
        per_seq = [inclusion_ranges(seq, size) for seq in seqs]
        found = self._fetch(needed_nodes(r for ranges in per_seq for r in ranges))
        return [hashes_for(ranges, lambda lv, ix: found[(lv, ix)]) for ranges in per_seq]

    def consistency_proof(self, old: int, new: int) -> list[bytes]:
        return self._hashes(consistency_ranges(old, new))
