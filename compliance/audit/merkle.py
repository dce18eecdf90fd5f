"""The Merkle tree of RFC 6962 / RFC 9162 §2.1: hashing, proofs and their verification.

- leaf hash ``SHA-256(0x00 ‖ entry)``, node hash ``SHA-256(0x01 ‖ left ‖ right)``, the empty
  tree's root ``SHA-256("")``; a tree of ``n > 1`` leaves splits at ``k``, the largest power
  of two below ``n`` (not the midpoint).
- Every subtree that occurs in a proof of a tree of size ``n`` covers leaves ``[lo, hi)`` with
  ``lo`` a multiple of the largest power of two not above ``hi - lo``; its hash is made of the
  *perfect* subtrees (``2**level`` leaves starting at ``index * 2**level``) that tile it,
  largest first (:func:`perfect_cover`). A store of perfect-subtree hashes therefore answers
  any proof with O(log n) reads (:mod:`compliance.audit.tree`).
- :class:`CompactRange` is the append state: the perfect subtrees covering ``[0, n)``, at most
  ``log2(n) + 1`` hashes; appending a leaf merges the equal-sized ones and reports the new
  perfect nodes, and the root is their right-to-left fold.
- :func:`verify_inclusion` and :func:`verify_consistency` are the algorithms of
  RFC 9162 §2.1.3.2 and §2.1.4.2, for auditors who have nothing but hashes.

Pure functions, no I/O: an offline verifier imports this module alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

#: (level, index) of a perfect subtree.
NodeKey = tuple[int, int]
NodeSource = Callable[[int, int], bytes]


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two strictly below ``n`` (``n >= 2``)."""
    if n < 2:
        raise ValueError("only a tree of at least two leaves splits")
    return 1 << ((n - 1).bit_length() - 1)


def perfect_cover(lo: int, hi: int) -> list[NodeKey]:
    """The perfect subtrees tiling ``[lo, hi)``, largest (leftmost) first."""
    keys: list[NodeKey] = []
    while lo < hi:
        level = (hi - lo).bit_length() - 1
        if lo % (1 << level):
            raise ValueError(f"[{lo}, {hi}) is not a subtree of an RFC 6962 tree")
        keys.append((level, lo >> level))
        lo += 1 << level
    return keys


def fold(hashes: Sequence[bytes]) -> bytes:
    """The hash of a subtree from its perfect cover: ``H(a, H(b, H(c, d)))``."""
    if not hashes:
        return EMPTY_ROOT
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The subtrees whose hashes form the inclusion proof of leaf ``index`` (leaf first)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of size {size}")
    ranges: list[tuple[int, int]] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = split_point(hi - lo)
        if index < lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
    return ranges[::-1]


def consistency_ranges(old: int, new: int) -> list[tuple[int, int]]:
    """The subtrees whose hashes form the consistency proof from ``old`` to ``new`` leaves."""
    if not 0 <= old <= new:
        raise ValueError(f"no consistency proof from size {old} to size {new}")
    if old in (0, new):
        return []
    ranges: list[tuple[int, int]] = []
    lo, hi, complete = 0, new, True
    while old != hi:
        k = split_point(hi - lo)
        if old <= lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo, complete = lo + k, False
    if not complete:
        ranges.append((lo, hi))
    return ranges[::-1]


def needed_nodes(ranges: Iterable[tuple[int, int]]) -> set[NodeKey]:
    return {key for lo, hi in ranges for key in perfect_cover(lo, hi)}


def hashes_for(ranges: Iterable[tuple[int, int]], node: NodeSource) -> list[bytes]:
    """The hash of each range, from perfect-subtree hashes given by ``node(level, index)``."""
    return [fold([node(*key) for key in perfect_cover(lo, hi)]) for lo, hi in ranges]


def _is_hash(value: bytes) -> bool:
    return len(value) == HASH_SIZE


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2: does ``proof`` show leaf hash ``leaf`` at ``index`` under ``root``?"""
    if not 0 <= index < size or not _is_hash(leaf) or not all(map(_is_hash, proof)):
        return False
    fn, sn, result = index, size - 1, leaf
    for sibling in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            result = node_hash(result, sibling)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and result == root


def verify_consistency(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2: is the tree of ``new`` leaves an append-only extension of ``old``?"""
    if not 0 <= old <= new or not all(map(_is_hash, proof)):
        return False
    if old == new:
        return not proof and old_root == new_root
    if old == 0:
        return not proof
    path = list(proof)
    if not path:
        return False
    if old & (old - 1) == 0:  # a power of two: the old root is itself a node of the new tree
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == old_root and sr == new_root and sn == 0


class CompactRange:
    """The perfect subtrees covering leaves ``[0, size)``: enough to append and to root."""

    __slots__ = ("hashes", "size")

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        if len(hashes) != size.bit_count():
            raise ValueError(f"a compact range of size {size} has {size.bit_count()} hashes")
        self.size = size
        self.hashes = list(hashes)

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add one leaf hash; return the perfect nodes (level >= 1, index, hash) it completed."""
        created: list[tuple[int, int, bytes]] = []
        value, level, size = leaf, 0, self.size
        while (size >> level) & 1:
            value = node_hash(self.hashes.pop(), value)
            level += 1
            created.append((level, size >> level, value))
        self.hashes.append(value)
        self.size = size + 1
        return created

    def root(self) -> bytes:
        return fold(self.hashes)

    def to_bytes(self) -> bytes:
        return b"".join(self.hashes)

    @classmethod
    def from_bytes(cls, size: int, data: bytes) -> CompactRange:
        if len(data) != HASH_SIZE * size.bit_count():
            raise ValueError(f"stored compact range does not fit a tree of size {size}")
        return cls(size, [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)])

    def copy(self) -> CompactRange:
        return CompactRange(self.size, self.hashes)


def root_of(leaves: Iterable[bytes]) -> bytes:
    """The root over leaf hashes, in one pass with O(log n) memory."""
    tree = CompactRange()
    for leaf in leaves:
        tree.append(leaf)
    return tree.root()
