"""RFC 6962 Merkle trees (zkpot_ref/ledger/merkle.py).

Outside reference: the Certificate Transparency test vectors published by
transparency-dev/merkle (testonly/constants.go): eight leaves, the root of every prefix,
and audit paths for leaves 0 and 5 of the 8-leaf tree.
"""

from __future__ import annotations

import hashlib

import pytest

from zkpot_ref.ledger.merkle import (
    inclusion_path,
    leaf_hash,
    merkle_root,
    node_hash,
    verify_inclusion,
)

CT_LEAVES = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243",
             "5051525354555657", "606162636465666768696a6b6c6d6e6f")]  # fmt: skip
CT_ROOTS = [
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
CT_PATHS = {
    0: ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    5: ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
}  # fmt: skip


@pytest.mark.task7_1
def test_roots_match_rfc6962_vectors() -> None:
    for n in range(len(CT_LEAVES) + 1):
        assert merkle_root(CT_LEAVES[:n]).hex() == CT_ROOTS[n]


@pytest.mark.task7_2
def test_paths_match_rfc6962_vectors() -> None:
    root = bytes.fromhex(CT_ROOTS[8])
    for index, expected in CT_PATHS.items():
        path = inclusion_path(CT_LEAVES, index)
        assert [h.hex() for h in path] == expected
        assert verify_inclusion(root, CT_LEAVES[index], index, 8, path)


def test_hash_prefixes_separate_leaves_from_nodes() -> None:
    assert leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert node_hash(b"l", b"r") == hashlib.sha256(b"\x01lr").digest()
    a, b, c = b"a", b"b", b"c"
    assert merkle_root([a, b]) == node_hash(leaf_hash(a), leaf_hash(b))
    assert merkle_root([leaf_hash(a) + leaf_hash(b)]) != merkle_root([a, b])
    assert merkle_root([a, b, c]) != merkle_root([a, b, c, c])  # no CVE-2012-2459


@pytest.mark.task7_2
def test_every_path_in_every_small_tree_and_nothing_else_verifies() -> None:
    leaves = [bytes([i, 7 * i % 256]) for i in range(13)]
    for n in range(1, len(leaves) + 1):
        tree, root = leaves[:n], merkle_root(leaves[:n])
        for i in range(n):
            path = inclusion_path(tree, i)
            assert len(path) <= max(1, (n - 1).bit_length())
            assert verify_inclusion(root, tree[i], i, n, path)
            assert not verify_inclusion(root, b"not a leaf", i, n, path)
            assert not verify_inclusion(root, tree[i], i, 0, path)
            assert not verify_inclusion(root, tree[i], i, n, [*path, root])
            if n > 1:
                assert not verify_inclusion(root, tree[i], (i + 1) % n, n, path)
                assert not verify_inclusion(root, tree[i], i, n, path[:-1])
                tampered = [bytes(32)] + path[1:]
                assert not verify_inclusion(root, tree[i], i, n, tampered)
    assert not verify_inclusion(merkle_root([b"a"]), b"a", 1, 1, [])
    assert not verify_inclusion(merkle_root([b"a"]), b"a", -1, 1, [])
    with pytest.raises(IndexError):
        inclusion_path([b"a"], 1)
