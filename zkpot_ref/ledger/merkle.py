"""Merkle trees as Certificate Transparency builds them (RFC 6962 section 2.1).

Lesson: how one 32-byte root commits to a list, and how to prove that one item is in the
list with only log2(n) hashes. A block stores the root of its submissions (``block.py``);
a client that wants to show "my submission was accepted in block h" needs the block
header and its inclusion path, not the other submissions.

    MTH({})  = SHA-256()                                   the empty list
    MTH({d}) = SHA-256(0x00 || d)                          a leaf
    MTH(D_n) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])) k = largest power of two < n

The 0x00 / 0x01 prefixes separate leaves from inner nodes: without them, the 64 bytes
of an inner node could be presented as a leaf (a second preimage of the root). Splitting
at a power of two, instead of duplicating an odd last node as Bitcoin does, gives
[a, b, c] and [a, b, c, c] different roots (CVE-2012-2459).

The inclusion path of leaf m (RFC 6962 2.1.1) lists the sibling subtree roots from the
leaf up; ``verify_inclusion`` is the verification algorithm of RFC 9162 section 2.1.3.2.

Read next: ``block.py``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 || data): the hash of one leaf."""
    return _sha256(b"\x00" + bytes(data))


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right): the hash of an inner node."""
    return _sha256(b"\x01" + left + right)


def _split(n: int) -> int:
    """The largest power of two strictly below n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _root_of_hashes(hashes: Sequence[bytes]) -> bytes:
    # BEGIN TASK 7.1: the Merkle tree hash of RFC 6962
    if len(hashes) == 1:
        return hashes[0]
    k = _split(len(hashes))
    return node_hash(_root_of_hashes(hashes[:k]), _root_of_hashes(hashes[k:]))
    # END TASK 7.1


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """MTH(leaves): the Merkle Tree Hash of RFC 6962 2.1 (leaves are raw data)."""
    if not leaves:
        return _sha256(b"")
    return _root_of_hashes([leaf_hash(leaf) for leaf in leaves])


def _path(hashes: Sequence[bytes], m: int) -> list[bytes]:
    if len(hashes) == 1:
        return []
    k = _split(len(hashes))
    if m < k:
        return _path(hashes[:k], m) + [_root_of_hashes(hashes[k:])]
    return _path(hashes[k:], m - k) + [_root_of_hashes(hashes[:k])]


def inclusion_path(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(index, leaves) of RFC 6962 2.1.1: sibling hashes from the leaf to the root."""
    if not 0 <= index < len(leaves):
        raise IndexError(f"leaf {index} is not in a tree of {len(leaves)} leaves")
    return _path([leaf_hash(leaf) for leaf in leaves], index)


def verify_inclusion(
    root: bytes, leaf: bytes, index: int, size: int, path: Sequence[bytes]
) -> bool:
    """True iff ``leaf`` is leaf number ``index`` of a ``size``-leaf tree with this root.

    RFC 9162 2.1.3.2: walk up from the leaf; fn is the node's index at the current level
    and sn the last index. A node is a right child (sibling on the left) when fn is odd,
    and the last node of its level is promoted without a sibling until fn is odd again.
    """
    if not 0 <= index < size:
        return False
    # BEGIN TASK 7.2: checking an inclusion path (RFC 9162)
    fn, sn, r = index, size - 1, leaf_hash(leaf)
    for sibling in path:
        if sn == 0:
            return False  # the path is longer than the tree is deep
        if fn & 1 or fn == sn:
            r = node_hash(sibling, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, sibling)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root
    # END TASK 7.2
