"""The Merkle tree is RFC 6962's: the published roots and proofs, and every proof of small trees.

Vectors: the RFC 6962 test leaves and roots as published by the certificate-transparency and
transparency-dev/merkle test suites (``proof/verify_test.go``), used as data.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence

import pytest

from compliance.audit.merkle import (
    EMPTY_ROOT,
    CompactRange,
    consistency_ranges,
    hashes_for,
    inclusion_ranges,
    leaf_hash,
    node_hash,
    root_of,
    split_point,
    verify_consistency,
    verify_inclusion,
)

LEAVES = [
    bytes.fromhex(h)
    for h in (
        "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]  # fmt: skip
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
#: (leaf index, tree size, proof)
INCLUSION = [
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip
#: (old size, new size, proof)
CONSISTENCY = [
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]  # fmt: skip
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


def reference_root(leaves: Sequence[bytes]) -> bytes:
    """MTH exactly as RFC 6962 §2.1 writes it, recursively."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(
        b"\x01" + reference_root(leaves[:k]) + reference_root(leaves[k:])
    ).digest()


def node_store(leaf_hashes: Sequence[bytes]) -> Callable[[int, int], bytes]:
    """Every perfect subtree hash, as appends report them (what the database stores)."""
    nodes: dict[tuple[int, int], bytes] = {}
    tree = CompactRange()
    for index, leaf in enumerate(leaf_hashes):
        nodes[(0, index)] = leaf
        for level, idx, value in tree.append(leaf):
            assert (level, idx) not in nodes
            nodes[(level, idx)] = value
    return lambda level, idx: nodes[(level, idx)]


HASHES = [leaf_hash(leaf) for leaf in LEAVES]
NODES = node_store(HASHES)


def hexes(values: Sequence[bytes]) -> list[str]:
    return [v.hex() for v in values]


@pytest.mark.parametrize("size", range(9))
def test_the_root_of_the_published_leaves_is_the_published_root(size: int) -> None:
    assert root_of(HASHES[:size]).hex() == ROOTS[size]
    assert reference_root(LEAVES[:size]).hex() == ROOTS[size]


def test_the_roots_quoted_in_the_design_document_hold() -> None:
    quoted = {0: ("e3b0c442", "b855"), 1: ("6e340b9c", "a01d"), 2: ("fac54203", "c125"),
              4: ("d37ee418", "14b7"), 6: ("76e67dad", "87ef")}  # fmt: skip
    for size, (head, tail) in quoted.items():
        root = root_of(HASHES[:size]).hex()
        assert root.startswith(head) and root.endswith(tail)


def test_the_empty_tree_and_the_split_follow_the_rfc() -> None:
    assert EMPTY_ROOT.hex() == ROOTS[0]
    assert [split_point(n) for n in (2, 3, 4, 5, 8, 9, 1000)] == [1, 2, 2, 4, 4, 8, 512]


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_inclusion_proofs_are_the_published_ones(index: int, size: int, proof: list[str]) -> None:
    assert hexes(hashes_for(inclusion_ranges(index, size), NODES)) == proof
    assert verify_inclusion(index, size, HASHES[index], [bytes.fromhex(p) for p in proof],
                            bytes.fromhex(ROOTS[size]))  # fmt: skip


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_consistency_proofs_are_the_published_ones(old: int, new: int, proof: list[str]) -> None:
    assert hexes(hashes_for(consistency_ranges(old, new), NODES)) == proof
    assert verify_consistency(old, new, bytes.fromhex(ROOTS[old]), bytes.fromhex(ROOTS[new]),
                              [bytes.fromhex(p) for p in proof])  # fmt: skip


def flipped(proof: list[bytes], i: int) -> list[bytes]:
    return [bytes([p[0] ^ 8]) + p[1:] if j == i else p for j, p in enumerate(proof)]


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_corrupted_inclusion_proofs_do_not_verify(index: int, size: int, proof: list[str]) -> None:
    path = [bytes.fromhex(p) for p in proof]
    root, leaf = bytes.fromhex(ROOTS[size]), HASHES[index]
    probes = [
        (index - 1, size, leaf, path, root), (index + 1, size, leaf, path, root),
        (index ^ 2, size, leaf, path, root), (index, size * 2, leaf, path, root),
        (index, size // 2, leaf, path, root), (index, size, b"WrongLeaf", path, root),
        (index, size, leaf, path, EMPTY_ROOT), (index, size, leaf, path, SOME_HASH),
        (index, size, leaf, [*path, b""], root), (index, size, leaf, [*path, root], root),
        (index, size, leaf, [b"", *path], root), (index, size, leaf, [root, *path], root),
        (index, size, leaf, path[:-1], root),
        *[(index, size, leaf, flipped(path, i), root) for i in range(len(path))],
    ]  # fmt: skip
    assert not any(verify_inclusion(*probe) for probe in probes)


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_corrupted_consistency_proofs_do_not_verify(old: int, new: int, proof: list[str]) -> None:
    path = [bytes.fromhex(p) for p in proof]
    r1, r2 = bytes.fromhex(ROOTS[old]), bytes.fromhex(ROOTS[new])
    probes = [
        (old - 1, new, r1, r2, path), (old + 1, new, r1, r2, path), (old ^ 2, new, r1, r2, path),
        (old, new * 2, r1, r2, path), (old, new // 2, r1, r2, path),
        (old, new, b"WrongRoot", r2, path), (old, new, r1, b"WrongRoot", path),
        (old, new, r2, r1, path), (old, new, r1, r2, []), (old, new, r1, r2, [*path, b""]),
        (old, new, r1, r2, [*path, r1]), (old, new, r1, r2, [*path, r2]),
        (old, new, r1, r2, [b"", *path]), (old, new, r1, r2, [r1, *path]),
        (old, new, r1, r2, [r2, *path]), (old, new, r1, r2, [path[0], *path]),
        (old, new, r1, r2, path[:-1]),
        *[(old, new, r1, r2, flipped(path, i)) for i in range(len(path))],
    ]  # fmt: skip
    assert not any(verify_consistency(*probe) for probe in probes)


def test_trivial_consistency_cases_follow_rfc_9162() -> None:
    a, b = b"don't care 1", b"don't care 2"
    assert verify_consistency(0, 0, a, a, [])
    assert verify_consistency(0, 1, a, b, [])
    assert not verify_consistency(1, 1, a, b, [])
    assert not verify_consistency(1, 0, a, b, [])
    assert not verify_consistency(1, 2, a, b, [])
    assert not verify_consistency(1, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT])


def test_every_proof_of_every_tree_up_to_40_leaves_verifies() -> None:
    leaves = [leaf_hash(bytes([i, (i * 7) % 256])) for i in range(40)]
    nodes = node_store(leaves)
    roots = [root_of(leaves[:n]) for n in range(41)]
    for size in range(1, 41):
        for index in range(size):
            proof = hashes_for(inclusion_ranges(index, size), nodes)
            assert verify_inclusion(index, size, leaves[index], proof, roots[size])
            other = leaves[(index + 1) % size]
            assert size == 1 or not verify_inclusion(index, size, other, proof, roots[size])
        for old in range(size + 1):
            proof = hashes_for(consistency_ranges(old, size), nodes)
            assert verify_consistency(old, size, roots[old], roots[size], proof)


def test_the_compact_range_agrees_with_the_recursive_definition_on_random_trees() -> None:
    rng = random.Random(6962)
    for _ in range(30):
        leaves = [rng.randbytes(rng.randrange(0, 40)) for _ in range(rng.randrange(0, 300))]
        assert root_of(leaf_hash(leaf) for leaf in leaves) == reference_root(leaves)


def test_a_stored_compact_range_resumes_where_it_stopped() -> None:
    whole, resumed = CompactRange(), CompactRange()
    for leaf in HASHES[:5]:
        whole.append(leaf)
        resumed.append(leaf)
    resumed = CompactRange.from_bytes(5, resumed.to_bytes())
    for leaf in HASHES[5:]:
        assert whole.append(leaf) == resumed.append(leaf)
    assert resumed.root() == whole.root() == bytes.fromhex(ROOTS[8])
    assert node_hash(HASHES[0], HASHES[1]).hex() == ROOTS[2]
